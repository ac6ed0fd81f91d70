package main

import (
	"bytes"
	"flag"
	"io"
)

// newFlags makes a quiet flag set for one subcommand; errors are returned, not printed.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseMixed parses flags that may come before or after positional arguments
// ("user add NAME --role officer") and returns the positional ones in order.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
