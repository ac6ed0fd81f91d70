package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestQueueAndSyncScreenFollowFormsDeadlines: the Eurodac deadline is decided once, in
// forms. Three cases are captured on simulated devices and sent: an applicant (ER Art
// 15(1)(a): 72 h from the registration of the application, 60 h ago), a temporary-protection
// case (ER Art 26(2): 10 days, 3 days gone) and a retake (a finger temporarily unusable at
// the first attempt, taken now: the clock runs from the retake). The outbox drains in the
// order of forms' due moments, each packet carries exactly forms' deadline, and the Sync
// screen lists them in that order with forms' level, its alarm on the applicant's packet.
func TestQueueAndSyncScreenFollowFormsDeadlines(t *testing.T) {
	srv, url := startTestCentral(t, central.Options{})
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 31})
	camera := sim.New(hardware.Face, sim.Options{Seed: 31})
	u, w := officerWithPairings(t, scanner, camera)
	w.Resize(fyne.NewSize(1400, 1400))
	sess := u.Session()
	tok, _ := srv.CreateToken()
	if err := sess.Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	u.stopSyncWorker() // the test reads the queue before anything is sent

	now := sess.Now()
	person := func(given string) forms.Identity {
		return forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{given},
			BirthDate: forms.DateOf(now.AddDate(-30, 0, 0)), Sex: forms.SexMale, Nationalities: []string{"SYR"}}
	}
	tp := &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-72 * time.Hour)},
		Identity: person("TEMPPROT"), Eurodac: forms.Eurodac{Category: forms.EurodacTemporaryProtection}}
	retake := &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-100 * time.Hour)},
		Identity: person("RETAKE"), Biometrics: forms.Biometrics{Fingers: []forms.Finger{{Position: forms.RightMiddle,
			Status: forms.FingerTemporarilyUnusable, RetakeOn: forms.DateOf(now.Add(-24 * time.Hour)), At: now.Add(-99 * time.Hour)}}}}
	applicant := &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-70 * time.Hour)},
		Identity: person("APPLICANT"), Application: forms.Application{Made: forms.AnswerYes, At: now.Add(-60 * time.Hour), Place: "BCP"}}
	ids, err := sess.CreateCases([]*forms.Case{tp, retake, applicant})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := sess.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
			t.Fatalf("capture: %v", err)
		}
		if _, err := sess.Submit(id); err != nil {
			t.Fatalf("submit: %v", err)
		}
	}
	at := sess.Now()
	name := map[vault.CaseID]string{ids[0]: "temporary protection", ids[1]: "retake", ids[2]: "applicant"}
	cases := map[string]*forms.Case{}
	for _, id := range ids {
		c, err := sess.Case(id)
		if err != nil {
			t.Fatal(err)
		}
		cases[string(id)] = c
	}
	if r := cases[string(ids[1])].RetakenAt(); r.IsZero() {
		t.Fatalf("the retake case records no retake: %+v", cases[string(ids[1])].Biometrics.Fingers)
	}

	rows, err := sess.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var eurodacRows []*fsync.Row
	for _, r := range rows {
		c := cases[r.CaseID]
		d := c.Deadlines()
		want := d.Screening
		if r.Kind == fsync.KindEurodac {
			want = d.Eurodac
			order = append(order, name[vault.CaseID(r.CaseID)])
			eurodacRows = append(eurodacRows, r)
		}
		if !r.Deadline.Equal(want.Due()) || !r.DeadlineFrom.Equal(want.Start) {
			t.Errorf("%s packet of %s: deadline %v from %v, forms says %v from %v", r.Kind, name[vault.CaseID(r.CaseID)], r.Deadline, r.DeadlineFrom, want.Due(), want.Start)
		}
		if got, w := sess.PacketLevel(r), want.Level(at); got != w {
			t.Errorf("%s packet of %s: level %v, forms says %v", r.Kind, name[vault.CaseID(r.CaseID)], got, w)
		}
	}
	if strings.Join(order, ", ") != "applicant, retake, temporary protection" {
		t.Fatalf("Eurodac packets drain in the order %v, want forms' due order: applicant (due in 12 h), retake (72 h), temporary protection (7 days)", order)
	}
	for i := 1; i < len(eurodacRows); i++ {
		if eurodacRows[i].Deadline.Before(eurodacRows[i-1].Deadline) {
			t.Errorf("queue order does not follow the deadlines: %v before %v", eurodacRows[i-1].Deadline, eurodacRows[i].Deadline)
		}
	}

	test.Tap(button(t, w, T("nav.sync")))
	// the Sync screen groups the packets by case, the cases in the order of their nearest
	// deadline; each Eurodac line shows its time left with forms' level in words and colour
	var shown []string
	byRef := map[string]vault.CaseID{}
	for id := range name {
		byRef[Tf("sync.case", cases[string(id)].Reference)] = id
	}
	var group vault.CaseID
	lines := u.syncPackets.lines(u.Session().Now())
	for _, l := range lines {
		if l.bold {
			group = byRef[l.main]
			continue
		}
		if !strings.HasPrefix(l.main, T("packetkind.eurodac")+" · ") {
			continue
		}
		shown = append(shown, name[group])
		lvl := cases[string(group)].Deadlines().Eurodac.Level(at)
		if !strings.HasPrefix(l.due, "Eurodac: ") || l.dueLevel != lvl {
			t.Errorf("Sync screen line of %s: %q (level %v), want the Eurodac time left coloured by %v", name[group], l.due, l.dueLevel, lvl)
		}
		if lvl > forms.LevelNone && !strings.Contains(l.due, "("+T("level."+lvl.String())+")") {
			t.Errorf("Sync screen line of %s: %q, want forms' level %v", name[group], l.due, lvl)
		}
		if lvl == forms.LevelNone && strings.Contains(l.due, "(") {
			t.Errorf("Sync screen line of %s shows a level: %q", name[group], l.due)
		}
	}
	if strings.Join(shown, ", ") != strings.Join(order, ", ") {
		t.Errorf("the Sync screen lists the Eurodac packets as %v, the queue drains %v:\n%+v", shown, order, lines)
	}
	if lvl := cases[string(ids[2])].Deadlines().Eurodac.Level(at); lvl != forms.LevelWarning {
		t.Fatalf("applicant at %v, want warning (60 of 72 h)", lvl)
	}
	alarm := find(w, func(l *widget.Label) bool { return strings.Contains(l.Text, "ALARM") })
	if alarm == nil || alarm.Importance != widget.DangerImportance || !strings.Contains(alarm.Text, timeText(eurodacRows[0].Deadline)) {
		t.Errorf("alarm %+v, want the applicant's packet (due %s) at danger", alarm, timeText(eurodacRows[0].Deadline))
	}
}

// TestCaseShowsEurodacRetention: the case screen names the Eurodac category forms picks and
// the retention it implies (ER Art 29): 10 years for an applicant, 5 for an irregular
// crossing, not recorded for temporary protection.
func TestCaseShowsEurodacRetention(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	now := u.Session().Now()
	for _, tc := range []struct {
		c    *forms.Case
		want string
	}{
		{&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "BCP", At: now}},
			Tf("case.eurodacRetention", T("eurodaccat.applicant"), 10, "Eurodac Art 29(1)")},
		{&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now}},
			Tf("case.eurodacRetention", T("eurodaccat.irregular_crossing"), 5, "Eurodac Art 29(6)")},
		{&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now}, Eurodac: forms.Eurodac{Category: forms.EurodacTemporaryProtection}},
			Tf("case.eurodacRetentionUnknown", T("eurodaccat.temporary_protection"), "Eurodac Art 29(9)")},
	} {
		id, err := u.Session().CreateCase(tc.c)
		if err != nil {
			t.Fatal(err)
		}
		u.showCase(id)
		if text := labelsText(w); !strings.Contains(text, tc.want) {
			t.Errorf("case screen does not show %q:\n%s", tc.want, text)
		}
	}
}
