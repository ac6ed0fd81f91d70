package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// minimalCase is testdata/cases/minimal.json as a JSON object, to add one field to.
func minimalCase(t *testing.T) map[string]any {
	t.Helper()
	in, err := os.ReadFile("../../testdata/cases/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(in, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCaseImportRefusesProtectedFields: an import creates a case in its initial status only;
// a file carrying a status, an outcome, a history, security-check results, a Eurodac
// registration, a capture or (from an officer) a health outcome is refused with one line
// naming the field, and nothing is stored.
func TestCaseImportRefusesProtectedFields(t *testing.T) {
	dir := newVault(t)
	for _, tc := range []struct {
		field string
		value any
	}{
		{"status", "form_completed"},
		{"outcome", "completed"},
		{"openChecks", []string{"SIS"}},
		{"history", []map[string]any{{"from": "opened", "to": "form_completed", "at": "2026-11-28T04:00:00Z"}}},
		{"securityChecks", []map[string]any{{"system": "SIS", "status": "no_hit"}}},
		{"eurodac", map[string]any{"reference": "NL-1", "memberStateOfOrigin": "NL"}},
		{"biometrics", map[string]any{"fingers": []map[string]any{{"position": 1, "status": "captured", "quality": 80}}}},
		{"health", map[string]any{"result": "no_further_check_needed"}},
	} {
		t.Run(tc.field, func(t *testing.T) {
			m := minimalCase(t)
			m[tc.field] = tc.value
			in, _ := json.Marshal(m)
			_, errs, code := ctl(t, dir, "off1", offPass, string(in), "case", "import")
			if code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, tc.field) {
				t.Fatalf("want one line naming %s, got %q", tc.field, errs)
			}
		})
	}
	if out := mustCtl(t, dir, "off1", offPass, "", "case", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused import stored a case: %s", out)
	}
	// an export fed back to import is pointed at case update
	m := minimalCase(t)
	m["revision"] = 1
	in, _ := json.Marshal(m)
	if _, errs, code := ctl(t, dir, "off1", offPass, string(in), "case", "import"); code == 0 || !strings.Contains(errs, "case update") {
		t.Fatalf("import of an export: exit %d %q", code, errs)
	}
}

// TestCaseUpdateRevision: case export prints the revision; case update with that revision
// and a merge patch exits 0 and moves the revision on; the same patch at the old revision
// exits 3 saying what changed; the whole export sent back changes nothing; a patch that
// writes what only the system fills is refused naming the field.
func TestCaseUpdateRevision(t *testing.T) {
	dir := newVault(t)
	in, _ := os.ReadFile("../../testdata/cases/minimal.json")
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, string(in), "case", "import"))
	exported := mustCtl(t, dir, "off1", offPass, "", "case", "export", id)
	if !strings.HasPrefix(exported, "{\n  \"revision\": 1,") {
		t.Fatalf("export does not start with its revision:\n%s", exported)
	}
	out := mustCtl(t, dir, "off1", offPass, `{"identity":{"givenNames":["KILO"]},"vulnerability":{"checked":true}}`, "case", "update", id, "--revision", "1")
	if !strings.Contains(out, "revision 2") {
		t.Fatalf("update: %s", out)
	}
	var got struct {
		Revision int `json:"revision"`
		Identity struct {
			Surnames   []string `json:"surnames"`
			GivenNames []string `json:"givenNames"`
		} `json:"identity"`
		Vulnerability struct {
			Screener string `json:"screener"`
			At       string `json:"at"`
		} `json:"vulnerability"`
	}
	now := mustCtl(t, dir, "off1", offPass, "", "case", "export", id)
	if err := json.Unmarshal([]byte(now), &got); err != nil {
		t.Fatal(err)
	}
	if got.Revision != 2 || got.Identity.GivenNames[0] != "KILO" || len(got.Identity.Surnames) == 0 || got.Vulnerability.Screener != "off1" || got.Vulnerability.At == "" {
		t.Fatalf("after the update: %+v", got)
	}
	_, errs, code := ctl(t, dir, "off1", offPass, `{"identity":{"givenNames":["LIMA"]}}`, "case", "update", id, "--revision", "1")
	if code != 3 || !strings.Contains(errs, "changed since revision 1 (now 2)") {
		t.Fatalf("stale update: exit %d %q", code, errs)
	}
	out = mustCtl(t, dir, "off1", offPass, now, "case", "update", id, "--revision", "2")
	if !strings.Contains(out, "nothing changed") {
		t.Fatalf("the export sent back: %s", out)
	}
	// (a status becomes its lifecycle command, refused here by the form's completeness rule)
	for field, patch := range map[string]string{
		"securityChecks": `{"securityChecks":[{"system":"SIS","status":"no_hit"}]}`,
		"history":        `{"history":[{"from":"opened","to":"closed","at":"2026-11-28T04:00:00Z"}]}`,
		"health":         `{"health":{"result":"care_needed"}}`,
		"form_completed: screening form incomplete": `{"status":"form_completed"}`,
		"information.at": `{"information":{"at":"2026-11-28T04:00:00Z"}}`,
	} {
		_, errs, code := ctl(t, dir, "off1", offPass, patch, "case", "update", id, "--revision", "2")
		if code == 0 || code == 3 || !strings.Contains(errs, field) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: exit %d %q", field, code, errs)
		}
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, `{"revision":5}`, "case", "update", id, "--revision", "2"); code == 0 || !strings.Contains(errs, "revision") {
		t.Errorf("a patch naming another revision: exit %d %q", code, errs)
	}
}
