package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestRevokeWhileServing reproduces issue 14 item 15's second half: device revoke used to
// fail while central served (the bbolt file is held). It now goes through the running
// server's admin socket (0600, peer credentials checked) and takes effect at once.
func TestRevokeWhileServing(t *testing.T) {
	dir := t.TempDir()
	srv, err := central.Open(dir, central.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const id = "devrevokedwhileserving01"
	if err := srv.Store().PutDevice(central.Device{ID: id}); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCmd("device", "revoke", "--data", dir, id); code != 1 || !strings.Contains(errs, "in use") || !strings.Contains(errs, "admin socket") {
		t.Fatalf("revoke with the folder busy and no admin socket: exit %d %q", code, errs)
	}
	ln, err := central.ListenAdmin(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(central.AdminSocket(dir)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin socket mode %v %v, want 0600", fi.Mode(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- central.ServeAdmin(ctx, ln, srv.AdminHandler()) }()
	defer func() { cancel(); <-done }()

	if _, err := central.ListenAdmin(dir); err == nil || !strings.Contains(err.Error(), "another central") {
		t.Fatalf("a second admin socket on the same folder: %v", err)
	}
	// the reason is required (shown to the terminal, kept in the event log): a blank one is a
	// usage error before anything is sent
	for _, blank := range []string{"", "  "} {
		if _, errs, code := runCmd("device", "revoke", "--data", dir, "--reason", blank, id); code != 2 || !strings.Contains(errs, `"reason" is required`) {
			t.Fatalf("revoke with reason %q: exit %d %q", blank, code, errs)
		}
	}
	out, errs, code := runCmd("device", "revoke", "--data", dir, "--reason", "reported stolen", id)
	if code != 0 || !strings.Contains(out, "revoked "+id) {
		t.Fatalf("revoke while serving: exit %d %q %q", code, out, errs)
	}
	if d, err := srv.Store().Device(id); err != nil || !d.Revoked || d.RevokedReason != "reported stolen" {
		t.Fatalf("device after the revoke: %+v %v", d, err)
	}
	if _, errs, code := runCmd("device", "revoke", "--data", dir, "devunknown0000000001"); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("unknown device while serving: exit %d %q", code, errs)
	}
}
