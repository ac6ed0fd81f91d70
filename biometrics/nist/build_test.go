package nist

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// sampleImages takes a real WSQ fingerprint and a real JPEG face out of the reference files.
func sampleImages(t *testing.T) (wsq []byte, jpeg []byte) {
	t.Helper()
	fx, err := ParseBytes(readTestdata(t, "type-14-tip-eji-wsq.an2"))
	if err != nil {
		t.Fatal(err)
	}
	wsq, _ = fx.Records()[2].Image()
	px, err := ParseBytes(readTestdata(t, "type-10-sap10.an2"))
	if err != nil {
		t.Fatal(err)
	}
	jpeg, _ = px.Records()[2].Image()
	return wsq, jpeg
}

func TestBuildAndReadBack(t *testing.T) {
	wsq, jpeg := sampleImages(t)
	when := time.Date(2026, 6, 14, 9, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	tx, err := New(Header{Type: "TEST", Date: when, Destination: "CENTRAL", Originator: "NLTEST01",
		ControlNum: "TCN-0001", NativePPMM: "19.69", NominalPPMM: "19.69", Domain: "TESTDOMAIN", DomainVer: "1", UTF8: true})
	if err != nil {
		t.Fatal(err)
	}
	t2, err := NewRecord(2, tx.NextIDC())
	if err != nil {
		t.Fatal(err)
	}
	if err := t2.SetItems(3, []string{"TESTPERSON", "ALPHA"}, []string{"ΤΕΣΤ", "تست"}); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, tx, t2)
	mustAdd(t, tx, mustRecord(NewFingerprint(Finger{IDC: tx.NextIDC(), Position: 2, Source: "NLTEST01", Captured: when,
		Width: 344, Height: 370, PPI: 500, Data: wsq})))
	mustAdd(t, tx, mustRecord(NewFingerprint(Finger{IDC: tx.NextIDC(), Position: 7, Source: "NLTEST01", Captured: when, Missing: "XX"})))
	mustAdd(t, tx, mustRecord(NewFaceRecord(Face{IDC: tx.NextIDC(), Source: "NLTEST01", Captured: when, Width: 1181, Height: 1575,
		Profile: 10, Data: jpeg})))

	out, err := tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseBytes(out)
	if err != nil {
		t.Fatalf("parse what we wrote: %v", err)
	}
	if ps := back.Validate(); len(ps) != 0 {
		t.Fatalf("built transaction is not valid: %v", ps)
	}
	again, err := back.Bytes()
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("second write differs (%v)", err)
	}
	recs := back.Records()
	wantTypes := []int{1, 2, 14, 14, 10}
	for i, r := range recs {
		if r.Type != wantTypes[i] || (i > 0 && r.IDC() != i-1) {
			t.Errorf("record %d: Type-%d IDC %d, want Type-%d IDC %d", i, r.Type, r.IDC(), wantTypes[i], i-1)
		}
	}
	checks := []struct {
		rec, num int
		want     string
	}{
		{0, 2, "0502"}, {0, 3, "1\x1f4\x1e2\x1f00\x1e14\x1f01\x1e14\x1f02\x1e10\x1f03"}, {0, 4, "TEST"}, {0, 5, "20260614"},
		{0, 7, "CENTRAL"}, {0, 8, "NLTEST01"}, {0, 9, "TCN-0001"}, {0, 11, "19.69"}, {0, 13, "TESTDOMAIN\x1f1"},
		{0, 14, "20260614073000Z"}, {0, 15, "3\x1fUTF-8"},
		{1, 3, "TESTPERSON\x1fALPHA\x1eΤΕΣΤ\x1fتست"},
		{2, 3, "0"}, {2, 5, "20260614"}, {2, 6, "344"}, {2, 7, "370"}, {2, 8, "1"}, {2, 9, "500"}, {2, 11, "WSQ20"}, {2, 12, "8"}, {2, 13, "2"},
		{3, 13, "7"}, {3, 18, "7\x1fXX"}, {3, 6, ""}, {3, 11, ""},
		{4, 3, "FACE"}, {4, 8, "0"}, {4, 11, "JPEGB"}, {4, 12, "SRGB"}, {4, 13, "10"},
	}
	for _, c := range checks {
		if got := recs[c.rec].Value(c.num); got != c.want {
			t.Errorf("record %d %s = %q, want %q", c.rec, FieldName(recs[c.rec].Type, c.num), got, c.want)
		}
	}
	if img, code := recs[2].Image(); code != "WSQ20" || !bytes.Equal(img, wsq) {
		t.Errorf("finger image: %s, %d bytes; want the %d WSQ bytes back", code, len(img), len(wsq))
	}
	if img, _ := recs[3].Image(); img != nil {
		t.Errorf("missing finger has %d image bytes", len(img))
	}
	if img, code := recs[4].Image(); code != "JPEGB" || !bytes.Equal(img, jpeg) {
		t.Errorf("face image: %s, %d bytes", code, len(img))
	}
	text, err := back.Text(recs[1], 3)
	if err != nil || text != "TESTPERSON\x1fALPHA\x1eΤΕΣΤ\x1fتست" {
		t.Errorf("UTF-8 text %q, %v", text, err)
	}
}

func TestBuildRejects(t *testing.T) {
	wsq, jpeg := sampleImages(t)
	when := time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		make func() (*Record, error)
	}{
		{"face as WSQ", func() (*Record, error) {
			return NewFaceRecord(Face{IDC: 1, Source: "X", Captured: when, Width: 100, Height: 100, Data: wsq})
		}},
		{"finger says WSQ but is JPEG", func() (*Record, error) {
			return NewFingerprint(Finger{IDC: 1, Position: 1, Source: "X", Captured: when, Width: 100, Height: 100, PPI: 500, Data: jpeg, Compression: "WSQ20"})
		}},
		{"no image", func() (*Record, error) {
			return NewFingerprint(Finger{IDC: 1, Position: 1, Source: "X", Captured: when, Width: 100, Height: 100, PPI: 500})
		}},
		{"unknown bytes", func() (*Record, error) {
			return NewFingerprint(Finger{IDC: 1, Position: 1, Source: "X", Captured: when, Width: 100, Height: 100, PPI: 500, Data: []byte("GIF89a")})
		}},
		{"tiny", func() (*Record, error) {
			return NewFingerprint(Finger{IDC: 1, Position: 1, Source: "X", Captured: when, Width: 2, Height: 100, PPI: 500, Data: wsq})
		}},
	}
	for _, c := range cases {
		if _, err := c.make(); !errors.Is(err, ErrImage) {
			t.Errorf("%s: error %v, want ErrImage", c.name, err)
		}
	}
	if _, err := NewFingerprint(Finger{IDC: 1, Position: 1, Source: "X", Captured: when, Missing: "ZZ"}); err == nil {
		t.Error("missing code ZZ accepted")
	}
	if _, err := New(Header{Type: "T", Date: when, Destination: "D", Originator: "O"}); err == nil {
		t.Error("header without TCN accepted")
	}
	if _, err := New(Header{Type: "T", Date: when, Destination: "D", Originator: "Ö", ControlNum: "1"}); err == nil {
		t.Error("non-ASCII Type-1 value accepted")
	}
	r, _ := NewRecord(2, 0)
	if err := r.SetField(3, "a\x1db"); err == nil {
		t.Error("GS inside a value accepted")
	}
}

// TestEditKeepsCNT adds and removes records of a parsed file and checks CNT follows.
func TestEditKeepsCNT(t *testing.T) {
	tx, err := ParseBytes(readTestdata(t, "type-4-slaps.an2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Remove(3); err != nil {
		t.Fatal(err)
	}
	out, err := tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Type1().Value(3); got != "1\x1f4\x1e2\x1f00\x1e4\x1f01\x1e4\x1f03\x1e4\x1f04" {
		t.Errorf("CNT after removing record 3: %q", got)
	}
	if ps := back.Validate(); len(ps) != 0 {
		t.Errorf("problems after edit: %v", ps)
	}
}

func mustAdd(t *testing.T, tx *Transaction, r *Record) {
	t.Helper()
	if err := tx.Add(r); err != nil {
		t.Fatal(err)
	}
}

func mustRecord(r *Record, err error) *Record {
	if err != nil {
		panic(err)
	}
	return r
}
