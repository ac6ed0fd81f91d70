package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/forms/pdf"
	"github.com/fieldscreen/fieldscreen/vault"
)

// PrintForm renders a case's screening form as PDF in the person's language into w. Reading
// the case for it is audited as a print, since paper leaves the vault's protection. It writes
// no file: callers that send the form to paper use PrintFormOnPrinter, and callers that save
// it use SaveFormPDF (a path the user chose).
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

// ErrNoPrinter: printing on paper needs a CUPS queue chosen in Settings.
var ErrNoPrinter = errors.New("no printer chosen: pick one under Settings → Printer, or save the form as a PDF file")

// ErrNoSpooler: printing on paper needs CUPS's lp command (Debian cups-client).
var ErrNoSpooler = errors.New("printing needs the CUPS lp command: install cups-client, or save the form as a PDF file")

// ErrPrinterName: the printer setting is not a CUPS queue name.
var ErrPrinterName = errors.New("not a CUPS queue name (letters, digits, '-', '_', '.'; `lpstat -e` lists them)")

// ErrPrintRefused: lp did not take the job (the queue is disabled, unknown, or CUPS is down).
var ErrPrintRefused = errors.New("the printer refused the job")

// printTimeout bounds how long lp may take to hand a job to CUPS.
const printTimeout = 30 * time.Second

// queueName is what CUPS accepts as a queue name (lpadmin: printable, no space, slash,
// backslash, '#', quote or comma); a leading '-' is refused so a name can never be an option.
var queueName = regexp.MustCompile(`^[^-\s/\\#'",\x00-\x1f\x7f][^\s/\\#'",\x00-\x1f\x7f]{0,126}$`)

// CheckPrinterName says why a printer (CUPS queue) name is refused, or nil.
func CheckPrinterName(name string) error {
	if !queueName.MatchString(name) {
		return fmt.Errorf("printer name %q: %w", name, ErrPrinterName)
	}
	return nil
}

// PrintPDF hands a finished PDF to the CUPS queue printer and returns the job ID CUPS
// reports (for example "office-42"). The document goes to `lp` on its standard input, so
// fieldscreen writes no file: what stays on disk is CUPS's own spool copy, until the job is
// printed (docs/SECURITY.md says how to configure CUPS to drop it then). title is the job
// title every user of the print server can see: give a neutral one ("screening form",
// "leaflet"), never a name or a reference. Any document may go this way; PrintFormOnPrinter
// and Terminal.PrintDocument are the callers that pick the configured printer.
func PrintPDF(ctx context.Context, printer, title string, pdf []byte) (string, error) {
	if printer == "" {
		return "", ErrNoPrinter
	}
	if err := CheckPrinterName(printer); err != nil {
		return "", err
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return "", errors.New("print: the document is not a PDF")
	}
	lp, err := exec.LookPath("lp")
	if err != nil {
		return "", ErrNoSpooler
	}
	ctx, cancel := context.WithTimeout(ctx, printTimeout)
	defer cancel()
	// no file operand: lp reads the job from standard input
	cmd := exec.CommandContext(ctx, lp, "-d", printer, "-t", title)
	cmd.Stdin = bytes.NewReader(pdf)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return "", fmt.Errorf("printer %q: %w (check that it is on and `lpstat -p %s` shows it enabled): %v: %s", printer, ErrPrintRefused, printer, err, msg)
	}
	// "request id is office-42 (1 file(s))"
	job := strings.TrimSpace(out.String())
	if f := strings.Fields(job); len(f) >= 4 && f[0] == "request" {
		job = f[3]
	}
	return job, nil
}

// Printers lists the CUPS queues this terminal can print to (`lpstat -e`), for Settings. An
// empty list with no error means CUPS has no queue yet.
func Printers(ctx context.Context) ([]string, error) {
	lpstat, err := exec.LookPath("lpstat")
	if err != nil {
		return nil, ErrNoSpooler
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, lpstat, "-e").Output()
	if err != nil {
		return nil, fmt.Errorf("list printers with lpstat -e (is CUPS running?): %w", err)
	}
	var names []string
	for _, l := range strings.Fields(string(out)) {
		if CheckPrinterName(l) == nil {
			names = append(names, l)
		}
	}
	return names, nil
}

// PrintDocument sends a PDF without personal data (an information leaflet, say) to the
// printer chosen in Settings; ErrNoPrinter when none is. See PrintPDF for title.
func (t *Terminal) PrintDocument(ctx context.Context, title string, pdf []byte) (string, error) {
	return PrintPDF(ctx, t.cfg.Printer, title, pdf)
}

// PrintFormOnPrinter prints a case's screening form on the printer chosen in Settings,
// straight from memory (see PrintPDF), and returns the CUPS job ID. Audited as a print.
// With no printer chosen it returns ErrNoPrinter before reading the case.
func (s *Session) PrintFormOnPrinter(ctx context.Context, id vault.CaseID, lang string) (string, error) {
	printer := ""
	if s.term != nil {
		printer = s.term.cfg.Printer
	}
	if printer == "" {
		return "", ErrNoPrinter
	}
	var buf bytes.Buffer
	if err := s.PrintForm(&buf, id, lang); err != nil {
		return "", err
	}
	defer clear(buf.Bytes()) // best effort: the form's bytes do not outlive the job in this process
	return PrintPDF(ctx, printer, "fieldscreen screening form", buf.Bytes())
}

// SaveFormPDF writes a case's screening form to a PDF file the user chose (mode 0600,
// whole or not at all). The file holds personal data outside the vault: purge cannot reach
// it, so the screen warns before calling this. Audited as a print.
func (s *Session) SaveFormPDF(path string, id vault.CaseID, lang string) error {
	var buf bytes.Buffer
	if err := s.PrintForm(&buf, id, lang); err != nil {
		return err
	}
	defer clear(buf.Bytes())
	return writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic writes data to path through a temporary file in the same folder, fsynced
// and renamed, mode 0600.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fieldscreen-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// legacyPrintGlobs are where versions before issue 14 left printed forms by themselves (the
// user never chose these paths). Such files hold personal data outside the vault, so
// RemoveLegacyPrintFiles deletes them at start-up and at every purge. Files the user saved
// with SaveFormPDF are theirs and are never touched.
func legacyPrintGlobs() []string {
	globs := []string{filepath.Join(os.TempDir(), "fieldscreen-print", "screening-form-*.pdf")}
	if home, err := os.UserHomeDir(); err == nil {
		globs = append(globs, filepath.Join(home, "Documents", "fieldscreen", "screening-form-*.pdf"))
	}
	return globs
}

// RemoveLegacyPrintFiles deletes the forms earlier versions wrote on their own and returns
// how many it removed. A file it cannot remove is an error naming it (no personal data is
// in the name: it carries the case reference only).
func RemoveLegacyPrintFiles() (int, error) {
	n := 0
	var errs []error
	for _, g := range legacyPrintGlobs() {
		paths, _ := filepath.Glob(g) // the patterns are fixed and valid
		for _, p := range paths {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove an old printed form: %w", err))
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}
