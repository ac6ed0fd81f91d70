package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestEveryStepAndPrint walks the case steps, records the information given, the
// vulnerability check and the referral, prints the form in Arabic, and checks what landed in
// the vault and in the PDF.
func TestEveryStepAndPrint(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	test.Tap(button(t, w, T("cases.new")))
	es := entries(w)
	es[0].SetText("NLSPL Schiphol")
	find(w, func(s *widget.Select) bool { return true }).SetSelectedIndex(2)
	nav := find(w, func(l *widget.List) bool { return true })
	for i, st := range caseSteps {
		nav.Select(i)
		switch st.key {
		case "identity":
			es := entries(w)
			es[0].SetText("Testperson")
			es[1].SetText("Charlie")
		case "information":
			find(w, func(s *widget.Select) bool { return true }).SetSelected("ar")
		case "vulnerability":
			find(w, func(c *widget.Check) bool { return c.Text == T("vuln.done") }).SetChecked(true)
			find(w, func(g *widget.CheckGroup) bool { return true }).SetSelected([]string{T("vuln.pregnancy")})
		case "health":
			if !strings.Contains(labelsText(w), T("health.medicOnly")) {
				t.Error("a supervisor sees the medical details field")
			}
		case "form":
			find(w, func(s *widget.Select) bool { return len(s.Options) == len(referralTargets) }).SetSelectedIndex(0)
			entries(w)[0].SetText("IND Ter Apel")
			test.Tap(button(t, w, T("form.preview")))
			if u.previewWin == nil {
				t.Fatalf("no preview window: %s", labelsText(w))
			}
			imgs := 0
			var walk func(o fyne.CanvasObject)
			walk = func(o fyne.CanvasObject) {
				switch c := o.(type) {
				case *canvas.Image:
					if c.Image != nil && c.Image.Bounds().Dx() > 400 {
						imgs++
					}
				case *fyne.Container:
					for _, ch := range c.Objects {
						walk(ch)
					}
				case fyne.Widget:
					for _, ch := range test.WidgetRenderer(c).Objects() {
						walk(ch)
					}
				}
			}
			walk(u.previewWin.Content())
			if imgs != 2 {
				t.Fatalf("preview shows %d page images, want the form's 2 pages", imgs)
			}
			test.Tap(button(t, w, T("form.print")))
		}
	}
	if !strings.Contains(labelsText(w), "Screening form written to") {
		t.Fatalf("print: %s", labelsText(w))
	}
	rows, _ := u.Session().CaseRows()
	c, err := u.Session().Case(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Info.LeafletLanguage != "ar" || !c.Vulnerability.Checked || len(c.Vulnerability.Indicators) != 1 ||
		c.Vulnerability.Indicators[0] != "pregnancy" || c.Referral.To != "asylum" || c.Referral.Authority != "IND Ter Apel" {
		t.Fatalf("stored case: info %+v vuln %+v referral %+v", c.Info, c.Vulnerability, c.Referral)
	}
	pdfs, _ := filepath.Glob(filepath.Join(home, "Documents", "fieldscreen", "*.pdf"))
	if len(pdfs) != 1 || !strings.Contains(filepath.Base(pdfs[0]), c.Reference) || strings.Contains(pdfs[0], "TESTPERSON") {
		t.Fatalf("printed files %v", pdfs)
	}
	out, err := exec.Command("pdftotext", pdfs[0], "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils) on the printed form: %v", err)
	}
	if !strings.Contains(string(out), c.Reference) {
		t.Errorf("the printed form does not carry the case reference %s", c.Reference)
	}
	if fi, _ := os.Stat(pdfs[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("printed form is readable by others: %v", fi.Mode())
	}
}
