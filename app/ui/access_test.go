package ui

import (
	"bytes"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/app/printtest"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// inOverlay finds the first object of type T in the window's top overlay (an open dialog).
func inOverlay[T fyne.CanvasObject](t *testing.T, w fyne.Window, match func(T) bool) T {
	t.Helper()
	found := findIn(w.Canvas().Overlays().Top(), match)
	if v := reflect.ValueOf(found); !v.IsValid() || v.IsNil() {
		t.Fatalf("not found in the open dialog")
	}
	return found
}

// TestAccessRequestDialog: a supervisor on a case opens the access request dialog, has it
// printed (a real CUPS) with a medic co-signing in the same dialog: a wrong medic passphrase
// is refused with the sentence saying so, the right one prints the health details; an officer
// has no such button.
func TestAccessRequestDialog(t *testing.T) {
	cups := printtest.Start(t)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	sup := u.Session()
	for _, nu := range []struct {
		name string
		role vault.Role
	}{{"med1", vault.Medic}, {"off1", vault.Officer}} {
		if err := sup.AddUser(nu.name, nu.role, []byte(supPass)); err != nil {
			t.Fatal(err)
		}
	}
	id, err := sup.CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "NLSPL", At: sup.Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSONACCESS"}, Languages: []string{"ara"}}})
	if err != nil {
		t.Fatal(err)
	}
	med, err := term.Unlock("med1", []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	findings := "SYNTHETIC-FINDING-UI"
	if _, err := med.Do(id, 1, app.RecordHealth{Findings: &findings}); err != nil {
		t.Fatal(err)
	}
	med.Lock(app.LockedClosed)
	if err := term.UpdateConfig(func(c *app.Config) { c.Printer = cups.Queue }); err != nil {
		t.Fatal(err)
	}

	u.showCase(id)
	test.Tap(button(t, w, T("access.button")))
	entry := func(placeholder string, n int) *widget.Entry {
		i := 0
		return inOverlay(t, w, func(e *widget.Entry) bool {
			if e.PlaceHolder != placeholder {
				return false
			}
			i++
			return i == n
		})
	}
	result := func() string {
		return inOverlay(t, w, func(l *widget.Label) bool { return l.Importance != widget.MediumImportance && l.Text != "" }).Text
	}
	test.Type(entry(T("access.userName"), 1), "med1")
	test.Type(entry(T("access.passphrase"), 1), "not the medic's passphrase")
	test.Tap(inOverlay(t, w, func(b *widget.Button) bool { return b.Text == T("access.print") }))
	if got := result(); !strings.Contains(got, "medic's name or passphrase is wrong") {
		t.Fatalf("wrong medic passphrase: %q", got)
	}
	if entry(T("access.passphrase"), 1).Text != "" {
		t.Error("the passphrase stays in the dialog after use")
	}
	test.Type(entry(T("access.passphrase"), 1), supPass)
	test.Tap(inOverlay(t, w, func(b *widget.Button) bool { return b.Text == T("access.print") }))
	got := result()
	if !strings.Contains(got, "(ar)") || !strings.Contains(got, cups.Queue+"-") {
		t.Fatalf("print with the medic's co-sign: %q", got)
	}
	job := got[strings.Index(got, cups.Queue+"-"):]
	job = job[:strings.IndexAny(job, ") ")]
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(cups.Job(t, job))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	if !strings.Contains(string(out), "SYNTHETIC-FINDING-UI") || !strings.Contains(string(out), "TESTPERSONACCESS") {
		t.Errorf("the printed report lacks the health details or the name:\n%.500s", out)
	}

	signInAs(t, u, w, "off1", supPass)
	u.showCase(id)
	if hasButton(w, T("access.button")) {
		t.Error("an officer is offered the access request")
	}
}
