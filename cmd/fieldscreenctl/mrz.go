package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fieldscreen/fieldscreen/forms/mrz"
)

func init() {
	register(Command{
		Name:    "mrz",
		Summary: "read a document's machine readable zone: mrz parse [--now YYYY-MM-DD] < lines",
		Run:     runMRZ,
	})
}

// maxMRZInput bounds what is read from stdin: an MRZ is at most 3×44 characters, so anything
// near this size is not one, and an endless pipe must not exhaust memory.
const maxMRZInput = 4096

// runMRZ prints the parsed MRZ as one JSON object. Exit 0: every check digit right; 1: parsed
// but a check failed (the JSON is still printed, so a script can see which); 2: not an MRZ.
func runMRZ(e *Env, args []string) error {
	_, rest, err := subcommand("mrz", args, "parse")
	if err != nil {
		return err
	}
	fs := newFlags("mrz parse")
	nowFlag := fs.String("now", "", "date that resolves two-digit years (default: today, UTC)")
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("mrz parse: %v", err)
	}
	if len(pos) > 0 {
		return usageError("mrz parse reads the MRZ lines on stdin and takes no arguments, got %q", pos[0])
	}
	now := time.Now().UTC()
	if *nowFlag != "" {
		if now, err = time.Parse(time.DateOnly, *nowFlag); err != nil {
			return usageError("mrz parse: --now %q is not a date YYYY-MM-DD", *nowFlag)
		}
	}
	in, err := io.ReadAll(io.LimitReader(e.Stdin, maxMRZInput+1))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if len(in) > maxMRZInput {
		return &ExitError{Code: 2, Err: fmt.Errorf("input is longer than %d bytes, which no MRZ is: pipe only the 2 or 3 MRZ lines", maxMRZInput)}
	}
	r, err := mrz.ParseText(string(in), now)
	if errors.Is(err, mrz.ErrNotMRZ) {
		return &ExitError{Code: 2, Err: err}
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	if !r.Valid {
		return &ExitError{Code: 1}
	}
	return nil
}
