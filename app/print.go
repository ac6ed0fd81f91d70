package app

import (
	"fmt"
	"io"

	"github.com/fieldscreen/fieldscreen/forms/pdf"
	"github.com/fieldscreen/fieldscreen/vault"
)

// PrintForm renders a case's screening form as PDF in the person's language. Reading the
// case for it is audited as a print, since paper leaves the vault's protection.
func (s *Session) PrintForm(w io.Writer, id vault.CaseID, lang string) error {
	c, err := s.readCase(id, AuditCasePrint)
	if err != nil {
		return err
	}
	if err := pdf.RenderForm(w, c, lang, pdf.Options{}); err != nil {
		return fmt.Errorf("print the screening form of case %s in %q: %w", id, lang, err)
	}
	return nil
}
