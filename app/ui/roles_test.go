package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
)

// signInAs locks the current session and unlocks as another user.
func signInAs(t *testing.T, u *UI, w fyne.Window, name, pass string) {
	t.Helper()
	u.Lock()
	es := entries(w)
	es[0].SetText(name)
	es[1].SetText(pass)
	test.Tap(button(t, w, T("unlock.button")))
	if u.Session() == nil {
		t.Fatalf("could not sign in as %s: %s", name, labelsText(w))
	}
}

func hasButton(w fyne.Window, text string) bool {
	return find(w, func(b *widget.Button) bool { return b.Text == text }) != nil
}

// TestRolesThroughTheUI: the supervisor adds users on the Users screen; a technician then
// sees no case data and no case list, an officer has no audit log, and an auditor sees only
// the audit log and can verify it.
func TestRolesThroughTheUI(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	// a case with a recognisable name, so we can look for it on other users' screens
	if _, err := u.Session().CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "BCP", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSONBRAVO"}}}); err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, T("nav.users")))
	for _, nu := range []struct{ name, role string }{{"tec1", "technician"}, {"off1", "officer"}, {"aud1", "auditor"}} {
		es := entries(w)
		es[0].SetText(nu.name)
		es[1].SetText("a passphrase for " + nu.name)
		sel := find(w, func(s *widget.Select) bool { return true })
		sel.SetSelected(T("role." + nu.role))
		test.Tap(button(t, w, T("users.add")))
		if !strings.Contains(labelsText(w), nu.name+" — "+T("role."+nu.role)) {
			t.Fatalf("user %s not listed after adding: %s", nu.name, labelsText(w))
		}
	}

	signInAs(t, u, w, "tec1", "a passphrase for tec1")
	if hasButton(w, T("nav.cases")) || hasButton(w, T("nav.audit")) || strings.Contains(labelsText(w), "TESTPERSONBRAVO") {
		t.Errorf("technician sees cases or audit: screen %s\n%s", u.Screen(), labelsText(w))
	}
	if _, err := u.Session().CaseRows(); err == nil {
		t.Error("technician session lists cases")
	}

	signInAs(t, u, w, "off1", "a passphrase for off1")
	if hasButton(w, T("nav.audit")) || hasButton(w, T("nav.users")) {
		t.Error("officer sees the audit log or users")
	}
	if u.Screen() != "cases" || !strings.Contains(labelsText(w), "TESTPERSONBRAVO") {
		t.Errorf("officer does not see the case list: %s", labelsText(w))
	}

	signInAs(t, u, w, "aud1", "a passphrase for aud1")
	if u.Screen() != "audit" || hasButton(w, T("nav.cases")) {
		t.Fatalf("auditor lands on %s", u.Screen())
	}
	test.Tap(button(t, w, T("audit.verify")))
	if !strings.Contains(labelsText(w), "Audit chain intact") {
		t.Errorf("verify: %s", labelsText(w))
	}
}

func TestSettingsSwitchLanguage(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	defer SetLanguage("en")
	firstRun(t, u, w)
	test.Tap(button(t, w, T("nav.settings")))
	sel := find(w, func(s *widget.Select) bool { return len(s.Options) == 2 })
	sel.SetSelected("Nederlands")
	if !hasButton(w, "Zaken") || !hasButton(w, "Wachtzin wijzigen") {
		t.Fatalf("interface not in Dutch after switching: %s", labelsText(w))
	}
}

// TestMonitorScreenShowsNoPersonalData: the supervisor adds a monitor on the Users screen; the
// monitor lands on the monitoring screen (Screening Art 10), sees the period's screenings by
// pseudonym, and no name or document number anywhere on its screens; it has no case list.
func TestMonitorScreenShowsNoPersonalData(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	id, err := u.Session().CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerDisembarkation, Place: "Port", At: u.Session().Now()},
		Identity:  forms.Identity{Surnames: []string{"CANARYMARKERSURNAME"}, GivenNames: []string{"CANARYMARKERGIVEN"}},
		Documents: []forms.Document{{Type: "P", Number: "CANARYDOC9911", IssuingState: "UTO"}}})
	if err != nil {
		t.Fatal(err)
	}
	test.Tap(button(t, w, T("nav.users")))
	es := entries(w)
	es[0].SetText("mon1")
	es[1].SetText("a passphrase for mon1")
	find(w, func(s *widget.Select) bool { return true }).SetSelected(T("role.monitor"))
	test.Tap(button(t, w, T("users.add")))
	if !strings.Contains(labelsText(w), "mon1 — "+T("role.monitor")) {
		t.Fatalf("monitor not listed: %s", labelsText(w))
	}
	signInAs(t, u, w, "mon1", "a passphrase for mon1")
	if u.Screen() != "monitor" || hasButton(w, T("nav.cases")) {
		t.Fatalf("monitor lands on %s", u.Screen())
	}
	w.Resize(fyne.NewSize(1600, 900))
	text := labelsText(w)
	if !strings.Contains(text, Tf("monitor.count", 1)) {
		t.Fatalf("monitoring screen: %s", text)
	}
	tbl := find(w, func(tb *widget.Table) bool { return true })
	if r, c := tbl.Length(); r != 1 || c != 9 {
		t.Fatalf("table %dx%d", r, c)
	}
	if got := monitorCell(mustOversight(t, u), 0); got != string(id) {
		t.Fatalf("pseudonym %q, want %s", got, id)
	}
	for _, m := range []string{"CANARYMARKERSURNAME", "CANARYMARKERGIVEN", "CANARYDOC9911"} {
		if strings.Contains(text, m) {
			t.Errorf("the monitor's screen shows %s", m)
		}
	}
	test.Tap(button(t, w, T("nav.audit")))
	if strings.Contains(labelsText(w), "CANARYMARKER") {
		t.Error("the audit screen shows a name to the monitor")
	}
}

func mustOversight(t *testing.T, u *UI) forms.OversightSummary {
	t.Helper()
	cs, err := u.Session().MonitorCases(app.Period{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("monitor cases: %d %v", len(cs), err)
	}
	return cs[0]
}
