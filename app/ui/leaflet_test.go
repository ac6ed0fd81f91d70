package ui

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/app/printtest"
	"github.com/fieldscreen/fieldscreen/forms"
)

// TestLeafletWarningAndPrint: the information step warns while the leaflet language is not one
// the person speaks (Eurodac Art 42(1)) and stops warning for a language they speak; the
// leaflet prints on the chosen printer in that language (a real CUPS), and says so when no
// printer is chosen.
func TestLeafletWarningAndPrint(t *testing.T) {
	cups := printtest.Start(t)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	id, err := u.Session().CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "NLSPL", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, Languages: []string{"tir"}},
		Info:     forms.Information{LeafletLanguage: "en", LeafletVersion: "v2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	for i, st := range caseSteps {
		if st.key == "information" {
			u.openCase.Step(i)
		}
	}
	warn := "not one of the languages the person speaks"
	if !strings.Contains(labelsText(w), warn) {
		t.Fatalf("no warning for an English leaflet to a Tigrinya speaker:\n%s", labelsText(w))
	}
	lang := find(w, func(s *widget.Select) bool { return len(s.Options) == len(app.LeafletLanguages()) })
	lang.SetSelected("ti")
	if strings.Contains(labelsText(w), warn) {
		t.Fatalf("warning still shown for the Tigrinya leaflet:\n%s", labelsText(w))
	}
	test.Tap(button(t, w, T("info.printLeaflet")))
	if !strings.Contains(labelsText(w), T("form.noPrinter")) {
		t.Fatalf("print without a printer: %s", labelsText(w))
	}
	if err := term.UpdateConfig(func(c *app.Config) { c.Printer = cups.Queue }); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, T("info.printLeaflet")))
	if !strings.Contains(labelsText(w), "(job "+cups.Queue+"-") {
		t.Fatalf("print: %s", labelsText(w))
	}
	paper := cups.Job(t, cups.Queue+"-1")
	txt := exec.Command("pdftotext", "-", "-")
	txt.Stdin = bytes.NewReader(paper)
	out, err := txt.Output()
	if err != nil {
		t.Fatalf("pdftotext on the printed leaflet: %v", err)
	}
	if !strings.Contains(string(out), "ሓበሬታ ብዛዕባ ምርመራ") {
		t.Errorf("the printed leaflet is not the Tigrinya one:\n%s", out)
	}
}
