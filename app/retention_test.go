package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// retentionFixture is a terminal enrolled with an in-process central whose signed config
// sets the purge grace to graceHours.
type retentionFixture struct {
	term      *Terminal
	off, tech *Session
	now       time.Time
}

// serveWithConfig serves an in-process central whose signed config (config.json in its
// data folder) is cfg.
func serveWithConfig(t *testing.T, cfg []byte) (*central.Server, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, url, _ := centraltest.Serve(t, dir, "127.0.0.1:0", central.Options{})
	return srv, url
}

func newRetentionFixture(t *testing.T, graceHours float64) *retentionFixture {
	t.Helper()
	cfg, _ := json.Marshal(map[string]any{"retention": map[string]any{"purgeGraceHours": graceHours}})
	srv, url := serveWithConfig(t, cfg)
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	enrolAt(t, off, srv, url)
	return &retentionFixture{term: term, off: off, tech: tech, now: time.Now()}
}

// setClock moves the session's clock (the retention rule and the worker use it).
func (f *retentionFixture) setClock(at time.Time) {
	f.off.mu.Lock()
	f.off.nowFunc = func() time.Time { return at }
	f.off.mu.Unlock()
}

// referredAndSent stores a case that was screened to the end: referred (SR Art 18), no
// check pending, and its screening-form packet queued in the same transaction (the state the
// referral leaves; the form's transmission itself is not built yet, so the test queues the
// packet the way the app will). sent: the packet is delivered and receipted.
func (f *retentionFixture) referredAndSent(t *testing.T, sent bool) vault.CaseID {
	t.Helper()
	id, err := f.off.CreateCase(adultCase(f.now))
	if err != nil {
		t.Fatal(err)
	}
	err = f.off.vs.Update(func(tx *vault.Tx) error {
		_, err := updateCase(tx, id, AnyRevision, f.now, func(c *forms.Case) error {
			c.Status, c.Outcome = forms.StatusReferred, forms.OutcomeCompleted
			c.Referral = forms.Referral{To: forms.ReferAsylum, Authority: "TEST AUTHORITY", At: f.now}
			c.History = append(c.History, forms.StatusChange{From: forms.StatusFormCompleted, To: forms.StatusReferred, At: f.now})
			return nil
		})
		if err != nil {
			return err
		}
		p := &fsync.Packet{Header: fsync.Header{Kind: fsync.KindScreeningForm, CaseID: string(id)}, Body: json.RawMessage(`{"form":"synthetic"}`)}
		_, err = fsync.Enqueue(tx, f.off.packetDir, p, f.now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent {
		f.sync(t)
		rows, _ := f.off.Outbox()
		for _, r := range rows {
			if r.CaseID == string(id) && r.State != fsync.StateDelivered && r.State != fsync.StatePurged {
				t.Fatalf("screening-form packet not delivered: %+v", r)
			}
		}
	}
	return id
}

func (f *retentionFixture) sync(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := f.off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
}

func wantRefusal(t *testing.T, err error, code string) {
	t.Helper()
	var pr *forms.PurgeRefusal
	if !errors.As(err, &pr) || pr.Code != code {
		t.Fatalf("purge: %v, want a refusal %s", err, code)
	}
	if !strings.Contains(err.Error(), pr.Message.EN) {
		t.Errorf("the error %q does not name the reason %q", err, pr.Message.EN)
	}
}

// TestPurgeFollowsTheRetentionRule: `case purge` (Session.PurgeCase) and the sync worker's
// PurgeDue apply the same rule: a case still being screened, one whose screening form has
// no receipt, and one inside the grace period from central's signed config (1 h here,
// where the default is 72 h) are refused with the reason; once the grace has passed both
// doors purge (injected clock).
func TestPurgeFollowsTheRetentionRule(t *testing.T) {
	f := newRetentionFixture(t, 1)
	open, err := f.off.CreateCase(adultCase(f.now))
	if err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, f.off.PurgeCase(open), forms.PurgeNotEnded)
	unsent := f.referredAndSent(t, false)
	wantRefusal(t, f.off.PurgeCase(unsent), forms.PurgeFormNotReceipted)
	byHand := f.referredAndSent(t, true)
	byWorker := f.referredAndSent(t, true)
	wantRefusal(t, f.off.PurgeCase(byHand), forms.PurgeGraceRunning)
	wantRefusal(t, f.off.PurgeCase(unsent), forms.PurgeGraceRunning) // delivered by the last sync

	f.setClock(f.now.Add(30 * time.Minute))
	f.sync(t) // PurgeDue inside the grace: nothing
	for _, id := range []vault.CaseID{open, unsent, byHand, byWorker} {
		if _, err := f.off.Case(id); err != nil {
			t.Fatalf("case %s purged inside the grace period: %v", id, err)
		}
	}
	f.setClock(f.now.Add(2 * time.Hour)) // past central's 1 h grace, far inside the default 72 h
	// A technician's session (no core class) cannot apply the rule: it keeps the case.
	err = f.tech.vs.View(func(tx *vault.Tx) error {
		rows, err := caseRows(tx, byHand)
		if err != nil {
			return err
		}
		ok, err := PurgeCheck(tx, byHand, rows, f.now.Add(2*time.Hour))
		if ok || err != nil {
			t.Errorf("technician's purge check: %v %v, want the case kept without an error", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.off.PurgeCase(byHand); err != nil {
		t.Fatalf("purge after the grace period: %v", err)
	}
	f.sync(t) // PurgeDue: the same rule lets the other sent case go, keeps the open one
	for id, gone := range map[vault.CaseID]bool{open: false, unsent: true, byHand: true, byWorker: true} {
		_, err := f.off.Case(id)
		if gone != errors.Is(err, ErrNoCase) {
			t.Errorf("case %s: %v, want purged %v", id, err, gone)
		}
	}
	st, _ := f.off.SyncStatus()
	if st.Purged != 3 {
		t.Errorf("%d packets marked purged, want the 3 screening-form packets", st.Purged)
	}
}

// TestPurgeGraceFromConfig: a config naming an unusable grace stops every purge with an
// error naming the field, rather than purging after a guessed period.
func TestPurgeGraceFromConfig(t *testing.T) {
	f := newRetentionFixture(t, -5)
	id := f.referredAndSent(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f.setClock(f.now.Add(100 * time.Hour))
	if _, err := f.off.SyncOnce(ctx); err == nil || !strings.Contains(err.Error(), "retention.purgeGraceHours") {
		t.Fatalf("sync with a bad grace in central's config: %v", err)
	}
	err := f.off.PurgeCase(id)
	if err == nil || !strings.Contains(err.Error(), "retention.purgeGraceHours") {
		t.Fatalf("purge with a bad grace in central's config: %v", err)
	}
	if _, err := f.off.Case(id); err != nil {
		t.Fatalf("case purged: %v", err)
	}
}

// TestLateResultForPurgedCaseIsAudited: with no grace in central's config the worker purges
// a sent, referred case at once; a result central sends after that is written to the
// audit log and listed in the sync status (the Sync screen shows it), never dropped.
func TestLateResultForPurgedCaseIsAudited(t *testing.T) {
	f := newRetentionFixture(t, 0)
	id := f.referredAndSent(t, true)
	if _, err := f.off.Case(id); !errors.Is(err, ErrNoCase) {
		t.Fatalf("with grace 0 the worker keeps the case: %v", err)
	}
	late := fsync.Result{Seq: 99, PacketID: "pk-late", CaseID: string(id), Type: fsync.ResultCheck, System: "SIS", Outcome: fsync.OutcomeHit, At: f.now}
	if err := f.off.vs.Update(func(tx *vault.Tx) error { return f.off.applyResult(tx, late) }); err != nil {
		t.Fatalf("late result: %v", err)
	}
	st, err := f.off.SyncStatus()
	if err != nil || len(st.LateResults) != 1 {
		t.Fatalf("sync status late results: %+v %v", st.LateResults, err)
	}
	if l := st.LateResults[0]; l.CaseID != string(id) || l.System != "SIS" || l.Outcome != fsync.OutcomeHit || l.Why != "case purged" {
		t.Errorf("late result %+v", l)
	}
	sup, err := f.term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.AddUser("aud", vault.Auditor, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	aud, err := f.term.Unlock("aud", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	es, err := aud.AuditEntries(vault.AuditFilter{Action: AuditResultLate, Case: id})
	if err != nil || len(es) != 1 || !strings.Contains(es[0].Detail, "SIS hit: case purged") {
		t.Fatalf("audit of the late result: %+v %v", es, err)
	}
}

// TestPurgeAfterARealScreening: the whole path with the app's own commands. A screening is
// recorded, its checks sent and answered, the form completed and the person referred (the
// referral queues the screening-form packet, SR Art 18). No biometrics are taken in this
// test, so no Eurodac packet is due (the Eurodac condition is in forms.TestMayPurge).
// Central's signed config sets a 1 h grace.
// Right after the receipts the purge is refused (grace running); past the grace the sync
// worker purges the case by the same rule, and `case purge` of it then says it is gone.
func TestPurgeAfterARealScreening(t *testing.T) {
	authority, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	srv, url := serveWithConfig(t, []byte(`{"receiving_authorities": {"asylum": "`+authority.Recipient().String()+`"}, "retention": {"purgeGraceHours": 1}}`))
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	med := medic(t, term)
	enrolAt(t, off, srv, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := off.SyncOnce(ctx); err != nil { // central's config: recipient and grace
		t.Fatal(err)
	}
	id := screenedCase(t, off, med, time.Now().Add(-time.Hour))
	var c *forms.Case
	var rev int
	for i := 0; i < 30; i++ {
		if c, rev, _ = off.ReadCase(id); len(c.PendingChecks()) == 0 {
			break
		}
		if _, err := off.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantRefusal(t, off.PurgeCase(id), forms.PurgeNotEnded)
	if _, err := off.Do(id, rev, CompleteForm{}, RecordReferral{forms.Referral{To: forms.ReferAsylum, Authority: "TEST AUTHORITY"}}); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, off.PurgeCase(id), forms.PurgeFormNotReceipted)
	if _, err := off.SyncOnce(ctx); err != nil { // the screening-form packet is delivered
		t.Fatal(err)
	}
	wantRefusal(t, off.PurgeCase(id), forms.PurgeGraceRunning)

	off.mu.Lock()
	later := time.Now().Add(2 * time.Hour) // past central's 1 h, far inside the default 72 h
	off.nowFunc = func() time.Time { return later }
	off.mu.Unlock()
	if _, err := off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Case(id); !errors.Is(err, ErrNoCase) {
		t.Fatalf("after the grace period the worker kept the case: %v", err)
	}
	if st, _ := off.SyncStatus(); st.Purged == 0 {
		t.Errorf("no packet marked purged: %+v", st)
	}
	// the Sync screen keeps the purged case's packets under "no longer on this terminal"
	if groups, err := off.PacketGroups(); err != nil || len(groups) != 1 || !groups[0].Gone || groups[0].Reference != "" || groups[0].CaseID != id {
		t.Errorf("packet groups after the purge: %+v %v", groups, err)
	}
}
