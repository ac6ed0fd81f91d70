package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestSyncScreenEnrolSendReceipt: enrol through the Sync screen with an in-process central
// (real mutual TLS on loopback), send a case from its form step, "send now", and see the
// receipt and the checks' answers on the case.
func TestSyncScreenEnrolSendReceipt(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{Watchlist: []string{"TESTPERSON WATCHED"}})

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
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: time.Now()},
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
	if len(c.Checks) == 0 || c.Checks[0].Status != forms.CheckHit {
		t.Fatalf("checks on the case: %+v", c.Checks)
	}
	u.showCase(id)
	for i, st := range caseSteps {
		if st.key == "checks" {
			u.openCase.Step(i)
		}
	}
	if !strings.Contains(labelsText(w), "HIT") {
		t.Errorf("the checks step does not show the hit: %s", labelsText(w))
	}
}
