package main

import (
	"strings"
	"testing"
)

// TestMonitorPruneThroughTheCLI: `monitor prune` deletes the monitoring summaries past their
// retention (app.PruneMonitorSummaries; what goes is tested in app) for case staff and
// refuses the monitor role, which reads and never deletes (SR Art 10); a held case keeps its
// summary.
func TestMonitorPruneThroughTheCLI(t *testing.T) {
	dir := newVault(t)
	t.Setenv("FIELDSCREEN_NEW_PASSPHRASE", monPass)
	mustCtl(t, dir, "sup1", supPass, "", "user", "add", "mon1", "--role", "monitor")
	c := `{"trigger":{"reason":"ART5_1_B_DISEMBARKATION","place":"Port","at":"2026-11-28T03:10:00Z"}}`
	id := strings.TrimSpace(mustCtl(t, dir, "off1", offPass, c, "case", "import"))
	if out := mustCtl(t, dir, "sup1", supPass, "", "monitor", "prune"); !strings.Contains(out, "0 monitoring summaries pruned") {
		t.Fatalf("prune with a held case: %q", out)
	}
	if _, errs, code := ctl(t, dir, "mon1", monPass, "", "monitor", "prune"); code == 0 || !strings.Contains(errs, "monitor") {
		t.Fatalf("the monitor pruned: exit %d, %q", code, errs)
	}
	if out := mustCtl(t, dir, "mon1", monPass, "", "monitor", "list"); !strings.Contains(out, id) {
		t.Fatalf("the held case's summary went: %s", out)
	}
}
