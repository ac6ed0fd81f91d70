package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// reopenBiometrics opens the stored case in a fresh case screen at its biometrics step.
func reopenBiometrics(t *testing.T, u *UI, w fyne.Window) *biometricsStep {
	t.Helper()
	u.showCaseList()
	u.showCase(rowID(t, u))
	gotoStep(t, w, "biometrics")
	bs, ok := u.openCase.view.(*biometricsStep)
	if !ok {
		t.Fatalf("the biometrics step is not open:\n%s", labelsText(w))
	}
	return bs
}

// TestHandDiagramStoredCapture: a capture whose left four-finger slap stays poor (the
// retries used, best effort kept), opened again in a fresh screen: both hands show ten
// thumbnails read from the vault, each finger's score coloured by quality's verdict against
// the capture threshold (app.QualityVerdict), the verdict in words beside the score.
func TestHandDiagramStoredCapture(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 24, Defects: func(tg hardware.Target, _ int) synth.Options {
		if tg.Slap == hardware.LeftFour {
			return synth.Options{Blur: 5, Contrast: 0.85, Partial: 0.5, Smudge: 0.3}
		}
		return synth.Options{}
	}})
	u, w := officerWithPairings(t, scanner, sim.New(hardware.Face, sim.Options{Seed: 24}))
	caseForCapture(t, u, w, "1988-09-09")
	test.Tap(button(t, w, T("bio.capture")))
	stored := storedCase(t, u)
	if n := fingerCounts(stored); n[forms.FingerCaptured] != 10 {
		t.Fatalf("captured %v", n)
	}

	bs := reopenBiometrics(t, u, w)
	if n := bs.hands.images(); n != 10 {
		t.Fatalf("%d thumbnails on the hands of the stored case, want 10:\n%s", n, labelsText(w))
	}
	verdicts := map[quality.Verdict]int{}
	for _, f := range stored.Biometrics.Fingers {
		cell := bs.hands.cells[f.Position-1]
		want := app.QualityVerdict(f.Quality)
		verdicts[want]++
		if cell.verdict != want || cell.frame.StrokeColor != verdictFill[want] || cell.score.bg.FillColor != verdictFill[want] {
			t.Errorf("%v (quality %d): shown %q in %v, want %q in %v", f.Position, f.Quality, cell.verdict, cell.score.bg.FillColor, want, verdictFill[want])
		}
		if wantText := Tf("hand.score", f.Quality, T("verdict."+string(want))); cell.score.text.Text != wantText || !cell.score.box.Visible() {
			t.Errorf("%v: score %q, want %q", f.Position, cell.score.text.Text, wantText)
		}
		if cell.img.Image == nil || cell.words.Visible() {
			t.Errorf("%v: image %v, words %q", f.Position, cell.img.Image != nil, cell.words.Text)
		}
	}
	if verdicts[quality.Pass] == 0 || verdicts[quality.Pass] == 10 {
		t.Fatalf("verdicts %v: the test wants passing and poor fingers side by side", verdicts)
	}
	if bs.faceThumb.Objects == nil || !strings.Contains(labelsText(w), T("bio.faceOK")) && !strings.Contains(labelsText(w), strings.TrimSuffix(T("bio.faceProblems"), "%s")) {
		t.Errorf("the stored face or its check is not shown:\n%s", labelsText(w))
	}
}

// TestHandDiagramMarksExceptions: fingers recorded amputated and temporarily unusable (with
// the retake date) are marked in words on the hands, before the save and after reopening;
// they have no image and no score.
func TestHandDiagramMarksExceptions(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(25)...)
	caseForCapture(t, u, w, "1979-11-11")
	sels := fingerSelects(w)
	sels[9].SetSelected(T("fingerstatus.amputated"))
	sels[0].SetSelected(T("fingerstatus.temporarily_unusable"))
	bs := u.openCase.view.(*biometricsStep)
	if got := bs.hands.cells[forms.LeftLittle-1].words.Text; got != T("fingerstatus.amputated") {
		t.Fatalf("left little before save: %q", got)
	}
	for _, e := range entries(w) {
		if e.PlaceHolder == T("bio.retakeOn") {
			e.SetText("2099-03-04")
			break
		}
	}
	test.Tap(button(t, w, T("bio.capture")))

	bs = reopenBiometrics(t, u, w)
	for _, tc := range []struct {
		pos  forms.FingerPosition
		want string
	}{
		{forms.LeftLittle, T("fingerstatus.amputated")},
		{forms.RightThumb, T("fingerstatus.temporarily_unusable") + "\n" + Tf("hand.retakeOn", "2099-03-04")},
	} {
		cell := bs.hands.cells[tc.pos-1]
		if cell.words.Text != tc.want || !cell.words.Visible() {
			t.Errorf("%v: %q, want %q", tc.pos, cell.words.Text, tc.want)
		}
		if cell.img.Image != nil || cell.score.box.Visible() || cell.frame.FillColor != exceptionFill {
			t.Errorf("%v: an exception shows an image or a score", tc.pos)
		}
	}
	if n := bs.hands.images(); n != 8 {
		t.Errorf("%d thumbnails, want the 8 captured fingers", n)
	}
}

// TestHandDiagramLoadsOffTheUIGoroutine: opening a stored case draws the hands at once with
// placeholders ("loading"); the thumbnails arrive when the background read ends.
func TestHandDiagramLoadsOffTheUIGoroutine(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(26)...)
	caseForCapture(t, u, w, "1984-04-04")
	test.Tap(button(t, w, T("bio.capture")))
	var pending []func()
	orig := runAsync
	runAsync = func(work, done func()) { pending = append(pending, func() { work(); done() }) }
	bs := reopenBiometrics(t, u, w)
	runAsync = orig
	if n := bs.hands.images(); n != 0 || u.openCase.head.hasImage {
		t.Fatalf("%d thumbnails (face in header %t) before the background read ended", n, u.openCase.head.hasImage)
	}
	if got := bs.hands.cells[0].words.Text; got != T("hand.loading") {
		t.Fatalf("placeholder says %q", got)
	}
	if len(pending) != 1 {
		t.Fatalf("%d background reads, want one for the whole case", len(pending))
	}
	pending[0]()
	if n := bs.hands.images(); n != 10 || !u.openCase.head.hasImage {
		t.Fatalf("%d thumbnails (face in header %t) after the background read", n, u.openCase.head.hasImage)
	}
}

// TestHandDiagramWithoutBiometricClass: a registrar (no biometric key) opening a captured
// case sees every finger's score and verdict, and in the image's place that it is not shown
// to their role; nothing of the biometric class is read for them.
func TestHandDiagramWithoutBiometricClass(t *testing.T) {
	u, w := officerWithPairings(t, simCaptureDevices(27)...)
	caseForCapture(t, u, w, "1977-07-07")
	test.Tap(button(t, w, T("bio.capture")))
	stored := storedCase(t, u)
	signInAs(t, u, w, "sup1", supPass)
	addStaff(t, u, w, "registrar")
	signInAs(t, u, w, "reg1", "a passphrase for reg1")
	bs := reopenBiometrics(t, u, w)
	if n := bs.hands.images(); n != 0 || u.openCase.head.hasImage {
		t.Fatalf("a registrar sees %d finger images (face %t)", n, u.openCase.head.hasImage)
	}
	for _, f := range stored.Biometrics.Fingers {
		cell := bs.hands.cells[f.Position-1]
		if cell.words.Text != T("hand.withheld") || cell.verdict != app.QualityVerdict(f.Quality) {
			t.Errorf("%v: %q, verdict %q", f.Position, cell.words.Text, cell.verdict)
		}
	}
	if txt := labelsText(w); !strings.Contains(txt, T("hand.withheld")) {
		t.Errorf("the face's place should say %q:\n%s", T("hand.withheld"), txt)
	}
}
