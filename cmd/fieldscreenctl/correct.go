package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

// runCorrect is a supervisor's correction of transmitted data (Eurodac Art 40(3)): case
// correct ID --revision N --field PATH (--value TEXT | --value-json JSON) --reason TEXT.
// A command of its own rather than a flag of case update: a merge patch changes any number
// of fields at once, while a correction is one field with its old value, new value and
// reason on record, and re-sends the packets it affects; case update stays the officer's
// ordinary change, which is refused for transmitted fields.
func runCorrect(e *Env, args []string) error {
	fs := newFlags("case correct")
	revision := fs.Int("revision", -1, "the revision the correction was decided on (case export prints it)")
	field := fs.String("field", "", "the field, as docs/case-schema.md names it: identity.givenNames, documents[0].number")
	value := fs.String("value", "", "the corrected value as text")
	valueJSON := fs.String("value-json", "", "the corrected value as JSON (a list, a number, an object, or null to clear it)")
	reason := fs.String("reason", "", "why the transmitted value was wrong (kept on the case and sent with the correction)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	const usage = "usage: case correct ID --revision N --field PATH (--value TEXT | --value-json JSON) --reason TEXT"
	if len(pos) != 1 || *revision < 1 || *field == "" || !set["reason"] || set["value"] == set["value-json"] {
		return usageError(usage)
	}
	val := json.RawMessage(*valueJSON)
	if set["value"] {
		val, _ = json.Marshal(*value)
	}
	id := vault.CaseID(pos[0])
	return e.withApp(func(s *app.Session) error {
		rev, err := s.Do(id, *revision, app.Correct{Path: *field, Value: val, Reason: *reason})
		var stale *app.StaleError
		if errors.As(err, &stale) {
			return &ExitError{Code: exitStale, Err: fmt.Errorf("case %s changed since revision %d (now %d): export it again and decide the correction on what it holds now", id, stale.Read, stale.Current)}
		}
		if err != nil {
			return err
		}
		c, _, err := s.ReadCase(id)
		if err != nil {
			return err
		}
		k := c.Corrections[len(c.Corrections)-1]
		var sent []string
		if k.FormPacket != "" {
			sent = append(sent, fmt.Sprintf("screening form v%d (packet %s)", k.FormVersion, k.FormPacket))
		} else if k.Form {
			sent = append(sent, "screening form: queued once the terminal is enrolled")
		}
		if k.EurodacPacket != "" {
			sent = append(sent, fmt.Sprintf("Eurodac rectification of %s (packet %s)", strings.Join(k.Eurodac, ","), k.EurodacPacket))
		} else if len(k.Eurodac) > 0 {
			sent = append(sent, "Eurodac rectification: queued once the terminal is enrolled")
		}
		fmt.Fprintf(e.Stdout, "corrected %s %s: revision %d; re-sent: %s\n", id, k.Path, rev, strings.Join(sent, "; "))
		return nil
	})
}
