package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const monPass = "monitor passphrase one"

// TestMonitorThroughTheCLI: a monitor user (Screening Art 10) exports a period as CSV and
// JSON; the files hold the case's figures and no name or document number in any encoding; the
// monitor cannot export or list cases, reads the audit log, and its export is audited.
func TestMonitorThroughTheCLI(t *testing.T) {
	dir := newVault(t)
	t.Setenv("FIELDSCREEN_NEW_PASSPHRASE", monPass)
	mustCtl(t, dir, "sup1", supPass, "", "user", "add", "mon1", "--role", "monitor")
	markers := []string{marker("SURNAME"), marker("GIVEN"), marker("DOCNO"), marker("OTHER")}
	c := `{"trigger":{"reason":"ART5_1_B_DISEMBARKATION","place":"Port","at":"2026-11-28T03:10:00Z"},
	  "identity":{"surnames":["` + markers[0] + `"],"givenNames":["` + markers[1] + `"],"otherNames":["` + markers[3] + `"],"birthDate":"2012","sex":"M","nationalities":["UTO"]},
	  "vulnerability":{"checked":true,"indicators":["unaccompanied_minor"],"notes":"` + markers[3] + `"},
	  "documents":[{"type":"P","number":"` + markers[2] + `","issuingState":"UTO","expiryDate":"2031-01-31"}]}`
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, c, "case", "import"))

	out := filepath.Join(t.TempDir(), "period")
	mustCtl(t, dir, "mon1", monPass, "", "monitor", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", out)
	for _, hit := range scanFor(markers, filepath.Dir(out)) {
		t.Errorf("monitor export: %s", hit)
	}
	f, err := os.Open(out + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV rows %d: %v", len(rows), err)
	}
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	if col["pseudonym"] != id || col["trigger"] != "ART5_1_B_DISEMBARKATION" || col["minor"] != "true" || col["unaccompanied"] != "true" {
		t.Fatalf("CSV row: %v", col)
	}
	var doc struct {
		Cases []map[string]any `json:"cases"`
	}
	b, _ := os.ReadFile(out + ".json")
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Cases) != 1 {
		t.Fatalf("JSON: %v %s", err, b)
	}
	// A period that holds no case gives an empty export, not an error.
	empty := filepath.Join(t.TempDir(), "empty.json")
	mustCtl(t, dir, "mon1", monPass, "", "monitor", "export", "--from", "2026-10-01", "--to", "2026-10-31", "--out", empty)
	if b, _ := os.ReadFile(empty); !strings.Contains(string(b), `"cases": []`) {
		t.Fatalf("empty export: %s", b)
	}
	if list := mustCtl(t, dir, "mon1", monPass, "", "monitor", "list"); !strings.Contains(list, id) {
		t.Fatalf("monitor list: %s", list)
	}
	for _, args := range [][]string{{"case", "export", id}, {"case", "list"}} {
		if _, errs, code := ctl(t, dir, "mon1", monPass, "", args...); code == 0 || !strings.Contains(errs, "monitor") {
			t.Errorf("monitor %v: exit %d, stderr %q; want a permission error naming the role", args, code, errs)
		}
	}
	if out := mustCtl(t, dir, "sup1", supPass, "", "monitor", "rebuild"); !strings.Contains(out, "1 cases summarised") {
		t.Errorf("rebuild: %q", out)
	}
	if _, errs, code := ctl(t, dir, "mon1", monPass, "", "monitor", "rebuild"); code == 0 || !strings.Contains(errs, "monitor") {
		t.Errorf("monitor rebuild: exit %d, %q", code, errs)
	}
	aud := mustCtl(t, dir, "mon1", monPass, "", "audit", "show", "--action", "oversight.export")
	if strings.Count(aud, "oversight.export") != 2 {
		t.Fatalf("audited exports:\n%s", aud)
	}
	for _, bad := range [][]string{
		{"monitor", "export", "--from", "2026-11-01", "--to", "2026-11-30"},
		{"monitor", "export", "--from", "yesterday", "--to", "2026-11-30", "--out", out},
		{"monitor", "export", "--from", "2026-11-30", "--to", "2026-11-01", "--out", out},
		{"monitor", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", out + ".txt"},
	} {
		if _, errs, code := ctl(t, dir, "mon1", monPass, "", bad...); code == 0 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
}
