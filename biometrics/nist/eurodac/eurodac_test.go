package eurodac

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/nist"
	"github.com/fieldscreen/fieldscreen/biometrics/wsq"
)

// images takes a real WSQ fingerprint (344×370, 500 ppi) and a real JPEG face out of the
// NIST reference files kept by package nist.
func images(t testing.TB) (wsq, jpeg []byte) {
	t.Helper()
	load := func(name string, rec int) []byte {
		b, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := nist.ParseBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		img, _ := tx.Records()[rec].Image()
		return img
	}
	return load("type-14-tip-eji-wsq.an2", 2), load("type-10-sap10.an2", 2)
}

// scanPage is a synthetic colour document page (bands of colour, no person), 400×280 JPEG,
// made once by a small Go program and kept in testdata.
func scanPage(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "docscan-page.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// syntheticCase is an invented person (no real data).
func syntheticCase(t testing.TB) (Subject, []Finger, *Face, Transmission) {
	wsq, jpeg := images(t)
	taken := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	s := Subject{
		Category: Applicant, ReferenceNumber: "NL-TEST-000042", MemberState: "NL",
		EventPlace: "SCHIPHOL", EventDate: time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC), Sex: "F",
		Surnames: []string{"TESTPERSON"}, Forenames: []string{"ALPHA", "ΒΗΤΑ"},
		NamesAtBirth: []string{"ТЕСТ"}, Aliases: []string{"تست", "A. TESTPERSON"},
		Nationalities: []string{"XXA", "UTO"}, DateOfBirth: "19990700", PlaceOfBirth: "TESTVILLE",
		Document: &Document{Type: "P", Number: "X0000001", IssuingCountry: "UTO", Expiry: time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC)},
		TakenAt:  taken, Operator: "officer-7",
	}
	var fingers []Finger
	for p := 1; p <= 10; p++ {
		f := Finger{Position: p, Status: Captured, ImageWSQ: wsq, Width: 344, Height: 370, PPI: 500, Quality: 50 + p}
		switch p {
		case 4:
			f = Finger{Position: p, Status: Amputated, Quality: -1}
		case 7:
			f = Finger{Position: p, Status: TemporarilyUnusable, Quality: -1}
		case 9:
			f = Finger{Position: p, Status: Refused, Quality: -1}
		}
		fingers = append(fingers, f)
	}
	s.Scan = &DocumentScan{Image: scanPage(t), Width: 400, Height: 280, Authenticity: "suspected_false",
		DocumentType: "P", Acquisition: AcquisitionScanner}
	face := &Face{Image: jpeg, Width: 1181, Height: 1575}
	tr := Transmission{Originator: "NLKMAR01", ControlNum: "NLKMAR01-20260615-0001", SentAt: time.Date(2026, 6, 15, 10, 4, 5, 0, time.UTC)}
	return s, fingers, face, tr
}

func TestBuildReadBack(t *testing.T) {
	s, fingers, face, tr := syntheticCase(t)
	tx, err := Build(s, fingers, face, tr)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := tx.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := nist.Parse(&buf)
	if err != nil {
		t.Fatalf("parse built transaction: %v", err)
	}
	if ps := back.Validate(); len(ps) != 0 {
		t.Fatalf("ANSI/NIST problems: %v", ps)
	}

	// The wire layout, field by field.
	recs := back.Records()
	var types []int
	for _, r := range recs {
		types = append(types, r.Type)
	}
	// Ten positions: 8 captured + amputated 4 + temporarily unusable 7 get Type-14; refused 9 does not.
	// The document scan (Art 17(1)(j)) is the Type-20 source representation at the end.
	if want := []int{1, 2, 14, 14, 14, 14, 14, 14, 14, 14, 14, 10, 20}; !reflect.DeepEqual(types, want) {
		t.Fatalf("record types %v, want %v", types, want)
	}
	t1, t2 := recs[0], recs[1]
	wire := []struct {
		r    *nist.Record
		num  int
		want string
	}{
		{t1, 2, "0502"}, {t1, 4, "EDA"}, {t1, 5, "20260615"}, {t1, 7, Destination}, {t1, 8, "NLKMAR01"},
		{t1, 9, "NLKMAR01-20260615-0001"}, {t1, 11, "19.69"}, {t1, 12, "19.69"},
		{t1, 13, ProfileName + "\x1f" + ProfileVersion}, {t1, 14, "20260615100405Z"}, {t1, 15, "3\x1fUTF-8"},
		{t2, 2, "00"}, {t2, FieldProfile, ProfileName + "\x1f" + ProfileVersion}, {t2, FieldCategory, "APPLICANT"},
		{t2, FieldReference, "NL-TEST-000042"}, {t2, FieldMemberState, "NL"}, {t2, FieldEventPlace, "SCHIPHOL"},
		{t2, FieldEventDate, "20260614"}, {t2, FieldSex, "F"}, {t2, FieldSurnames, "TESTPERSON"},
		{t2, FieldForenames, "ALPHA\x1eΒΗΤΑ"}, {t2, FieldNamesAtBirth, "ТЕСТ"}, {t2, FieldPreviousNames, ""},
		{t2, FieldAliases, "تست\x1eA. TESTPERSON"}, {t2, FieldNationalities, "XXA\x1eUTO"},
		{t2, FieldDateOfBirth, "19990700"}, {t2, FieldPlaceOfBirth, "TESTVILLE"},
		{t2, FieldDocument, "P\x1fX0000001\x1fUTO\x1f20300131"}, {t2, FieldBiometricsTaken, "20260615"},
		{t2, FieldSentAt, "20260615100405Z"}, {t2, FieldOperator, "officer-7"},
		{t2, FieldFingerStatus, "4\x1fXX\x1e7\x1fTU\x1e9\x1fRF"},
		{recs[2], 3, "0"}, {recs[2], 4, "NLKMAR01"}, {recs[2], 5, "20260615"}, {recs[2], 11, "WSQ20"}, {recs[2], 13, "1"},
		{recs[2], 9, "500"}, {recs[2], 24, "1\x1f51\x1f0000\x1f0"},
		{recs[5], 13, "4"}, {recs[5], 18, "4\x1fXX"}, {recs[5], 11, ""},
		{recs[8], 13, "7"}, {recs[8], 18, "7\x1fUP"},
		{recs[9], 13, "8"}, {recs[10], 13, "10"},
		{recs[11], 3, "FACE"}, {recs[11], 11, "JPEGB"}, {recs[11], 12, "SRGB"}, {recs[11], 13, "13"},
		{t2, FieldDocumentScan, "1\x1fsuspected_false\x1fP"},
		{recs[12], 2, "11"}, {recs[12], 3, "D"}, {recs[12], 4, "NLKMAR01"}, {recs[12], 5, "20260615"},
		{recs[12], 6, "400"}, {recs[12], 7, "280"}, {recs[12], 11, "JPEGB"}, {recs[12], 12, "24"},
		{recs[12], 13, "SRGB"}, {recs[12], 14, "3"}, {recs[12], 15, "JPG"}, {recs[12], 21, "1"},
	}
	for _, w := range wire {
		if got := w.r.Value(w.num); got != w.want {
			t.Errorf("%s = %q, want %q", nist.FieldName(w.r.Type, w.num), got, w.want)
		}
	}

	// And the data set, element by element.
	d, err := Read(back)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Subject, s) {
		t.Errorf("subject read back:\n%+v\nwant\n%+v", d.Subject, s)
	}
	if !reflect.DeepEqual(d.Transmission, tr) {
		t.Errorf("transmission read back %+v, want %+v", d.Transmission, tr)
	}
	if !reflect.DeepEqual(d.Fingers, fingers) {
		t.Errorf("fingers read back differ")
		for i := range fingers {
			if !reflect.DeepEqual(d.Fingers[i], fingers[i]) {
				t.Errorf("finger %d: %v %dx%d q%d, want %v %dx%d q%d", i+1, d.Fingers[i].Status, d.Fingers[i].Width,
					d.Fingers[i].Height, d.Fingers[i].Quality, fingers[i].Status, fingers[i].Width, fingers[i].Height, fingers[i].Quality)
			}
		}
	}
	if !reflect.DeepEqual(d.Face, face) {
		t.Errorf("face read back differs")
	}
	// The images that come back are usable: every captured finger decodes as WSQ at its
	// declared size, the face as JPEG.
	for _, f := range d.Fingers {
		if f.Status != Captured {
			continue
		}
		img, err := wsq.Decode(bytes.NewReader(f.ImageWSQ))
		if err != nil {
			t.Fatalf("finger %d: %v", f.Position, err)
		}
		if b := img.Bounds(); b.Dx() != f.Width || b.Dy() != f.Height {
			t.Errorf("finger %d decodes to %v, declared %dx%d", f.Position, b, f.Width, f.Height)
		}
	}
	if img, err := jpeg.Decode(bytes.NewReader(d.Face.Image)); err != nil || img.Bounds().Dx() != d.Face.Width {
		t.Errorf("face does not decode at its declared size: %v", err)
	}
}

func TestBuildRejects(t *testing.T) {
	cases := []struct {
		name   string
		change func(s *Subject, f []Finger, face **Face, tr *Transmission)
		want   string
	}{
		{"no reference", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.ReferenceNumber = "" }, "reference number"},
		{"bad sex", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Sex = "male" }, "sex \"male\""},
		{"bad DOB", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.DateOfBirth = "1999-07" }, "date of birth"},
		{"bad nationality", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Nationalities = []string{"Dutch"} }, "nationality \"Dutch\""},
		{"no nationality", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Nationalities = nil }, "XXA for stateless"},
		{"separator in name", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Surnames = []string{"A\x1dB"} }, "control separator"},
		{"unknown category", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Category = 0 }, "unknown category"},
		{"1000 ppi", func(_ *Subject, f []Finger, _ **Face, _ *Transmission) { f[0].PPI = 1000 }, "1000 ppi"},
		{"not WSQ", func(_ *Subject, f []Finger, _ **Face, _ *Transmission) { f[0].ImageWSQ = []byte{0xFF, 0xD8, 0, 0} }, "not WSQ"},
		{"image on amputated", func(_ *Subject, f []Finger, _ **Face, _ *Transmission) { f[3].ImageWSQ = f[0].ImageWSQ }, "marked XX but has an image"},
		{"duplicate position", func(_ *Subject, f []Finger, _ **Face, _ *Transmission) { f[1].Position = 1 }, "position 1 given twice"},
		{"position missing", func(_ *Subject, f []Finger, _ **Face, _ *Transmission) { f[9].Position = 11 }, "position 11 outside"},
		{"no status", func(_ *Subject, f []Finger, _ **Face, _ *Transmission) { f[2].Status = 0 }, "finger 3 has no status"},
		{"nothing captured", func(_ *Subject, f []Finger, face **Face, _ *Transmission) {
			for i := range f {
				f[i] = Finger{Position: i + 1, Status: Refused}
			}
			*face = nil
		}, "nothing to transmit"},
		{"face as WSQ", func(_ *Subject, f []Finger, face **Face, _ *Transmission) { (*face).Image = f[0].ImageWSQ }, "JPEG or PNG"},
		{"face not an image", func(_ *Subject, _ []Finger, face **Face, _ *Transmission) { (*face).Image = []byte{0xFF, 0xD8, 1, 2} }, "not a readable JPEG or PNG"},
		{"face size wrong", func(_ *Subject, _ []Finger, face **Face, _ *Transmission) { (*face).Width = 640 }, "1181x1575 but 640x1575"},
		{"no TCN", func(_ *Subject, _ []Finger, _ **Face, tr *Transmission) { tr.ControlNum = "" }, "control number"},
		{"security flag not a code", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.SecurityFlag = "Violent!" }, "not a ground code"},
		{"art 17(1)(j) scan without authenticity", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Scan.Authenticity = "" }, "needs its authenticity"},
		{"scan not a JPEG", func(s *Subject, f []Finger, _ **Face, _ *Transmission) { s.Scan.Image = f[0].ImageWSQ }, "not a readable JPEG"},
		{"scan size wrong", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Scan.Width = 401 }, "400x280 but 401x280"},
		{"scan acquisition unknown", func(s *Subject, _ []Finger, _ **Face, _ *Transmission) { s.Scan.Acquisition = "9" }, "acquisition \"9\""},
		{"art 17(1)(j) colour: grey scan", func(s *Subject, _ []Finger, face **Face, _ *Transmission) {
			var b bytes.Buffer
			_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 400, 280)), nil)
			s.Scan.Image = b.Bytes()
		}, "colour copy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, fingers, face, tr := syntheticCase(t)
			c.change(&s, fingers, &face, &tr)
			_, err := Build(s, fingers, face, tr)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

// TestFaceOnly: no finger could be taken (Art 28 face-only comparison); the face carries it.
func TestFaceOnly(t *testing.T) {
	s, fingers, face, tr := syntheticCase(t)
	for i := range fingers {
		fingers[i] = Finger{Position: i + 1, Status: Unprintable, Quality: -1}
	}
	tx, err := Build(s, fingers, face, tr)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tx.RecordsOfType(14)); n != 10 {
		t.Errorf("%d Type-14 records, want 10 (all UP)", n)
	}
	d, err := Read(tx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Fingers {
		if f.Status != Unprintable {
			t.Errorf("finger %d read back as %v", f.Position, f.Status)
		}
	}
}

// TestReadRefusesOtherProfiles: a NIST reference file is not a Eurodac transaction.
func TestReadRefusesOtherProfiles(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "type-14-tip-eji-wsq.an2"))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := nist.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(tx); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "DOM") {
		t.Errorf("Read of a non-Eurodac file: %v", err)
	}
}

// TestProfileDocumentInStep keeps docs/eurodac-profile.md and the code tables together.
func TestProfileDocumentInStep(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "eurodac-profile.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if !strings.Contains(doc, "Profile version: "+ProfileVersion) {
		t.Errorf("docs/eurodac-profile.md does not state \"Profile version: %s\"", ProfileVersion)
	}
	for _, f := range Type2Fields {
		row := "| " + nist.FieldName(2, f.Num)[:5] + " | " + f.Mnemonic + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/eurodac-profile.md has no row starting %q", row)
		}
	}
	for c, info := range categoryInfo {
		if !strings.Contains(doc, "`"+info.TOT+"`") || !strings.Contains(doc, "`"+c.String()+"`") {
			t.Errorf("docs/eurodac-profile.md does not mention category %s / TOT %s", c, info.TOT)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden transaction in testdata")

// TestGoldenWithDocumentScan (Art 17(1)(j)): the synthetic applicant with the scan of
// their passport, built, compared byte for byte with the golden file, parsed, read back to
// the same data set and written again to the same bytes.
func TestGoldenWithDocumentScan(t *testing.T) {
	s, fingers, face, tr := syntheticCase(t)
	tx, err := Build(s, fingers, face, tr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "applicant-with-scan.an2")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("built transaction differs from %s (%d bytes, golden %d); run with -update if the profile changed on purpose", golden, len(b), len(want))
	}
	back, err := nist.ParseBytes(want)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Read(back)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Subject.Scan, s.Scan) {
		t.Errorf("scan read back %+v, want %+v", d.Subject.Scan, s.Scan)
	}
	again, err := back.Bytes()
	if err != nil || !bytes.Equal(again, want) {
		t.Errorf("written again it differs (%v)", err)
	}
}

// TestReadRefusesBrokenScan: 2.024 and the Type-20 record come together, agree on the
// source number and carry a known authenticity code.
func TestReadRefusesBrokenScan(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(tx *nist.Transaction)
		want   string
	}{
		{"no 2.024", func(tx *nist.Transaction) { tx.RecordsOfType(2)[0].DeleteField(FieldDocumentScan) }, "without 2.024"},
		{"no Type-20", func(tx *nist.Transaction) { _ = tx.Remove(len(tx.Records()) - 1) }, "exactly one Type-20"},
		{"other SRN", func(tx *nist.Transaction) { _ = tx.RecordsOfType(20)[0].SetField(21, "2") }, "names source"},
		{"unknown authenticity", func(tx *nist.Transaction) {
			_ = tx.RecordsOfType(2)[0].SetItems(FieldDocumentScan, []string{"1", "fine", "P"})
		}, "authenticity \"fine\""},
		{"not JPEG", func(tx *nist.Transaction) { _ = tx.RecordsOfType(20)[0].SetField(11, "PNG") }, "compressed as"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fingers, face, tr := syntheticCase(t)
			tx, err := Build(s, fingers, face, tr)
			if err != nil {
				t.Fatal(err)
			}
			tc.change(tx)
			if _, err := Read(tx); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// TestRectification (ER Art 40(3)): a rectification carries the whole corrected data set
// under the same reference number, names the corrected elements (2.025) and the
// transmission it rectifies (1.010 TCR), and no biometric record; Read gives it back as
// such. It is refused without the TCR, without elements or with an element that is not
// rectifiable.
func TestRectification(t *testing.T) {
	s, _, _, tr := syntheticCase(t)
	s.Forenames = []string{"ALPHA", "CORRECTED"}
	tr.ControlRef, tr.ControlNum = tr.ControlNum, "NLKMAR01-20260616-0002"
	tx, err := BuildRectification(s, []string{"c", "e"}, tr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := nist.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	var types []int
	for _, r := range back.Records() {
		types = append(types, r.Type)
	}
	if !reflect.DeepEqual(types, []int{1, 2}) {
		t.Fatalf("record types %v, want Type-1 and Type-2 only", types)
	}
	if v := back.Records()[1].Value(FieldRectified); v != "c\x1ee" {
		t.Errorf("2.025 = %q", v)
	}
	d, err := Read(back)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.Rectified, ",") != "c,e" || d.Subject.ReferenceNumber != s.ReferenceNumber ||
		d.Transmission.ControlRef != tr.ControlRef || strings.Join(d.Subject.Forenames, " ") != "ALPHA CORRECTED" || d.Fingers != nil {
		t.Errorf("read back: rectified %v reference %q TCR %q forenames %v fingers %d", d.Rectified, d.Subject.ReferenceNumber,
			d.Transmission.ControlRef, d.Subject.Forenames, len(d.Fingers))
	}
	for _, bad := range []struct {
		name    string
		letters []string
		tcr     string
		want    string
	}{
		{"no TCR", []string{"c"}, "", "TCR"},
		{"no element", nil, tr.ControlRef, "names the elements"},
		{"biometrics are not rectified here", []string{"a"}, tr.ControlRef, `"a"`},
		{"twice", []string{"c", "c"}, tr.ControlRef, "twice"},
	} {
		tr2 := tr
		tr2.ControlRef = bad.tcr
		if _, err := BuildRectification(s, bad.letters, tr2); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.name, err)
		}
	}
}
