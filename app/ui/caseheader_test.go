package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// headerBadges are the texts of the visible badges of the open case's header.
func headerBadges(u *UI) []string {
	h := u.openCase.head
	var out []string
	for _, b := range []*badge{h.minor, h.limits[0], h.limits[1], h.bioDue} {
		if b.box.Visible() {
			out = append(out, b.text.Text)
		}
	}
	return out
}

// TestCaseHeaderShowsPerson: the header names the person as recorded, gives the age forms
// computes, and shows the minor badge exactly when forms says the minors' rules apply: a
// 15-year-old, and a person of unknown age the officer answered "could be a minor" for (the
// benefit of the doubt); an unanswered age doubt asks for the answer; nothing recorded reads
// "not recorded", never a default.
func TestCaseHeaderShowsPerson(t *testing.T) {
	u, w := officerWithPairings(t)
	sess := u.Session()
	now := sess.Now()
	trig := forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-time.Hour)}
	doubt := &forms.Case{Trigger: trig, Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"DOUBT"},
		AgeDoubt: forms.AgeDoubt{CouldBeMinor: forms.AnswerYes, Reason: "no document, looks 15 to 17"}}}
	for _, tc := range []struct {
		name      string
		c         *forms.Case
		wantName  string
		wantAge   string
		wantBadge string // "" for no minor badge
	}{
		{"adult", &forms.Case{Trigger: trig, Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"ADULT"}, BirthDate: forms.DateOf(now.AddDate(-34, 0, -3))}},
			"TESTPERSON, ADULT", Tf("header.age", 34), ""},
		{"minor", &forms.Case{Trigger: trig, Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"MINOR"}, BirthDate: forms.DateOf(now.AddDate(-15, 0, -3))}},
			"TESTPERSON, MINOR", Tf("header.age", 15), T("header.minor")},
		{"partial date of birth", &forms.Case{Trigger: trig, Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, BirthDate: forms.PartialDate{Year: now.Year() - 40}}},
			"TESTPERSON", Tf("header.ageRange", 39, 40), ""},
		{"age in doubt, could be a minor", doubt, "TESTPERSON, DOUBT", T("header.ageNotRecorded"), T("header.minorDoubt")},
		{"nothing recorded", &forms.Case{Trigger: trig}, T("header.nameNotRecorded"), T("header.ageNotRecorded"), T("header.ageQuestion")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := sess.CreateCase(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			u.showCase(id)
			h := u.openCase.head
			if h.name.Text != tc.wantName {
				t.Errorf("name %q, want %q", h.name.Text, tc.wantName)
			}
			if !strings.HasPrefix(h.age.Text, tc.wantAge) {
				t.Errorf("age %q, want %q", h.age.Text, tc.wantAge)
			}
			if !strings.Contains(labelsText(w), tc.wantName) {
				t.Errorf("the name is not on screen:\n%s", labelsText(w))
			}
			c := u.openCase.c
			shown := h.minor.box.Visible()
			if tc.wantBadge == "" {
				if shown {
					t.Errorf("badge %q on a case without one", h.minor.text.Text)
				}
				return
			}
			if !shown || h.minor.text.Text != tc.wantBadge {
				t.Errorf("badge %q (shown %t), want %q; badges %v", h.minor.text.Text, shown, tc.wantBadge, headerBadges(u))
			}
			if minor := c.IsMinor(sess.Now()); minor != (tc.wantBadge != T("header.ageQuestion")) {
				t.Errorf("forms says minor %t, the header shows %q", minor, h.minor.text.Text)
			}
		})
	}
}

// TestCaseHeaderLimitColours: both limits are coloured by forms' level at the session's
// clock: a case whose limits passed (red), one near its Eurodac limit (orange) and one far
// from both (green); the level is in the badge's words too.
func TestCaseHeaderLimitColours(t *testing.T) {
	u, _ := officerWithPairings(t)
	sess := u.Session()
	now := sess.Now()
	trigger := func(ago time.Duration) *forms.Case {
		return &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-ago)},
			Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, BirthDate: forms.DateOf(now.AddDate(-30, 0, 0))}}
	}
	for _, tc := range []struct {
		name               string
		c                  *forms.Case
		screening, eurodac forms.Level
	}{
		{"past both limits", trigger(8 * 24 * time.Hour), forms.LevelOverdue, forms.LevelOverdue},
		{"near the Eurodac limit", trigger(62 * time.Hour), forms.LevelNone, forms.LevelWarning},
		{"half the Eurodac time", trigger(40 * time.Hour), forms.LevelNone, forms.LevelNotice},
		{"far from both", trigger(time.Hour), forms.LevelNone, forms.LevelNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := sess.CreateCase(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			u.showCase(id)
			at := sess.Now()
			d := u.openCase.c.Deadlines()
			for i, want := range []struct {
				dl    forms.Deadline
				level forms.Level
			}{{d.Screening, tc.screening}, {d.Eurodac, tc.eurodac}} {
				if got := want.dl.Level(at); got != want.level {
					t.Fatalf("forms gives %s level %v, the test wants %v", want.dl.Kind, got, want.level)
				}
				b := u.openCase.head.limits[i]
				if b.bg.FillColor != levelFill[want.level] {
					t.Errorf("%s badge %q coloured %v, want %v for level %v", want.dl.Kind, b.text.Text, b.bg.FillColor, levelFill[want.level], want.level)
				}
				switch want.level {
				case forms.LevelOverdue:
					if !strings.Contains(b.text.Text, "OVERDUE") {
						t.Errorf("overdue badge says %q", b.text.Text)
					}
				case forms.LevelNone:
					if !strings.Contains(b.text.Text, "left") {
						t.Errorf("badge says %q", b.text.Text)
					}
				default:
					if !strings.Contains(b.text.Text, T("level."+want.level.String())) {
						t.Errorf("%v badge says %q, without the level in words", want.level, b.text.Text)
					}
				}
			}
		})
	}
}

// TestCaseHeaderFaceAfterCapture: the header shows a placeholder before capture and the
// face once captured; a case opened again in a fresh screen shows the stored face.
func TestCaseHeaderFaceAfterCapture(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(23)...)
	caseForCapture(t, u, w, "1991-06-01")
	if u.openCase.head.hasImage {
		t.Fatal("a face is shown before capture")
	}
	test.Tap(button(t, w, T("bio.capture")))
	faceShown := func() bool {
		h := u.openCase.head
		return h.hasImage && h.faceImg.Image != nil && h.face.Objects[0] == h.faceImg
	}
	if !faceShown() {
		t.Fatalf("no face in the header after capture:\n%s", labelsText(w))
	}
	u.showCaseList()
	u.showCase(rowID(t, u))
	if !faceShown() {
		t.Fatal("no face in the header of the stored case")
	}
	if img := find(w, func(i *canvas.Image) bool { return i == u.openCase.head.faceImg }); img == nil || !img.Visible() {
		t.Fatal("the header's face is not in the window")
	}
}

// TestCaseHeaderBiometricsDue (ER Art 15(1) second subparagraph): the header shows the
// "biometrics due" badge once the health hold that deferred capture has ended, not while it
// stands.
func TestCaseHeaderBiometricsDue(t *testing.T) {
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	if err := u.Session().AddUser("off1", vault.Officer, []byte(supPass)); err != nil {
		t.Fatal(err)
	}
	med := medicSession(t, u, term)
	signInAs(t, u, w, "off1", supPass)
	off := u.Session()
	id, hold := deferredCase(t, off, med, nil)
	u.showCase(id)
	if b := u.openCase.head.bioDue; b.box.Visible() {
		t.Fatalf("biometrics due while the health hold stands: %q", b.text.Text)
	}
	hold(false)
	u.showCase(id)
	if b := u.openCase.head.bioDue; !b.box.Visible() || b.text.Text != T("case.biometricsDue") {
		t.Fatalf("the header does not show biometrics due after the hold ended: %v", headerBadges(u))
	}
}
