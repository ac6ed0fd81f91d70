package main

import (
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestCasePurgeRefusedNamesTheReason: `case purge` of a case still being screened exits 1
// with the retention rule's reason and the case stays readable; `sync status` lists a
// result that arrived for a case the terminal does not hold.
func TestCasePurgeRefusedNamesTheReason(t *testing.T) {
	dir := newVault(t)
	c := `{"trigger":{"reason":"ART5_1_A_IRREGULAR_CROSSING","place":"BCP","at":"2026-11-28T03:10:00Z"},
	  "identity":{"surnames":["TESTPERSON"],"givenNames":["PURGE"],"birthDate":"1990","sex":"M","nationalities":["UTO"]}}`
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, c, "case", "import"))
	_, errs, code := ctl(t, dir, "off1", offPass, "", "case", "purge", id)
	if code != 1 || !strings.Contains(errs, "may not be purged yet") || !strings.Contains(errs, "screening has not ended (status opened)") {
		t.Fatalf("case purge of an open case: exit %d: %s", code, errs)
	}
	if out := mustCtl(t, dir, "off1", offPass, "", "case", "export", id); !strings.Contains(out, "TESTPERSON") {
		t.Fatalf("the case is gone after a refused purge: %s", out)
	}

	// A result for a case this terminal does not hold, applied as the sync worker would.
	cfg := app.DefaultConfig()
	cfg.VaultDir, cfg.IdleTimeout = dir, time.Hour
	term, err := app.OpenTerminal(cfg, vaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	s, err := term.Unlock("off1", []byte(offPass))
	if err != nil {
		t.Fatal(err)
	}
	r := sync.Result{Seq: 3, PacketID: "pk-late", CaseID: "00000000000000000000000000000042", Type: sync.ResultCheck, System: "SIS", Outcome: sync.OutcomeHit, At: time.Now()}
	if err := s.Vault().Update(func(tx *vault.Tx) error { return app.ApplyResult(tx, r) }); err != nil {
		t.Fatal(err)
	}
	s.Lock(app.LockedClosed)
	term.Close()
	out := mustCtl(t, dir, "off1", offPass, "", "sync", "status")
	if !strings.Contains(out, "late result for case 00000000000000000000000000000042 (case unknown on this terminal): check SIS hit") {
		t.Fatalf("sync status does not list the late result:\n%s", out)
	}
}
