package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/biometrics/wsq"
)

// wsqSample is a NIST sample print kept by package wsq.
var wsqSample = filepath.Join("..", "..", "biometrics", "wsq", "testdata", "sample")

func wsqCtl(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(append([]string{"wsq"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestWSQDecodeEncode(t *testing.T) {
	dir := t.TempDir()
	outPNG := filepath.Join(dir, "out.png")
	out, errs, code := wsqCtl("decode", wsqSample+".wsq", outPNG)
	if code != 0 {
		t.Fatalf("decode: exit %d: %s", code, errs)
	}
	if !regexp.MustCompile(`^sample\.wsq: 545×622, 500 ppi, 23717 bytes WSQ \(0\.560 bits per pixel\) -> .*out\.png\n$`).MatchString(out) {
		t.Errorf("decode summary %q", out)
	}
	f, err := os.Open(outPNG)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds() != image.Rect(0, 0, 545, 622) {
		t.Fatalf("decoded PNG: %v %v", err, img)
	}

	outWSQ := filepath.Join(dir, "out.wsq")
	out, errs, code = wsqCtl("encode", wsqSample+".png", outWSQ, "--bitrate", "1.5")
	if code != 0 {
		t.Fatalf("encode: exit %d: %s", code, errs)
	}
	m := regexp.MustCompile(`^sample\.png: 545×622, (\d+) bytes WSQ \(([0-9.]+) bits per pixel, target 1\.50; not FBI-certified`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("encode summary %q", out)
	}
	data, err := os.ReadFile(outWSQ)
	if err != nil {
		t.Fatal(err)
	}
	if m[1] != strconv.Itoa(len(data)) {
		t.Errorf("summary says %s bytes, file has %d", m[1], len(data))
	}
	info, err := wsq.DecodeInfo(bytes.NewReader(data))
	if err != nil || info.Bitrate != 1.5 || info.PPI != 500 {
		t.Errorf("written file: %+v %v", info, err)
	}
}

// TestWSQDecodeEvenFilters: a file NBIS wrote with its 8/8 even filter bank (and its
// length-58 DTT) decodes like any other.
func TestWSQDecodeEvenFilters(t *testing.T) {
	in := filepath.Join("..", "..", "biometrics", "wsq", "testdata", "even", "sample.even88.r0.75.nbislen58.wsq")
	out, errs, code := wsqCtl("decode", in, filepath.Join(t.TempDir(), "even.png"))
	if code != 0 || !strings.HasPrefix(out, "sample.even88.r0.75.nbislen58.wsq: 545×622, 500 ppi") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestWSQErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.wsq")
	if err := os.WriteFile(bad, []byte("not a wsq file"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A real file whose frame header claims 8000×8000 (issue 14: a decompression bomb).
	bomb := filepath.Join(dir, "bomb.wsq")
	data, err := os.ReadFile(wsqSample + ".wsq")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte{0xFF, 0xA2})
	copy(data[at+6:], []byte{8000 >> 8, 8000 & 0xFF, 8000 >> 8, 8000 & 0xFF})
	if err := os.WriteFile(bomb, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no subcommand", nil, 2, "decode|encode"},
		{"missing output", []string{"decode", wsqSample + ".wsq"}, 2, "usage: wsq decode"},
		{"not wsq", []string{"decode", bad, filepath.Join(dir, "x.png")}, 1, "decode bad.wsq: wsq: malformed file"},
		{"1000 ppi", []string{"encode", wsqSample + ".png", filepath.Join(dir, "x.wsq"), "--ppi", "1000"}, 2, "only for 500 ppi"},
		{"not an image", []string{"encode", bad, filepath.Join(dir, "x.wsq")}, 1, "want a PNG or JPEG"},
		{"bad bitrate", []string{"encode", wsqSample + ".png", filepath.Join(dir, "x.wsq"), "--bitrate", "0"}, 2, "--bitrate 0"},
		{"bitrate above the 16-bit-safe range", []string{"encode", wsqSample + ".png", filepath.Join(dir, "x.wsq"), "--bitrate", "8.5"}, 2, "at most 8"},
		{"header bomb", []string{"decode", bomb, filepath.Join(dir, "x.png")}, 1, "decode bomb.wsq: wsq: image too large: 8000×8000 pixels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := wsqCtl(tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.msg) || strings.Count(errs, "\n") != 1 || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line with %q", code, out, errs, tc.code, tc.msg)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.wsq")); !os.IsNotExist(err) {
		t.Error("a failed encode left an output file")
	}
}

// TestWSQRealBinary runs the built command once as a process.
func TestWSQRealBinary(t *testing.T) {
	bin := ctlBin(t)
	outPNG := filepath.Join(t.TempDir(), "fp.png")
	cmd := exec.Command(bin, "wsq", "decode", wsqSample+".wsq", outPNG)
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "sample.wsq: 545×622, 500 ppi") {
		t.Fatalf("%v: %s", err, out)
	}
	cmd = exec.Command(bin, "wsq", "encode", outPNG, filepath.Join(t.TempDir(), "x.wsq"), "--ppi", "1000")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(errb.String(), "500 ppi") {
		t.Fatalf("1000 ppi: %v %q", err, errb.String())
	}
}
