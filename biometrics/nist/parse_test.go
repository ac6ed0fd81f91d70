package nist

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestParseErrors: each broken input gets an ErrFormat error naming the cause.
func TestParseErrors(t *testing.T) {
	t1 := func(cnt string) string { return tagged(1, "1.002:0400", "1.003:"+cnt) }
	type4hdr := "\x00\x00\x00\x30\x01"
	cases := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"not nist", "%PDF-1.7", "expected a field tag"},
		{"LEN too big", "1.001:500\x1d1.003:1\x1f0\x1c", "claims 500 bytes but only 20 remain"},
		{"LEN too small", "1.001:18\x1d1.003:1\x1f0\x1c", "not the record separator FS"},
		{"no CNT", tagged(1, "1.002:0400"), "1.003 CNT: missing"},
		{"truncated", t1("1\x1f1\x1e2\x1f00"), "file ends after record 0"},
		{"trailing", t1("1\x1f0") + "junk", "4 bytes after the last record"},
		{"IDC not number", t1("1\x1f1\x1e2\x1f00") + tagged(2, "2.002:0x"), "IDC \"0x\" is not a number"},
		{"wrong type tag", t1("1\x1f1\x1e2\x1f00") + tagged(9, "9.002:00"), "tagged Type-9 but the Type-1 CNT field says Type-2"},
		{"short Type-4", t1("1\x1f1\x1e4\x1f01") + type4hdr, "a Type-4 header needs 18"},
		{"Type-4 LEN", t1("1\x1f1\x1e4\x1f01") + type4hdr + strings.Repeat("\x00", 20), "record length 48 impossible"},
		{"CNT items", t1("1\x1f1\x1e2"), "subfield 2 has 1 items"},
		{"CNT first", t1("2\x1f1"), "first subfield names Type-2"},
		{"duplicate field", t1("1\x1f1\x1e2\x1f00") + tagged(2, "2.002:00", "2.003:a", "2.003:b"), "2.003: field appears twice"},
		{"valid minimal", t1("1\x1f1\x1e2\x1f00") + tagged(2, "2.002:00", "2.003:x"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(c.in))
			if c.want == "" {
				if err != nil {
					t.Fatalf("valid input rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %v does not wrap ErrFormat", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// tagged builds a tagged record from fields (without LEN), computing LEN like the writer.
func tagged(typ int, fields ...string) string {
	body := strings.Join(fields, "\x1d")
	head := fmt.Sprintf("%d.001:", typ)
	base := len(head) + 1 + len(body) + 1
	n := base + 1
	for len(strconv.Itoa(n)) != n-base {
		n++
	}
	return head + strconv.Itoa(n) + "\x1d" + body + "\x1c"
}

// TestOpaqueRecords: binary records the package does not model (Type-7 user-defined, and an
// undefined binary Type-50) survive a parse/write round trip byte for byte.
func TestOpaqueRecords(t *testing.T) {
	type7 := "\x00\x00\x00\x09\x01ABCD"
	type50 := "\x00\x00\x00\x06\x02\xff"
	in := tagged(1, "1.002:0502", "1.003:1\x1f3\x1e2\x1f00\x1e7\x1f01\x1e50\x1f02") + tagged(2, "2.002:00") + type7 + type50
	tx, err := ParseBytes([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	r7, r50 := tx.Records()[2], tx.Records()[3]
	if !r7.Opaque() || string(r7.Raw()) != type7 || r7.IDC() != 1 || r7.Type != 7 {
		t.Errorf("Type-7: opaque %v raw %q IDC %d", r7.Opaque(), r7.Raw(), r7.IDC())
	}
	if !r50.Opaque() || string(r50.Raw()) != type50 || r50.IDC() != 2 {
		t.Errorf("Type-50: opaque %v raw %q IDC %d", r50.Opaque(), r50.Raw(), r50.IDC())
	}
	out, err := tx.Bytes()
	if err != nil || string(out) != in {
		t.Fatalf("round trip: %v\n%q\n%q", err, out, in)
	}
	if err := r7.SetField(3, "x"); err == nil {
		t.Error("SetField on an opaque record accepted")
	}
	// Type-8 built from bytes, added to a new transaction.
	r8, err := NewOpaqueRecord(8, []byte("\x00\x00\x00\x0c\x03\x00\x00\x00\x00\x10\x00\x10"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewOpaqueRecord(8, []byte("\x00\x00\x00\x99\x03")); err == nil {
		t.Error("opaque record with a wrong length accepted")
	}
	if err := tx.Add(r8); err != nil {
		t.Fatal(err)
	}
	out, err = tx.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Type1().Value(3); got != "1\x1f4\x1e2\x1f00\x1e7\x1f01\x1e50\x1f02\x1e8\x1f03" {
		t.Errorf("CNT %q", got)
	}
	// A tagged type given binary bytes is an error, not an opaque record.
	bad := tagged(1, "1.002:0502", "1.003:1\x1f1\x1e10\x1f01") + "\x00\x00\x00\x06\x01\x00"
	if _, err := ParseBytes([]byte(bad)); err == nil || !strings.Contains(err.Error(), "expected a field tag") {
		t.Errorf("binary bytes for a Type-10 record: %v", err)
	}
}
