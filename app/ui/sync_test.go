package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestSyncScreenEnrolSendReceipt: enrol through the Sync screen with an in-process central
// (real mutual TLS on loopback), send a case from its form step, "send now", and see the
// receipt and each system's own answer on the checks step: the SIS hit in SIS only, no hit
// in the others, and ECRIS-TCN (unreachable) not possible with its reason.
func TestSyncScreenEnrolSendReceipt(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{Watchlist: []string{"SIS: TESTPERSON WATCHED"}, Unavailable: []string{"ECRIS_TCN"}})

	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	test.Tap(button(t, w, T("nav.sync")))
	if !strings.Contains(labelsText(w), T("sync.notEnrolled")) {
		t.Fatalf("sync screen before enrolment: %s", labelsText(w))
	}
	tok, _ := srv.CreateToken()
	es := entries(w)
	es[0].SetText(url)
	es[1].SetText(tok)
	test.Tap(button(t, w, T("sync.enrol")))
	if !u.Session().Enrolled() {
		t.Fatalf("not enrolled: %s", labelsText(w))
	}
	u.stopSyncWorker() // the test drives sending itself

	id, err := u.Session().CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"WATCHED"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	u.openCase.Step(len(caseSteps) - 1)
	test.Tap(button(t, w, T("form.send")))
	if !strings.Contains(labelsText(w), "sealed and queued") {
		t.Fatalf("send: %s", labelsText(w))
	}
	test.Tap(button(t, w, T("common.back")))
	test.Tap(button(t, w, T("nav.sync")))
	if !strings.Contains(labelsText(w), "1 packets waiting") {
		t.Fatalf("queue: %s", labelsText(w))
	}
	for i := 0; i < 10; i++ {
		test.Tap(button(t, w, T("sync.sendNow")))
		if c, _ := u.Session().Case(id); len(c.PendingChecks()) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(labelsText(w), T("packetstate.delivered")) {
		t.Errorf("no verified receipt shown: %s", labelsText(w))
	}
	c, _ := u.Session().Case(id)
	if len(c.Checks) == 0 || len(c.PendingChecks()) != 0 {
		t.Fatalf("checks on the case: %+v", c.Checks)
	}
	u.showCase(id)
	for i, st := range caseSteps {
		if st.key == "checks" {
			u.openCase.Step(i)
		}
	}
	s, ok := u.openCase.view.(*checksStep)
	if !ok {
		t.Fatalf("step shown: %T", u.openCase.view)
	}
	lines := map[string]checkLine{}
	for _, l := range s.lines {
		lines[l.system] = l
	}
	for _, ch := range c.Checks {
		want := T("checks.state.no_hit")
		switch ch.System {
		case "SIS":
			want = T("checks.state.hit")
		case "ECRIS_TCN":
			want = T("checks.state.not_possible")
			if d := lines[ch.System].detail.Text; !strings.Contains(d, "ECRIS_TCN did not answer (system unavailable)") {
				t.Errorf("checks step, ECRIS_TCN without its reason: %q", d)
			}
		}
		if got := lines[ch.System].state.Text; got != want {
			t.Errorf("checks step, %s: %q, want %q", ch.System, got, want)
		}
	}
	if n := strings.Count(labelsText(w), T("checks.state.hit")+"\n"); n != 1 {
		t.Errorf("the checks step shows %d hits, want 1 (SIS):\n%s", n, labelsText(w))
	}
}

// TestSyncScreenShowsAuditRollback: when central refuses the terminal's audit checkpoint
// because it countersigned more than this vault's log holds (a vault restored from an old
// copy), the Sync screen says so in the user's language after "send now".
func TestSyncScreenShowsAuditRollback(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{})
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	test.Tap(button(t, w, T("nav.sync")))
	tok, _ := srv.CreateToken()
	es := entries(w)
	es[0].SetText(url)
	es[1].SetText(tok)
	test.Tap(button(t, w, T("sync.enrol")))
	u.stopSyncWorker()
	en, err := fsync.LoadEnrolmentFrom(u.Session().Vault())
	if err != nil {
		t.Fatal(err)
	}
	// Central remembers a longer log for this terminal than the vault now has.
	d, err := srv.Store().Device(en.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	d.Checkpoint = &fsync.Checkpoint{DeviceID: d.ID, Size: 5000, Head: strings.Repeat("ab", 32), At: u.Session().Now()}
	if err := srv.Store().PutDevice(d); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, T("sync.sendNow")))
	want, _, _ := strings.Cut(T("sync.auditRollback"), "%s")
	if !strings.Contains(labelsText(w), want) {
		t.Fatalf("Sync screen after a refused checkpoint: %s", labelsText(w))
	}
	if st, _ := u.Session().SyncStatus(); st.AuditRollback == nil {
		t.Fatal("status does not hold the rollback")
	}
}

// TestSyncScreenReportsLateResults: a result central sends for a case no longer on the
// terminal is reported on the Sync screen (and audited by app), never dropped.
func TestSyncScreenReportsLateResults(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{})
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	tok, _ := srv.CreateToken()
	if err := u.Session().Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker()
	gone := "0123456789abcdef0123456789abcdef" // a case ID this terminal does not hold
	r := fsync.Result{Seq: 7, PacketID: "pk-late", CaseID: gone, Type: fsync.ResultCheck, System: "VIS", Outcome: fsync.OutcomeHit, At: u.Session().Now()}
	if err := u.Session().Vault().Update(func(tx *vault.Tx) error { return app.ApplyResult(tx, r) }); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, T("nav.sync")))
	text := labelsText(w)
	if !strings.Contains(text, T("sync.lateResults")) || !strings.Contains(text, shortID(gone)) || !strings.Contains(text, "check VIS hit") {
		t.Fatalf("the Sync screen does not report the late result:\n%s", text)
	}
}
