package nist

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// referenceFiles lists the NIST reference transactions in testdata with what each holds:
// the record types in order and, per image record, the compression code and signature.
var referenceFiles = []struct {
	name   string
	types  []int
	images []string // compression code per image-bearing record, in order
}{
	{"rec01_rec02_rec16.nst.an2", []int{1, 2, 16}, []string{"JPEGB"}},
	{"type-10-sap10.an2", []int{1, 2, 10}, []string{"JPEGB"}},
	{"type-10-tattoo-face-sap20.an2", []int{1, 2, 10, 10}, []string{"JPEGB", "JPEGB"}},
	{"type-13-tip-eji-wsq.an2", []int{1, 2, 13, 13, 13, 13, 13}, []string{"WSQ20", "WSQ20", "WSQ20", "WSQ20", "WSQ20"}},
	{"type-14-amp-nqm-utf8.an2", []int{1, 2, 14, 14, 14}, []string{"WSQ20", "WSQ20", "WSQ20"}},
	{"type-14-tip-eji-wsq.an2", []int{1, 2, 14, 14, 14, 14, 14}, []string{"WSQ20", "WSQ20", "WSQ20", "WSQ20", "WSQ20"}},
	{"type-4-slaps.an2", []int{1, 2, 4, 4, 4, 4}, []string{"WSQ20", "WSQ20", "WSQ20", "WSQ20"}},
	{"type-9-10-14.an2", []int{1, 2, 9, 10, 14}, []string{"JPEGB", "NONE"}},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReferenceFilesRoundTrip(t *testing.T) {
	for _, tc := range referenceFiles {
		t.Run(tc.name, func(t *testing.T) {
			in := readTestdata(t, tc.name)
			tx, err := Parse(bytes.NewReader(in))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var got []int
			for _, r := range tx.Records() {
				got = append(got, r.Type)
			}
			if !equalInts(got, tc.types) {
				t.Fatalf("record types %v, want %v", got, tc.types)
			}
			var out bytes.Buffer
			n, err := tx.WriteTo(&out)
			if err != nil {
				t.Fatalf("write: %v", err)
			}
			if n != int64(len(in)) || !bytes.Equal(out.Bytes(), in) {
				t.Fatalf("round trip differs: wrote %d bytes, read %d; first difference at %d", n, len(in), firstDiff(out.Bytes(), in))
			}
			imgs := tx.Images()
			if len(imgs) != len(tc.images) {
				t.Fatalf("found %d images, want %d", len(imgs), len(tc.images))
			}
			for i, im := range imgs {
				if im.Compression != tc.images[i] {
					t.Errorf("image %d (record %d): compression %q, want %q", i, im.Record, im.Compression, tc.images[i])
				}
				if im.Compression == "NONE" {
					r := tx.Records()[im.Record]
					w, _ := r.Int(6)
					h, _ := r.Int(7)
					if len(im.Data) != w*h {
						t.Errorf("image %d: %d raw bytes, want HLL×VLL = %d", i, len(im.Data), w*h)
					}
					continue
				}
				if !signatureMatches(im.Compression, im.Data) || SniffCompression(im.Data) == "" {
					t.Errorf("image %d (record %d, %s): data starts % X, not a %s image", i, im.Record, im.Compression, im.Data[:4], im.Compression)
				}
			}
		})
	}
}

// TestRebuiltLengths forces every LEN and the CNT to be recomputed (by damaging their
// stored spelling) and checks the writer still produces the original bytes: the length
// arithmetic, not the preserved text, is under test here.
func TestRebuiltLengths(t *testing.T) {
	for _, tc := range referenceFiles {
		in := readTestdata(t, tc.name)
		tx, err := ParseBytes(in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, r := range tx.Records() {
			if r.Opaque() || r.Type == 4 {
				continue
			}
			r.Field(1).Value = []byte("0")
		}
		tx.Type1().Field(3).Value = []byte("1\x1f0")
		out, err := tx.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("%s: recomputed LEN/CNT differ from the original at byte %d", tc.name, firstDiff(out, in))
		}
	}
}

func TestType4Header(t *testing.T) {
	tx, err := ParseBytes(readTestdata(t, "type-4-slaps.an2"))
	if err != nil {
		t.Fatal(err)
	}
	r := tx.Records()[2]
	want := map[int]string{2: "1", 3: "2", 4: "14\x1e255\x1e255\x1e255\x1e255\x1e255", 5: "0", 6: "1608", 7: "1000", 8: "1"}
	for num, v := range want {
		if got := r.Value(num); got != v {
			t.Errorf("%s = %q, want %q", FieldName(4, num), got, v)
		}
	}
	if r.IDC() != 1 {
		t.Errorf("IDC %d, want 1", r.IDC())
	}
}

func TestFieldAccessors(t *testing.T) {
	tx, err := ParseBytes(readTestdata(t, "type-14-tip-eji-wsq.an2"))
	if err != nil {
		t.Fatal(err)
	}
	t1 := tx.Type1()
	if got := t1.Value(9); got != "jck tip eji WSQ20" {
		t.Errorf("1.009 TCN = %q", got)
	}
	cnt := t1.Field(3).Items()
	if len(cnt) != 7 || cnt[0][1] != "6" || cnt[3][0] != "14" || cnt[3][1] != "02" {
		t.Errorf("CNT items %q", cnt)
	}
	r := tx.Records()[2]
	if r.Type != 14 || r.IDC() != 1 {
		t.Fatalf("record 2: Type-%d IDC %d", r.Type, r.IDC())
	}
	ppc := r.Field(15)
	if ppc.Item(0, 0) != "TIP" || ppc.Item(0, 5) != "307" || ppc.Item(1, 0) != "" {
		t.Errorf("14.015 PPC items %q", ppc.Items())
	}
	if hll, err := r.Int(6); err != nil || hll != 344 {
		t.Errorf("14.006 HLL = %d, %v", hll, err)
	}
}

func TestUTF8Text(t *testing.T) {
	tx, err := ParseBytes(readTestdata(t, "type-14-amp-nqm-utf8.an2"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := tx.CharSet()
	if err != nil || cs != CharSetUTF8 {
		t.Fatalf("CharSet = %v, %v; want UTF-8", cs, err)
	}
	s, err := tx.Text(tx.Records()[1], 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := "two chinese characters: "; len(s) <= len(want) || s[:len(want)] != want {
		t.Errorf("2.003 = %q", s)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
