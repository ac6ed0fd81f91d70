package forms

import (
	"errors"
	"testing"
)

// ER Art 17(1)(j) (and 26(2)(j)): the scanned colour copy goes with an indication of its
// authenticity; the terminal stamps when and from where it was attached.
func TestAttachDocumentScanArt17_1j(t *testing.T) {
	doc := Document{Type: "P", Number: "X1", IssuingState: "UTO"}
	for _, tc := range []struct {
		name, auth, source, ref string
		docs                    int
		index                   int
		path                    string // "" = accepted
	}{
		{"no document yet", AuthenticityGenuine, ScanFromFile, "s1", 0, 0, "documents[0]"},
		{"art 17(1)(j) indication missing", "", ScanFromFile, "s1", 1, 0, "documents[0].authenticity"},
		{"indication off the list", "probably", ScanFromFile, "s1", 1, 0, "documents[0].authenticity"},
		{"unknown source", AuthenticityGenuine, "fax", "s1", 1, 0, "documents[0].scanSource"},
		{"no record", AuthenticityGenuine, ScanFromFile, "", 1, 0, "documents[0].scanRef"},
		{"genuine from a file", AuthenticityGenuine, ScanFromFile, "s1", 1, 0, ""},
		{"suspected false from the reader", AuthenticitySuspectedFalse, ScanFromReader, "s1", 1, 0, ""},
		{"not checked from the camera, second document", AuthenticityNotChecked, ScanFromCamera, "s1", 2, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{}
			for range tc.docs {
				c.Documents = append(c.Documents, doc)
			}
			_, err := c.AttachDocumentScan(tc.index, tc.ref, tc.source, tc.auth, t0)
			if tc.path != "" {
				var re *RuleError
				if !errors.As(err, &re) || re.Path != tc.path || re.Message.NL == "" {
					t.Fatalf("got %v, want a rule error at %s with a Dutch sentence", err, tc.path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := c.Documents[tc.index]
			if d.ScanRef != tc.ref || d.ScanSource != tc.source || d.Authenticity != tc.auth || !d.ScanAt.Equal(t0) {
				t.Errorf("document after attach: %+v", d)
			}
		})
	}
}

func TestAttachDocumentScanReplaces(t *testing.T) {
	c := &Case{Documents: []Document{{Type: "P", Number: "X1", IssuingState: "UTO"}}}
	if old, err := c.AttachDocumentScan(0, "s1", ScanFromFile, AuthenticityGenuine, t0); err != nil || old != "" {
		t.Fatalf("first: %q %v", old, err)
	}
	if old, err := c.AttachDocumentScan(0, "s2", ScanFromReader, AuthenticityNotChecked, t0.Add(hour)); err != nil || old != "s1" {
		t.Fatalf("second: replaced %q (want s1), %v", old, err)
	}
}

// The scan's fields are the terminal's: a document recorded again (screen save, merge
// patch) keeps them, and cannot put another scan reference on the case.
func TestRecordDocumentKeepsScan(t *testing.T) {
	c := &Case{Documents: []Document{{Type: "P", Number: "X1", IssuingState: "UTO"}}}
	if _, err := c.AttachDocumentScan(0, "s1", ScanFromFile, AuthenticitySuspectedFalse, t0); err != nil {
		t.Fatal(err)
	}
	if err := c.RecordDocument(0, Document{Type: "P", Number: "x1 ", IssuingState: "UTO", ExpiryDate: PartialDate{Year: 2031}}); err != nil {
		t.Fatal(err)
	}
	d := c.Documents[0]
	if d.ExpiryDate.Year != 2031 || d.ScanRef != "s1" || d.ScanSource != ScanFromFile || !d.ScanAt.Equal(t0) || d.Authenticity != AuthenticitySuspectedFalse {
		t.Errorf("re-recorded document lost its scan: %+v", d)
	}
	var re *RuleError
	if err := c.RecordDocument(0, Document{Type: "P", Number: "X1", IssuingState: "UTO", ScanRef: "other"}); !errors.As(err, &re) || re.Path != "documents[0].scanRef" {
		t.Errorf("typed scan reference: %v", err)
	}
	if err := c.RecordDocument(1, Document{Type: "I", Number: "Y", IssuingState: "UTO", ScanRef: "s1"}); !errors.As(err, &re) {
		t.Errorf("a new document typed with a scan reference: %v", err)
	}
	if ps := (&Case{Documents: []Document{{Type: "P", Number: "X1", IssuingState: "UTO", ScanRef: "s1"}}}).Validate(t0); !ps.Has("documents[0].authenticity", CodeRequired) {
		t.Errorf("a scan without an authenticity indication passes validation: %v", ps)
	}
}

// ER Art 17(1)(j): the scan goes as the copy of the document recorded, so another document
// recorded over a scanned one (type, issuing state or number changed where both are known)
// does not inherit its scan; a number typed after the scan was attached keeps it.
func TestRecordDocumentOverAScanArt17_1j(t *testing.T) {
	for _, tc := range []struct {
		name string
		was  Document
		now  Document
		keep bool
	}{
		{"same document, more fields", Document{Type: "P", Number: "X1", IssuingState: "UTO"}, Document{Type: "P", Number: "X1", IssuingState: "UTO", ExpiryDate: PartialDate{Year: 2030}}, true},
		{"number typed after the scan", Document{Type: "P"}, Document{Type: "P", Number: "X1", IssuingState: "UTO"}, true},
		{"other number", Document{Type: "P", Number: "X1", IssuingState: "UTO"}, Document{Type: "P", Number: "X2", IssuingState: "UTO"}, false},
		{"other type", Document{Type: "P", Number: "X1", IssuingState: "UTO"}, Document{Type: "I", Number: "X1", IssuingState: "UTO"}, false},
		{"other issuing state", Document{Type: "P", Number: "X1", IssuingState: "UTO"}, Document{Type: "P", Number: "X1", IssuingState: "NLD"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Documents: []Document{tc.was}}
			if _, err := c.AttachDocumentScan(0, "s1", ScanFromFile, AuthenticityGenuine, t0); err != nil {
				t.Fatal(err)
			}
			now := tc.now
			now.Authenticity = AuthenticityGenuine // as the identity step carries it over
			if err := c.RecordDocument(0, now); err != nil {
				t.Fatal(err)
			}
			d := c.Documents[0]
			if got := d.ScanRef == "s1" && d.ScanSource == ScanFromFile && d.ScanAt.Equal(t0); got != tc.keep {
				t.Errorf("scan kept = %v, want %v: %+v", got, tc.keep, d)
			}
			if !tc.keep && (d.ScanRef != "" || !d.ScanAt.IsZero() || d.ScanSource != "" || d.Authenticity != "") {
				t.Errorf("scan fields left behind: %+v", d)
			}
		})
	}
}

// ER Art 17(1)(j): the scan of the document sent as (i), else "where unavailable, another
// document"; (j) present once one exists.
func TestEurodacScanDocumentArt17_1j(t *testing.T) {
	p := Document{Type: "P", Number: "X1", IssuingState: "UTO"}
	other := Document{Type: "I", Number: "Y1", IssuingState: "UTO"}
	scanned := func(d Document) Document { d.ScanRef, d.Authenticity = "s", AuthenticityGenuine; return d }
	for _, tc := range []struct {
		name string
		docs []Document
		want int
	}{
		{"no document", nil, -1},
		{"document without scan", []Document{p}, -1},
		{"scan of the document sent as (i)", []Document{scanned(p), scanned(other)}, 0},
		{"where unavailable, another document", []Document{p, scanned(other)}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Documents: tc.docs}
			if got := c.EurodacScanDocument(); got != tc.want {
				t.Errorf("EurodacScanDocument = %d, want %d", got, tc.want)
			}
			var j EurodacElement
			for _, e := range c.EurodacElements() {
				if e.Letter == "j" {
					j = e
				}
			}
			if j.Present != (tc.want >= 0) {
				t.Errorf("element (j) present = %t, want %t", j.Present, tc.want >= 0)
			}
		})
	}
}

// A scan attached after the data set was queued makes an Eurodac update due (ASSUMPTION:
// ER Art 17(1)(j) with Art 24(3)'s "as soon as available"); one attached before does not.
func TestScanAfterTransmissionMakesUpdateDue(t *testing.T) {
	c := &Case{Documents: []Document{{Type: "P", Number: "X1", IssuingState: "UTO"}}}
	if _, err := c.AttachDocumentScan(0, "s1", ScanFromFile, AuthenticityGenuine, t0); err != nil {
		t.Fatal(err)
	}
	if c.EurodacUpdateDue() {
		t.Error("update due before anything was sent")
	}
	c.Eurodac = Eurodac{Reference: "pk", QueuedAt: t0.Add(hour)}
	if c.EurodacUpdateDue() {
		t.Error("a scan sent with the first transmission makes an update due")
	}
	if _, err := c.AttachDocumentScan(0, "s2", ScanFromReader, AuthenticityGenuine, t0.Add(2*hour)); err != nil {
		t.Fatal(err)
	}
	if !c.EurodacUpdateDue() {
		t.Error("a scan attached after the transmission makes no update due")
	}
}
