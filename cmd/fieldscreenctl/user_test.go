package main

import (
	"strings"
	"testing"
)

// TestUserTrainedForMinors: a supervisor records the minors' training (Eurodac Art 14(1)) with
// user add --trained-for-minors or user set; user list shows it; an officer cannot set it;
// set without the flag is a usage error rather than a silent "false".
func TestUserTrainedForMinors(t *testing.T) {
	dir := newVault(t)
	t.Setenv("FIELDSCREEN_NEW_PASSPHRASE", "second officer passphrase 2")
	if out := mustCtl(t, dir, "sup1", supPass, "", "user", "add", "off2", "--role", "officer", "--trained-for-minors"); !strings.Contains(out, "trained for minors") {
		t.Fatalf("add: %q", out)
	}
	mustCtl(t, dir, "sup1", supPass, "", "user", "set", "off1", "--trained-for-minors=true")
	mustCtl(t, dir, "sup1", supPass, "", "user", "set", "off2", "--trained-for-minors=false")
	list := mustCtl(t, dir, "sup1", supPass, "", "user", "list")
	want := map[string]string{"off1": "yes", "off2": "no", "med1": "no"}
	for _, line := range strings.Split(list, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && want[f[0]] != "" {
			if f[2] != want[f[0]] {
				t.Errorf("%s trained %s, want %s:\n%s", f[0], f[2], want[f[0]], list)
			}
			delete(want, f[0])
		}
	}
	if len(want) != 0 {
		t.Fatalf("users missing from the list %v:\n%s", want, list)
	}
	if _, _, code := ctl(t, dir, "off1", offPass, "", "user", "set", "off1", "--trained-for-minors=true"); code == 0 {
		t.Fatal("an officer set a training record")
	}
	if _, errs, code := ctl(t, dir, "sup1", supPass, "", "user", "set", "off1"); code == 0 || !strings.Contains(errs, "--trained-for-minors") {
		t.Fatalf("set without the flag: exit %d %s", code, errs)
	}
}
