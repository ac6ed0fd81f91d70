package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "form", Summary: "render | print | leaflet | languages: the printed screening form and information leaflet (PDF)", Run: runForm})
}

func runForm(e *Env, args []string) error {
	sub, rest, err := subcommand("form", args, "render", "print", "leaflet", "languages")
	if err != nil {
		return err
	}
	fs := newFlags("form " + sub)
	lang := fs.String("lang", "", "language of the form or leaflet: "+strings.Join(pdf.Languages(), ", "))
	out := fs.String("out", "", "output PDF file, or - for standard output")
	sample := fs.Bool("sample", false, "render a synthetic sample case (for review)")
	in := fs.String("in", "", "render the case in this JSON file (case export format)")
	caseID := fs.String("case", "", "render the case with this ID from the vault (audited as a print)")
	child := fs.Bool("child", false, "the child-friendly leaflet (form leaflet)")
	printer := fs.String("printer", "", "form print: the CUPS queue (lpstat -e lists them)")
	contacts := fs.String("contacts", "", "form leaflet: print the data protection contacts of this JSON file (central's config.json format, member \"dataProtection\")")
	signed := fs.Bool("signed-config", false, "form leaflet: print the data protection contacts of central's signed config stored in the vault (needs --user)")
	pos, err := parseMixed(fs, rest)
	if err != nil {
		return usageError("form %s: %v", sub, err)
	}
	if len(pos) > 0 {
		return usageError("form %s: unexpected argument %q", sub, pos[0])
	}
	if sub == "languages" {
		// One line per language: code, the language's own name, and whether the text is still
		// a draft translation awaiting a sworn translator.
		for _, l := range pdf.Languages() {
			name, status := pdf.LanguageName(l)
			fmt.Fprintf(e.Stdout, "%s\t%s\t%s\n", l, name, status)
		}
		return nil
	}
	if sub == "print" {
		if *caseID == "" || *lang == "" || *printer == "" || *out != "" || *sample || *in != "" {
			return usageError("usage: form print --case ID --lang %s --printer QUEUE (the form goes to CUPS from memory; no file is written)", strings.Join(pdf.Languages(), "|"))
		}
		if !knownLang(*lang) {
			return usageError("form print: no text in language %q; available: %s", *lang, strings.Join(pdf.Languages(), ", "))
		}
		return e.withApp(func(s *app.Session) error {
			var buf bytes.Buffer
			if err := s.PrintForm(&buf, vault.CaseID(*caseID), *lang); err != nil {
				return err
			}
			defer clear(buf.Bytes())
			job, err := app.PrintPDF(context.Background(), *printer, "fieldscreen screening form", buf.Bytes())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "sent to printer %s (job %s)\n", *printer, job)
			return nil
		})
	}
	if *lang == "" || *out == "" {
		return usageError("usage: form %s --lang %s --out FILE.pdf%s", sub, strings.Join(pdf.Languages(), "|"),
			map[string]string{"render": " (--sample | --in CASE.json | --case ID)"}[sub])
	}
	if !knownLang(*lang) {
		return usageError("form %s: no text in language %q; available: %s", sub, *lang, strings.Join(pdf.Languages(), ", "))
	}
	var buf bytes.Buffer
	switch sub {
	case "leaflet":
		if *sample || *in != "" || *caseID != "" {
			return usageError("form leaflet takes no case: use --lang, --out and optionally --child, --contacts FILE or --signed-config")
		}
		switch {
		case *contacts != "" && *signed:
			return usageError("form leaflet: give --contacts FILE or --signed-config, not both")
		case *signed:
			err = e.withApp(func(s *app.Session) error {
				b, err := s.LeafletPDF(*lang, *child)
				buf.Write(b)
				return err
			})
		default:
			var d *forms.DataProtection
			if *contacts != "" {
				b, rerr := os.ReadFile(*contacts)
				if rerr != nil {
					return fmt.Errorf("read contacts: %w", rerr)
				}
				if d, err = forms.ParseDataProtection(b); err != nil {
					return fmt.Errorf("%s: %w", *contacts, err)
				}
				if d == nil {
					return fmt.Errorf("%s: no \"dataProtection\" member: see docs/sync.md for its format", *contacts)
				}
			}
			err = pdf.RenderLeaflet(&buf, *lang, pdf.Options{ChildFriendly: *child, DataProtection: d, PurgeAfter: fsync.DefaultGrace})
		}
	case "render":
		if *child || *contacts != "" || *signed {
			return usageError("form render: --child, --contacts and --signed-config are for form leaflet")
		}
		n := 0
		for _, set := range []bool{*sample, *in != "", *caseID != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			return usageError("form render: give exactly one of --sample, --in CASE.json or --case ID")
		}
		switch {
		case *sample:
			err = pdf.RenderForm(&buf, pdf.SampleCase(), *lang, pdf.Options{})
		case *in != "":
			err = renderFromFile(&buf, *in, *lang)
		default:
			err = e.withApp(func(s *app.Session) error {
				return s.PrintForm(&buf, vault.CaseID(*caseID), *lang)
			})
		}
	}
	if err != nil {
		return err
	}
	if err := writeOutput(e, *out, buf.Bytes()); err != nil {
		return err
	}
	if *caseID != "" && *out != "-" {
		fmt.Fprintf(e.Stderr, "note: %s holds personal data outside the vault; purging the case does not remove it: delete it once handed over\n", *out)
	}
	return nil
}

func knownLang(lang string) bool {
	for _, l := range pdf.Languages() {
		if l == lang {
			return true
		}
	}
	return false
}

// renderFromFile renders a case JSON file. An invalid case is refused with its problems: a
// printed form with wrong data is handed to a person and travels on.
func renderFromFile(w io.Writer, path, lang string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open case file: %w", err)
	}
	defer f.Close()
	c, err := forms.DecodeCase(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// A missed deadline without a reason is advisory: it never stops printing.
	if ps := c.Validate(time.Now()).Blocking(); len(ps) > 0 {
		return fmt.Errorf("%s: case not valid, fix it before printing: %w", path, ps)
	}
	if c.Reference == "" {
		return fmt.Errorf("%s: the case has no \"reference\": the form and its QR code need one", path)
	}
	return pdf.RenderForm(w, c, lang, pdf.Options{})
}

// writeOutput writes the whole PDF or nothing: a temporary file renamed into place, mode 0600
// because a form holds personal data.
func writeOutput(e *Env, out string, data []byte) error {
	if out == "-" {
		_, err := e.Stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".form-*.pdf")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(e.Stdout, "wrote %s (%d bytes)\n", out, len(data))
	return nil
}
