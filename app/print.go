package app

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os/exec"
	"strings"

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

// AuditPreview is the audit action of showing the screening form on screen.
const AuditPreview = "case.preview"

// ErrNoRasteriser: the on-screen preview needs poppler's pdftoppm (Debian poppler-utils).
var ErrNoRasteriser = errors.New("the form preview needs pdftoppm: install poppler-utils (make run does), or print the form and look at the PDF")

// maxPreviewPages bounds the preview; the screening form has two pages.
const maxPreviewPages = 4

// PreviewForm renders the screening form exactly as it prints (same PDF, Arabic and Farsi
// shaped) and rasterises its pages for the screen with pdftoppm, through pipes: the form
// never touches the disk. Audited as a preview.
func (s *Session) PreviewForm(id vault.CaseID, lang string) ([]image.Image, error) {
	tool, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, ErrNoRasteriser
	}
	c, err := s.readCase(id, AuditPreview)
	if err != nil {
		return nil, err
	}
	var pdfBytes bytes.Buffer
	if err := pdf.RenderForm(&pdfBytes, c, lang, pdf.Options{}); err != nil {
		return nil, fmt.Errorf("preview the screening form of case %s in %q: %w", id, lang, err)
	}
	var pages []image.Image
	for p := 1; p <= maxPreviewPages; p++ {
		cmd := exec.Command(tool, "-png", "-r", "72", "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), "-singlefile", "-") // no output root: the PNG goes to stdout
		cmd.Stdin = bytes.NewReader(pdfBytes.Bytes())
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil || out.Len() == 0 {
			if p == 1 {
				return nil, fmt.Errorf("pdftoppm could not rasterise the form: %v %s", err, strings.TrimSpace(stderr.String()))
			}
			break // past the last page
		}
		img, err := png.Decode(&out)
		if err != nil {
			return nil, fmt.Errorf("preview page %d: %w", p, err)
		}
		pages = append(pages, img)
	}
	return pages, nil
}
