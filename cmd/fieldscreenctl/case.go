package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "case", Summary: "import < case.json (initial status only) | update ID --revision N < merge-patch.json | correct ID --revision N --field PATH --value TEXT|--value-json JSON --reason TEXT (supervisor, transmitted data) | export ID (with \"revision\") | list | submit ID | purge ID | access-report ID --out FILE.pdf [--cosign-medic NAME] [--cosign-auditor NAME]: cases as JSON (docs/case-schema.md)", Run: runCase})
}

// maxCaseJSON bounds what case import reads: a case is a few kilobytes; images never travel
// in case JSON.
const maxCaseJSON = 4 << 20

// withApp wraps a vault session in the app layer's case service. The idle lock never
// fires in a short command; the session is locked when the command ends.
func (e *Env) withApp(fn func(s *app.Session) error) error {
	if !vault.Exists(e.VaultDir) {
		_, err := e.openVault() // the error that says how to create one
		return err
	}
	cfg := app.DefaultConfig()
	cfg.VaultDir = e.VaultDir
	cfg.IdleTimeout = time.Hour
	term, err := app.OpenTerminal(cfg, vaultOptions())
	if err != nil {
		return err
	}
	defer term.Close()
	if e.User == "" {
		return fmt.Errorf("no user: pass --user NAME or set FIELDSCREEN_USER")
	}
	pass, err := e.passphrase()
	if err != nil {
		return err
	}
	s, err := term.Unlock(e.User, pass)
	if err != nil {
		return fmt.Errorf("unlock as %s: %w", e.User, err)
	}
	defer s.Lock(app.LockedClosed)
	return fn(s)
}

func runCase(e *Env, args []string) error {
	if len(args) > 0 && args[0] == "access-report" {
		return runAccessReport(e, args[1:]) // access.go
	}
	if len(args) > 0 && args[0] == "correct" {
		return runCorrect(e, args[1:]) // correct.go
	}
	sub, rest, err := subcommand("case", args, "import", "update", "export", "list", "submit", "purge")
	if err != nil {
		return err
	}
	fs := newFlags("case " + sub)
	asJSON := fs.Bool("json", false, "print JSON (case list)")
	revision := fs.Int("revision", -1, "the revision the patch was made against (case update)")
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("%v", err)
	}
	switch sub {
	case "import":
		if len(pos) != 0 {
			return usageError("usage: case import < case.json")
		}
		c, err := readCaseJSON(e)
		if err != nil {
			return err
		}
		return e.withApp(func(s *app.Session) error {
			id, err := s.CreateCase(c)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.Stdout, id)
			return nil
		})
	case "update":
		if len(pos) != 1 || *revision < 1 {
			return usageError("usage: case update ID --revision N < patch.json (an RFC 7396 merge patch; the whole case as case export prints it is one)")
		}
		patch, err := readStdinJSON(e)
		if err != nil {
			return err
		}
		return e.withApp(func(s *app.Session) error {
			rev, err := s.UpdateCaseJSON(vault.CaseID(pos[0]), *revision, patch)
			var stale *app.StaleError
			if errors.As(err, &stale) {
				return &ExitError{Code: exitStale, Err: fmt.Errorf("case %s changed since revision %d (now %d): export it again and redo the change", pos[0], stale.Read, stale.Current)}
			}
			if err != nil {
				return err
			}
			if rev == *revision {
				fmt.Fprintf(e.Stdout, "%s: nothing changed (revision %d)\n", pos[0], rev)
				return nil
			}
			fmt.Fprintf(e.Stdout, "updated %s: revision %d\n", pos[0], rev)
			return nil
		})
	case "export":
		if len(pos) != 1 {
			return usageError("usage: case export ID")
		}
		return e.withApp(func(s *app.Session) error {
			b, err := s.ExportCase(vault.CaseID(pos[0]))
			if err != nil {
				return err
			}
			_, err = e.Stdout.Write(b)
			return err
		})
	case "submit":
		if len(pos) != 1 {
			return usageError("usage: case submit ID (queues the security checks and the Eurodac transaction for central)")
		}
		return e.withApp(func(s *app.Session) error {
			pk, err := s.Submit(vault.CaseID(pos[0]))
			if err != nil {
				return err
			}
			if len(pk) == 0 {
				fmt.Fprintf(e.Stdout, "%s: nothing new to send\n", pos[0])
			}
			for _, p := range pk {
				fmt.Fprintln(e.Stdout, p)
			}
			return nil
		})
	case "purge":
		if len(pos) != 1 {
			return usageError("usage: case purge ID")
		}
		return e.withApp(func(s *app.Session) error {
			if err := s.PurgeCase(vault.CaseID(pos[0])); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "purged %s: its keys and records are destroyed\n", pos[0])
			return nil
		})
	default: // list
		if len(pos) != 0 {
			return usageError("usage: case list [--json]")
		}
		return e.withApp(func(s *app.Session) error {
			rows, err := s.CaseRows()
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(e.Stdout)
				enc.SetIndent("", "  ")
				if rows == nil {
					rows = []app.CaseRow{}
				}
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tREFERENCE\tSTATUS\tTRIGGER\tSCREENING DUE\tEURODAC DUE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Reference, r.Status, stamp(r.TriggerAt), stamp(r.ScreeningDue), stamp(r.EurodacDue))
			}
			return tw.Flush()
		})
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// exitStale is case update's exit status when the case changed since the revision given.
const exitStale = 3

// readStdinJSON reads at most maxCaseJSON bytes of JSON from stdin.
func readStdinJSON(e *Env) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(e.Stdin, maxCaseJSON+1))
	if err != nil {
		return nil, fmt.Errorf("read case JSON from stdin: %w", err)
	}
	if len(data) > maxCaseJSON {
		return nil, fmt.Errorf("case JSON on stdin is larger than %d MiB: images do not belong in case JSON", maxCaseJSON>>20)
	}
	return data, nil
}

// readCaseJSON reads and decodes one new case from stdin.
func readCaseJSON(e *Env) (*forms.Case, error) {
	data, err := readStdinJSON(e)
	if err != nil {
		return nil, err
	}
	var head struct {
		Revision *json.RawMessage `json:"revision"`
	}
	if json.Unmarshal(data, &head) == nil && head.Revision != nil {
		return nil, errors.New("case JSON on stdin: revision: a new case has no revision; this looks like case export output: change a stored case with case update ID --revision N")
	}
	c, err := forms.DecodeCase(bytesReader(data))
	if err != nil {
		return nil, fmt.Errorf("case JSON on stdin: %w", err)
	}
	return c, nil
}
