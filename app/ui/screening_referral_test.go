package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestFullScreeningEndsInReferral (Screening Regulation Art 17, 18): a whole screening on
// the screens, against an in-process central over mutual TLS: trigger, identity,
// information, vulnerability, statement, the medic's health outcome, send, the checks'
// answers, complete the form, refer to asylum; the screening-form packet is queued with the
// referral and central's verified receipt is on the Sync screen.
func TestFullScreeningEndsInReferral(t *testing.T) {
	// central's config names the asylum authority's recipient: without one the form is not
	// sent (app.FormNotSent)
	authority, _ := age.GenerateX25519Identity()
	srv, url := centralWithConfig(t, `{"receiving_authorities": {"asylum": "`+authority.Recipient().String()+`"}}`)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	test.Tap(button(t, w, T("nav.sync")))
	tok, _ := srv.CreateToken()
	es := entries(w)
	es[0].SetText(url)
	es[1].SetText(tok)
	test.Tap(button(t, w, T("sync.enrol")))
	if !u.Session().Enrolled() {
		t.Fatalf("not enrolled: %s", labelsText(w))
	}
	u.stopSyncWorker() // the test drives sending itself

	test.Tap(button(t, w, T("nav.cases")))
	test.Tap(button(t, w, T("cases.new")))
	entries(w)[0].SetText("NLSPL Schiphol")
	find(w, func(s *widget.Select) bool { return true }).SetSelectedIndex(2) // Art 5(2)
	test.Tap(button(t, w, T("common.save")))
	nav := find(w, func(l *widget.List) bool { return true })
	nav.Select(stepIndex(t, "identity"))
	es = entries(w)
	es[0].SetText("Testperson")
	es[1].SetText("Echo")
	setEntry(t, w, T("identity.birthPlaceholder"), "1991-02-03")
	setEntry(t, w, T("identity.natPlaceholder"), "SYR")
	setEntry(t, w, T("identity.langPlaceholder"), "ara")
	setEntry(t, w, T("identity.countryPlaceholder"), "SYR")
	setEntry(t, w, T("identity.residencesPlaceholder"), "TUR")
	find(w, func(r *widget.RadioGroup) bool { return true }).SetSelected("F")
	nav.Select(stepIndex(t, "information"))
	find(w, func(s *widget.Select) bool { return true }).SetSelected("en")
	nav.Select(stepIndex(t, "vulnerability"))
	find(w, func(c *widget.Check) bool { return c.Text == T("vuln.done") }).SetChecked(true)
	nav.Select(stepIndex(t, "statement"))
	sel := allSelects(w)
	sel[1].SetSelectedIndex(2) // family: no
	sel[2].SetSelected(T("answer.yes"))
	test.Tap(button(t, w, T("common.save")))

	rows, _ := u.Session().CaseRows()
	id := rows[0].ID
	med := medicSession(t, u, term)
	_, rev, _ := med.ReadCase(id)
	if _, err := med.Do(id, rev, medHealth()); err != nil {
		t.Fatal(err)
	}

	nav.Select(stepIndex(t, "form"))
	test.Tap(button(t, w, T("form.send")))
	for i := 0; i < 20; i++ {
		if _, err := u.Session().SyncOnce(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if c, _ := u.Session().Case(id); len(c.Checks) > 0 && len(c.PendingChecks()) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	u.showCase(id)
	u.openCase.Step(stepIndex(t, "form"))
	test.Tap(button(t, w, T("form.complete")))
	find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.ReferralTargets) }).SetSelectedIndex(0)
	entries(w)[0].SetText("IND Ter Apel")
	test.Tap(button(t, w, T("common.save")))

	c, _ := u.Session().Case(id)
	if c.Status != forms.StatusReferred || len(c.FormPackets) != 1 {
		t.Fatalf("after the referral: status %s, outcome %s, form packets %+v; screen: %s", c.Status, c.Outcome, c.FormPackets, labelsText(w))
	}
	if _, err := u.Session().SyncOnce(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	st := ""
	_ = u.Session().Vault().View(func(tx *vault.Tx) error {
		out, err := fsync.Rows(tx)
		for _, r := range out {
			if r.PacketID == c.FormPackets[0].PacketID && r.Kind == fsync.KindScreeningForm {
				st = r.State
			}
		}
		return err
	})
	if st != fsync.StateDelivered {
		t.Fatalf("screening-form packet: %q, want a verified receipt", st)
	}
	test.Tap(button(t, w, T("common.back")))
	test.Tap(button(t, w, T("nav.sync")))
	if !strings.Contains(labelsText(w), T("packetstate.delivered")) {
		t.Errorf("the Sync screen shows no receipt: %s", labelsText(w))
	}
}

// medicSession adds a medic (as the signed-in supervisor) and unlocks their session.
func medicSession(t *testing.T, u *UI, term *app.Terminal) *app.Session {
	t.Helper()
	if err := u.Session().AddUser("med1", vault.Medic, []byte(supPass)); err != nil {
		t.Fatal(err)
	}
	med, err := term.Unlock("med1", []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	return med
}

func medHealth() app.Command {
	return app.RecordHealth{Outcome: forms.HealthOutcome{Result: forms.HealthNoFurtherCheck}}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
