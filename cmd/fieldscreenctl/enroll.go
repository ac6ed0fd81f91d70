package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "enroll", Summary: "--central URL[,URL2…] --token-file FILE|-: enrol this terminal with central (several URLs: instances to fail over between; token from a file or standard input; --token TOKEN is visible in ps)", Run: runEnroll})
}

// maxTokenFile bounds what is read for a token (tokens are under 200 bytes).
const maxTokenFile = 4 << 10

func runEnroll(e *Env, args []string) error {
	fs := newFlags("enroll")
	url := fs.String("central", "", "central's base URL, https://host:port; several instances of one central separated by commas (the terminal fails over)")
	tokenFile := fs.String("token-file", "", "file holding the one-time enrolment token, or - for standard input")
	token := fs.String("token", "", "the token itself (discouraged: other users see it in ps; use --token-file)")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if *url == "" || (*token == "") == (*tokenFile == "") {
		return usageError("enroll needs --central URL and one of --token-file FILE (- for standard input) or --token TOKEN")
	}
	tok := *token
	if tok != "" {
		fmt.Fprintln(e.Stderr, "warning: --token puts the enrolment token on the command line, where other users of this machine see it (ps); use --token-file FILE or --token-file - (standard input)")
	} else {
		var err error
		if tok, err = readToken(e, *tokenFile); err != nil {
			return err
		}
	}
	return e.withSession(func(v *vault.Vault, s *vault.Session) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		en, err := sync.Enrol(ctx, s, *url, tok)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "enrolled with %s as device %s\n", en.Central, en.DeviceID)
		return nil
	})
}

// readToken reads the token from path ("-": standard input): the first line, trimmed.
func readToken(e *Env, path string) (string, error) {
	var r io.Reader = e.Stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("enrolment token file: %w", err)
		}
		defer f.Close()
		r, name = f, path
	}
	b, err := io.ReadAll(io.LimitReader(r, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("enrolment token from %s: %w", name, err)
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("enrolment token from %s: more than %d bytes; the file should hold only the token from fieldscreen-central token create", name, maxTokenFile)
	}
	tok, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if tok = strings.TrimSpace(tok); tok == "" {
		return "", fmt.Errorf("enrolment token from %s: empty; it should hold the token from fieldscreen-central token create", name)
	}
	return tok, nil
}
