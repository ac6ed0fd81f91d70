package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestCaseCorrectThroughTheCLI (Eurodac Art 40(3)): on a case whose Eurodac data set was
// queued, an officer's case update of a transmitted field exits 1 saying a supervisor's
// correction is needed; case correct without its flags is a usage error (2); an officer's
// correction and a supervisor's with a blank reason exit 1; the supervisor's correction
// exits 0 naming the Eurodac rectification it queued, and case export shows the history;
// a correction at an old revision exits 3.
func TestCaseCorrectThroughTheCLI(t *testing.T) {
	dir := newVault(t)
	demoCentral(t, dir)
	t.Setenv("FIELDSCREEN_TECH_PASSPHRASE", tecPass)
	id := strings.Fields(mustCtl(t, dir, "off1", offPass, "", "demo", "seed", "--cases", "1", "--seed", "5", "--technician", "tec1"))[0]
	exported := func() (rev string, c map[string]any) {
		if err := json.Unmarshal([]byte(mustCtl(t, dir, "sup1", supPass, "", "case", "export", id)), &c); err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(int(c["revision"].(float64))), c
	}
	rev, c := exported()
	if c["eurodac"].(map[string]any)["reference"] == nil {
		t.Fatalf("the demo case has no Eurodac data set queued: %v", c["eurodac"])
	}
	for _, tc := range []struct {
		name  string
		user  string
		pass  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"officer's patch", "off1", offPass, `{"identity":{"placeOfBirth":"HOMS"}}`, []string{"case", "update", id, "--revision", rev}, 1, "supervisor's correction"},
		{"no reason", "sup1", supPass, "", []string{"case", "correct", id, "--revision", rev, "--field", "identity.placeOfBirth", "--value", "HOMS"}, 2, "--reason"},
		{"two values", "sup1", supPass, "", []string{"case", "correct", id, "--revision", rev, "--field", "identity.placeOfBirth", "--value", "HOMS", "--value-json", `"HOMS"`, "--reason", "r"}, 2, "usage"},
		{"no revision", "sup1", supPass, "", []string{"case", "correct", id, "--field", "identity.placeOfBirth", "--value", "HOMS", "--reason", "r"}, 2, "--revision"},
		{"officer corrects", "off1", offPass, "", []string{"case", "correct", id, "--revision", rev, "--field", "identity.placeOfBirth", "--value", "HOMS", "--reason", "r"}, 1, "Only a supervisor"},
		{"blank reason", "sup1", supPass, "", []string{"case", "correct", id, "--revision", rev, "--field", "identity.placeOfBirth", "--value", "HOMS", "--reason", " "}, 1, "needs its reason"},
		{"bad path", "sup1", supPass, "", []string{"case", "correct", id, "--revision", rev, "--field", "identity..x", "--value", "HOMS", "--reason", "r"}, 1, "member name missing"},
	} {
		_, errs, code := ctl(t, dir, tc.user, tc.pass, tc.stdin, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d %q, want %d saying %q", tc.name, code, errs, tc.code, tc.want)
		}
	}
	out := mustCtl(t, dir, "sup1", supPass, "", "case", "correct", id, "--revision", rev, "--field", "identity.placeOfBirth", "--value", "HOMS",
		"--reason", "the person corrected it with the interpreter")
	if !strings.Contains(out, "corrected "+id+" identity.placeOfBirth") || !strings.Contains(out, "Eurodac rectification of f (packet ") {
		t.Errorf("case correct printed %q", out)
	}
	_, c = exported()
	ks, _ := c["corrections"].([]any)
	if len(ks) != 1 {
		t.Fatalf("corrections in the export: %v", c["corrections"])
	}
	k := ks[0].(map[string]any)
	if k["path"] != "identity.placeOfBirth" || k["new"] != "HOMS" || k["reason"] != "the person corrected it with the interpreter" ||
		k["role"] != "supervisor" || k["by"] != "sup1" || k["eurodacPacket"] == nil {
		t.Errorf("the correction as exported: %v", k)
	}
	if _, errs, code := ctl(t, dir, "sup1", supPass, "", "case", "correct", id, "--revision", rev, "--field", "identity.placeOfBirth", "--value", "IDLIB", "--reason", "r"); code != 3 {
		t.Errorf("a correction at an old revision: exit %d %q, want 3", code, errs)
	}
}
