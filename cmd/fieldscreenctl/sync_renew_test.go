package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// asOfficer opens the vault in dir and calls fn with the officer's session.
func asOfficer(t *testing.T, dir string, fn func(*vault.Vault, *vault.Session)) {
	t.Helper()
	v, err := vault.Open(dir, vaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	s, err := v.Unlock("off1", []byte(offPass))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Lock()
	fn(v, s)
}

// enrolment reads the terminal's enrolment from the vault as the officer.
func enrolment(t *testing.T, dir string) *sync.Enrolment {
	t.Helper()
	var en *sync.Enrolment
	asOfficer(t, dir, func(_ *vault.Vault, s *vault.Session) {
		var err error
		if en, err = sync.LoadEnrolmentFrom(s); err != nil {
			t.Fatal(err)
		}
	})
	return en
}

// TestSyncRenew: sync renew replaces the certificate at once (not due yet: it is forced)
// and says until when it is valid; on a revoked terminal it fails with central's reason.
func TestSyncRenew(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	dir := newVault(t)
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "sync", "renew"); code != 1 || !strings.Contains(errs, "not enrolled") {
		t.Fatalf("renew before enrolment: exit %d %q", code, errs)
	}
	tok, _ := srv.CreateToken()
	mustCtl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", tok)
	before := enrolment(t, dir)
	out := mustCtl(t, dir, "off1", offPass, "", "sync", "renew")
	after := enrolment(t, dir)
	if !strings.Contains(out, "renewed the certificate of device "+before.DeviceID+": valid until ") || bytes.Equal(before.Cert, after.Cert) {
		t.Fatalf("sync renew printed %q; certificate changed: %v", out, !bytes.Equal(before.Cert, after.Cert))
	}
	if d, err := srv.Store().Device(before.DeviceID); err != nil || !bytes.Equal(d.Cert, after.Cert) {
		t.Fatalf("central holds another certificate (%v)", err)
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "sync", "renew", "now"); code != 2 || !strings.Contains(errs, "no arguments") {
		t.Fatalf("renew with an argument: exit %d %q", code, errs)
	}
	if err := srv.RevokeDevice(before.DeviceID, "terminal decommissioned"); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "sync", "renew"); code != 1 || !strings.Contains(errs, "terminal decommissioned") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("revoked terminal: exit %d %q", code, errs)
	}
}
