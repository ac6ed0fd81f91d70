package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/app"
)

// demoCentral runs fieldscreen-central as a process on loopback (real TLS) and enrols the
// vault at dir through the CLI, as the officer.
func demoCentral(t *testing.T, dir string) {
	t.Helper()
	_, centralBin := syncBins(t)
	url, tok, _, _ := realCentral(t, centralBin)
	mustCtl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", tok)
}

// caseRows lists the vault's cases through the CLI.
func caseRows(t *testing.T, dir string) []app.CaseRow {
	t.Helper()
	out := mustCtl(t, dir, "off1", offPass, "", "case", "list", "--json")
	var rows []app.CaseRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("case list --json: %v\n%s", err, out)
	}
	return rows
}

func TestDemoSeedUsage(t *testing.T) {
	dir := newVault(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"demo"}, 2, "missing subcommand"},
		{[]string{"demo", "grow"}, 2, "unknown subcommand"},
		{[]string{"demo", "seed"}, 2, "--cases N"},
		{[]string{"demo", "seed", "--cases", "0"}, 2, "--cases N"},
		{[]string{"demo", "seed", "--cases", "501"}, 2, "--cases N"},
		{[]string{"demo", "seed", "--cases", "two"}, 2, "invalid value"},
		{[]string{"demo", "seed", "--cases", "1", "extra"}, 2, "--cases N"},
		{[]string{"demo", "seed", "--cases", "1", "--technician", "tec1"}, 2, "FIELDSCREEN_TECH_PASSPHRASE"},
	} {
		_, errs, code := ctl(t, dir, "off1", offPass, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	out := mustCtl(t, dir, "off1", offPass, "", "demo", "seed", "--help")
	for _, w := range []string{"--technician", "FIELDSCREEN_TECH_PASSPHRASE", simFinger, simFace, "device pair"} {
		if !strings.Contains(out, w) {
			t.Errorf("demo seed --help does not mention %q:\n%s", w, out)
		}
	}
}

// TestDemoSeedNeedsPairedDevices: without a pairing the officer gets one line saying what
// to do and no case is created; a non-technician named as --technician is refused; the
// officer's terminal must be enrolled.
func TestDemoSeedNeedsPairedDevices(t *testing.T) {
	dir := newVault(t)
	_, errs, code := ctl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "1")
	if code != 1 || !strings.Contains(errs, "not enrolled") {
		t.Fatalf("seed on a terminal that is not enrolled: exit %d, %q", code, errs)
	}
	demoCentral(t, dir)
	_, errs, code = ctl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "2")
	if code != 1 || !strings.Contains(errs, "not paired") || !strings.Contains(errs, "--technician") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("seed without pairing: exit %d, stderr %q", code, errs)
	}
	t.Setenv("FIELDSCREEN_TECH_PASSPHRASE", tecPass)
	_, errs, code = ctl(t, dir, "tec1", tecPass, "", "demo", "seed", "--cases", "1", "--technician", "tec1")
	if code != 1 || !strings.Contains(errs, "tec1 is a technician, who may not create cases") {
		t.Fatalf("a technician seeding: exit %d, %q", code, errs)
	}
	if rows := listJSON(t, dir, "--drivers", "sim"); rows[simFinger].Paired || rows[simFace].Paired {
		t.Fatalf("a refused seed paired devices: %+v", rows)
	}
	t.Setenv("FIELDSCREEN_TECH_PASSPHRASE", medPass)
	_, errs, code = ctl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "1", "--technician", "med1")
	if code != 1 || !strings.Contains(errs, "only a technician") {
		t.Fatalf("a medic as --technician: exit %d, %q", code, errs)
	}
	t.Setenv("FIELDSCREEN_TECH_PASSPHRASE", "wrong passphrase entirely")
	_, errs, code = ctl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "1", "--technician", "tec1")
	if code != 1 || !strings.Contains(errs, "unlock as technician tec1") {
		t.Fatalf("wrong technician passphrase: exit %d, %q", code, errs)
	}
	if rows := caseRows(t, dir); len(rows) != 0 {
		t.Fatalf("refused seeds left %d cases", len(rows))
	}
}

// TestDemoSeedWithTechnician: --technician pairs the simulated devices in the technician's
// session; the officer's two demo cases are complete, captured and queued (two packets each),
// and a second seed reuses the pairing.
func TestDemoSeedWithTechnician(t *testing.T) {
	dir := newVault(t)
	demoCentral(t, dir)
	t.Setenv("FIELDSCREEN_TECH_PASSPHRASE", tecPass)
	out, errs, code := ctl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "2", "--seed", "11", "--technician", "tec1")
	if code != 0 {
		if strings.Contains(errs, "WSQ") {
			t.Fatalf("BLOCKED on app.encodeWSQ (app/wsq.go): Submit cannot build the Eurodac transaction: %s", errs)
		}
		t.Fatalf("demo seed: exit %d: %s", code, errs)
	}
	ids := strings.Fields(out)
	if len(ids) != 2 || !strings.Contains(errs, "paired "+simFinger) || !strings.Contains(errs, "paired "+simFace) {
		t.Fatalf("demo seed printed %q, stderr %q", out, errs)
	}
	rows := caseRows(t, dir)
	for i, id := range ids {
		var c struct {
			Identity struct {
				Surnames, GivenNames []string
			}
			Biometrics struct {
				Fingers []struct{ Status string }
				Face    struct{ Status string }
			}
			SecurityChecks []struct{ Status string }
			Eurodac        struct{ Reference string }
		}
		raw := mustCtl(t, dir, "off1", offPass, "", "case", "export", id)
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatalf("case export %s: %v", id, err)
		}
		name := strings.Join(append(c.Identity.Surnames, c.Identity.GivenNames...), " ")
		if name != app.DemoName(11, i) {
			t.Errorf("case %d is %q, want %q", i, name, app.DemoName(11, i))
		}
		captured := 0
		for _, f := range c.Biometrics.Fingers {
			if f.Status == "captured" {
				captured++
			}
		}
		if captured != 10 || c.Biometrics.Face.Status != "captured" || len(c.SecurityChecks) == 0 || c.SecurityChecks[0].Status != "pending" || c.Eurodac.Reference == "" {
			t.Errorf("case %d: %d fingers, face %q, checks %v, eurodac %q", i, captured, c.Biometrics.Face.Status, c.SecurityChecks, c.Eurodac.Reference)
		}
	}
	if len(rows) != 2 {
		t.Fatalf("case list has %d rows, want 2", len(rows))
	}
	if st := syncStatus(t, dir); st.Pending != 4 {
		t.Errorf("sync status after seeding: %+v, want 4 packets pending", st)
	}
	// the pairing stays: a second seed needs no technician
	t.Setenv("FIELDSCREEN_TECH_PASSPHRASE", "")
	out = mustCtl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "1", "--seed", "12")
	if len(strings.Fields(out)) != 1 || len(caseRows(t, dir)) != 3 {
		t.Fatalf("second seed printed %q", out)
	}
}

// TestDemoBinary: the built binary answers demo seed's usage.
func TestDemoBinary(t *testing.T) {
	bin, _ := syncBins(t)
	out, err := exec.Command(bin, "demo", "seed", "--help").Output()
	if err != nil || !strings.Contains(string(out), "--technician") {
		t.Fatalf("demo seed --help: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "demo", "seed")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "--cases N") {
		t.Fatalf("demo seed without --cases: %v, stderr %q", err, stderr.String())
	}
}
