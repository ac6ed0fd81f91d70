package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

const supPass = "correct horse battery staple"

// newTestUI opens the UI on a fresh vault directory in the test driver.
func newTestUI(t *testing.T, idle time.Duration) (*UI, fyne.Window, *app.Terminal) {
	t.Helper()
	runAsync = func(work, done func()) { work(); done() }
	uiDo = func(f func()) {
		uiMu.Lock()
		defer uiMu.Unlock()
		f()
	}
	test.NewTempApp(t)
	cfg := app.DefaultConfig()
	cfg.VaultDir = filepath.Join(t.TempDir(), "vault")
	cfg.IdleTimeout = idle
	term, err := app.OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1100, 720))
	u := New(w, term)
	u.Start()
	return u, w, term
}

// find walks the window's objects and returns the first that matches.
func find[T fyne.CanvasObject](w fyne.Window, match func(T) bool) T {
	return findIn(w.Content(), match)
}

// findIn is find under root (a dialog: w.Canvas().Overlays().Top()).
func findIn[T fyne.CanvasObject](root fyne.CanvasObject, match func(T) bool) T {
	var found T
	var ok bool
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if ok || o == nil {
			return
		}
		if v, is := o.(T); is && match(v) {
			found, ok = v, true
			return
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(c)
			for _, ch := range r.Objects() {
				walk(ch)
			}
		}
	}
	walk(root)
	return found
}

func button(t testing.TB, w fyne.Window, text string) *widget.Button {
	t.Helper()
	b := find(w, func(b *widget.Button) bool { return b.Text == text })
	if b == nil {
		t.Fatalf("no button %q on screen", text)
	}
	return b
}

// entries returns the visible entries in layout order.
func entries(w fyne.Window) []*widget.Entry {
	var out []*widget.Entry
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch c := o.(type) {
		case *widget.Entry:
			out = append(out, c)
			return
		case *widget.SelectEntry:
			out = append(out, &c.Entry)
			return
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch)
			}
		}
	}
	walk(w.Content())
	return out
}

// uiMu stands in for the UI goroutine in tests: background callbacks (idle lock, countdown)
// and the test's own reads of the widgets take turns.
var uiMu sync.Mutex

func labelsText(w fyne.Window) string {
	uiMu.Lock()
	defer uiMu.Unlock()
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch c := o.(type) {
		case *widget.Label:
			if c.Visible() {
				b.WriteString(c.Text + "\n")
			}
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch)
			}
		}
	}
	walk(w.Content())
	return b.String()
}

// firstRun types the first supervisor into the first-run screen.
func firstRun(t *testing.T, u *UI, w fyne.Window) {
	t.Helper()
	if u.Screen() != "firstrun" {
		t.Fatalf("screen %q, want firstrun", u.Screen())
	}
	es := entries(w)
	if len(es) != 5 {
		t.Fatalf("first run shows %d entries, want name, passphrase, again, central, token", len(es))
	}
	test.Type(es[0], "sup1")
	test.Type(es[1], supPass)
	test.Type(es[2], supPass)
	test.Tap(button(t, w, T("firstrun.create")))
	waitScreen(u, "cases")
	if u.Screen() != "cases" {
		t.Fatalf("after first run: screen %q; messages:\n%s", u.Screen(), labelsText(w))
	}
}

func TestFirstRunRefusesMismatchAndShortPassphrase(t *testing.T) {
	u, w, term := newTestUI(t, time.Hour)
	es := entries(w)
	test.Type(es[0], "sup1")
	test.Type(es[1], supPass)
	test.Type(es[2], supPass+"x")
	test.Tap(button(t, w, T("firstrun.create")))
	if u.Screen() != "firstrun" || !strings.Contains(labelsText(w), T("firstrun.mismatch")) {
		t.Fatalf("mismatch accepted: screen %s", u.Screen())
	}
	for _, e := range es[1:] {
		e.SetText("short")
	}
	test.Tap(button(t, w, T("firstrun.create")))
	waitFor(func() bool { return strings.Contains(labelsText(w), "too short") })
	if u.Screen() != "firstrun" || !strings.Contains(labelsText(w), "too short") {
		t.Fatalf("short passphrase accepted; messages:\n%s", labelsText(w))
	}
	if !term.NeedsSetup() {
		t.Fatal("a vault was created from refused input")
	}
}

// TestIdentityFormIsStoredEncrypted: first run → new case → trigger and identity typed →
// saved → the case is in the vault, readable through the app, and not in plain text on disk.
func TestIdentityFormIsStoredEncrypted(t *testing.T) {
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	if !strings.Contains(labelsText(w), T("cases.empty")) {
		t.Fatal("an empty vault should say there are no cases yet")
	}
	test.Tap(button(t, w, T("cases.new")))
	if u.Screen() != "case" {
		t.Fatalf("screen %q, want case", u.Screen())
	}
	// trigger step: place and time
	es := entries(w)
	test.Type(es[0], "NLSPL Schiphol")
	es[1].SetText("2026-11-28 03:10")
	sel := find(w, func(s *widget.Select) bool { return true })
	sel.SetSelectedIndex(2) // Art 5(2)
	// identity step
	nav := find(w, func(l *widget.List) bool { return true })
	nav.Select(1)
	es = entries(w)
	test.Type(es[0], "Testperson")
	test.Type(es[1], "Alpha Synthetic")
	test.Type(es[2], "2031-01-01") // a birth date in the future: saved, but flagged beside the field
	test.Tap(button(t, w, T("common.save")))
	if !strings.Contains(labelsText(w), "future") {
		t.Errorf("no problem shown beside the future birth date; labels:\n%s", labelsText(w))
	}
	rows, err := u.Session().CaseRows()
	if err != nil || len(rows) != 1 {
		t.Fatalf("case rows %v, %v", rows, err)
	}
	c, err := u.Session().Case(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Identity.Surnames[0] != "TESTPERSON" || c.Identity.GivenNames[1] != "SYNTHETIC" || c.Trigger.Place != "NLSPL Schiphol" ||
		c.Trigger.Reason != "ART5_2_APPLICATION_AT_BCP" || c.Identity.BirthDate.Year != 2031 {
		t.Fatalf("stored case %+v", c)
	}
	// fix the date and save again: the problem disappears
	es[2].SetText("1990-04-01")
	test.Tap(button(t, w, T("common.save")))
	if strings.Contains(labelsText(w), "future") {
		t.Error("problem still shown after fixing the date")
	}
	// nothing typed is in plain text on disk
	filepath.Walk(term.Config().VaultDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "TESTPERSON") || strings.Contains(string(b), "Schiphol") {
				t.Errorf("plain personal data in %s", p)
			}
		}
		return nil
	})
	// the list shows it, and search finds it by name
	test.Tap(button(t, w, T("common.back")))
	search := entries(w)[0]
	test.Type(search, "testp")
	if !strings.Contains(labelsText(w), Tf("cases.count", 1, 1)) {
		t.Errorf("search by name: %s", labelsText(w))
	}
	search.SetText("nobody")
	if !strings.Contains(labelsText(w), Tf("cases.count", 0, 1)) {
		t.Errorf("search for an absent name: %s", labelsText(w))
	}
}

func TestUnlockWrongPassphraseThenIdleLock(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	u.Lock()
	if u.Screen() != "unlock" {
		t.Fatalf("after lock: %s", u.Screen())
	}
	es := entries(w)
	es[0].SetText("sup1")
	test.Type(es[1], "not the passphrase")
	test.Tap(button(t, w, T("unlock.button")))
	if u.Screen() != "unlock" || !strings.Contains(labelsText(w), errorText(vault.ErrBadLogin)) {
		t.Fatalf("wrong passphrase: screen %s, labels %s", u.Screen(), labelsText(w))
	}
	// the idle lock: shorten it for this session, then leave the terminal alone
	u.term.SetIdleTimeout(400 * time.Millisecond)
	test.Type(es[1], supPass)
	test.Tap(button(t, w, T("unlock.button")))
	if u.Screen() != "cases" {
		t.Fatalf("unlock failed: %s", labelsText(w))
	}
	s := u.Session()
	waitFor(func() bool { return strings.Contains(labelsText(w), "locks in") || u.Screen() == "unlock" })
	waitScreen(u, "unlock")
	if u.Screen() != "unlock" || !s.Locked() {
		t.Fatal("no idle lock after the idle time")
	}
	if !strings.Contains(labelsText(w), T("unlock.idleLocked")) {
		t.Error("the unlock screen does not say why it locked")
	}
}

func TestTranslationsComplete(t *testing.T) {
	var dynamic []string
	for _, st := range forms.Statuses {
		dynamic = append(dynamic, "status."+string(st))
	}
	for _, r := range forms.TriggerReasons {
		dynamic = append(dynamic, "trigger."+string(r))
	}
	for _, st := range caseSteps {
		dynamic = append(dynamic, "step."+st.key)
	}
	for _, r := range vault.Roles() {
		dynamic = append(dynamic, "role."+string(r))
	}
	for _, v := range forms.VulnerabilityIndicators {
		dynamic = append(dynamic, "vuln."+v)
	}
	for _, r := range forms.HealthResults {
		dynamic = append(dynamic, "health."+string(r))
	}
	for _, c := range forms.EurodacCategories {
		dynamic = append(dynamic, "eurodaccat."+string(c))
	}
	for _, c := range append(forms.CheckStatuses, "not_queried") {
		dynamic = append(dynamic, "checks.state."+string(c), "checks.count."+string(c))
	}
	for _, k := range app.PacketKinds {
		dynamic = append(dynamic, "packetkind."+string(k))
	}
	for _, a := range app.Advices {
		dynamic = append(dynamic, "packetadvice."+string(a))
	}
	for _, st := range []string{fsync.StatePending, fsync.StateDelivered, fsync.StateRefused, fsync.StatePurged} {
		dynamic = append(dynamic, "packetstate."+st)
	}
	for _, r := range forms.ReferralTargets {
		dynamic = append(dynamic, "referral."+string(r))
	}
	for _, k := range []string{"seq", "time", "user", "action", "case", "detail"} {
		dynamic = append(dynamic, "audit."+k)
	}
	for _, k := range []string{"finger", "face", "document"} {
		dynamic = append(dynamic, "settings.device."+k)
	}
	for _, l := range levelFilters {
		dynamic = append(dynamic, "filter.level."+l.String())
		if l > forms.LevelNone {
			dynamic = append(dynamic, "level."+l.String())
		}
	}
	for i, y := range syncFilters {
		dynamic = append(dynamic, "filter.sync."+syncKey(y))
		if i > 0 {
			dynamic = append(dynamic, "syncstate."+syncKey(y))
		}
	}
	for _, k := range dynamic {
		for _, l := range Languages {
			if _, ok := strs.msgs[l][k]; !ok {
				t.Errorf("key %q has no %s text", k, l)
			}
		}
	}
	if m := missingKeys(); len(m) > 0 {
		t.Fatalf("keys missing in a language: %v", m)
	}
	re := regexp.MustCompile(`\bTf?\("([a-zA-Z0-9_.]+)"`)
	add := regexp.MustCompile(`\.add\("[^"]*", "([a-zA-Z0-9_.]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, r := range []*regexp.Regexp{re, add} {
			for _, m := range r.FindAllStringSubmatch(string(b), -1) {
				if strings.HasSuffix(m[1], ".") {
					continue // a prefix completed at run time: checked below
				}
				for _, l := range Languages {
					if _, ok := strs.msgs[l][m[1]]; !ok {
						t.Errorf("%s: key %q has no %s text", f, m[1], l)
					}
				}
			}
		}
	}
}

// waitFor polls cond for up to five seconds: slow steps (key derivation) finish off the UI
// goroutine and report back through fyne.Do.
func waitFor(cond func() bool) {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && !cond(); {
		time.Sleep(10 * time.Millisecond)
	}
}

func waitScreen(u *UI, name string) { waitFor(func() bool { return u.Screen() == name }) }

// TestCaseListFilters: the status, deadline and sync filters keep the right rows.
func TestCaseListFilters(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	now := time.Now()
	old := &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-8 * 24 * time.Hour)},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"OVERDUE"}}}
	fresh := &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"FRESH"}}}
	if _, err := u.Session().CreateCases([]*forms.Case{old, fresh}); err != nil {
		t.Fatal(err)
	}
	u.showCaseList()
	if !strings.Contains(labelsText(w), Tf("cases.count", 2, 2)) {
		t.Fatalf("list: %s", labelsText(w))
	}
	lv := find(w, func(s *widget.Select) bool { return s.Options[0] == T("filter.level.none") })
	lv.SetSelectedIndex(3) // overdue
	text := labelsText(w)
	if !strings.Contains(text, Tf("cases.count", 1, 2)) || !strings.Contains(text, "OVERDUE") || strings.Contains(text, "FRESH") {
		t.Fatalf("overdue filter: %s", text)
	}
	lv.SetSelectedIndex(0)
	sy := find(w, func(s *widget.Select) bool { return s.Options[0] == T("filter.sync.all") })
	sy.SetSelectedIndex(2) // queued
	if !strings.Contains(labelsText(w), Tf("cases.count", 0, 2)) {
		t.Fatalf("queued filter with nothing queued: %s", labelsText(w))
	}
}

// startTestCentral runs the reference central in-process on loopback with real TLS.
func startTestCentral(t *testing.T, opt central.Options) (*central.Server, string) {
	return centraltest.Start(t, opt)
}

// TestFirstRunEnrols: a token typed at first run enrols the terminal right after unlock.
func TestFirstRunEnrols(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{})
	tok, _ := srv.CreateToken()
	u, w, _ := newTestUI(t, time.Hour)
	es := entries(w)
	es[3].SetText(url)
	es[4].SetText(tok)
	firstRun(t, u, w)
	defer u.stopSyncWorker()
	if !u.Session().Enrolled() {
		t.Fatal("not enrolled after a first run with a token")
	}
}
