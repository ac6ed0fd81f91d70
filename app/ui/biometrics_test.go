package ui

import (
	"fmt"
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
	"github.com/fieldscreen/fieldscreen/vault"
)

// simCaptureDevices are a paired-to-be scanner and camera for one synthetic person.
func simCaptureDevices(seed int64) []hardware.Device {
	return []hardware.Device{sim.New(hardware.Finger, sim.Options{Seed: seed}), sim.New(hardware.Face, sim.Options{Seed: seed})}
}

// caseForCapture opens a new case as the officer, types a surname and a birth date, and
// moves to the biometrics step.
func caseForCapture(t *testing.T, u *UI, w fyne.Window, birth string) {
	t.Helper()
	newCaseAt(t, u, w, "identity")
	es := entries(w)
	es[0].SetText("Testperson")
	es[1].SetText("Foxtrot")
	es[2].SetText(birth)
	gotoStep(t, w, "biometrics")
}

// storedCase reads the one case of the vault.
func storedCase(t *testing.T, u *UI) *forms.Case {
	t.Helper()
	rows, err := u.Session().CaseRows()
	if err != nil || len(rows) != 1 {
		t.Fatalf("case rows %v, %v", rows, err)
	}
	c, err := u.Session().Case(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fingerCounts(c *forms.Case) map[forms.FingerStatus]int {
	latest := map[forms.FingerPosition]forms.FingerStatus{}
	for _, f := range c.Biometrics.Fingers {
		latest[f.Position] = f.Status
	}
	n := map[forms.FingerStatus]int{}
	for _, st := range latest {
		n[st]++
	}
	return n
}

// countOnScreen counts visible objects of a type that match.
func countOnScreen[T fyne.CanvasObject](w fyne.Window, match func(T) bool) int {
	n := 0
	find(w, func(o T) bool {
		if o.Visible() && match(o) {
			n++
		}
		return false
	})
	return n
}

// fingerSelects are the exception selects of the finger rows, in finger order.
func fingerSelects(w fyne.Window) []*widget.Select {
	var out []*widget.Select
	find(w, func(s *widget.Select) bool {
		if len(s.Options) == 1+len(forms.FingerExceptionStatuses) {
			out = append(out, s)
		}
		return false
	})
	return out
}

// TestCaptureFullPlanThroughUI: the technician pairs a simulated scanner and camera, the
// officer captures an adult's whole plan from the biometrics step; the vault then holds ten
// captured fingers with their quality and images, and the face; the screen shows a quality
// bar and a thumbnail per finger.
func TestCaptureFullPlanThroughUI(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(11)...)
	caseForCapture(t, u, w, "1990-04-01")
	if txt := labelsText(w); !strings.Contains(txt, Tf("bio.planFingers", 10, "")[:len(Tf("bio.planFingers", 10, ""))-1]) ||
		!strings.Contains(txt, T("bio.planFace")) {
		t.Fatalf("plan not shown:\n%s", txt)
	}
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	if n := fingerCounts(c); n[forms.FingerCaptured] != 10 {
		t.Fatalf("stored fingers %v (%+v)\n%s", n, c.Biometrics.Fingers, labelsText(w))
	}
	if c.Biometrics.Face.Status != forms.FaceCaptured || c.Biometrics.Operator != "off1" {
		t.Fatalf("face %+v operator %q", c.Biometrics.Face, c.Biometrics.Operator)
	}
	for _, f := range c.Biometrics.Fingers {
		if f.Quality <= 0 || f.ImageRef == "" {
			t.Fatalf("finger %d stored without quality or image: %+v", f.Position, f)
		}
		if _, err := u.Session().BiometricImage(rowID(t, u), f.ImageRef); err != nil {
			t.Fatalf("finger %d image: %v", f.Position, err)
		}
	}
	bs := u.openCase.view.(*biometricsStep)
	if n := bs.hands.images(); n != 10 {
		t.Errorf("%d finger thumbnails on the hands, want 10", n)
	}
	if n := countOnScreen(w, func(i *canvas.Image) bool {
		return i.Image != nil && i.MinSize() == fingerThumbSize && i != u.openCase.head.faceImg
	}); n != 10 {
		t.Errorf("%d finger thumbnails on screen, want 10", n)
	}
	if n := countOnScreen(w, func(i *canvas.Image) bool { return i.Image != nil && i.MinSize() == faceThumbSize }); n != 1 {
		t.Errorf("%d face thumbnails on the step, want 1", n)
	}
	txt := labelsText(w)
	if !strings.Contains(txt, T("bio.planDone")) || !(strings.Contains(txt, T("bio.faceOK")) || strings.Contains(txt, "Check the photo")) {
		t.Errorf("after capture:\n%s", txt)
	}
	// the case on screen carries the capture, so saving again keeps it
	test.Tap(button(t, w, T("common.save")))
	if n := fingerCounts(storedCase(t, u)); n[forms.FingerCaptured] != 10 {
		t.Fatalf("saving after capture lost fingers: %v", n)
	}
}

func rowID(t *testing.T, u *UI) vault.CaseID {
	t.Helper()
	rows, _ := u.Session().CaseRows()
	return rows[0].ID
}

// TestCaptureMinorNeedsCompanion: Eurodac Art 14(1), Screening Art 13(2): an accompanied
// minor's capture is refused until the adult family member is recorded by relationship and
// ID or badge number (no name is asked); nothing is captured before, everything after.
func TestCaptureMinorNeedsCompanion(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(12)...)
	trainForMinors(t, u, w, "off1")
	caseForCapture(t, u, w, u.Session().Now().AddDate(-12, 0, 0).Format("2006-01-02"))
	if !strings.Contains(labelsText(w), T("bio.companionFirst")) {
		t.Fatalf("the plan does not ask for the companion:\n%s", labelsText(w))
	}
	test.Tap(button(t, w, T("bio.capture")))
	if !strings.Contains(labelsText(w), "record the adult family member (relationship and ID or badge number)") {
		t.Fatalf("capture without companion gave no message saying what is missing:\n%s", labelsText(w))
	}
	if !strings.Contains(labelsText(w), "hand over the child-friendly leaflet") {
		t.Fatalf("capture without the child-friendly leaflet gave no message:\n%s", labelsText(w))
	}
	if c := storedCase(t, u); len(c.Biometrics.Fingers) != 0 || c.Biometrics.Face.Status != "" {
		t.Fatalf("a minor was captured without a companion: %+v", c.Biometrics)
	}
	giveChildLeaflet(t, w)
	setCompanion(t, w, "companion.family_member", "mother", "TEST-ID-4411")
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	if cp := c.Biometrics.Companion; cp == nil || cp.Relationship != "mother" || cp.ID != "TEST-ID-4411" || cp.Role != forms.CompanionFamily || cp.Since.IsZero() || cp.Name != "" {
		t.Fatalf("companion %+v", c.Biometrics.Companion)
	}
	if n := fingerCounts(c); n[forms.FingerCaptured] != 10 || c.Biometrics.Face.Status != forms.FaceCaptured {
		t.Fatalf("minor with companion: fingers %v face %q\n%s", n, c.Biometrics.Face.Status, labelsText(w))
	}
	// SR Art 13(2): the companion accompanies the whole screening: every step shows them
	gotoStep(t, w, "health")
	if want := Tf("case.minorCompanion", T("companion.family_member")+", mother, TEST-ID-4411"); !strings.Contains(labelsText(w), want) {
		t.Fatalf("the health step does not show the companion %q:\n%s", want, labelsText(w))
	}
}

// TestCaptureUnaccompaniedMinorRepresentative: Eurodac Art 14(1), Screening Art 13(3): an
// unaccompanied minor's representative is recorded by role and register number; the
// capturing operator entered as "representative" is refused with the reason, an independent
// representative is accepted.
func TestCaptureUnaccompaniedMinorRepresentative(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(12)...)
	trainForMinors(t, u, w, "off1")
	caseForCapture(t, u, w, u.Session().Now().AddDate(-15, 0, 0).Format("2006-01-02"))
	giveChildLeaflet(t, w)
	gotoStep(t, w, "vulnerability")
	find(w, func(g *widget.CheckGroup) bool { return true }).SetSelected([]string{T("vuln." + forms.VulnUnaccompaniedMinor)})
	gotoStep(t, w, "biometrics")

	setCompanion(t, w, "companion.representative", "", "off1")
	test.Tap(button(t, w, T("bio.capture")))
	if !strings.Contains(labelsText(w), "cannot be the official taking the biometrics") {
		t.Fatalf("the operator as representative gave no refusal:\n%s", labelsText(w))
	}
	if c := storedCase(t, u); len(c.Biometrics.Fingers) != 0 {
		t.Fatalf("captured with the operator as representative: %+v", c.Biometrics)
	}

	setCompanion(t, w, "companion.representative", "", "TEST-REG-0042")
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	if cp := c.Biometrics.Companion; cp == nil || cp.Role != forms.CompanionRepresentative || cp.ID != "TEST-REG-0042" {
		t.Fatalf("companion %+v", c.Biometrics.Companion)
	}
	if n := fingerCounts(c); n[forms.FingerCaptured] != 10 {
		t.Fatalf("unaccompanied minor with a representative: fingers %v\n%s", n, labelsText(w))
	}
}

// TestCaptureMinorUntrainedRefused: Eurodac Art 14(1): an officer without the "trained for
// minors" record is refused a minor's capture with the reason, even with the companion
// recorded; once a supervisor ticks it on the Users screen the same officer captures.
func TestCaptureMinorUntrainedRefused(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(12)...)
	caseForCapture(t, u, w, u.Session().Now().AddDate(-10, 0, 0).Format("2006-01-02"))
	giveChildLeaflet(t, w)
	setCompanion(t, w, "companion.family_member", "father", "TEST-ID-0007")
	test.Tap(button(t, w, T("bio.capture")))
	if !strings.Contains(labelsText(w), "only an official trained for taking minors' biometrics may capture") {
		t.Fatalf("an untrained officer got no refusal:\n%s", labelsText(w))
	}
	if c := storedCase(t, u); len(c.Biometrics.Fingers) != 0 || c.Biometrics.Face.Status != "" {
		t.Fatalf("an untrained officer captured a minor: %+v", c.Biometrics)
	}
	trainForMinors(t, u, w, "off1")
	rows, err := u.Session().CaseRows()
	if err != nil || len(rows) != 1 {
		t.Fatalf("case rows %v %v", rows, err)
	}
	u.showCase(rows[0].ID)
	gotoStep(t, w, "biometrics")
	test.Tap(button(t, w, T("bio.capture")))
	if n := fingerCounts(storedCase(t, u)); n[forms.FingerCaptured] != 10 {
		t.Fatalf("trained officer: fingers %v\n%s", n, labelsText(w))
	}
}

// TestCaptureAgeDoubt: ER Art 14(1), SR Art 13(1): with no date of birth the capture first
// asks "could this person be a minor?"; answered yes with a reason on the identity step, the
// minors' rules apply (benefit of the doubt): the companion is asked for, and the answer is
// stored with its reason, who and when.
func TestCaptureAgeDoubt(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(12)...)
	trainForMinors(t, u, w, "off1")
	caseForCapture(t, u, w, "")
	test.Tap(button(t, w, T("bio.capture")))
	if !strings.Contains(labelsText(w), "answer \"could this person be a minor?\" with the reason before capture") {
		t.Fatalf("no age question before capture:\n%s", labelsText(w))
	}
	if c := storedCase(t, u); len(c.Biometrics.Fingers) != 0 {
		t.Fatalf("captured with the age in doubt: %+v", c.Biometrics)
	}
	gotoStep(t, w, "identity")
	find(w, func(s *widget.Select) bool { return s.PlaceHolder == T("identity.couldBeMinor") }).SetSelected(T("answer.yes"))
	find(w, func(e *widget.Entry) bool { return e.PlaceHolder == T("identity.couldBeMinorReason") }).SetText("no document, looks 15 to 17")
	gotoStep(t, w, "biometrics")
	giveChildLeaflet(t, w)
	test.Tap(button(t, w, T("bio.capture")))
	if !strings.Contains(labelsText(w), "record the adult family member (relationship and ID or badge number)") {
		t.Fatalf("the minors' rules do not apply to a possible minor:\n%s", labelsText(w))
	}
	setCompanion(t, w, "companion.family_member", "brother", "TEST-ID-2020")
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	if d := c.Identity.AgeDoubt; d.CouldBeMinor != forms.AnswerYes || d.Reason != "no document, looks 15 to 17" || d.By != "off1" || d.At.IsZero() {
		t.Fatalf("age doubt %+v", d)
	}
	if n := fingerCounts(c); n[forms.FingerCaptured] != 10 {
		t.Fatalf("possible minor with companion: fingers %v\n%s", n, labelsText(w))
	}
}

// trainForMinors signs in as the supervisor, ticks "trained for minors" for name on the
// Users screen, checks it shows, and signs name in again.
func trainForMinors(t *testing.T, u *UI, w fyne.Window, name string) {
	t.Helper()
	signInAs(t, u, w, "sup1", supPass)
	test.Tap(button(t, w, T("nav.users")))
	row := find(w, func(c *fyne.Container) bool {
		if len(c.Objects) != 2 {
			return false
		}
		l, ok := c.Objects[0].(*widget.Label)
		return ok && strings.HasPrefix(l.Text, name+" — ")
	})
	if row == nil {
		t.Fatalf("no row for %s on the Users screen:\n%s", name, labelsText(w))
	}
	check := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Check)
	check.SetChecked(true)
	users, err := u.Session().Users()
	if err != nil {
		t.Fatal(err)
	}
	for _, usr := range users {
		if usr.Name == name && !usr.TrainedForMinors {
			t.Fatalf("%s not recorded as trained", name)
		}
	}
	signInAs(t, u, w, name, "a passphrase for "+name)
}

// giveChildLeaflet records the child-friendly leaflet in Arabic on the information step
// and returns to the biometrics step.
func giveChildLeaflet(t *testing.T, w fyne.Window) {
	t.Helper()
	gotoStep(t, w, "information")
	find(w, func(s *widget.Select) bool { return len(s.Options) > 0 && s.Options[0] != T("answer.notRecorded") }).SetSelected("ar")
	find(w, func(c *widget.Check) bool { return c.Text == T("info.childFriendly") }).SetChecked(true)
	gotoStep(t, w, "biometrics")
}

// setCompanion fills the companion fields of the biometrics step.
func setCompanion(t *testing.T, w fyne.Window, roleKey, relationship, id string) {
	t.Helper()
	find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.CompanionRoles) }).SetSelected(T(roleKey))
	find(w, func(e *widget.Entry) bool { return e.PlaceHolder == T("bio.companionRelationship") }).SetText(relationship)
	find(w, func(e *widget.Entry) bool { return e.PlaceHolder == T("bio.companionID") }).SetText(id)
}

// TestCaptureSkipsAmputatedFinger: an amputated finger and a temporarily unusable one set
// before capture are skipped and recorded with their status (and retake date); the other
// eight are captured.
func TestCaptureSkipsAmputatedFinger(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(13)...)
	caseForCapture(t, u, w, "1985-07-15")
	sels := fingerSelects(w)
	if len(sels) != 10 {
		t.Fatalf("%d finger selects, want 10", len(sels))
	}
	sels[9].SetSelected(T("fingerstatus.amputated"))
	sels[0].SetSelected(T("fingerstatus.temporarily_unusable"))
	retake := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == T("bio.retakeOn") })
	retake.SetText("not a date")
	test.Tap(button(t, w, T("bio.capture")))
	if !strings.Contains(labelsText(w), T("input.badDate")) {
		t.Fatalf("a bad retake date was not refused:\n%s", labelsText(w))
	}
	if rows, _ := u.Session().CaseRows(); len(rows) != 0 {
		t.Fatal("the case was saved with an unreadable retake date")
	}
	retake.SetText("2099-01-01")
	if !strings.Contains(labelsText(w), Tf("bio.planFingers", 8, "")[:len(Tf("bio.planFingers", 8, ""))-1]) {
		t.Fatalf("the plan does not show 8 fingers after the exceptions:\n%s", labelsText(w))
	}
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	n := fingerCounts(c)
	if n[forms.FingerCaptured] != 8 || n[forms.FingerAmputated] != 1 || n[forms.FingerTemporarilyUnusable] != 1 {
		t.Fatalf("stored statuses %v", n)
	}
	// app.storeCapture appends the skipped fingers' statuses again (without the retake
	// date); the record the step wrote before capture must be there with it.
	retakeKept := false
	for _, f := range c.Biometrics.Fingers {
		switch f.Position {
		case forms.LeftLittle:
			if f.Status != forms.FingerAmputated || f.ImageRef != "" {
				t.Fatalf("left little %+v", f)
			}
		case forms.RightThumb:
			if f.Status != forms.FingerTemporarilyUnusable || f.ImageRef != "" {
				t.Fatalf("right thumb %+v", f)
			}
			retakeKept = retakeKept || f.RetakeOn.String() == "2099-01-01"
		}
	}
	if !retakeKept {
		t.Fatalf("the retake date was not stored: %+v", c.Biometrics.Fingers)
	}
}

// TestRefusalRecordedWithMessage: a refusal is stored on the case and the officer sees the
// case's refusal message in the interface language.
func TestRefusalRecordedWithMessage(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(14)...)
	defer SetLanguage("en")
	caseForCapture(t, u, w, "1980-02-02")
	find(w, func(c *widget.Check) bool { return c.Text == T("bio.informed") }).SetChecked(true)
	test.Tap(button(t, w, T("bio.refuse")))
	c := storedCase(t, u)
	if len(c.Biometrics.Refusals) != 1 || c.Biometrics.Refusals[0].What != "fingerprints" || !c.Biometrics.Refusals[0].Informed {
		t.Fatalf("refusals %+v", c.Biometrics.Refusals)
	}
	if want := c.RefusalMessage(u.Session().Now()).EN; !strings.Contains(labelsText(w), want) {
		t.Fatalf("refusal message %q not shown:\n%s", want, labelsText(w))
	}
	SetLanguage("nl")
	gotoStep(t, w, "identity")
	gotoStep(t, w, "biometrics")
	find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.RefusalWhats) }).SetSelectedIndex(2)
	test.Tap(button(t, w, T("bio.refuse")))
	c = storedCase(t, u)
	if len(c.Biometrics.Refusals) != 2 || c.Biometrics.Refusals[1].What != "both" {
		t.Fatalf("second refusal %+v", c.Biometrics.Refusals)
	}
	if want := c.RefusalMessage(u.Session().Now()).NL; !strings.Contains(labelsText(w), want) {
		t.Fatalf("Dutch refusal message %q not shown:\n%s", want, labelsText(w))
	}
}

// TestBiometricsStringsComplete: the keys the biometrics and devices screens build at run
// time exist in every language.
func TestBiometricsStringsComplete(t *testing.T) {
	var keys []string
	for _, st := range forms.FingerStatuses {
		keys = append(keys, "fingerstatus."+string(st))
	}
	for _, st := range []forms.FaceStatus{forms.FaceRefused, forms.FaceNotPossible} {
		keys = append(keys, "facestatus."+string(st))
	}
	for _, r := range forms.CompanionRoles {
		keys = append(keys, "companion."+string(r))
	}
	for _, r := range forms.RefusalWhats {
		keys = append(keys, "refusal."+r)
	}
	for _, s := range []hardware.Stage{hardware.StageWaiting, hardware.StageCapturing, hardware.StageVerifying, hardware.StageDone} {
		keys = append(keys, "stage."+string(s))
	}
	for _, k := range []hardware.Kind{hardware.Finger, hardware.Face, hardware.Document} {
		keys = append(keys, "kind."+string(k))
	}
	for p := 1; p <= 10; p++ {
		keys = append(keys, fmt.Sprintf("finger.%d", p))
	}
	for _, k := range keys {
		for _, l := range Languages {
			if _, ok := strs.msgs[l][k]; !ok {
				t.Errorf("key %q has no %s text", k, l)
			}
		}
	}
}

// TestCaptureRunsOffTheUIGoroutine: with a slow scanner and the real background runner, the
// Capture tap returns at once, the button stays disabled while the devices work, the officer
// can type meanwhile, and the capture then lands in the vault and on the screen.
func TestCaptureRunsOffTheUIGoroutine(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 15, Latency: 50 * time.Millisecond})
	camera := sim.New(hardware.Face, sim.Options{Seed: 15})
	u, w := officerWithPairings(t, scanner, camera)
	caseForCapture(t, u, w, "1975-03-03")
	runAsync = func(work, done func()) {
		go func() {
			work()
			uiDo(done)
		}()
	}
	capture := button(t, w, T("bio.capture"))
	test.Tap(capture)
	uiMu.Lock()
	running := capture.Disabled()
	uiMu.Unlock()
	if !running {
		t.Fatal("the capture finished inside the tap: it ran on the UI goroutine")
	}
	// typing goes on meanwhile
	retake := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == T("bio.retakeOn") })
	uiMu.Lock()
	retake.SetText("2099-02-02")
	uiMu.Unlock()
	// the capture itself takes seconds on a busy 2-core machine: wait for it, not for a time;
	// meanwhile the large view shows each attempt the devices take
	bs := u.openCase.view.(*biometricsStep)
	shownLarge := false
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		uiMu.Lock()
		running = capture.Disabled()
		shownLarge = shownLarge || bs.previewImg.Visible() && bs.previewImg.Image != nil && bs.previewImg.MinSize() == previewSize
		uiMu.Unlock()
		if !running {
			break
		}
	}
	if !shownLarge {
		t.Error("no attempt was shown in the large view while the capture ran")
	}
	if bs.previewImg.Visible() {
		t.Error("the large view stays on after the capture")
	}
	if n := fingerCounts(storedCase(t, u)); n[forms.FingerCaptured] != 10 {
		t.Fatalf("background capture stored %v:\n%s", n, labelsText(w))
	}
	if !strings.Contains(labelsText(w), T("bio.planDone")) {
		t.Fatalf("screen after background capture:\n%s", labelsText(w))
	}
}

// TestLivePreviewShowsFramesAndStops: the live preview shows the scanner's frames off the UI
// goroutine, stops on request, and stops by itself when the officer leaves the step.
func TestLivePreviewShowsFramesAndStops(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 16, FrameInterval: 10 * time.Millisecond})
	u, w := officerWithPairings(t, scanner, sim.New(hardware.Face, sim.Options{Seed: 16}))
	caseForCapture(t, u, w, "1970-05-05")
	step := func() *biometricsStep {
		uiMu.Lock()
		defer uiMu.Unlock()
		bs, _ := u.openCase.view.(*biometricsStep)
		return bs
	}
	s := step()
	shown := func() bool {
		uiMu.Lock()
		defer uiMu.Unlock()
		return s.previewImg.Visible() && s.previewImg.Image != nil
	}
	test.Tap(button(t, w, T("bio.preview")))
	waitFor(shown)
	if !shown() {
		t.Fatalf("no preview frame shown:\n%s", labelsText(w))
	}
	uiMu.Lock()
	b := s.previewImg.Image.Bounds()
	uiMu.Unlock()
	if b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("preview frame %v", b)
	}
	test.Tap(button(t, w, T("bio.previewStop")))
	if shown() || s.previewStop != nil {
		t.Fatal("preview still on after stop")
	}
	// start again, then leave the step: the preview ends by itself
	test.Tap(button(t, w, T("bio.preview")))
	waitFor(shown)
	uiMu.Lock()
	u.openCase.Step(0)
	uiMu.Unlock()
	waitFor(func() bool {
		uiMu.Lock()
		defer uiMu.Unlock()
		return s.previewStop == nil
	})
	uiMu.Lock()
	stopped := s.previewStop == nil
	uiMu.Unlock()
	if !stopped {
		t.Fatal("the preview kept running after leaving the step")
	}
}

// TestCaptureNotRequiredForUnderSix: a child under six is not captured; the step says why
// (the reason from forms) and Capture stores nothing.
func TestCaptureNotRequiredForUnderSix(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(17)...)
	caseForCapture(t, u, w, u.Session().Now().AddDate(-3, 0, 0).Format("2006-01-02"))
	c := &forms.Case{Identity: forms.Identity{BirthDate: forms.DateOf(u.Session().Now().AddDate(-3, 0, 0))}}
	_, why := c.BiometricsRequired(u.Session().Now())
	want := Tf("bio.notRequired", why.Message.EN)
	if !strings.Contains(labelsText(w), want) {
		t.Fatalf("plan does not say %q:\n%s", want, labelsText(w))
	}
	test.Tap(button(t, w, T("bio.capture")))
	if got := storedCase(t, u); len(got.Biometrics.Fingers) != 0 || got.Biometrics.Face.Status != "" {
		t.Fatalf("an under-six was captured: %+v", got.Biometrics)
	}
}

// TestCaptureFailedSlapThenRetake: a scanner that fails every attempt at the first slap
// leaves those four fingers "not captured" (nothing stored for them, the others are); a
// second Capture takes just the missing fingers.
func TestCaptureFailedSlapThenRetake(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 19})
	u, w := officerWithPairings(t, scanner, sim.New(hardware.Face, sim.Options{Seed: 19}))
	caseForCapture(t, u, w, "1982-08-08")
	errs := make([]error, 1+2) // one attempt and two retries (app.CaptureRetries)
	for i := range errs {
		errs[i] = hardware.ErrCaptureFailed
	}
	scanner.Fail(errs...)
	test.Tap(button(t, w, T("bio.capture")))
	c := storedCase(t, u)
	if n := fingerCounts(c); n[forms.FingerCaptured] != 6 || len(c.Biometrics.Fingers) != 6 {
		t.Fatalf("after a failed slap: %v (%d records)", n, len(c.Biometrics.Fingers))
	}
	txt := labelsText(w)
	if strings.Count(txt, Tf("bio.failed", 3)) != 4 {
		t.Fatalf("the four failed fingers are not marked:\n%s", txt)
	}
	if !strings.Contains(txt, Tf("bio.planFingers", 4, "")[:len(Tf("bio.planFingers", 4, ""))-1]) {
		t.Fatalf("the plan does not show the four fingers left:\n%s", txt)
	}
	test.Tap(button(t, w, T("bio.capture")))
	if n := fingerCounts(storedCase(t, u)); n[forms.FingerCaptured] != 10 {
		t.Fatalf("after the retake: %v\n%s", n, labelsText(w))
	}
}
