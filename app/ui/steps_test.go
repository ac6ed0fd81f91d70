package ui

import (
	"bytes"
	"io/fs"
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

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/app/printtest"
	"github.com/fieldscreen/fieldscreen/forms"
)

// TestEveryStepAndPrint walks the case steps, records the information given, the
// vulnerability check and the referral, prints the form in Arabic, and checks what landed in
// the vault and on the printer (a real CUPS), and that no copy of the form stayed on disk.
func TestEveryStepAndPrint(t *testing.T) {
	cups := printtest.Start(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", t.TempDir())
	u, w, term := newTestUI(t, time.Hour)
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
			find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.ReferralTargets) }).SetSelectedIndex(0)
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
	if !strings.Contains(labelsText(w), T("form.noPrinter")) {
		t.Fatalf("print with no printer chosen: %s", labelsText(w))
	}
	if err := term.UpdateConfig(func(c *app.Config) { c.Printer = cups.Queue }); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, T("form.print")))
	if !strings.Contains(labelsText(w), "sent to the printer (job "+cups.Queue+"-") {
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
	paper := cups.Job(t, cups.Queue+"-1")
	txt := exec.Command("pdftotext", "-", "-")
	txt.Stdin = bytes.NewReader(paper)
	out, err := txt.Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils) on the printed form: %v", err)
	}
	if !strings.Contains(string(out), c.Reference) {
		t.Errorf("the printed form does not carry the case reference %s", c.Reference)
	}
	// issue 14: printing leaves no copy of the form in the home or temp folder
	for _, root := range []string{home, os.TempDir()} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if b, _ := os.ReadFile(p); bytes.HasPrefix(b, []byte("%PDF-")) {
					t.Errorf("printing left a PDF on disk: %s", p)
				}
			}
			return nil
		})
	}
}
