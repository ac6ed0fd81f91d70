package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestStatesCSVUpToDate regenerates the state list from the installed iso-codes package and
// compares it with the committed assets/codelists/states.csv, so a hand edit of the CSV or a
// change in ISO names shows up as a diff instead of drifting silently.
func TestStatesCSVUpToDate(t *testing.T) {
	for _, f := range []string{isoJSON, isoNL} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%v: install the Debian package iso-codes (apt-get install iso-codes)", err)
		}
	}
	var got bytes.Buffer
	if err := gen(&got); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "assets", "codelists", "states.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("assets/codelists/states.csv differs from what iso-codes gives now; regenerate it:\n" +
			"  go run ./forms/codelist/internal/genstates > assets/codelists/states.csv")
	}
}

func TestReadMO(t *testing.T) {
	// A hand-built little-endian catalogue with one message.
	mo := []byte{0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		5, 0, 0, 0, 44, 0, 0, 0, 6, 0, 0, 0, 50, 0, 0, 0}
	mo = append(mo, "Syria\x00Syri\xc3"...)
	mo = append(mo, 0xab, 0)
	m, err := readMO(mo)
	if err != nil || m["Syria"] != "Syrië" {
		t.Fatalf("readMO = %v, %v", m, err)
	}
	for _, bad := range [][]byte{nil, []byte("not a catalogue at all, but long enough"), mo[:40]} {
		if _, err := readMO(bad); err == nil {
			t.Errorf("readMO(%q) accepted", bad)
		}
	}
}
