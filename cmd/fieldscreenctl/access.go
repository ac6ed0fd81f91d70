package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

// runAccessReport answers an access request (GDPR Art 15, Eurodac Art 43): case access-report
// ID --out FILE.pdf [--lang L] [--cosign-medic NAME] [--cosign-auditor NAME]. The supervisor
// signs in as for every command (--user, --passphrase-file or $FIELDSCREEN_PASSPHRASE); each
// co-signer's passphrase comes from --cosign-medic-passphrase-file or
// $FIELDSCREEN_COSIGN_MEDIC_PASSPHRASE (auditor: ..._AUDITOR_...). The file is written mode
// 0600: it holds personal data outside the vault, which purge cannot reach.
func runAccessReport(e *Env, args []string) error {
	fs := newFlags("case access-report")
	out := fs.String("out", "", "the PDF file to write (holds personal data: hand it over, then delete it)")
	lang := fs.String("lang", "", "report language (default: the person's, else English with a note)")
	medic := fs.String("cosign-medic", "", "a medic co-signs: the health details are added")
	medicFile := fs.String("cosign-medic-passphrase-file", "", "file holding the medic's passphrase (else $FIELDSCREEN_COSIGN_MEDIC_PASSPHRASE)")
	auditor := fs.String("cosign-auditor", "", "an auditor co-signs: the audit entries about the case are added")
	auditorFile := fs.String("cosign-auditor-passphrase-file", "", "file holding the auditor's passphrase (else $FIELDSCREEN_COSIGN_AUDITOR_PASSPHRASE)")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return usageError("%v", err)
	}
	if len(pos) != 1 || *out == "" {
		return usageError("usage: case access-report ID --out FILE.pdf [--lang L] [--cosign-medic NAME] [--cosign-auditor NAME]")
	}
	req := app.AccessRequest{Case: vault.CaseID(pos[0]), Lang: *lang}
	if req.Medic, err = coSignFrom(*medic, *medicFile, "FIELDSCREEN_COSIGN_MEDIC_PASSPHRASE"); err != nil {
		return err
	}
	if req.Auditor, err = coSignFrom(*auditor, *auditorFile, "FIELDSCREEN_COSIGN_AUDITOR_PASSPHRASE"); err != nil {
		return err
	}
	return e.withApp(func(s *app.Session) error {
		used, err := s.SaveAccessReport(*out, req)
		var se interface{ Sentence(string) string }
		if errors.As(err, &se) {
			return fmt.Errorf("%s", se.Sentence("en"))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "wrote the access report of case %s (%s) to %s: it holds personal data, hand it over and delete the file\n", pos[0], used, *out)
		return nil
	})
}

// coSignFrom reads a co-signer's passphrase from file, else from the environment variable.
func coSignFrom(user, file, env string) (*app.CoSign, error) {
	if user == "" {
		if file != "" {
			return nil, usageError("a co-signer's passphrase file without the co-signer's name")
		}
		return nil, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read the co-signer's passphrase file: %w", err)
		}
		return &app.CoSign{User: user, Passphrase: []byte(strings.TrimRight(string(b), "\r\n"))}, nil
	}
	p := os.Getenv(env)
	if p == "" {
		return nil, fmt.Errorf("no passphrase for co-signer %s: set %s or pass the passphrase file", user, env)
	}
	return &app.CoSign{User: user, Passphrase: []byte(p)}, nil
}
