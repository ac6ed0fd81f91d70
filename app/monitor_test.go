package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestMonitorCanary is the monitor role's canary (Screening Art 10): cases full of marked
// names, document numbers and real captured biometrics are saved; the monitor's view and its
// CSV and JSON export hold none of them and no 16-byte run of any stored image, while the
// figures the monitor needs are there. The export is audited, and the monitor cannot open a
// case.
func TestMonitorCanary(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.AddUser("mon", vault.Monitor, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 3})
	camera := sim.New(hardware.Face, sim.Options{Seed: 3})
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	markers := []string{}
	var ids []vault.CaseID
	for i, name := range []string{"CANARYMARKERALPHA", "CANARYMARKERBRAVO"} {
		doc := "CMDOC" + string(rune('0'+i)) + "77123"
		c := adultCase(now)
		c.Identity.Surnames = []string{name}
		c.Identity.GivenNames = []string{name + "GIVEN"}
		c.Identity.PlaceOfBirth = name + "TOWN"
		c.Documents = []forms.Document{{Type: "P", Number: doc, IssuingState: "SYR"}}
		c.Family = []forms.FamilyMember{{Name: name + "BROTHER", Relation: "brother", MemberState: "D"}}
		c.Info = forms.Information{LeafletLanguage: "en", LeafletVersion: "v1", Interpreter: forms.Interpreter{Used: true, ID: name + "TOLK"}}
		markers = append(markers, name, doc)
		id, err := off.CreateCase(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var images [][]byte
	for _, id := range ids {
		c, err := off.Case(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Biometrics.Fingers {
			if b, err := off.BiometricImage(id, f.ImageRef); err == nil {
				images = append(images, b)
			}
		}
		if b, err := off.BiometricImage(id, c.Biometrics.Face.ImageRef); err == nil {
			images = append(images, b)
		}
	}
	if len(images) < 10 {
		t.Fatalf("only %d stored images to look for", len(images))
	}

	mon, err := term.Unlock("mon", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mon.Case(ids[0]); err == nil {
		t.Fatal("the monitor opened a case")
	}
	if _, err := mon.BiometricImage(ids[0], "face.png"); err == nil {
		t.Fatal("the monitor read a face image")
	}
	view, err := mon.MonitorCases(Period{From: now.Add(-24 * time.Hour), To: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := mon.ExportMonitoring(Period{From: now.Add(-24 * time.Hour), To: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := json.Marshal(view)
	for what, out := range map[string][]byte{"view": shown, "CSV": exp.CSV, "JSON": exp.JSON} {
		for _, m := range markers {
			if bytes.Contains(bytes.ToUpper(out), []byte(strings.ToUpper(m))) {
				t.Errorf("the monitor's %s holds %q", what, m)
			}
		}
		for _, img := range images {
			for off := 0; off+16 <= len(img); off += 16 {
				if bytes.Contains(out, img[off:off+16]) {
					t.Fatalf("the monitor's %s holds bytes of a stored image", what)
				}
			}
		}
	}
	// The figures are there: two cases, fingers taken, interpreter used.
	if len(exp.Cases) != 2 || exp.Cases[0].FingersTaken != 10 || !exp.Cases[0].Information.Interpreter {
		t.Fatalf("export cases: %+v", exp.Cases)
	}
	rows, err := csv.NewReader(bytes.NewReader(exp.CSV)).ReadAll()
	if err != nil || len(rows) != 3 || len(rows[1]) != len(OversightCSVHeader) {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}
	// The export is audited, and an auditor sees it.
	aud, err := mon.AuditEntries(vault.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range aud {
		if e.Action == AuditOversightExport && e.User == "mon" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d export audit entries, want 1", n)
	}
	// A period whose end is not after its start is refused.
	if _, err := mon.ExportMonitoring(Period{From: now, To: now}); !errors.Is(err, ErrPeriod) {
		t.Fatalf("empty period: %v", err)
	}
	// Outside the period: nothing.
	if got, _ := mon.MonitorCases(Period{To: now.Add(-48 * time.Hour)}); len(got) != 0 {
		t.Fatalf("cases before the period: %d", len(got))
	}
}

// TestRebuildOversight: a case whose summary is missing (saved before the oversight class)
// appears in the monitor's view after a supervisor's rebuild, which is audited.
func TestRebuildOversight(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.AddUser("mon", vault.Monitor, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	id, err := sup.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.Vault().Update(func(tx *vault.Tx) error { return tx.Delete(vault.Oversight, bucketOversight, string(id)) }); err != nil {
		t.Fatal(err)
	}
	mon, err := term.Unlock("mon", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := mon.MonitorCases(Period{}); len(got) != 0 {
		t.Fatalf("%d summaries before the rebuild", len(got))
	}
	if _, err := mon.RebuildOversight(); err == nil {
		t.Fatal("the monitor rebuilt summaries (it may not read cases)")
	}
	if n, err := sup.RebuildOversight(); err != nil || n != 1 {
		t.Fatalf("rebuild: %d %v", n, err)
	}
	got, err := mon.MonitorCases(Period{})
	if err != nil || len(got) != 1 || got[0].Pseudonym != string(id) {
		t.Fatalf("after the rebuild: %+v %v", got, err)
	}
	es, _ := mon.AuditEntries(vault.AuditFilter{Action: AuditOversightRebuild})
	if len(es) != 1 || es[0].User != "sup" {
		t.Fatalf("rebuild audit: %+v", es)
	}
}
