package forms

import (
	"fmt"
	"strings"
	"time"
)

// The scanned colour copy of the identity or travel document (Eurodac data element (j)).
//
// SOURCED (ER Art 17(1)(j), text read; repeated as point (j) of Art 26(2)): "where
// available, a scanned colour copy of an identity or travel document along with an
// indication of its authenticity or, where unavailable, another document which facilitates
// the identification of the third-country national or stateless person along with an
// indication of its authenticity". ASSUMPTION: Arts 22(2) and 24(2)/(3) carry the same
// point (the domain note's reading; the paragraphs were not read here).
//
// The scan is personal data (a copy of the identity page, with the holder's portrait), kept
// by the app in the core data class; the case holds only its record name (ScanRef), when and
// from where it was taken, and the authenticity indication that must go with it.

// Where a scan came from (Document.ScanSource).
const (
	ScanFromReader = "reader" // a full-page document reader (white-light image of the data page)
	ScanFromCamera = "camera" // a frame of a paired camera
	ScanFromFile   = "file"   // an image file the officer picked (flatbed scanner output)
)

// ScanSources lists the valid sources.
var ScanSources = []string{ScanFromReader, ScanFromCamera, ScanFromFile}

// Authenticity indications of a document (Document.Authenticity).
const (
	AuthenticityNotChecked     = "not_checked"
	AuthenticityGenuine        = "genuine"
	AuthenticitySuspectedFalse = "suspected_false"
)

// Authenticities lists the indications in the order a screen offers them.
var Authenticities = []string{AuthenticityGenuine, AuthenticitySuspectedFalse, AuthenticityNotChecked}

// errScanNeedsAuthenticity: a scan goes to Eurodac only "along with an indication of its
// authenticity" (ER Art 17(1)(j)).
var errScanNeedsAuthenticity = Message{
	EN: "Say whether the document looks genuine, suspected false or was not checked: Eurodac takes the scan only with that indication (Art 17(1)(j) Regulation (EU) 2024/1358).",
	NL: "Geef aan of het document echt lijkt, vermoedelijk vals is of niet is gecontroleerd: Eurodac neemt de scan alleen met die aanduiding (art. 17, lid 1, onder j, Verordening (EU) 2024/1358).",
}

// AttachDocumentScan records that document i has a colour scan stored under ref, taken now
// from source, with the officer's authenticity indication (required: ER Art 17(1)(j)). It
// returns the record name of the scan it replaces ("" if none), which the caller deletes in
// the same transaction. The terminal stamps the time; a scan added after the data set was
// queued for Eurodac makes an update due (EurodacUpdateDue).
func (c *Case) AttachDocumentScan(i int, ref, source, authenticity string, now time.Time) (replaced string, err error) {
	path := fmt.Sprintf("documents[%d]", i)
	if i < 0 || i >= len(c.Documents) {
		return "", &RuleError{Path: path, Err: ErrBadValue, Message: Message{
			EN: "Record the document (type, number, issuing state) before attaching its scan.",
			NL: "Leg het document vast (soort, nummer, staat van afgifte) voordat u de scan toevoegt."}}
	}
	if !oneOf(authenticity, Authenticities) {
		return "", &RuleError{Path: path + ".authenticity", Err: ErrBadValue, Message: errScanNeedsAuthenticity}
	}
	if !oneOf(source, ScanSources) {
		return "", badValue(path+".scanSource", source)
	}
	if ref == "" {
		return "", badValue(path+".scanRef", ref)
	}
	d := &c.Documents[i]
	replaced = d.ScanRef
	d.ScanRef, d.ScanSource, d.ScanAt, d.Authenticity = ref, source, now.UTC(), authenticity
	return replaced, nil
}

// keepScan carries the terminal's scan fields of old over to d (a document recorded again
// from a screen or a patch): the scan is attached only by AttachDocumentScan, never typed.
// A different scan reference is refused; a scan keeps an authenticity indication.
func keepScan(path string, d *Document, old Document) error {
	if d.ScanRef != "" && d.ScanRef != old.ScanRef {
		return &RuleError{Path: path + ".scanRef", Err: ErrOnRecord, Message: Message{
			EN: "The document's scan is attached on the terminal (Attach scan), never typed.",
			NL: "De scan van het document wordt op de terminal toegevoegd (Scan toevoegen), nooit getypt."}}
	}
	if !sameDocument(old, *d) {
		// another document recorded over this one: the old scan is not its copy (ER Art
		// 17(1)(j) sends the scan as the copy of the document recorded); the command that
		// records it deletes the scan's record, and a new scan is attached for the new one
		// nor the authenticity found for the old one (a stale "genuine" on another document)
		d.ScanRef, d.ScanAt, d.ScanSource, d.Authenticity = "", time.Time{}, "", ""
		return nil
	}
	d.ScanRef, d.ScanAt, d.ScanSource = old.ScanRef, old.ScanAt, old.ScanSource
	if d.ScanRef != "" && d.Authenticity == "" {
		d.Authenticity = old.Authenticity
	}
	return nil
}

// sameDocument reports whether b may be the document a was: its type, issuing state and
// number agree wherever both are recorded (a scan attached before the number was typed
// stays with it). ASSUMPTION: a change of any of the three, a typing error corrected
// included, means the scan must be attached again; the terminal cannot tell a typing error
// from another document, and a wrong copy sent to Eurodac is worse than a scan taken twice.
func sameDocument(a, b Document) bool {
	same := func(x, y string) bool {
		x, y = strings.TrimSpace(x), strings.TrimSpace(y)
		return x == "" || y == "" || strings.EqualFold(x, y)
	}
	return same(a.Type, b.Type) && same(a.IssuingState, b.IssuingState) && same(a.Number, b.Number)
}

// EurodacScanDocument is the index of the document whose scan goes to Eurodac as element
// (j), or -1 when no document has one: the document sent as element (i) (the first) when it
// has a scan, else the first other document with one ("where unavailable, another
// document", ER Art 17(1)(j)).
func (c *Case) EurodacScanDocument() int {
	if len(c.Documents) > 0 && c.Documents[0].ScanRef != "" {
		return 0
	}
	for i, d := range c.Documents {
		if d.ScanRef != "" {
			return i
		}
	}
	return -1
}

// ScanAddedAt is when the latest document scan was attached (zero if none).
func (c *Case) ScanAddedAt() time.Time {
	var at time.Time
	for _, d := range c.Documents {
		if d.ScanRef != "" && d.ScanAt.After(at) {
			at = d.ScanAt
		}
	}
	return at
}

// hasScan reports whether any document carries a scan (or its stamps).
func (c *Case) hasScan() bool {
	for _, d := range c.Documents {
		if d.ScanRef != "" || !d.ScanAt.IsZero() || d.ScanSource != "" {
			return true
		}
	}
	return false
}
