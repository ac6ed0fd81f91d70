package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nistSample is a NIST reference transaction kept by package nist.
var nistSample = filepath.Join("..", "..", "biometrics", "nist", "testdata", "type-14-amp-nqm-utf8.an2")

func nistCtl(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"nist"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestNISTDump(t *testing.T) {
	out, errs, code := nistCtl(t, "dump", nistSample)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var d struct {
		Records []struct {
			Index, Type, IDC int
			Fields           []struct {
				Tag, Name string
				Value     *string
				Items     [][]string
				Data      *struct {
					Length      int
					SHA256      string
					Compression string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("dump is not JSON: %v\n%s", err, out)
	}
	var types []int
	for _, r := range d.Records {
		types = append(types, r.Type)
	}
	if want := []int{1, 2, 14, 14, 14}; !equalIntSlices(types, want) {
		t.Fatalf("record types %v, want %v", types, want)
	}
	r := d.Records[4]
	if r.IDC != 3 || r.Index != 4 {
		t.Errorf("record 4: index %d IDC %d", r.Index, r.IDC)
	}
	byTag := map[string]int{}
	for i, f := range r.Fields {
		byTag[f.Tag] = i
	}
	amp := r.Fields[byTag["14.018"]]
	if amp.Name != "AMP" || len(amp.Items) != 1 || amp.Items[0][0] != "9" || amp.Items[0][1] != "XX" {
		t.Errorf("14.018 in dump: %+v", amp)
	}
	fgp := r.Fields[byTag["14.013"]]
	if fgp.Name != "FGP" || fgp.Value == nil || *fgp.Value != "14" {
		t.Errorf("14.013 in dump: %+v", fgp)
	}
	data := r.Fields[len(r.Fields)-1]
	b, err := os.ReadFile(nistSample)
	if err != nil {
		t.Fatal(err)
	}
	// The image is the last 84014 bytes before the final FS.
	img := b[len(b)-1-84014 : len(b)-1]
	sum := sha256.Sum256(img)
	if data.Tag != "14.999" || data.Data == nil || data.Data.Length != 84014 || data.Data.SHA256 != hex.EncodeToString(sum[:]) || data.Data.Compression != "WSQ20" {
		t.Errorf("14.999 in dump: %+v", data.Data)
	}
	if strings.Contains(out, "NIST_COM") {
		t.Error("dump contains image bytes")
	}
}

func TestNISTCheck(t *testing.T) {
	out, errs, code := nistCtl(t, "check", nistSample)
	if code != 0 || !strings.Contains(out, "valid (5 records)") {
		t.Fatalf("valid file: exit %d, out %q, err %q", code, out, errs)
	}

	// Damage: drop 14.013 FGP from the first Type-14 record (and fix its length).
	b, err := os.ReadFile(nistSample)
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(b, []byte("\x1d14.013:15"), nil, 1)
	broken = bytes.Replace(broken, []byte("14.001:50430"), []byte("14.001:50420"), 1)
	bad := filepath.Join(t.TempDir(), "bad.an2")
	if err := os.WriteFile(bad, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = nistCtl(t, "check", bad)
	if code != 1 {
		t.Fatalf("invalid file: exit %d, want 1 (out %q err %q)", code, out, errs)
	}
	if !strings.Contains(out, "record 2 (Type-14) field 14.013 FGP: mandatory field missing") || !strings.Contains(errs, "bad.an2: 1 problem(s)") {
		t.Errorf("check output %q, stderr %q", out, errs)
	}

	// Not a transaction at all: exit 1 with the parse error on one line.
	junk := filepath.Join(t.TempDir(), "junk.an2")
	if err := os.WriteFile(junk, []byte("%PDF-1.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code = nistCtl(t, "check", junk)
	if code != 1 || !strings.Contains(errs, "junk.an2: ansi/nist") || strings.Count(errs, "\n") != 1 {
		t.Errorf("junk: exit %d, stderr %q", code, errs)
	}
}

func TestNISTRoundTrip(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out.an2")
	out, errs, code := nistCtl(t, "roundtrip", nistSample, dst)
	if code != 0 || !strings.Contains(out, "identical") {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	a, _ := os.ReadFile(nistSample)
	b, err := os.ReadFile(dst)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("output differs from input (%v)", err)
	}

	// An inconsistent CNT is repaired: exit 1, and the repaired file checks clean.
	src := filepath.Join(t.TempDir(), "cnt.an2")
	damaged := bytes.Replace(a, []byte("14\x1f03"), []byte("14\x1f07"), 1)
	if err := os.WriteFile(src, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code = nistCtl(t, "roundtrip", src, dst)
	if code != 1 || !strings.Contains(errs, "repaired") {
		t.Fatalf("damaged CNT: exit %d, stderr %q", code, errs)
	}
	if out, _, code := nistCtl(t, "check", dst); code != 0 {
		t.Errorf("repaired file does not check: %s", out)
	}
}

func TestNISTUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"frob"}, {"dump"}, {"roundtrip", "a"}} {
		_, errs, code := nistCtl(t, args...)
		if code != 2 || errs == "" {
			t.Errorf("nist %v: exit %d, stderr %q; want usage error 2", args, code, errs)
		}
	}
	_, errs, code := nistCtl(t, "dump", filepath.Join(t.TempDir(), "absent.an2"))
	if code != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
}

// TestNISTBinary runs the real binary once.
func TestNISTBinary(t *testing.T) {
	bin := ctlBin(t)
	out, err := exec.Command(bin, "nist", "check", nistSample).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid (5 records)") {
		t.Fatalf("nist check: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "nist", "dump", filepath.Join(t.TempDir(), "absent.an2"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(stderr.String(), "fieldscreenctl nist: ") {
		t.Errorf("missing file: %v, stderr %q", err, stderr.String())
	}
}

func equalIntSlices(a, b []int) bool {
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
