package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestFullScreeningThroughTheUI is one whole screening through the screens, as an officer
// does it: unlock → new case → document autofill from the simulated MRZ reader → health and
// vulnerability → ten fingers and the face from the simulated devices → form and referral →
// send → sync to an in-process central over mutual TLS → the receipt and central's answers
// shown on the case.
func TestFullScreeningThroughTheUI(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{})

	reader := sim.New(hardware.Document, sim.Options{})
	devs := append(simCaptureDevices(21), reader)
	u, w := officerWithPairings(t, devs...)
	tok, _ := srv.CreateToken()
	if err := u.Session().Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker() // the test presses "send now" itself

	// unlock again, as at the start of a shift
	signInAs(t, u, w, "off1", "a passphrase for off1")
	u.stopSyncWorker()
	if u.Screen() != "cases" {
		t.Fatalf("after unlock: %s", u.Screen())
	}
	// new case, trigger
	newCaseAt(t, u, w, "document")
	// document autofill from the MRZ reader, check digits shown
	test.Tap(button(t, w, T("docread.button")))
	if !strings.Contains(labelsText(w), T("docread.valid")) {
		t.Fatalf("MRZ autofill: %s", labelsText(w))
	}
	// declared identity (an adult, so biometrics are required)
	gotoStep(t, w, "identity")
	es := entries(w)
	es[0].SetText("Testperson")
	es[1].SetText("Alpha")
	es[2].SetText("1990-01-01")
	// information, health outcome is the medic's (the officer sees it read-only), vulnerability
	gotoStep(t, w, "information")
	find(w, func(s *widget.Select) bool { return true }).SetSelected("fa")
	gotoStep(t, w, "vulnerability")
	find(w, func(c *widget.Check) bool { return c.Text == T("vuln.done") }).SetChecked(true)
	test.Tap(button(t, w, T("common.save")))
	// ten fingers and the face
	gotoStep(t, w, "biometrics")
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	if n := fingerCounts(c); n[forms.FingerCaptured] != 10 || c.Biometrics.Face.Status != forms.FaceCaptured {
		t.Fatalf("capture: %v, face %q\n%s", n, c.Biometrics.Face.Status, labelsText(w))
	}
	// form and referral, then send
	gotoStep(t, w, "form")
	find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.ReferralTargets) }).SetSelectedIndex(0)
	entries(w)[0].SetText("IND")
	test.Tap(button(t, w, T("form.send")))
	if !strings.Contains(labelsText(w), "sealed and queued") {
		t.Fatalf("send: %s", labelsText(w))
	}
	id := rowID(t, u)
	// sync to central
	test.Tap(button(t, w, T("common.back")))
	test.Tap(button(t, w, T("nav.sync")))
	for i := 0; i < 20; i++ {
		test.Tap(button(t, w, T("sync.sendNow")))
		if c, _ := u.Session().Case(id); len(c.PendingChecks()) == 0 && !c.Eurodac.TransmittedAt.IsZero() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := strings.Count(labelsText(w), T("packetstate.delivered")); got != 2 {
		t.Fatalf("%d packets shown with a verified receipt, want 2 (checks and Eurodac):\n%s", got, labelsText(w))
	}
	// the receipt and the answers on the case
	test.Tap(button(t, w, T("nav.cases")))
	if !strings.Contains(labelsText(w), T("syncstate.delivered")) {
		t.Errorf("the case list does not show the case as delivered:\n%s", labelsText(w))
	}
	u.showCase(id)
	met := strings.TrimSpace(Tf("header.limitMet", "Eurodac "+limitText(forms.EurodacLimit), ""))
	if b := u.openCase.head.limits[1]; !strings.HasPrefix(b.text.Text, met) || b.bg.FillColor != metFill {
		t.Errorf("the case header shows the Eurodac deadline as %q, want %q", b.text.Text, met)
	}
	gotoStep(t, w, "checks")
	if txt := labelsText(w); !strings.Contains(txt, T("checks.state.no_hit")) || strings.Contains(txt, T("checks.state.pending")) {
		t.Errorf("security checks on the case:\n%s", txt)
	}
	final, _ := u.Session().Case(id)
	if final.Documents[0].Source != "mrz" || final.Info.LeafletLanguage != "fa" || !final.Vulnerability.Checked ||
		final.Referral.To != forms.ReferAsylum || final.Eurodac.Reference == "" {
		t.Errorf("stored case: doc %+v info %+v referral %+v eurodac %+v", final.Documents[0], final.Info, final.Referral, final.Eurodac)
	}
}
