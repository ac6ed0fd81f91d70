package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// TestAttachDocumentScanFromReader (Eurodac Art 17(1)(j)): on the document step the officer
// reads the passport, takes the colour scan of its data page from the simulated full-page
// reader and sees its thumbnail; saving without saying whether the document is genuine is
// refused with the reason; with "Suspected false" chosen the save attaches the scan, stored
// with that indication.
func TestAttachDocumentScanFromReader(t *testing.T) {
	reader := sim.New(hardware.Document, sim.Options{Seed: 2})
	u, w := officerWithPairings(t, reader)
	newCaseAt(t, u, w, "document")
	test.Tap(button(t, w, T("docread.button")))
	ds := u.openCase.view.(*documentStep).scan
	isThumb := func(i *canvas.Image) bool { return i == ds.thumb && i.Image != nil && i.Visible() }
	if find(w, isThumb) != nil {
		t.Fatal("a thumbnail before any scan")
	}
	test.Tap(button(t, w, T("docscan.fromDevice")))
	thumb := find(w, isThumb)
	if thumb == nil || thumb.Image.Bounds().Dx() != sim.PageWidth {
		t.Fatalf("no thumbnail of the scanned page:\n%s", labelsText(w))
	}
	if !strings.Contains(labelsText(w), "New scan from the document reader") {
		t.Fatalf("the screen does not ask for the authenticity:\n%s", labelsText(w))
	}
	test.Tap(button(t, w, T("common.save")))
	if !strings.Contains(labelsText(w), "Art 17(1)(j)") || len(caseRows(t, u)) != 0 {
		t.Fatalf("saved without an authenticity indication:\n%s", labelsText(w))
	}
	radio := find(w, func(r *widget.RadioGroup) bool {
		return len(r.Options) == 3 && r.Options[1] == T("docscan.auth.suspected_false")
	})
	radio.SetSelected(T("docscan.auth.suspected_false"))
	test.Tap(button(t, w, T("common.save")))
	rows := caseRows(t, u)
	if len(rows) != 1 {
		t.Fatalf("case not saved:\n%s", labelsText(w))
	}
	c, err := u.Session().Case(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Documents[0]
	if d.ScanRef == "" || d.Authenticity != forms.AuthenticitySuspectedFalse || d.ScanSource != forms.ScanFromReader || d.Number != "X12345678" {
		t.Fatalf("stored document %+v", d)
	}
	if !strings.Contains(labelsText(w), "Scan from the document reader attached: Suspected false.") {
		t.Errorf("no confirmation:\n%s", labelsText(w))
	}
}

// TestDocumentScanBadFileRefused: a file that is not a colour PNG or JPEG is refused on the
// step with the sentence saying why and what to do; nothing is pending.
func TestDocumentScanBadFileRefused(t *testing.T) {
	reader := sim.New(hardware.Document, sim.Options{})
	u, w := officerWithPairings(t, reader)
	newCaseAt(t, u, w, "document")
	ds := u.openCase.view.(*documentStep).scan
	ds.readFile(strings.NewReader("%PDF-1.7 a scanned page saved as PDF"))
	if !strings.Contains(labelsText(w), "The file is not a PNG or JPEG image. Save the scan as PNG or JPEG and pick that file.") {
		t.Fatalf("no sentence for a PDF file:\n%s", labelsText(w))
	}
	if ds.pending != nil {
		t.Error("a refused file is pending")
	}
}

func caseRows(t *testing.T, u *UI) []app.CaseRow {
	t.Helper()
	rows, err := u.Session().CaseRows()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
