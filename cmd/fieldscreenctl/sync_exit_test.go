package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnrollTokenSources: the enrolment token comes from a file or standard input, so it
// never shows in ps; --token still works with a warning; help says so.
func TestEnrollTokenSources(t *testing.T) {
	_, centralBin := syncBins(t)
	url, token, _, _ := realCentral(t, centralBin)
	dir := newVault(t)
	if out, _, _ := ctl(t, "", "", "", "", "help"); !strings.Contains(out, "--token-file") {
		t.Fatalf("help does not name --token-file:\n%s", out)
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "enroll", "--central", url); code != 2 || !strings.Contains(errs, "--token-file") {
		t.Fatalf("no token: exit %d %q", code, errs)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token-file", empty); code != 1 || !strings.Contains(errs, "empty") {
		t.Fatalf("empty token file: exit %d %q", code, errs)
	}
	// From standard input.
	if out, errs, code := ctl(t, dir, "off1", offPass, token+"\n", "enroll", "--central", url, "--token-file", "-"); code != 0 || !strings.Contains(out, "enrolled") || errs != "" {
		t.Fatalf("token from stdin: exit %d %q %q", code, out, errs)
	}
	// From a file, and on the command line with a warning (both refused as used: the token
	// reached central).
	f := filepath.Join(t.TempDir(), "token")
	os.WriteFile(f, []byte(token+"\n"), 0o600)
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token-file", f); code != 1 || !strings.Contains(errs, "already used") {
		t.Fatalf("token from a file: exit %d %q", code, errs)
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", token); code != 1 || !strings.Contains(errs, "warning: --token") || !strings.Contains(errs, "already used") {
		t.Fatalf("--token: exit %d %q", code, errs)
	}
}

// TestSyncRunExitsFourOnRefusal reproduces issue 14 item 2's second half: a packet central
// refuses for good used to leave sync run --once with status 0. A sealed file damaged on
// disk is refused (its bytes no longer match the signed digest): exit 4, and help documents
// the exit codes.
func TestSyncRunExitsFourOnRefusal(t *testing.T) {
	_, centralBin := syncBins(t)
	url, token, _, _ := realCentral(t, centralBin)
	dir := newVault(t)
	mustCtl(t, dir, "off1", offPass, token, "enroll", "--central", url, "--token-file", "-")
	enqueueN(t, dir, 1, 100)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.age"))
	if len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(dir, "*.age"))
	}
	if len(files) != 1 {
		t.Fatalf("sealed files %v", files)
	}
	b, _ := os.ReadFile(files[0])
	b[len(b)/2] ^= 1
	os.WriteFile(files[0], b, 0o600)
	_, errs, code := ctl(t, dir, "off1", offPass, "", "sync", "run", "--once", "--wait-results", "0")
	if code != 4 || !strings.Contains(errs, "refused 1 packets") {
		t.Fatalf("sync run with a refused packet: exit %d %q, want 4", code, errs)
	}
	out, _, _ := ctl(t, "", "", "", "", "help")
	for _, want := range []string{"exit status", "3  sync run", "4  sync run", "5  sync run"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
