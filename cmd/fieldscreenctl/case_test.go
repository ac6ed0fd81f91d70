package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/fieldscreen/fieldscreen/vault"
)

const (
	supPass = "correct horse battery staple"
	offPass = "officer passphrase one"
	medPass = "medic passphrase number 1"
	tecPass = "technician passphrase 1"
)

func init() {
	// Unit tests use cheap key derivation; the real exec test below uses the real one.
	vaultOptions = func() vault.Options { return vault.Options{KDF: vault.TestKDF()} }
}

// ctl runs fieldscreenctl in-process as user with passphrase pass and returns stdout,
// stderr and the exit status.
func ctl(t *testing.T, dir, user, pass, stdin string, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("FIELDSCREEN_PASSPHRASE", pass)
	all := append([]string{"--vault", dir}, args...)
	if user != "" {
		all = append([]string{"--user", user}, all...)
	}
	var out, errb bytes.Buffer
	code := run(all, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func mustCtl(t *testing.T, dir, user, pass, stdin string, args ...string) string {
	t.Helper()
	out, errs, code := ctl(t, dir, user, pass, stdin, args...)
	if code != 0 {
		t.Fatalf("fieldscreenctl %v: exit %d: %s", args, code, errs)
	}
	return out
}

// newVault makes a vault with a supervisor, an officer, a medic and a technician.
func newVault(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "vault")
	mustCtl(t, dir, "", supPass, "", "vault", "init", "--user", "sup1")
	for _, u := range []struct{ name, role, pass string }{
		{"off1", "officer", offPass}, {"med1", "medic", medPass}, {"tec1", "technician", tecPass},
	} {
		t.Setenv("FIELDSCREEN_NEW_PASSPHRASE", u.pass)
		mustCtl(t, dir, "sup1", supPass, "", "user", "add", u.name, "--role", u.role)
	}
	return dir
}

func TestCaseImportExportRoundTrip(t *testing.T) {
	dir := newVault(t)
	in, err := os.ReadFile("../../testdata/cases/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, string(in), "case", "import"))
	if id == "" || strings.ContainsAny(id, " \n") {
		t.Fatalf("import printed %q, want one case ID", id)
	}
	out := mustCtl(t, dir, "off1", offPass, "", "case", "export", id)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	var want map[string]any
	json.Unmarshal(in, &want)
	for _, path := range [][]string{
		{"trigger", "reason"}, {"trigger", "place"}, {"trigger", "at"},
		{"identity", "surnames"}, {"identity", "givenNames"}, {"identity", "birthDate"}, {"identity", "sex"},
		{"identity", "nationalities"}, {"identity", "placeOfBirth"},
	} {
		if g, w := lookup(got, path), lookup(want, path); !jsonEqual(g, w) {
			t.Errorf("%s: exported %v, imported %v", strings.Join(path, "."), g, w)
		}
	}
	gd := got["documents"].([]any)[0].(map[string]any)
	wd := want["documents"].([]any)[0].(map[string]any)
	for _, k := range []string{"type", "number", "issuingState", "expiryDate"} {
		if !jsonEqual(gd[k], wd[k]) {
			t.Errorf("documents[0].%s: exported %v, imported %v", k, gd[k], wd[k])
		}
	}
	list := mustCtl(t, dir, "off1", offPass, "", "case", "list")
	if !strings.Contains(list, id) {
		t.Errorf("case list does not show %s:\n%s", id, list)
	}
}

func TestCaseImportRejectsBadJSON(t *testing.T) {
	dir := newVault(t)
	for name, in := range map[string]string{
		"not json":      "hello",
		"unknown field": `{"trigger":{"reason":"ART5_2_APPLICATION_AT_BCP","place":"x","at":"2026-11-28T03:10:00Z"},"colour":"blue"}`,
		"bad date":      `{"trigger":{"reason":"ART5_2_APPLICATION_AT_BCP","place":"x","at":"yesterday"}}`,
	} {
		_, errs, code := ctl(t, dir, "off1", offPass, in, "case", "import")
		if code == 0 {
			t.Errorf("%s: import succeeded", name)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") != 0 || errs == "" {
			t.Errorf("%s: want one line on stderr, got %q", name, errs)
		}
	}
	out := mustCtl(t, dir, "off1", offPass, "", "case", "list", "--json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("a refused import left a case behind: %s", out)
	}
}

func TestRolesThroughTheCLI(t *testing.T) {
	dir := newVault(t)
	in, _ := os.ReadFile("../../testdata/cases/minimal.json")
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, string(in), "case", "import"))
	_, errs, code := ctl(t, dir, "tec1", tecPass, "", "case", "export", id)
	if code == 0 || !strings.Contains(errs, "technician") {
		t.Errorf("technician export: exit %d, stderr %q; want a permission error naming the role", code, errs)
	}
	_, errs, code = ctl(t, dir, "off1", offPass, "", "audit", "show")
	if code == 0 || !strings.Contains(errs, "officer") {
		t.Errorf("officer audit show: exit %d, stderr %q", code, errs)
	}
	_, errs, code = ctl(t, dir, "off1", "wrong passphrase here", "", "case", "list")
	if code == 0 || errs == "" {
		t.Errorf("wrong passphrase: exit %d", code)
	}
	mustCtl(t, dir, "sup1", supPass, "", "user", "remove", "off1")
	if _, _, code = ctl(t, dir, "off1", offPass, "", "case", "list"); code == 0 {
		t.Error("a removed user still unlocks")
	}
}

// TestCanaryThroughTheCLI imports a case full of marker strings, updates it, tries to purge
// it (refused: its screening has not ended) and compacts the vault, and after each step
// scans every byte of the vault directory and the command's temp directory for the markers
// in the encodings a forensic tool would try.
func TestCanaryThroughTheCLI(t *testing.T) {
	// The command runs in this process, so its temporary files go to os.TempDir(): point
	// that at a folder of this test's own, so the scan covers every temporary file the
	// command can write and nothing that other programs on the machine left in /tmp.
	private, err := os.MkdirTemp("", "canary-tmp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(private) })
	t.Setenv("TMPDIR", private)
	dir := newVault(t)
	// Markers are made at run time so the test binary itself (in the temp dir) holds none.
	markers := []string{marker("SURNAME"), marker("GIVEN"), marker("PLACE"), marker("DOCNO")}
	birthPlace := marker("BIRTHPLACE")
	c := `{"trigger":{"reason":"ART5_1_A_IRREGULAR_CROSSING","place":"` + markers[2] + `","at":"2026-11-28T03:10:00Z"},
	  "identity":{"surnames":["` + markers[0] + `"],"givenNames":["` + markers[1] + `"],"birthDate":"1990","sex":"M","nationalities":["UTO"]},
	  "documents":[{"type":"P","number":"` + markers[3] + `","issuingState":"UTO","expiryDate":"2031-01-31"}]}`
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, c, "case", "import"))
	scan := func(step string) {
		for _, hit := range scanFor(markers, dir, os.TempDir()) {
			t.Errorf("after %s: %s", step, hit)
		}
	}
	// control: a planted UTF-16LE copy must be found, or the scan proves nothing
	planted := filepath.Join(t.TempDir(), "control.bin")
	os.WriteFile(planted, encodings(markers[0])[1], 0o600)
	if hits := scanFor(markers, filepath.Dir(planted)); len(hits) == 0 {
		t.Fatal("the canary scan did not find a planted marker")
	}
	os.Remove(planted)
	scan("import")
	mustCtl(t, dir, "off1", offPass, "", "case", "export", id) // a read, audited
	scan("export")
	updated := strings.Replace(c, `"sex":"M"`, `"sex":"X","placeOfBirth":"`+birthPlace+`"`, 1)
	markers = append(markers, birthPlace)
	mustCtl(t, dir, "off1", offPass, updated, "case", "update", id, "--revision", "1")
	if out := mustCtl(t, dir, "off1", offPass, "", "case", "export", id); !strings.Contains(out, birthPlace) {
		t.Fatalf("update did not land: %s", out)
	}
	scan("update")
	// The screening of this case has not ended: the retention rule refuses the purge
	// (exit 1, naming the condition) and the data stay, still encrypted.
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "case", "purge", id); code != 1 || !strings.Contains(errs, "screening has not ended") {
		t.Fatalf("case purge of an open case: exit %d: %s", code, errs)
	}
	scan("refused purge")
	mustCtl(t, dir, "", "", "", "vault", "compact")
	scan("compact")
	mustCtl(t, dir, "", "", "", "audit", "verify")
}

// marker is an upper-case canary word that occurs nowhere else.
func marker(field string) string {
	var b [6]byte
	rand.Read(b[:])
	return "CANARY" + field + strings.ToUpper(hex.EncodeToString(b[:]))
}

// scanFor lists "marker in file" for every marker, in any encoding, in any file below roots.
func scanFor(markers []string, roots ...string) []string {
	var hits []string
	for _, root := range roots {
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil || !info.Mode().IsRegular() || info.Size() > 256<<20 {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			for _, m := range markers {
				for _, form := range encodings(m) {
					if bytes.Contains(b, form) {
						hits = append(hits, m+" in "+p)
						break
					}
				}
			}
			return nil
		})
	}
	return hits
}

func encodings(m string) [][]byte {
	var out [][]byte
	for _, s := range []string{m, strings.ToLower(m), strings.ToUpper(m)} {
		out = append(out, []byte(s))
		u := utf16.Encode([]rune(s))
		le := make([]byte, 0, 2*len(u))
		for _, r := range u {
			le = append(le, byte(r), byte(r>>8))
		}
		out = append(out, le)
		// base64 of the marker at each of the three alignments, minus the edge characters
		for pad := 0; pad < 3; pad++ {
			enc := base64.StdEncoding.EncodeToString(append(bytes.Repeat([]byte{0}, pad), s...))
			skip := (pad*4 + 2) / 3
			if len(enc)-skip-4 > 8 {
				out = append(out, []byte(enc[skip+1:len(enc)-4]))
			}
		}
	}
	return out
}

func lookup(m map[string]any, path []string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
