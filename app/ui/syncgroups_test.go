package ui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// twoCasesInTheOutbox: case "refused" was sent and central refused its packet (its sealed
// file was damaged on disk); case "waiting" was captured 60 h after its application and
// sent with no link since: its security checks and Eurodac registration wait, the Eurodac
// one at forms' warning level (60 of 72 h).
func twoCasesInTheOutbox(t *testing.T) (u *UI, refused, waiting *forms.Case) {
	t.Helper()
	srv, url := startTestCentral(t, central.Options{})
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 41})
	camera := sim.New(hardware.Face, sim.Options{Seed: 41})
	u, w := officerWithPairings(t, scanner, camera)
	w.Resize(fyne.NewSize(1300, 1000))
	sess := u.Session()
	tok, _ := srv.CreateToken()
	if err := sess.Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker()
	now := sess.Now()
	person := func(given string) forms.Identity {
		return forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{given},
			BirthDate: forms.DateOf(now.AddDate(-30, 0, 0)), Sex: forms.SexMale, Nationalities: []string{"SYR"}}
	}
	rid, err := sess.CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-2 * time.Hour)},
		Identity: person("REFUSED")})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := sess.Submit(rid)
	if err != nil || len(pk) != 1 {
		t.Fatalf("submit: %v %v", pk, err)
	}
	path := fsync.PacketPath(u.term.Vault().PacketDir(), pk[0])
	data, _ := os.ReadFile(path)
	data[len(data)-1] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if rep, err := sess.SyncOnce(ctx); err != nil || rep.Refused != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	wid, err := sess.CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-70 * time.Hour)},
		Identity: person("WAITING"), Application: forms.Application{Made: forms.AnswerYes, At: now.Add(-60 * time.Hour), Place: "BCP"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.CaptureBiometrics(context.Background(), wid, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	if pk, err := sess.Submit(wid); err != nil || len(pk) != 2 {
		t.Fatalf("submit: %v %v", pk, err)
	}
	refused, _ = sess.Case(rid)
	waiting, _ = sess.Case(wid)
	return u, refused, waiting
}

// TestSyncScreenGroupsByCase (issue 17): the Sync screen groups the packets under each
// case's reference (the refused case first), words each packet's kind, shows the Eurodac
// time left coloured by forms' level, and says under the refused packet what the officer
// can do; packet IDs appear only in the details line.
func TestSyncScreenGroupsByCase(t *testing.T) {
	u, refused, waiting := twoCasesInTheOutbox(t)
	test.Tap(button(t, u.win, T("nav.sync")))
	now := u.Session().Now()
	lines := u.syncPackets.lines(now)
	var got []string
	for _, l := range lines {
		got = append(got, l.main)
	}
	want := []string{
		Tf("sync.case", refused.Reference),
		T("packetkind.security_check") + " · " + T("packetstate.refused"),
		Tf("sync.case", waiting.Reference),
		"", "", // the waiting case's two packets, in the order queued (same moment: either)
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("lines %q, want %q", got, want)
	}
	kinds := map[string]syncText{}
	for _, l := range lines[3:] {
		kind, _, _ := strings.Cut(l.main, " · ")
		kinds[kind] = l
	}
	eu, ok := kinds[T("packetkind.eurodac")]
	if !ok || kinds[T("packetkind.security_check")].main == "" {
		t.Fatalf("the waiting case's packets: %q", got[3:])
	}
	dl := waiting.Deadlines().Eurodac
	if lvl := dl.Level(now); lvl != forms.LevelWarning || !strings.HasPrefix(eu.due, Tf("sync.eurodacLeft", left(dl.Due(), now))) ||
		!strings.Contains(eu.due, T("level.warning")) || eu.dueLevel != forms.LevelWarning {
		t.Errorf("Eurodac line %q (level %v), want its time left %s at warning", eu.due, eu.dueLevel, left(dl.Due(), now))
	}
	if eu.advice != T("packetadvice.export") {
		t.Errorf("a Eurodac packet at warning level: advice %q", eu.advice)
	}
	if r := lines[1]; r.advice != T("packetadvice.technician") || r.adviceImp != widget.DangerImportance || r.state != widget.DangerImportance {
		t.Errorf("refused line: %+v, want the technician sentence in red", r)
	}
	if !strings.Contains(lines[1].details, T("sync.problem")[:len(T("sync.problem"))-2]) || !strings.Contains(lines[1].details, "digest-mismatch") {
		t.Errorf("refused details: %q", lines[1].details)
	}
	// what the list shows: references and sentences on screen, no packet ID as main text
	text := labelsText(u.win)
	for _, s := range []string{want[0], want[2], T("packetadvice.technician")} {
		if !strings.Contains(text, s) {
			t.Errorf("not on screen: %q\n%s", s, text)
		}
	}
	if b := find(u.win, func(c *canvas.Text) bool { return c.Text == eu.due }); b == nil || b.Color != inkOnDark {
		t.Errorf("the Eurodac time left is not on screen on its badge: %q", eu.due)
	}
	if r := find(u.win, func(r *canvas.Rectangle) bool { return r.FillColor == levelFill[forms.LevelWarning] }); r == nil {
		t.Error("no badge in forms' warning colour on screen")
	}
	// the refused case's checks step says its query was refused, not merely pending
	rows, _ := u.Session().CaseRows()
	for _, r := range rows {
		if r.Reference == refused.Reference {
			u.showCase(r.ID)
		}
	}
	gotoStep(t, u.win, "checks")
	for _, l := range u.openCase.view.(*checksStep).lines {
		if !strings.Contains(l.detail.Text, T("checks.queryRefused")) || l.detail.Importance != widget.DangerImportance {
			t.Errorf("%s: %q, want the refused query said in red", l.system, l.detail.Text)
		}
	}
	packets, _ := u.Session().Outbox()
	for _, r := range packets {
		for _, l := range lines {
			if strings.Contains(l.main, shortID(r.PacketID)) || strings.Contains(l.left, r.PacketID[:8]) {
				t.Errorf("packet ID in a main line: %+v", l)
			}
		}
	}
}

// TestSyncScreenGroupsByCaseInDutch: the same screen in Dutch.
func TestSyncScreenGroupsByCaseInDutch(t *testing.T) {
	u, refused, waiting := twoCasesInTheOutbox(t)
	SetLanguage("nl")
	defer SetLanguage("en")
	u.showSync()
	text := labelsText(u.win)
	for _, s := range []string{"Zaak " + refused.Reference, "Zaak " + waiting.Reference, "Veiligheidscontroles · GEWEIGERD",
		"Eurodac-registratie · wacht", "Bel de technicus.", "druk dan op Exporteren naar gegevensdrager"} {
		if !strings.Contains(text, s) {
			t.Errorf("the Dutch Sync screen lacks %q:\n%s", s, text)
		}
	}
	if find(u.win, func(c *canvas.Text) bool { return strings.HasPrefix(c.Text, "Eurodac: nog ") }) == nil {
		t.Error("the Dutch Sync screen has no Eurodac time left badge (Eurodac: nog …)")
	}
}
