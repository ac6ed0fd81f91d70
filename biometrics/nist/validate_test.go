package nist

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestValidateReferenceFiles pins what Validate says about each NIST reference file.
func TestValidateReferenceFiles(t *testing.T) {
	var b strings.Builder
	for _, tc := range referenceFiles {
		tx, err := ParseBytes(readTestdata(t, tc.name))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b.WriteString("== " + tc.name + "\n")
		for _, p := range tx.Validate() {
			b.WriteString(p.String() + "\n")
		}
	}
	golden := filepath.Join("testdata", "validate.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("Validate findings changed:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestValidateFindsDefects damages a valid file in one way per case and checks that exactly
// the expected problem is reported, naming record, field and reason.
func TestValidateFindsDefects(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		damage func(tx *Transaction)
		want   string // substring of the one expected problem
	}{
		{"missing FGP", "type-14-tip-eji-wsq.an2", func(tx *Transaction) { tx.Records()[2].DeleteField(13) },
			"record 2 (Type-14) field 14.013 FGP: mandatory field missing"},
		{"missing TOT", "type-14-tip-eji-wsq.an2", func(tx *Transaction) { tx.Type1().DeleteField(4) },
			"record 0 (Type-1) field 1.004 TOT: mandatory field missing"},
		{"bad date", "type-10-sap10.an2", func(tx *Transaction) { _ = tx.Records()[2].SetField(5, "20091332") },
			"record 2 (Type-10) field 10.005 PHD: \"20091332\" is not a valid date"},
		{"FGP out of range", "type-14-tip-eji-wsq.an2", func(tx *Transaction) { _ = tx.Records()[3].SetField(13, "27") },
			"record 3 (Type-14) field 14.013 FGP: position \"27\" is not valid"},
		{"image is not WSQ", "type-14-tip-eji-wsq.an2", func(tx *Transaction) { _ = tx.Records()[2].SetData([]byte("\x89PNG\r\n\x1a\nxxxx")) },
			"record 2 (Type-14) field 14.999 DATA: declared WSQ20 but the data is PNG"},
		{"unknown compression", "type-10-sap10.an2", func(tx *Transaction) { _ = tx.Records()[2].SetField(11, "GIF") },
			"field 10.011 CGA: \"GIF\" is not a compression code"},
		{"CNT mismatch", "type-4-slaps.an2", func(tx *Transaction) { _ = tx.Records()[3].SetField(2, "9") },
			"record 0 (Type-1) field 1.003 CNT: entry 3 says Type-4 IDC 2, record 3 is Type-4 IDC 9"},
		{"raw size", "type-9-10-14.an2", func(tx *Transaction) { _ = tx.Records()[4].SetField(6, "801") },
			"uncompressed image has 614400 bytes, HLL×VLL×BPX gives 615168"},
		{"bad AMP", "type-14-amp-nqm-utf8.an2", func(tx *Transaction) { _ = tx.Records()[4].SetField(18, "9\x1fZZ") },
			"field 14.018 AMP: each subfield must be position US XX"},
		{"non-ASCII Type-2", "type-14-tip-eji-wsq.an2", func(tx *Transaction) { _ = tx.Records()[1].SetField(3, "caf\xc3\xa9") },
			"record 1 (Type-2) field 2.003: byte 3 is 0xC3, not 7-bit ASCII"},
		{"non-ASCII Type-14 comment", "type-14-tip-eji-wsq.an2", func(tx *Transaction) { _ = tx.Records()[2].SetField(20, "caf\xc3\xa9") },
			"record 2 (Type-14) field 14.020 COM: byte 3 is 0xC3, not 7-bit ASCII"},
		{"bad UTF-8", "type-14-amp-nqm-utf8.an2", func(tx *Transaction) { _ = tx.Records()[1].SetField(3, "\xff") },
			"record 1 (Type-2) field 2.003: invalid UTF-8"},
		{"Type-4 GCA", "type-4-slaps.an2", func(tx *Transaction) { _ = tx.Records()[2].SetField(8, "9") },
			"record 2 (Type-4) field 4.008 CGA: \"9\" is not an integer 0-6"},
		{"face without SAP", "type-10-sap10.an2", func(tx *Transaction) { tx.Records()[2].DeleteField(13) },
			"record 2 (Type-10) field 10.013 SAP: mandatory for a facial image"},
		{"no image", "type-10-sap10.an2", func(tx *Transaction) { tx.Records()[2].DeleteField(999) },
			"record 2 (Type-10) field 10.999 DATA: mandatory field missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := ParseBytes(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			before := tx.Validate()
			tc.damage(tx)
			after := tx.Validate()
			if len(after) != len(before)+1 {
				t.Fatalf("want exactly one new problem, got:\n%v", after)
			}
			found := false
			for _, p := range after {
				if strings.Contains(p.String(), tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem containing %q in:\n%v", tc.want, after)
			}
		})
	}
}
