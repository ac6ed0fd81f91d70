package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// canaryForms lists the byte strings a leaked marker could appear as: plain, upper and lower
// case, UTF-16LE of each, and standard and URL base64 of each at all three alignments.
func canaryForms(marker string) [][]byte {
	var out [][]byte
	for _, s := range []string{marker, strings.ToUpper(marker), strings.ToLower(marker)} {
		out = append(out, []byte(s))
		var u16 []byte
		for _, r := range utf16.Encode([]rune(s)) {
			u16 = append(u16, byte(r), byte(r>>8))
		}
		out = append(out, u16)
		for off := 0; off < 3; off++ {
			in := append(bytes.Repeat([]byte{0}, off), s...)
			g0, g1 := (off+2)/3, (off+len(s))/3 // 3-byte groups made only of marker bytes
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
				e := enc.EncodeToString(in)
				out = append(out, []byte(e[g0*4:g1*4]))
			}
		}
	}
	return out
}

// canaryStem is in every marker, so a file that holds none of the stem's forms holds no marker
// (the stem's base64 forms at all three alignments are inside any marker's base64 form).
const canaryStem = "CanaryMarker"

// scanFor reads every file under the roots and reports each marker form found. It first looks
// for the forms of canaryStem and only then for the full markers, to keep the scan fast.
func scanFor(t *testing.T, markers []string, roots ...string) []string {
	t.Helper()
	stemForms := canaryForms(canaryStem)
	var found []string
	for _, root := range roots {
		err := filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
			if err != nil || !fi.Mode().IsRegular() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			hit := false
			for _, f := range stemForms {
				if bytes.Contains(data, f) {
					hit = true
					break
				}
			}
			if !hit {
				return nil
			}
			for _, m := range markers {
				for _, f := range canaryForms(m) {
					if bytes.Contains(data, f) {
						found = append(found, fmt.Sprintf("%s holds %q (from marker %s)", path, f, m))
					}
				}
			}
			if len(found) == 0 {
				found = append(found, path+" holds a form of "+canaryStem)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// TestCanary stores records full of unique markers and scans the vault directory and the
// process temp dir byte by byte: no marker may appear in any form, after the first save, an
// update, a purge and a Compact.
func TestCanary(t *testing.T) {
	tmp := t.TempDir()
	procTmp := filepath.Join(tmp, "proc-tmp")
	if err := os.Mkdir(procTmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", procTmp)
	run := hex.EncodeToString(randomBytes(6))
	mark := func(what string) string { return canaryStem + what + run }
	userName := "TESTPERSON " + mark("User")
	medicName := "TESTPERSON " + mark("Medic")
	pass := mark("Passphrase")
	markers := []string{userName, medicName, pass}

	dir := filepath.Join(tmp, "vault")
	v, err := Create(dir, userName, []byte(pass), testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sup, err := v.Unlock(userName, []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	medic := addAndUnlock(t, v, sup, medicName, Medic)
	officer := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	markers = append(markers, "pass of "+medicName)

	var ids []CaseID
	for i := 0; i < 30; i++ {
		name, doc, diag := mark(fmt.Sprintf("Name%02d", i)), mark(fmt.Sprintf("Doc%02d", i)), mark(fmt.Sprintf("Diag%02d", i))
		markers = append(markers, name, doc, diag)
		id := putCase(t, officer, Core, "person", []byte(fmt.Sprintf(`{"name":%q,"document":%q}`, name, doc)))
		if err := officer.Update(func(tx *Tx) error {
			if err := tx.PutCase(id, Biometric, "face", []byte("face of "+name)); err != nil {
				return err
			}
			return tx.Put(Sync, "outbox", string(id), []byte("packet for "+doc))
		}); err != nil {
			t.Fatal(err)
		}
		if i == 0 { // a large (chunked) record
			big := mark("BigScan")
			markers = append(markers, big)
			if err := officer.Update(func(tx *Tx) error {
				return tx.PutCase(id, Biometric, "scan", bytes.Repeat([]byte(big+" "), 2*chunkThreshold/len(big)))
			}); err != nil {
				t.Fatal(err)
			}
		}
		if err := medic.Update(func(tx *Tx) error { return tx.PutCase(id, Health, "check", []byte(diag)) }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	check := func(step string) {
		t.Helper()
		if found := scanFor(t, markers, dir, procTmp); len(found) > 0 {
			t.Fatalf("after %s, markers leaked:\n%s", step, strings.Join(found, "\n"))
		}
	}
	check("saving")

	for i, id := range ids[:10] {
		upd := mark(fmt.Sprintf("Update%02d", i))
		markers = append(markers, upd)
		if err := officer.Update(func(tx *Tx) error {
			return tx.PutCase(id, Core, "person", []byte(`{"name":"`+upd+`"}`))
		}); err != nil {
			t.Fatal(err)
		}
	}
	check("an update")

	if err := officer.Update(func(tx *Tx) error {
		for _, id := range ids[10:20] {
			if err := tx.PurgeCase(id); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check("a purge")

	if err := v.Compact(); err != nil {
		t.Fatal(err)
	}
	check("a compact")
	// The data is still there and readable after the compaction.
	got, err := getCase(officer, ids[25], Core, "person")
	if err != nil || !bytes.Contains(got, []byte(mark("Name25"))) {
		t.Fatalf("after compact: %q %v", got, err)
	}
	// Sanity: the scanner does find a marker written in any of the forms it looks for.
	probe := filepath.Join(procTmp, "probe")
	for _, f := range canaryForms(mark("Probe")) {
		if err := os.WriteFile(probe, append([]byte("xx"), f...), 0o600); err != nil {
			t.Fatal(err)
		}
		if len(scanFor(t, []string{mark("Probe")}, procTmp)) == 0 {
			t.Fatalf("scanner misses form %q", f)
		}
	}
}
