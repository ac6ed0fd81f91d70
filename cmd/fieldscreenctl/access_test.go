package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func pdfFileText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s (install poppler-utils): %v", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestCaseAccessReport: fieldscreenctl case access-report writes the access report (GDPR
// Art 15, ER Art 43) for a supervisor, mode 0600; a medic co-signs with the passphrase from
// the environment; a wrong one is refused with the sentence saying so and no file is
// written; an officer is refused.
func TestCaseAccessReport(t *testing.T) {
	dir := newVault(t)
	in, err := os.ReadFile("../../testdata/cases/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, string(in), "case", "import"))
	out := filepath.Join(t.TempDir(), "report.pdf")

	mustCtl(t, dir, "sup1", supPass, "", "case", "access-report", id, "--out", out, "--lang", "en")
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("report file: %v %v", st, err)
	}
	txt := pdfFileText(t, out)
	for _, want := range []string{"What this terminal holds about you", "Answered by (supervisor): sup1", "Left out: health details"} {
		if !strings.Contains(txt, want) {
			t.Errorf("report: %q missing", want)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.pdf")
	t.Setenv("FIELDSCREEN_COSIGN_MEDIC_PASSPHRASE", "not the medic's passphrase")
	_, errs, code := ctl(t, dir, "sup1", supPass, "", "case", "access-report", id, "--out", bad, "--cosign-medic", "med1")
	if code == 0 || !strings.Contains(errs, "medic's name or passphrase is wrong") {
		t.Fatalf("wrong medic passphrase: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a report file was written after a refused co-sign: %v", err)
	}

	t.Setenv("FIELDSCREEN_COSIGN_MEDIC_PASSPHRASE", medPass)
	mustCtl(t, dir, "sup1", supPass, "", "case", "access-report", id, "--out", out, "--cosign-medic", "med1")
	if txt := pdfFileText(t, out); !strings.Contains(txt, "Co-signed by: med1") || strings.Contains(txt, "Left out: health details") {
		t.Errorf("with the medic's co-sign: %.400s", txt)
	}

	// an auditor co-signs: the log about the case, actions and roles, no user names
	t.Setenv("FIELDSCREEN_NEW_PASSPHRASE", "auditor passphrase number 1")
	mustCtl(t, dir, "sup1", supPass, "", "user", "add", "aud1", "--role", "auditor")
	t.Setenv("FIELDSCREEN_COSIGN_AUDITOR_PASSPHRASE", "auditor passphrase number 1")
	mustCtl(t, dir, "sup1", supPass, "", "case", "access-report", id, "--out", out, "--cosign-auditor", "aud1")
	txt = pdfFileText(t, out)
	if !strings.Contains(txt, "case.create") || !strings.Contains(txt, "officer") || strings.Contains(txt, "Left out: the log") || strings.Contains(txt, "off1") {
		t.Errorf("with the auditor's co-sign: %.600s", txt)
	}

	_, errs, code = ctl(t, dir, "off1", offPass, "", "case", "access-report", id, "--out", out)
	if code == 0 || !strings.Contains(errs, "Only a supervisor prints an access request") {
		t.Fatalf("officer: exit %d: %s", code, errs)
	}
	_, _, code = ctl(t, dir, "sup1", supPass, "", "case", "access-report", id)
	if code == 0 {
		t.Error("access-report without --out succeeded")
	}
}
