package app

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// testClock is a settable clock shared by the vault (purge stamps) and the session.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// TestMonitorSummariesPruned: a monitoring summary stays while its case is held and for the
// months after the case's purge that central's signed config sets (here 6; SR Art 10 names no
// period: forms.SummaryExpired), then the sync worker's retention step deletes it, audited;
// `monitor prune` does the same on demand and the monitor role may not. An export made
// before pruning covers the whole period; the one after says how many summaries were pruned.
func TestMonitorSummariesPruned(t *testing.T) {
	srv, url := serveWithConfig(t, []byte(`{"retention": {"monitorSummaryMonths": 6}}`))
	clk := &testClock{t: time.Now()}
	t0 := clk.Now()
	cfg := DefaultConfig()
	cfg.VaultDir = filepath.Join(t.TempDir(), "vault")
	term, err := OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF(), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	if err := term.Setup("sup", []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	_, off := staff(t, term)
	off.mu.Lock()
	off.nowFunc = clk.Now
	off.mu.Unlock()
	enrolAt(t, off, srv, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := off.SyncOnce(ctx); err != nil { // central's config with the 6 months
		t.Fatal(err)
	}
	ids := map[string]vault.CaseID{}
	for _, name := range []string{"old", "recent", "held"} {
		if ids[name], err = off.CreateCase(adultCase(t0)); err != nil {
			t.Fatal(err)
		}
	}
	purge := func(id vault.CaseID) {
		t.Helper()
		if err := off.vs.Update(func(tx *vault.Tx) error { return tx.PurgeCase(id) }); err != nil {
			t.Fatal(err)
		}
	}
	purge(ids["old"]) // at t0
	clk.Set(t0.AddDate(0, 5, 0))
	purge(ids["recent"]) // five months later
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role vault.Role
	}{{"mon", vault.Monitor}, {"aud", vault.Auditor}} {
		if err := sup.AddUser(u.name, u.role, []byte(testPass)); err != nil {
			t.Fatal(err)
		}
	}
	mon, err := term.Unlock("mon", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	period := Period{From: t0.Add(-24 * time.Hour), To: t0.Add(24 * time.Hour)}
	pseudonyms := func(e *MonitorExport) string {
		var ps []string
		for _, c := range e.Cases {
			for name, id := range ids {
				if c.Pseudonym == string(id) {
					ps = append(ps, name)
				}
			}
		}
		return strings.Join(ps, ",")
	}
	before, err := mon.ExportMonitoring(period)
	if err != nil {
		t.Fatal(err)
	}
	if got := pseudonyms(before); len(before.Cases) != 3 || strings.Count(got, ",") != 2 {
		t.Fatalf("export before pruning: %q, want all three cases", got)
	}

	// six months and a day after the first purge: the worker's retention step prunes it
	clk.Set(t0.AddDate(0, 6, 1))
	w, err := off.NewSyncWorker(off.SyncOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.PurgeDue(); err != nil {
		t.Fatal(err)
	}
	after, err := mon.ExportMonitoring(period)
	if err != nil {
		t.Fatal(err)
	}
	if got := pseudonyms(after); len(after.Cases) != 2 || strings.Contains(got, "old") {
		t.Fatalf("after pruning the export holds %q, want the recent and the held case", got)
	}
	var doc struct {
		Pruned *oversightPruning `json:"pruned"`
	}
	if err := json.Unmarshal(after.JSON, &doc); err != nil || doc.Pruned == nil || doc.Pruned.Summaries != 1 || doc.Pruned.Months != 6 ||
		!doc.Pruned.GoneUntil.Equal(t0.UTC()) {
		t.Fatalf("the export does not say what was pruned: %+v %v", doc.Pruned, err)
	}
	if _, err := w.PurgeDue(); err != nil { // nothing more to prune: no audit entry
		t.Fatal(err)
	}

	// on demand: the monitor may not delete; case staff may, audited even with nothing to do
	if _, err := mon.PruneMonitorSummaries(); !errors.As(err, new(*vault.PermissionError)) {
		t.Fatalf("the monitor pruned: %v", err)
	}
	if n, err := off.PruneMonitorSummaries(); err != nil || n != 0 {
		t.Fatalf("prune with nothing due: %d %v", n, err)
	}
	clk.Set(t0.AddDate(0, 11, 1))
	if n, err := off.PruneMonitorSummaries(); err != nil || n != 1 {
		t.Fatalf("prune six months after the second purge: %d %v, want 1", n, err)
	}
	left, err := mon.MonitorCases(Period{})
	if err != nil || len(left) != 1 || left[0].Pseudonym != string(ids["held"]) {
		t.Fatalf("left: %+v %v; want only the held case's summary", left, err)
	}
	aud, err := term.Unlock("aud", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	es, err := aud.AuditEntries(vault.AuditFilter{Action: AuditOversightPrune})
	if err != nil || len(es) != 3 || !strings.HasPrefix(es[0].Detail, "1 monitoring summaries pruned (kept 6 months") {
		t.Fatalf("prune audit entries: %+v %v; want the worker's, the empty explicit one and the last", es, err)
	}
}

// TestMonitorSummaryMonthsFromConfig: the period comes from central's signed config; a value
// that is not a whole number of months in range stops pruning with an error naming the field.
func TestMonitorSummaryMonthsFromConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  string
		want int
		bad  bool
	}{
		{`{}`, forms.DefaultMonitorSummaryMonths, false},
		{`{"retention": {"purgeGraceHours": 1}}`, forms.DefaultMonitorSummaryMonths, false},
		{`{"retention": {"monitorSummaryMonths": 24}}`, 24, false},
		{`{"retention": {"monitorSummaryMonths": 0}}`, 0, true},
		{`{"retention": {"monitorSummaryMonths": 1.5}}`, 0, true},
		{`{"retention": {"monitorSummaryMonths": 121}}`, 0, true},
	} {
		t.Run(tc.cfg, func(t *testing.T) {
			srv, url := serveWithConfig(t, []byte(tc.cfg))
			term := newTestTerminal(t, time.Hour)
			_, off := staff(t, term)
			enrolAt(t, off, srv, url)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if _, err := off.SyncOnce(ctx); err != nil && !tc.bad {
				t.Fatal(err)
			}
			var got int
			err := off.vs.View(func(tx *vault.Tx) error {
				var err error
				got, err = monitorSummaryMonths(tx)
				return err
			})
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "retention.monitorSummaryMonths") {
					t.Fatalf("accepted: %d %v", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %d %v, want %d", got, err, tc.want)
			}
		})
	}
}
