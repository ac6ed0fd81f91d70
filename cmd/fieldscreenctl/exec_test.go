package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealBinary builds fieldscreenctl and runs it as a process with the real, calibrated
// key derivation: exit statuses and the one-line stderr contract as a script sees them.
func TestRealBinary(t *testing.T) {
	bin := ctlBin(t)
	dir := filepath.Join(t.TempDir(), "vault")
	runBin := func(stdin string, env []string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"--vault", dir}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	pass := []string{"FIELDSCREEN_PASSPHRASE=" + supPass}
	if _, errs, code := runBin("", pass, "--user", "sup1", "case", "list"); code == 0 || !strings.Contains(errs, "vault init") {
		t.Fatalf("no vault yet: exit %d, stderr %q; want advice to run vault init", code, errs)
	}
	if _, errs, code := runBin("", pass, "vault", "init", "--user", "sup1"); code != 0 {
		t.Fatalf("vault init: %d %s", code, errs)
	}
	if _, errs, code := runBin("", pass, "vault", "init", "--user", "sup1"); code == 0 || errs == "" {
		t.Fatal("a second vault init over an existing vault succeeded")
	}
	in, _ := os.ReadFile("../../testdata/cases/minimal.json")
	id, errs, code := runBin(string(in), pass, "--user", "sup1", "case", "import")
	if code != 0 {
		t.Fatalf("import: %d %s", code, errs)
	}
	out, errs, code := runBin("", pass, "--user", "sup1", "case", "export", strings.TrimSpace(id))
	if code != 0 || !strings.Contains(out, "X1234567C") {
		t.Fatalf("export: %d %s %s", code, errs, out)
	}
	_, errs, code = runBin("", []string{"FIELDSCREEN_PASSPHRASE=not the passphrase"}, "--user", "sup1", "case", "list")
	if code == 0 || strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 {
		t.Fatalf("wrong passphrase: exit %d, stderr %q; want one line", code, errs)
	}
	if out, errs, code := runBin("", nil, "audit", "verify"); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %s %s", code, out, errs)
	}
}
