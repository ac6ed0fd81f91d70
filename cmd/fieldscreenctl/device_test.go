package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsim"
	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsimtest"
)

const (
	simFinger = "sim:finger:SIM-finger-0001"
	simFace   = "sim:face:SIM-face-0001"
)

func listJSON(t *testing.T, dir string, args ...string) map[string]deviceRow {
	t.Helper()
	out := mustCtl(t, dir, "tec1", tecPass, "", append([]string{"device", "list", "--json"}, args...)...)
	var rows []deviceRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("device list --json: %v\n%s", err, out)
	}
	m := map[string]deviceRow{}
	for _, r := range rows {
		m[r.ID] = r
	}
	return m
}

func TestDevicePairTestUnpairSim(t *testing.T) {
	dir := newVault(t)
	rows := listJSON(t, dir, "--drivers", "sim")
	if len(rows) != 3 {
		t.Fatalf("sim devices %v, want scanner, camera and reader", rows)
	}
	if r := rows[simFinger]; r.Paired || r.Driver != "sim" || r.Make != "fieldscreen" || r.Serial != "SIM-finger-0001" || !r.Attached || r.Pairing != "none" {
		t.Fatalf("unpaired sim scanner row %+v", r)
	}
	// Not confirmed: nothing stored.
	out, _, code := ctl(t, dir, "tec1", tecPass, "n\n", "device", "pair", simFinger, "--drivers", "sim")
	if code != 1 || !strings.Contains(out, "serial") || !strings.Contains(out, "quality") {
		t.Fatalf("unconfirmed pair: exit %d\n%s", code, out)
	}
	if listJSON(t, dir, "--drivers", "sim")[simFinger].Paired {
		t.Fatal("device paired without confirmation")
	}
	out = mustCtl(t, dir, "tec1", tecPass, "y\n", "device", "pair", simFinger, "--drivers", "sim")
	if !strings.Contains(out, "test capture: slap right four, quality ") || !strings.Contains(out, "paired "+simFinger) {
		t.Fatalf("pair output:\n%s", out)
	}
	if r := listJSON(t, dir, "--drivers", "sim")[simFinger]; !r.Paired || r.Pairing != "ok" {
		t.Fatalf("after pairing: %+v", r)
	}
	out = mustCtl(t, dir, "tec1", tecPass, "", "device", "test", simFace, "--drivers", "sim")
	if !strings.Contains(out, "face 480x640") {
		t.Fatalf("device test face: %s", out)
	}
	out = mustCtl(t, dir, "tec1", tecPass, "", "device", "test", "sim:document:SIM-document-0001", "--drivers", "sim")
	if !strings.Contains(out, "2 MRZ lines of 44") || strings.Contains(out, "TESTPERSON") {
		t.Fatalf("device test document must count lines, never print them: %s", out)
	}
	// An officer may not pair (no write access to the devices class).
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "device", "pair", simFace, "--drivers", "sim", "--yes"); code == 0 || !strings.Contains(errs, "devices") {
		t.Fatalf("officer pairing: exit %d %s", code, errs)
	}
	mustCtl(t, dir, "tec1", tecPass, "", "device", "unpair", simFinger)
	if listJSON(t, dir, "--drivers", "sim")[simFinger].Paired {
		t.Fatal("still paired after unpair")
	}
	if _, errs, code := ctl(t, dir, "tec1", tecPass, "", "device", "unpair", simFinger); code == 0 || !strings.Contains(errs, "not paired") {
		t.Fatalf("second unpair: exit %d %s", code, errs)
	}
	if _, errs, code := ctl(t, dir, "tec1", tecPass, "", "device", "test", "sim:finger:nope", "--drivers", "sim"); code == 0 || !strings.Contains(errs, "not found") {
		t.Fatalf("unknown device: exit %d %s", code, errs)
	}
}

func TestCapturePlanFromFlagsOnSim(t *testing.T) {
	dir := newVault(t)
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"capture", "--drivers", "sim", "--device", simFinger, "--face-device", simFace,
		"--slaps", "thumbs", "--fingers", "2", "--exception", "6=amputated", "--face", "--threshold", "20", "--retries", "0", "--out", out}
	if _, errs, code := ctl(t, dir, "tec1", tecPass, "", args...); code == 0 || !strings.Contains(errs, "not paired") {
		t.Fatalf("capture on unpaired devices: exit %d %s", code, errs)
	}
	mustCtl(t, dir, "tec1", tecPass, "", "device", "pair", simFinger, "--drivers", "sim", "--yes")
	mustCtl(t, dir, "tec1", tecPass, "", "device", "pair", simFace, "--drivers", "sim", "--yes")
	stdout := mustCtl(t, dir, "tec1", tecPass, "", args...)
	if !strings.Contains(stdout, "left thumb") || !strings.Contains(stdout, "amputated") {
		t.Fatalf("capture output:\n%s", stdout)
	}
	for _, f := range []string{"finger-01.png", "finger-02.png", "face.png", "result.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "finger-06.png")); err == nil {
		t.Error("an image for the amputated left thumb")
	}
	var res hardware.Result
	b, _ := os.ReadFile(filepath.Join(out, "result.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if f := res.Finger(6); f == nil || f.Status != hardware.StatusAmputated {
		t.Errorf("left thumb in result.json: %+v", f)
	}
	if f := res.Finger(1); f == nil || f.Status != hardware.StatusCaptured || f.PNG != nil || f.Device.Serial == "" {
		t.Errorf("right thumb in result.json: %+v", f)
	}
}

func TestSBIDeviceChangedCertificateRefused(t *testing.T) {
	dir := newVault(t)
	s := devsimtest.Start(t)
	ports := strconv.Itoa(s.Port) + "-" + strconv.Itoa(s.Port)
	id := "sbi:finger:" + devsim.FingerSerial
	out := mustCtl(t, dir, "tec1", tecPass, "", "device", "pair", id, "--drivers", "sbi", "--sbi-ports", ports, "--yes")
	if !strings.Contains(out, "certificate") || !strings.Contains(out, "device score") {
		t.Fatalf("pair sbi:\n%s", out)
	}
	if r := listJSON(t, dir, "--drivers", "sbi", "--sbi-ports", ports)[id]; !r.Paired || r.CertFingerprint == "" {
		t.Fatalf("paired sbi row %+v", r)
	}
	s.Admin("fault", map[string]string{"fault": devsim.FaultChangedCert})
	if r := listJSON(t, dir, "--drivers", "sbi", "--sbi-ports", ports)[id]; r.Paired || r.Pairing != "identity changed: certificate" {
		t.Fatalf("after the certificate change: %+v", r)
	}
	_, errs, code := ctl(t, dir, "tec1", tecPass, "", "capture", "--drivers", "sbi", "--sbi-ports", ports, "--device", id,
		"--slaps", "right", "--out", t.TempDir())
	if code == 0 || !strings.Contains(errs, "no longer matches its pairing") {
		t.Fatalf("capture with a changed certificate: exit %d %s", code, errs)
	}
}

func TestDeviceListRealBinary(t *testing.T) {
	dir := newVault(t)
	bin := ctlBin(t)
	cmd := exec.Command(bin, "--vault", dir, "--user", "tec1", "device", "list", "--json", "--drivers", "sim")
	cmd.Env = append(os.Environ(), "FIELDSCREEN_PASSPHRASE="+tecPass)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("device list: %v %s", err, errb.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("device list --json: %v %s", err, out.String())
	}
	for _, k := range []string{"id", "driver", "make", "model", "serial", "paired"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("row lacks %q: %v", k, rows[0])
		}
	}
	cmd = exec.Command(bin, "--vault", dir, "--user", "tec1", "device", "list", "--drivers", "nope")
	cmd.Env = append(os.Environ(), "FIELDSCREEN_PASSPHRASE="+tecPass)
	errb.Reset()
	cmd.Stderr = &errb
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 2 || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("unknown driver: %v, stderr %q", err, errb.String())
	}
}

func TestCaptureCasePlan(t *testing.T) {
	dir := newVault(t)
	in, err := os.ReadFile("../../testdata/cases/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, string(in), "case", "import"))
	mustCtl(t, dir, "tec1", tecPass, "", "device", "pair", simFinger, "--drivers", "sim", "--yes")
	mustCtl(t, dir, "tec1", tecPass, "", "device", "pair", simFace, "--drivers", "sim", "--yes")
	out := mustCtl(t, dir, "off1", offPass, "", "capture", "--case", id, "--drivers", "sim", "--device", simFinger, "--face-device", simFace)
	for _, f := range []string{"right thumb", "right little", "left little", "face"} {
		if !strings.Contains(out, f) {
			t.Errorf("capture output lacks %s:\n%s", f, out)
		}
	}
	if strings.Count(out, " captured ") < 11 {
		t.Errorf("want ten fingers and the face captured:\n%s", out)
	}
	// A technician may not store biometric data in a case.
	if _, errs, code := ctl(t, dir, "tec1", tecPass, "", "capture", "--case", id, "--drivers", "sim", "--device", simFinger, "--face-device", simFace); code == 0 || errs == "" {
		t.Fatalf("technician capture into a case: exit %d %s", code, errs)
	}
}
