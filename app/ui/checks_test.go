package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// answeredChecksCase enrols the terminal, sends a case's security check and applies
// central's answers as the worker does: SIS hit (90 minutes ago), VIS no hit (just now),
// ECRIS-TCN not possible with central's reason; every other system is still pending.
func answeredChecksCase(t *testing.T) (*UI, vault.CaseID, map[string]time.Time) {
	t.Helper()
	srv, url := startTestCentral(t, central.Options{})
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	sess := u.Session()
	tok, _ := srv.CreateToken()
	if err := sess.Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker()
	now := sess.Now()
	id, err := sess.CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: now.Add(-3 * time.Hour)},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"GLANCE"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	pks, err := sess.Submit(id)
	if err != nil || len(pks) != 1 {
		t.Fatalf("submit: %v %v", pks, err)
	}
	at := map[string]time.Time{"SIS": now.Add(-90 * time.Minute), "VIS": now.Add(-10 * time.Second), "ECRIS_TCN": now.Add(-30 * time.Minute)}
	results := []fsync.Result{
		{Seq: 1, System: "SIS", Outcome: fsync.OutcomeHit, Reference: "SIS-HIT-0A1B2C3D"},
		{Seq: 2, System: "VIS", Outcome: fsync.OutcomeNoHit},
		{Seq: 3, System: "ECRIS_TCN", Outcome: fsync.OutcomeNotPossible, Reason: "ECRIS_TCN did not answer (system unavailable)"},
	}
	for _, r := range results {
		r.PacketID, r.CaseID, r.Type, r.At = pks[0], string(id), fsync.ResultCheck, at[r.System]
		if err := sess.Vault().Update(func(tx *vault.Tx) error { return app.ApplyResult(tx, r) }); err != nil {
			t.Fatal(err)
		}
	}
	return u, id, at
}

// hexRun is what a packet ID, a query digest or a hit hash looks like on screen.
var hexRun = regexp.MustCompile(`[0-9a-fA-F]{12,}`)

// TestChecksScreenReadsAtAGlance (issue 17): the security checks step lists every system
// of SR Art 15(2) by its full name (forms' names), each with its state in words and
// colour — hit red, no hit green, not possible orange with central's reason, pending
// never shown as no hit — and when it answered in local time; no packet ID or hash.
func TestChecksScreenReadsAtAGlance(t *testing.T) {
	u, id, at := answeredChecksCase(t)
	u.showCase(id)
	gotoStep(t, u.win, "checks")
	s, ok := u.openCase.view.(*checksStep)
	if !ok {
		t.Fatalf("step shown: %T", u.openCase.view)
	}
	want := map[string]struct {
		state string
		imp   widget.Importance
	}{
		"SIS":       {T("checks.state.hit"), widget.DangerImportance},
		"VIS":       {T("checks.state.no_hit"), widget.SuccessImportance},
		"ECRIS_TCN": {T("checks.state.not_possible"), widget.WarningImportance},
	}
	if len(s.lines) != len(forms.SecuritySystems) {
		t.Fatalf("%d lines, want one per system of forms (%d)", len(s.lines), len(forms.SecuritySystems))
	}
	text := labelsText(u.win)
	for i, l := range s.lines {
		sys := forms.SecuritySystems[i]
		if l.system != sys || l.name.Text != forms.System(sys).Name.EN {
			t.Errorf("line %d: %s %q, want %s by its full name %q", i, l.system, l.name.Text, sys, forms.System(sys).Name.EN)
		}
		if !strings.Contains(text, l.name.Text) {
			t.Errorf("%s: its name is not on screen", sys)
		}
		w, answered := want[sys]
		if !answered {
			w.state, w.imp = T("checks.state.pending"), widget.HighImportance
		}
		if l.state.Text != w.state || l.state.Importance != w.imp {
			t.Errorf("%s: state %q (importance %d), want %q (%d)", sys, l.state.Text, l.state.Importance, w.state, w.imp)
		}
		if answered && !strings.Contains(l.detail.Text, timeText(at[sys])) {
			t.Errorf("%s: %q does not say when it answered (%s)", sys, l.detail.Text, timeText(at[sys]))
		}
		if !answered && (!strings.Contains(l.detail.Text, T("checks.pendingNotNoHit")) || !strings.Contains(l.detail.Text, T("checks.queryWaiting"))) {
			t.Errorf("%s pending: %q", sys, l.detail.Text)
		}
	}
	if d := s.lines[0].detail.Text; !strings.Contains(d, "1h 30m") {
		t.Errorf("SIS answered 90 minutes ago by the session's clock: %q", d)
	}
	if d := s.lines[5].detail.Text; !strings.Contains(d, "system unavailable") {
		t.Errorf("ECRIS-TCN without central's reason: %q", d)
	}
	if !strings.Contains(s.summary.Text, "1 HIT") || s.summary.Importance != widget.DangerImportance {
		t.Errorf("summary %q does not lead with the hit", s.summary.Text)
	}
	c, _ := u.Session().Case(id)
	if m := hexRun.FindString(text); m != "" {
		t.Errorf("a raw ID or hash is on the checks screen: %q", m)
	}
	if strings.Contains(text, c.Checks[0].Reference) || strings.Contains(text, "SIS-HIT-") {
		t.Errorf("a query or hit reference is on the checks screen:\n%s", text)
	}
}

// TestChecksScreenInDutch: the same screen in Dutch, with forms' Dutch names.
func TestChecksScreenInDutch(t *testing.T) {
	u, id, at := answeredChecksCase(t)
	SetLanguage("nl")
	defer SetLanguage("en")
	u.showCase(id)
	gotoStep(t, u.win, "checks")
	text := labelsText(u.win)
	for _, want := range []string{"Schengeninformatiesysteem (SIS)", "ETIAS-observatielijst", "Nationale databanken",
		"HIT", "Geen hit", "Niet mogelijk", "In behandeling", "beantwoord " + timeText(at["SIS"]), "1h 30m geleden"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Dutch checks screen lacks %q:\n%s", want, text)
		}
	}
}
