package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// DataProtection returns the controller, DPO and supervisory authority from central's last
// verified signed config (its "dataProtection" member), or nil when the terminal has no config
// yet or central sets none: the leaflet then says so instead of printing anything made up.
// A config whose contacts are invalid is an error naming the field: central should have
// refused it, and a wrong address must not reach paper.
func (s *Session) DataProtection() (*forms.DataProtection, error) {
	s.Touch()
	var d *forms.DataProtection
	err := s.vs.View(func(tx *vault.Tx) error {
		cfg, _, err := fsync.LoadConfig(tx)
		if errors.Is(err, vault.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d, err = forms.ParseDataProtection(cfg.Data)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("data protection contacts from central's config: %w", err)
	}
	return d, nil
}

// LeafletPDF renders the information leaflet (Screening Art 11, Eurodac Art 42) in lang, or its
// child-friendly variant, with the contacts from central's config and this terminal's purge
// time. The leaflet holds no personal data.
func (s *Session) LeafletPDF(lang string, child bool) ([]byte, error) {
	d, err := s.DataProtection()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.RenderLeaflet(&buf, lang, pdf.Options{ChildFriendly: child, DataProtection: d, PurgeAfter: fsync.DefaultGrace}); err != nil {
		return nil, fmt.Errorf("render the leaflet in %q: %w", lang, err)
	}
	return buf.Bytes(), nil
}

// PrintLeaflet prints the leaflet on the printer chosen in Settings (ErrNoPrinter when none)
// and returns the print job ID.
func (s *Session) PrintLeaflet(ctx context.Context, lang string, child bool) (string, error) {
	if s.term == nil || s.term.cfg.Printer == "" {
		return "", ErrNoPrinter
	}
	b, err := s.LeafletPDF(lang, child)
	if err != nil {
		return "", err
	}
	return s.term.PrintDocument(ctx, "fieldscreen information leaflet", b)
}

// LeafletLanguages lists the leaflet languages, for pickers.
func LeafletLanguages() []string { return pdf.Languages() }

// LeafletWarning is the warning to show when the leaflet's language is not one the person
// speaks (forms.Case.LeafletLanguageWarning), nil when there is none.
func LeafletWarning(c *forms.Case) *forms.Problem { return c.LeafletLanguageWarning() }
