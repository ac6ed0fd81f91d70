package eurodac

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // face images: dimensions are read from the JPEG header
	_ "image/png"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fieldscreen/fieldscreen/biometrics/nist"
)

// Subject is the Eurodac data set of one person, filled in by the application from the
// screening case. Letters refer to Art 17(1) of Regulation (EU) 2024/1358.
type Subject struct {
	Category        Category
	ReferenceNumber string    // (k): stays the same when data are retransmitted
	MemberState     string    // (g): Member State of origin, two-letter code (e.g. "NL")
	EventPlace      string    // (g): where the application/apprehension/disembarkation took place
	EventDate       time.Time // (g)
	Sex             string    // (h): M, F or X
	Surnames        []string  // (c)
	Forenames       []string  // (c)
	NamesAtBirth    []string  // (c)
	PreviousNames   []string  // (c)
	Aliases         []string  // (c)
	Nationalities   []string  // (d): three-letter codes (ICAO 9303: ISO 3166-1 alpha-3 plus XXA etc.)
	DateOfBirth     string    // (e): YYYYMMDD, YYYYMM00 or YYYY0000 when only partly known
	PlaceOfBirth    string    // (f)
	Document        *Document // (i): where available
	TakenAt         time.Time // (l): when the biometric data were taken
	Operator        string    // (n): operator user ID
	// SecurityFlag is the ground code of the security flag ("" when not set): the Member
	// State of origin records that the person could pose a threat to internal security.
	SecurityFlag string
	// Scan is (j): the scanned colour copy of the document, where available.
	Scan *DocumentScan
}

// DocumentScan is element (j): a scanned colour copy of an identity or travel document (or,
// where unavailable, another document) with an indication of its authenticity.
type DocumentScan struct {
	Image        []byte // JPEG, colour
	Width        int
	Height       int
	Authenticity string // genuine, suspected_false or not_checked
	// DocumentType is the scanned document's type (as on the MRZ: P, I, ...), "" if unknown.
	DocumentType string
	// Acquisition is AcquisitionScanner or AcquisitionCamera; "" leaves 20.014 out.
	Acquisition string
}

// Document is the identity or travel document of Art 17(1)(i).
type Document struct {
	Type           string // e.g. "P" (passport), as on the MRZ
	Number         string
	IssuingCountry string    // three-letter code
	Expiry         time.Time // zero when unknown
}

// Finger is one finger position of the capture.
type Finger struct {
	Position int // 1-10: right thumb … right little, left thumb … left little (Table 8)
	Status   FingerStatus
	ImageWSQ []byte // the WSQ image, for Status Captured
	Width    int
	Height   int
	PPI      int
	Quality  int // 0-100 capture quality (not NFIQ 2); -1 when not measured
}

// Face is the facial image.
type Face struct {
	Image  []byte // JPEG or PNG
	Width  int
	Height int
	Gray   bool // greyscale rather than colour
}

// Transmission holds what identifies one sending of the data set.
type Transmission struct {
	Originator string    // 1.008 ORI: the Member State's originating agency identifier
	ControlNum string    // 1.009 TCN: unique per transmission
	ControlRef string    // 1.010 TCR: TCN of the transmission this one repeats (retakes), optional
	SentAt     time.Time // (m) and 1.005 DAT / 1.014 GMT
}

// ErrInvalid is wrapped by every error about input that the profile does not accept.
var ErrInvalid = errors.New("eurodac data set not acceptable")

var (
	reMemberState = regexp.MustCompile(`^[A-Z]{2}$`)
	reFlag        = regexp.MustCompile(`^[a-z_]{1,32}$`)
	reCountry3    = regexp.MustCompile(`^[A-Z]{1,3}<{0,2}$`)
	rePartialDate = regexp.MustCompile(`^[0-9]{4}(0[0-9]|1[0-2])([0-2][0-9]|3[01])$`)
)

// Build makes the ANSI/NIST-ITL transaction for a subject and its captures: Type-1, one
// Type-2 with the alphanumeric data set, one Type-14 per finger captured or recorded as
// amputated/unprintable, and a Type-10 for the face when given. fingers must account for
// all ten positions (a finger that could not be taken carries its status); face may be nil
// only when at least one finger was captured.
func Build(s Subject, fingers []Finger, face *Face, tr Transmission) (*nist.Transaction, error) {
	if err := checkSubject(s); err != nil {
		return nil, err
	}
	if err := checkFingers(fingers, face); err != nil {
		return nil, err
	}
	tx, err := newTransaction(s, tr)
	if err != nil {
		return nil, err
	}
	t2, err := type2(s, fingers, tr)
	if err != nil {
		return nil, err
	}
	if err := tx.Add(t2); err != nil {
		return nil, err
	}
	for _, f := range sortedFingers(fingers) {
		info := fingerStatusInfo[f.Status]
		if f.Status != Captured && info.AMP == "" {
			continue // refused: only in 2.022
		}
		nf := nist.Finger{IDC: tx.NextIDC(), Position: f.Position, Impression: FingerImpression,
			Source: tr.Originator, Captured: s.TakenAt, Missing: info.AMP}
		if f.Status == Captured {
			nf.Width, nf.Height, nf.PPI, nf.Data, nf.Compression = f.Width, f.Height, f.PPI, f.ImageWSQ, FingerCompression
		}
		r, err := nist.NewFingerprint(nf)
		if err != nil {
			return nil, fmt.Errorf("eurodac: finger %d: %w", f.Position, err)
		}
		if f.Status == Captured && f.Quality >= 0 {
			// 14.024 FQM: position US score US vendor US product. ASSUMPTION: vendor 0000 /
			// product 0 marks the terminal's own unregistered capture-quality score.
			if err := r.SetItems(24, []string{fmt.Sprint(f.Position), fmt.Sprint(f.Quality), "0000", "0"}); err != nil {
				return nil, err
			}
		}
		if err := tx.Add(r); err != nil {
			return nil, err
		}
	}
	if face != nil {
		if err := checkFace(face); err != nil {
			return nil, err
		}
		csp := "SRGB"
		if face.Gray {
			csp = "GRAY"
		}
		r, err := nist.NewFaceRecord(nist.Face{IDC: tx.NextIDC(), Source: tr.Originator, Captured: s.TakenAt,
			Width: face.Width, Height: face.Height, ColorSpace: csp, Profile: FaceProfile, Data: face.Image})
		if err != nil {
			return nil, fmt.Errorf("eurodac: face: %w", err)
		}
		if _, code := r.Image(); code != "JPEGB" && code != "PNG" {
			return nil, fmt.Errorf("eurodac: face must be JPEG or PNG, got %s: %w", code, ErrInvalid)
		}
		if err := tx.Add(r); err != nil {
			return nil, err
		}
	}
	if sc := s.Scan; sc != nil {
		r, err := nist.NewSourceRecord(nist.SourceImage{IDC: tx.NextIDC(), Cardinality: ScanCardinality, Source: tr.Originator,
			Date: tr.SentAt, Width: sc.Width, Height: sc.Height, Acquisition: sc.Acquisition, FileType: ScanFileType,
			Number: ScanNumber, Data: sc.Image, Compression: ScanCompression})
		if err != nil {
			return nil, fmt.Errorf("eurodac: document scan: %w", err)
		}
		if err := tx.Add(r); err != nil {
			return nil, err
		}
	}
	if ps := tx.Validate(); len(ps) > 0 {
		return nil, fmt.Errorf("eurodac: built transaction fails ANSI/NIST validation: %v", ps[0])
	}
	return tx, nil
}

// BuildRectification makes the transaction that rectifies a data set already transmitted
// (ER Art 40(3): only the Member State of origin amends the data it transmitted, by
// rectifying or supplementing them). It carries Type-1 and the whole corrected Type-2 data
// set under the same reference number (2.005), names the corrected elements in 2.025 and
// the transmission it rectifies in 1.010 TCR; no biometric record (the images did not
// change, nor does the document scan). ASSUMPTION: the ICD's form of a rectification (docs/eurodac-profile.md §3).
func BuildRectification(s Subject, corrected []string, tr Transmission) (*nist.Transaction, error) {
	if err := checkSubject(s); err != nil {
		return nil, err
	}
	if tr.ControlRef == "" {
		return nil, fmt.Errorf("eurodac: a rectification names the transmission it rectifies (1.010 TCR): %w", ErrInvalid)
	}
	if err := checkRectified(corrected); err != nil {
		return nil, err
	}
	s.Scan = nil // no image travels in a rectification, the document scan neither
	tx, err := newTransaction(s, tr)
	if err != nil {
		return nil, err
	}
	t2, err := type2(s, nil, tr)
	if err != nil {
		return nil, err
	}
	items := make([][]string, len(corrected))
	for i, l := range corrected {
		items[i] = []string{l}
	}
	if err := t2.SetItems(FieldRectified, items...); err != nil {
		return nil, fmt.Errorf("eurodac: %s: %w", nist.FieldName(2, FieldRectified), err)
	}
	if err := tx.Add(t2); err != nil {
		return nil, err
	}
	if ps := tx.Validate(); len(ps) > 0 {
		return nil, fmt.Errorf("eurodac: built transaction fails ANSI/NIST validation: %v", ps[0])
	}
	return tx, nil
}

// newTransaction starts the transaction with its Type-1 record for s sent as tr.
func newTransaction(s Subject, tr Transmission) (*nist.Transaction, error) {
	if tr.Originator == "" || tr.ControlNum == "" || tr.SentAt.IsZero() {
		return nil, fmt.Errorf("eurodac: transmission needs originator, control number and send time: %w", ErrInvalid)
	}
	tx, err := nist.New(nist.Header{
		Version: NISTVersion, Type: s.Category.TOT(), Date: tr.SentAt, Destination: Destination,
		Originator: tr.Originator, ControlNum: tr.ControlNum, ControlRef: tr.ControlRef,
		NativePPMM: ScanPPMM, NominalPPMM: ScanPPMM, Domain: ProfileName, DomainVer: ProfileVersion, UTF8: true,
	})
	if err != nil {
		return nil, fmt.Errorf("eurodac: %w", err)
	}
	return tx, nil
}

// checkRectified accepts a non-empty list of distinct RectifiableElements.
func checkRectified(letters []string) error {
	if len(letters) == 0 {
		return fmt.Errorf("eurodac: a rectification names the elements it corrects (2.025): %w", ErrInvalid)
	}
	seen := map[string]bool{}
	for _, l := range letters {
		ok := false
		for _, r := range RectifiableElements {
			ok = ok || l == r
		}
		if !ok || seen[l] {
			return fmt.Errorf("eurodac: rectified element %q is not one of %v (or given twice): %w", l, RectifiableElements, ErrInvalid)
		}
		seen[l] = true
	}
	return nil
}

func checkSubject(s Subject) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("eurodac: "+format+": %w", append(args, ErrInvalid)...)
	}
	if s.Category.TOT() == "" {
		return bad("unknown category %d", int(s.Category))
	}
	if strings.TrimSpace(s.ReferenceNumber) == "" {
		return bad("reference number (Art 17(1)(k)) is required")
	}
	if !reMemberState.MatchString(s.MemberState) {
		return bad("Member State of origin %q is not a two-letter code", s.MemberState)
	}
	if s.EventDate.IsZero() || strings.TrimSpace(s.EventPlace) == "" {
		return bad("place and date of the %s event (Art 17(1)(g)) are required", strings.ToLower(s.Category.String()))
	}
	if !sexCodes[s.Sex] {
		return bad("sex %q is not M, F or X", s.Sex)
	}
	if len(s.Surnames) == 0 && len(s.Forenames) == 0 {
		return bad("at least one surname or forename (Art 17(1)(c)) is required")
	}
	if len(s.Nationalities) == 0 {
		return bad("nationality (Art 17(1)(d)) is required; use XXA for stateless, XXX for unknown")
	}
	for _, n := range s.Nationalities {
		if !reCountry3.MatchString(n) || len(n) != 3 {
			return bad("nationality %q is not a three-letter code", n)
		}
	}
	if !rePartialDate.MatchString(s.DateOfBirth) {
		return bad("date of birth %q is not YYYYMMDD (00 for an unknown month or day)", s.DateOfBirth)
	}
	if d := s.Document; d != nil {
		if d.Number == "" || len(d.IssuingCountry) != 3 || !reCountry3.MatchString(d.IssuingCountry) {
			return bad("document needs a number and a three-letter issuing country (Art 17(1)(i))")
		}
	}
	if s.TakenAt.IsZero() {
		return bad("date the biometrics were taken (Art 17(1)(l)) is required")
	}
	if sc := s.Scan; sc != nil {
		if err := checkScan(sc); err != nil {
			return err
		}
	}
	if strings.TrimSpace(s.Operator) == "" {
		return bad("operator user ID (Art 17(1)(n)) is required")
	}
	texts := append(append(append(append(append([]string{s.ReferenceNumber, s.EventPlace, s.PlaceOfBirth, s.Operator},
		s.Surnames...), s.Forenames...), s.NamesAtBirth...), s.PreviousNames...), s.Aliases...)
	if d := s.Document; d != nil {
		texts = append(texts, d.Type, d.Number)
	}
	if sc := s.Scan; sc != nil {
		texts = append(texts, sc.DocumentType)
	}
	for _, v := range texts {
		if !utf8.ValidString(v) || strings.ContainsAny(v, "\x1c\x1d\x1e\x1f\x02\x03") {
			return bad("a text value contains invalid UTF-8 or a control separator")
		}
	}
	return nil
}

func checkFingers(fingers []Finger, face *Face) error {
	seen := map[int]bool{}
	captured := 0
	for _, f := range fingers {
		if f.Position < 1 || f.Position > 10 {
			return fmt.Errorf("eurodac: finger position %d outside 1-10: %w", f.Position, ErrInvalid)
		}
		if seen[f.Position] {
			return fmt.Errorf("eurodac: finger position %d given twice: %w", f.Position, ErrInvalid)
		}
		seen[f.Position] = true
		if _, ok := fingerStatusInfo[f.Status]; !ok {
			return fmt.Errorf("eurodac: finger %d has no status: %w", f.Position, ErrInvalid)
		}
		if f.Status == Captured {
			captured++
			if f.PPI != FingerPPI {
				return fmt.Errorf("eurodac: finger %d scanned at %d ppi; the profile takes %d ppi WSQ: %w", f.Position, f.PPI, FingerPPI, ErrInvalid)
			}
			if f.Quality < -1 || f.Quality > 100 {
				return fmt.Errorf("eurodac: finger %d quality %d outside 0-100: %w", f.Position, f.Quality, ErrInvalid)
			}
			if nist.SniffCompression(f.ImageWSQ) != "WSQ20" {
				return fmt.Errorf("eurodac: finger %d image is not WSQ (no FFA0 start marker): %w", f.Position, ErrInvalid)
			}
		} else if len(f.ImageWSQ) > 0 {
			return fmt.Errorf("eurodac: finger %d is marked %s but has an image: %w", f.Position, f.Status, ErrInvalid)
		}
	}
	if len(seen) != 10 {
		var missing []string
		for p := 1; p <= 10; p++ {
			if !seen[p] {
				missing = append(missing, fmt.Sprint(p))
			}
		}
		return fmt.Errorf("eurodac: finger positions %s have no status; record each as captured, amputated, unprintable, temporarily unusable or refused: %w",
			strings.Join(missing, ", "), ErrInvalid)
	}
	if captured == 0 && (face == nil || len(face.Image) == 0) {
		return fmt.Errorf("eurodac: no fingerprint captured and no facial image: nothing to transmit: %w", ErrInvalid)
	}
	return nil
}

func sortedFingers(fs []Finger) []Finger {
	out := make([]Finger, 10)
	for _, f := range fs {
		out[f.Position-1] = f
	}
	return out
}

func type2(s Subject, fingers []Finger, tr Transmission) (*nist.Record, error) {
	r, err := nist.NewRecord(2, 0)
	if err != nil {
		return nil, err
	}
	sub := func(vs []string) [][]string {
		out := make([][]string, len(vs))
		for i, v := range vs {
			out[i] = []string{v}
		}
		return out
	}
	set := map[int][][]string{
		FieldProfile:         {{ProfileName, ProfileVersion}},
		FieldCategory:        {{s.Category.String()}},
		FieldReference:       {{s.ReferenceNumber}},
		FieldMemberState:     {{s.MemberState}},
		FieldEventPlace:      {{s.EventPlace}},
		FieldEventDate:       {{s.EventDate.Format("20060102")}},
		FieldSex:             {{s.Sex}},
		FieldNationalities:   sub(s.Nationalities),
		FieldDateOfBirth:     {{s.DateOfBirth}},
		FieldBiometricsTaken: {{s.TakenAt.Format("20060102")}},
		FieldSentAt:          {{tr.SentAt.UTC().Format("20060102150405Z")}},
		FieldOperator:        {{s.Operator}},
	}
	for num, vs := range map[int][]string{FieldSurnames: s.Surnames, FieldForenames: s.Forenames,
		FieldNamesAtBirth: s.NamesAtBirth, FieldPreviousNames: s.PreviousNames, FieldAliases: s.Aliases} {
		if len(vs) > 0 {
			set[num] = sub(vs)
		}
	}
	if s.PlaceOfBirth != "" {
		set[FieldPlaceOfBirth] = [][]string{{s.PlaceOfBirth}}
	}
	if s.SecurityFlag != "" {
		if !reFlag.MatchString(s.SecurityFlag) {
			return nil, fmt.Errorf("eurodac: security flag %q is not a ground code: %w", s.SecurityFlag, ErrInvalid)
		}
		set[FieldSecurityFlag] = [][]string{{s.SecurityFlag}}
	}
	if sc := s.Scan; sc != nil {
		set[FieldDocumentScan] = [][]string{{fmt.Sprint(ScanNumber), sc.Authenticity, sc.DocumentType}}
	}
	if d := s.Document; d != nil {
		exp := ""
		if !d.Expiry.IsZero() {
			exp = d.Expiry.Format("20060102")
		}
		set[FieldDocument] = [][]string{{d.Type, d.Number, d.IssuingCountry, exp}}
	}
	var status [][]string
	for _, f := range sortedFingers(fingers) {
		if f.Position != 0 && f.Status != Captured { // a rectification has no fingers
			status = append(status, []string{fmt.Sprint(f.Position), f.Status.String()})
		}
	}
	if len(status) > 0 {
		set[FieldFingerStatus] = status
	}
	for num, items := range set {
		if err := r.SetItems(num, items...); err != nil {
			return nil, fmt.Errorf("eurodac: %s: %w", nist.FieldName(2, num), err)
		}
	}
	return r, nil
}

// checkFace reads the face image's header: the format must be JPEG or PNG and the declared
// size must be the real one (Type-10 HLL/VLL would otherwise lie to the receiver).
func checkFace(f *Face) error {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(f.Image))
	if err != nil {
		return fmt.Errorf("eurodac: face image is not a readable JPEG or PNG (%v): %w", err, ErrInvalid)
	}
	if format != "jpeg" && format != "png" {
		return fmt.Errorf("eurodac: face image is %s, the profile takes JPEG or PNG: %w", format, ErrInvalid)
	}
	if cfg.Width != f.Width || cfg.Height != f.Height {
		return fmt.Errorf("eurodac: face image is %dx%d but %dx%d was declared: %w", cfg.Width, cfg.Height, f.Width, f.Height, ErrInvalid)
	}
	return nil
}

// checkScan reads the scan's header: a colour JPEG of the declared size, with an
// authenticity code (Art 17(1)(j)).
func checkScan(sc *DocumentScan) error {
	if !slices.Contains(scanAuthenticities, sc.Authenticity) {
		return fmt.Errorf("eurodac: document scan needs its authenticity (Art 17(1)(j)), one of %v, not %q: %w", scanAuthenticities, sc.Authenticity, ErrInvalid)
	}
	if sc.Acquisition != "" && sc.Acquisition != AcquisitionScanner && sc.Acquisition != AcquisitionCamera {
		return fmt.Errorf("eurodac: document scan acquisition %q is not %s or %s: %w", sc.Acquisition, AcquisitionScanner, AcquisitionCamera, ErrInvalid)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(sc.Image))
	if err != nil || format != "jpeg" {
		return fmt.Errorf("eurodac: document scan is not a readable JPEG: %w", ErrInvalid)
	}
	if cfg.ColorModel == color.GrayModel {
		return fmt.Errorf("eurodac: document scan is greyscale; Art 17(1)(j) asks for a colour copy: %w", ErrInvalid)
	}
	if cfg.Width != sc.Width || cfg.Height != sc.Height {
		return fmt.Errorf("eurodac: document scan is %dx%d but %dx%d was declared: %w", cfg.Width, cfg.Height, sc.Width, sc.Height, ErrInvalid)
	}
	return nil
}
