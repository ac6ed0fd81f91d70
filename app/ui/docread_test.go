package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// officerWithPairings: first run, a technician and an officer added, the technician pairs
// the devices through the app, and the officer signs in.
func officerWithPairings(t *testing.T, devs ...hardware.Device) (*UI, fyne.Window) {
	t.Helper()
	simDevices(t, devs...)
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	addStaff(t, u, w, "technician", "officer")
	signInAs(t, u, w, "tec1", "a passphrase for tec1")
	for _, d := range devs {
		if err := u.Session().PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	signInAs(t, u, w, "off1", "a passphrase for off1")
	return u, w
}

// newCaseAt opens a new case with a trigger and moves to the step with key.
func newCaseAt(t *testing.T, u *UI, w fyne.Window, key string) {
	t.Helper()
	test.Tap(button(t, w, T("cases.new")))
	entries(w)[0].SetText("NLSPL Schiphol")
	find(w, func(s *widget.Select) bool { return true }).SetSelectedIndex(2)
	gotoStep(t, w, key)
}

func gotoStep(t *testing.T, w fyne.Window, key string) {
	t.Helper()
	for i, st := range caseSteps {
		if st.key == key {
			find(w, func(l *widget.List) bool { return true }).Select(i)
			return
		}
	}
	t.Fatalf("no step %q", key)
}

// TestReadDocumentFillsAndStoresMRZ: Read document on the document step fills the fields
// from the paired simulated reader, shows the check-digit result, and saving stores the
// document with source "mrz" and the MRZ's number.
func TestReadDocumentFillsAndStoresMRZ(t *testing.T) {
	reader := sim.New(hardware.Document, sim.Options{})
	u, w := officerWithPairings(t, reader)
	newCaseAt(t, u, w, "document")
	test.Tap(button(t, w, T("docread.button")))
	es := entries(w)
	if es[0].Text != "P" || es[1].Text != "X12345678" || es[2].Text != "UTO" || es[4].Text != "TESTPERSON" || es[5].Text != "ALPHA" {
		t.Fatalf("fields after reading: %q %q %q %q %q", es[0].Text, es[1].Text, es[2].Text, es[4].Text, es[5].Text)
	}
	if !strings.Contains(labelsText(w), T("docread.valid")) {
		t.Fatalf("no check-digit result:\n%s", labelsText(w))
	}
	test.Tap(button(t, w, T("common.save")))
	rows, err := u.Session().CaseRows()
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v %v", rows, err)
	}
	c, err := u.Session().Case(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Documents) != 1 {
		t.Fatalf("documents %+v", c.Documents)
	}
	d := c.Documents[0]
	if d.Source != "mrz" || d.Number != "X12345678" || d.IssuingState != "UTO" || d.Holder.Surnames[0] != "TESTPERSON" ||
		d.Holder.BirthDate.String() != "1990-01-01" || d.ExpiryDate.String() != "2031-01-01" {
		t.Fatalf("stored document %+v", d)
	}
	// an edit by hand after reading: the document is no longer vouched for by the MRZ
	es[5].SetText("ALPHA BRAVO")
	if !strings.Contains(labelsText(w), T("docread.edited")) {
		t.Fatalf("the edit is not flagged:\n%s", labelsText(w))
	}
	test.Tap(button(t, w, T("common.save")))
	c, _ = u.Session().Case(rows[0].ID)
	if d := c.Documents[0]; d.Source != "manual" || d.Holder.GivenNames[1] != "BRAVO" || d.Number != "X12345678" {
		t.Fatalf("stored after a hand edit: %+v", d)
	}
}

// TestReadDocumentBadCheckDigitAndNoReader: a wrong check digit is named beside the fields
// (the composite digit covers it, so it fails too);
// with no paired reader the officer is told to ask a technician, and nothing is filled.
func TestReadDocumentBadCheckDigitAndNoReader(t *testing.T) {
	lines := append([]string(nil), sim.TestMRZ...)
	l2 := []byte(lines[1])
	l2[9] = '0' // the document number's check digit (the sim's is 8 or another digit)
	if l2[9] == sim.TestMRZ[1][9] {
		l2[9] = '1'
	}
	lines[1] = string(l2)
	res, err := mrz.Parse(lines, time.Now())
	if err != nil || res.Valid {
		t.Fatalf("test MRZ should parse with a bad check digit: %v %v", res, err)
	}
	reader := sim.New(hardware.Document, sim.Options{Document: lines})
	u, w := officerWithPairings(t, reader)
	newCaseAt(t, u, w, "document")
	// Ctrl+R reads the document, as the button does
	w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(
		&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault})
	if entries(w)[1].Text != "X12345678" {
		t.Fatalf("Ctrl+R did not fill the number: %q", entries(w)[1].Text)
	}
	if txt := labelsText(w); !strings.Contains(txt, Tf("docread.invalid", "composite, documentNumber")) {
		t.Fatalf("failed check not named:\n%s", txt)
	}
	signInAs(t, u, w, "tec1", "a passphrase for tec1")
	if err := u.Session().UnpairDevice(reader.Identity().ID()); err != nil {
		t.Fatal(err)
	}
	signInAs(t, u, w, "off1", "a passphrase for off1")
	newCaseAt(t, u, w, "document")
	test.Tap(button(t, w, T("docread.button")))
	if txt := labelsText(w); !strings.Contains(txt, T("docread.noReader")) || entries(w)[1].Text != "" {
		t.Fatalf("unpaired reader: %s", txt)
	}
}

// TestReaderPluggedInLaterIsFound: the last discovery saw only the scanner; reading a
// document discovers again and finds the paired reader plugged in since.
func TestReaderPluggedInLaterIsFound(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 18})
	reader := sim.New(hardware.Document, sim.Options{})
	u, w := officerWithPairings(t, scanner, reader)
	knownDevices.mu.Lock()
	knownDevices.list = []hardware.Device{scanner}
	knownDevices.mu.Unlock()
	newCaseAt(t, u, w, "document")
	test.Tap(button(t, w, T("docread.button")))
	if got := entries(w)[1].Text; got != "X12345678" {
		t.Fatalf("number after reading: %q\n%s", got, labelsText(w))
	}
	knownDevices.mu.Lock()
	n := len(knownDevices.list)
	knownDevices.mu.Unlock()
	if n != 2 {
		t.Fatalf("the new discovery was not remembered: %d devices", n)
	}
}
