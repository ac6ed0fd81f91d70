package eurodac

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/nist"
)

// Dataset is what Read recovers from a transaction built by this profile.
type Dataset struct {
	ProfileVersion string
	Subject        Subject
	Fingers        []Finger // ten positions in order 1-10
	Face           *Face
	Transmission   Transmission
	// Rectified lists the Art 17(1) elements a rectification corrects (2.025); nil for a
	// data set with its biometrics. A rectification carries no finger or face record.
	Rectified []string
}

// Read maps a transaction of this profile back to its data set. It refuses transactions of
// another profile or version, because field numbers mean nothing outside their profile.
func Read(tx *nist.Transaction) (*Dataset, error) {
	t1 := tx.Type1()
	if t1 == nil {
		return nil, fmt.Errorf("eurodac: read: no Type-1 record: %w", ErrInvalid)
	}
	dom := t1.Field(13)
	if dom == nil || dom.Item(0, 0) != ProfileName {
		return nil, fmt.Errorf("eurodac: read: 1.013 DOM is not %s: %w", ProfileName, ErrInvalid)
	}
	if v := dom.Item(0, 1); v != ProfileVersion {
		return nil, fmt.Errorf("eurodac: read: profile version %q, this build reads %s: %w", v, ProfileVersion, ErrInvalid)
	}
	t2s := tx.RecordsOfType(2)
	if len(t2s) != 1 {
		return nil, fmt.Errorf("eurodac: read: %d Type-2 records, want 1: %w", len(t2s), ErrInvalid)
	}
	t2 := t2s[0]
	text := func(num int) (string, error) {
		if t2.Field(num) == nil {
			return "", nil
		}
		return tx.Text(t2, num)
	}
	list := func(num int) ([]string, error) {
		if t2.Field(num) == nil {
			return nil, nil
		}
		if _, err := tx.Text(t2, num); err != nil {
			return nil, err
		}
		return t2.Field(num).Subfields(), nil
	}
	d := &Dataset{ProfileVersion: ProfileVersion}
	s := &d.Subject
	var err error
	cat := t2.Value(FieldCategory)
	for c, info := range categoryInfo {
		if info.Code == cat {
			s.Category = c
		}
	}
	if s.Category == 0 {
		return nil, fmt.Errorf("eurodac: read: category %q unknown: %w", cat, ErrInvalid)
	}
	for _, x := range []struct {
		dst *string
		num int
	}{{&s.ReferenceNumber, FieldReference}, {&s.MemberState, FieldMemberState}, {&s.EventPlace, FieldEventPlace},
		{&s.Sex, FieldSex}, {&s.DateOfBirth, FieldDateOfBirth}, {&s.PlaceOfBirth, FieldPlaceOfBirth}, {&s.Operator, FieldOperator},
		{&s.SecurityFlag, FieldSecurityFlag}} {
		if *x.dst, err = text(x.num); err != nil {
			return nil, err
		}
	}
	for _, x := range []struct {
		dst *[]string
		num int
	}{{&s.Surnames, FieldSurnames}, {&s.Forenames, FieldForenames}, {&s.NamesAtBirth, FieldNamesAtBirth},
		{&s.PreviousNames, FieldPreviousNames}, {&s.Aliases, FieldAliases}, {&s.Nationalities, FieldNationalities}} {
		if *x.dst, err = list(x.num); err != nil {
			return nil, err
		}
	}
	if s.EventDate, err = date(t2, FieldEventDate, "20060102"); err != nil {
		return nil, err
	}
	if s.TakenAt, err = date(t2, FieldBiometricsTaken, "20060102"); err != nil {
		return nil, err
	}
	if f := t2.Field(FieldDocument); f != nil {
		if _, err := tx.Text(t2, FieldDocument); err != nil {
			return nil, err
		}
		doc := &Document{Type: f.Item(0, 0), Number: f.Item(0, 1), IssuingCountry: f.Item(0, 2)}
		if e := f.Item(0, 3); e != "" {
			if doc.Expiry, err = time.Parse("20060102", e); err != nil {
				return nil, fmt.Errorf("eurodac: read: %s expiry %q: %w", nist.FieldName(2, FieldDocument), e, ErrInvalid)
			}
		}
		s.Document = doc
	}
	d.Transmission = Transmission{Originator: t1.Value(8), ControlNum: t1.Value(9), ControlRef: t1.Value(10)}
	if d.Transmission.SentAt, err = date(t2, FieldSentAt, "20060102150405Z"); err != nil {
		return nil, err
	}

	if f := t2.Field(FieldRectified); f != nil {
		if _, err := tx.Text(t2, FieldRectified); err != nil {
			return nil, err
		}
		d.Rectified = f.Subfields()
		if err := checkRectified(d.Rectified); err != nil {
			return nil, fmt.Errorf("eurodac: read: %w", err)
		}
		if d.Transmission.ControlRef == "" || len(tx.RecordsOfType(14))+len(tx.RecordsOfType(10))+len(tx.RecordsOfType(20)) > 0 || t2.Field(FieldFingerStatus) != nil {
			return nil, fmt.Errorf("eurodac: read: a rectification names the transmission it rectifies and carries no biometric record: %w", ErrInvalid)
		}
		return d, nil
	}
	fingers := make([]Finger, 10)
	for i := range fingers {
		fingers[i] = Finger{Position: i + 1, Quality: -1}
	}
	if f := t2.Field(FieldFingerStatus); f != nil {
		for _, it := range f.Items() {
			pos, err := strconv.Atoi(it[0])
			if err != nil || pos < 1 || pos > 10 || len(it) != 2 {
				return nil, fmt.Errorf("eurodac: read: %s entry %q: %w", nist.FieldName(2, FieldFingerStatus), it, ErrInvalid)
			}
			for st, info := range fingerStatusInfo {
				if info.Code == it[1] {
					fingers[pos-1].Status = st
				}
			}
		}
	}
	for _, r := range tx.RecordsOfType(14) {
		pos, err := r.Int(13)
		if err != nil || pos < 1 || pos > 10 {
			return nil, fmt.Errorf("eurodac: read: Type-14 IDC %d: finger position %q: %w", r.IDC(), r.Value(13), ErrInvalid)
		}
		f := &fingers[pos-1]
		img, code := r.Image()
		if img == nil {
			continue // amputated / unprintable: the status came from 2.022
		}
		if code != FingerCompression {
			return nil, fmt.Errorf("eurodac: read: finger %d compressed as %s, want %s: %w", pos, code, FingerCompression, ErrInvalid)
		}
		f.Status, f.ImageWSQ = Captured, img
		f.Width, _ = r.Int(6)
		f.Height, _ = r.Int(7)
		f.PPI, _ = r.Int(9)
		if q := r.Field(24); q != nil {
			if f.Quality, err = strconv.Atoi(q.Item(0, 1)); err != nil {
				return nil, fmt.Errorf("eurodac: read: finger %d quality %q: %w", pos, q.Item(0, 1), ErrInvalid)
			}
		}
	}
	for _, f := range fingers {
		if f.Status == 0 {
			return nil, fmt.Errorf("eurodac: read: finger %d neither captured nor explained in 2.022: %w", f.Position, ErrInvalid)
		}
	}
	d.Fingers = fingers
	if s.Scan, err = readScan(tx, t2); err != nil {
		return nil, err
	}
	if faces := tx.RecordsOfType(10); len(faces) > 0 {
		r := faces[0]
		img, _ := r.Image()
		face := &Face{Image: img, Gray: r.Value(12) == "GRAY"}
		face.Width, _ = r.Int(6)
		face.Height, _ = r.Int(7)
		d.Face = face
	}
	return d, nil
}

func date(r *nist.Record, num int, layout string) (time.Time, error) {
	v := r.Value(num)
	t, err := time.Parse(layout, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("eurodac: read: %s %q is not a date: %w", nist.FieldName(2, num), v, ErrInvalid)
	}
	return t, nil
}

// readScan reads element (j): the Type-20 record that 2.024 names, with its authenticity.
// Both or neither must be there, and the image must be the profile's JPEG.
func readScan(tx *nist.Transaction, t2 *nist.Record) (*DocumentScan, error) {
	srcs := tx.RecordsOfType(20)
	f := t2.Field(FieldDocumentScan)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("eurodac: read: document scan: "+format+": %w", append(args, ErrInvalid)...)
	}
	switch {
	case f == nil && len(srcs) == 0:
		return nil, nil
	case f == nil:
		return nil, bad("a Type-20 record without %s", nist.FieldName(2, FieldDocumentScan))
	case len(srcs) != 1:
		return nil, bad("%s needs exactly one Type-20 record, found %d", nist.FieldName(2, FieldDocumentScan), len(srcs))
	}
	if _, err := tx.Text(t2, FieldDocumentScan); err != nil {
		return nil, err
	}
	items := f.Items()
	if len(items) != 1 || len(items[0]) != 3 {
		return nil, bad("%s is not SRN US authenticity US document type", nist.FieldName(2, FieldDocumentScan))
	}
	r := srcs[0]
	if srn := r.Value(21); srn != items[0][0] {
		return nil, bad("%s names source %q, the Type-20 record is %q", nist.FieldName(2, FieldDocumentScan), items[0][0], srn)
	}
	sc := &DocumentScan{Authenticity: items[0][1], DocumentType: items[0][2], Acquisition: r.Value(14)}
	if !slices.Contains(scanAuthenticities, sc.Authenticity) {
		return nil, bad("authenticity %q is not one of %v", sc.Authenticity, scanAuthenticities)
	}
	img, code := r.Image()
	if img == nil || code != ScanCompression {
		return nil, bad("image compressed as %q, want %s", code, ScanCompression)
	}
	sc.Image = img
	var err error
	if sc.Width, err = r.Int(6); err != nil {
		return nil, bad("%v", err)
	}
	if sc.Height, err = r.Int(7); err != nil {
		return nil, bad("%v", err)
	}
	return sc, nil
}
