package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// captureTimeout bounds a whole capture session (three slaps with retries and the face).
const captureTimeout = 5 * time.Minute

// previewSize is the live view while the officer places the fingers or the face, and the
// image of each attempt while the capture runs: large enough to see a finger's ridges.
var previewSize = fyne.NewSize(520, 390)

// biometricsStep: the capture plan, exceptions known before capture, the companion of a
// minor, the capture itself (off the UI goroutine) and its results, and refusals.
type biometricsStep struct {
	cs *caseScreen
	stepBase
	plan *widget.Label

	compRel, compID, compOrg *widget.Entry
	compRole                 *widget.Select

	status [10]*widget.Select // nil for a finger already captured
	retake [10]*widget.Entry
	state  [10]*widget.Label
	// hands shows every finger's thumbnail, quality and exception (handdiagram.go)
	hands *handDiagram

	faceState, faceProblems *widget.Label
	faceThumb, faceBox      *fyne.Container
	buttons                 *fyne.Container

	captureBtn *widget.Button
	progress   *widget.ProgressBar
	msg        *widget.Label
	// capturing is set while a capture runs: the large view then shows each attempt
	capturing bool

	refuseWhat *widget.Select
	informed   *widget.Check
	refusalMsg *widget.Label

	// live preview from the scanner or camera: shown, never stored
	previewBtn  *widget.Button
	previewImg  *canvas.Image
	previewStop context.CancelFunc
}

// biometricsDone: nothing is left to capture, or nothing is required.
func biometricsDone(c *forms.Case, now time.Time) bool {
	p := c.CapturePlan(now)
	return !p.Required || len(p.Fingers) == 0 && !p.Face
}

func newBiometricsStep(cs *caseScreen) stepView {
	s := &biometricsStep{cs: cs, stepBase: stepBase{newFieldSet()}, plan: widget.NewLabel(""), msg: errorLabel(), progress: widget.NewProgressBar(),
		faceState: widget.NewLabel(""), faceProblems: widget.NewLabel(""), faceThumb: container.NewGridWrap(faceThumbSize), refusalMsg: widget.NewLabel("")}
	s.plan.Wrapping = fyne.TextWrapWord
	s.faceProblems.Wrapping = fyne.TextWrapWord
	s.refusalMsg.Wrapping = fyne.TextWrapWord
	s.refusalMsg.Importance = widget.WarningImportance
	s.refusalMsg.Hide()
	s.progress.Hide()
	b := cs.c.Biometrics
	plan := cs.c.CapturePlan(cs.u.sess.Now())

	// the companion of a minor, asked before anything is captured
	s.compRel, s.compID, s.compOrg = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.compRel.SetPlaceHolder(T("bio.companionRelationship"))
	s.compID.SetPlaceHolder(T("bio.companionID"))
	s.compOrg.SetPlaceHolder(T("bio.companionOrg"))
	roleLabels := make([]string, len(forms.CompanionRoles))
	for i, r := range forms.CompanionRoles {
		roleLabels[i] = T("companion." + string(r))
	}
	s.compRole = widget.NewSelect(roleLabels, nil)
	s.compRole.PlaceHolder = T("bio.companionRole")
	if cp := b.Companion; cp != nil {
		s.compRel.SetText(cp.Relationship)
		s.compID.SetText(cp.ID)
		s.compOrg.SetText(cp.Organisation)
		for i, r := range forms.CompanionRoles {
			if r == cp.Role {
				s.compRole.SetSelectedIndex(i)
			}
		}
	}
	for _, e := range []*widget.Entry{s.compRel, s.compID, s.compOrg} {
		e.OnChanged = func(string) { cs.u.touch(); s.showPlan() }
	}
	if plan.CompanionNeeded || b.Companion != nil {
		s.fs.add("biometrics.companion", "bio.companion", container.NewVBox(s.compRole, s.compRel, s.compID, s.compOrg))
	}

	// one row per finger: exception before capture, then the capture's outcome
	statusLabels := []string{T("bio.toCapture")}
	for _, st := range forms.FingerExceptionStatuses {
		statusLabels = append(statusLabels, T("fingerstatus."+string(st)))
	}
	latest := map[forms.FingerPosition]forms.Finger{}
	for _, f := range b.Fingers {
		latest[f.Position] = f
	}
	exc := cs.c.FingerExceptions()
	rows := container.NewVBox()
	for pos := forms.RightThumb; pos <= forms.LeftLittle; pos++ {
		i := int(pos) - 1
		s.state[i] = widget.NewLabel("")
		name := widget.NewLabel(T(fmt.Sprintf("finger.%d", pos)))
		f, known := latest[pos]
		// name | exception | retake date | progress or status; the image is on the hands
		if known && f.Status == forms.FingerCaptured {
			s.showFinger(i, forms.FingerCaptured, f.Quality)
			rows.Add(container.NewGridWithColumns(4, name, widget.NewLabel(""), widget.NewLabel(""), s.state[i]))
			continue
		}
		s.status[i] = widget.NewSelect(statusLabels, nil)
		s.retake[i] = widget.NewEntry()
		s.retake[i].SetPlaceHolder(T("bio.retakeOn"))
		s.status[i].SetSelectedIndex(0)
		if e, ok := exc[pos]; ok {
			for j, st := range forms.FingerExceptionStatuses {
				if st == e.Status {
					s.status[i].SetSelectedIndex(j + 1)
				}
			}
			s.retake[i].SetText(dateText(e.RetakeOn))
		}
		s.status[i].OnChanged = func(string) { cs.u.touch(); s.showPlan() }
		rows.Add(container.NewGridWithColumns(4, name, s.status[i], s.retake[i], s.state[i]))
	}
	s.fs.add("biometrics.fingers", "bio.fingers", rows)

	switch b.Face.Status {
	case forms.FaceCaptured:
		s.faceState.SetText(T("bio.faceCaptured"))
		s.faceThumb.Objects = []fyne.CanvasObject{facePlaceholder(T("hand.loading"))}
	case "":
		s.faceState.SetText(T("bio.faceToTake"))
	default:
		s.faceState.SetText(T("facestatus." + string(b.Face.Status)))
	}
	s.faceProblems.Hide()
	s.faceBox = container.NewVBox(s.faceState, s.faceProblems)
	s.fs.add("biometrics.face", "bio.face", container.NewBorder(nil, nil, s.faceThumb, nil, s.faceBox))

	s.captureBtn = widget.NewButton(T("bio.capture"), s.capture)
	s.captureBtn.Importance = widget.HighImportance
	s.previewBtn = widget.NewButton(T("bio.preview"), s.togglePreview)
	s.previewImg = canvas.NewImageFromImage(nil)
	s.previewImg.FillMode = canvas.ImageFillContain
	s.previewImg.SetMinSize(previewSize)
	s.previewImg.Hide()
	if !plan.Required || len(plan.Fingers) == 0 && !plan.Face {
		s.previewBtn.Hide()
	}
	s.buttons = container.NewHBox(s.captureBtn, s.previewBtn)
	s.fs.add("biometrics.capture", "bio.captureLabel", container.NewVBox(s.buttons, s.previewImg, s.progress, s.msg))

	whatLabels := make([]string, len(forms.RefusalWhats))
	for i, w := range forms.RefusalWhats {
		whatLabels[i] = T("refusal." + w)
	}
	s.refuseWhat = widget.NewSelect(whatLabels, nil)
	s.refuseWhat.SetSelectedIndex(0)
	s.informed = widget.NewCheck(T("bio.informed"), nil)
	refuse := widget.NewButton(T("bio.refuse"), s.refuse)
	refusals := widget.NewLabel(Tf("bio.refusals", len(b.Refusals)))
	if len(b.Refusals) == 0 {
		refusals.Hide()
	}
	s.fs.add("biometrics.refusals", "bio.refusal", container.NewVBox(container.NewHBox(s.refuseWhat, s.informed, refuse), refusals, s.refusalMsg))
	s.hands = newHandDiagram()
	s.showPlan()
	if cs.thumbs != nil {
		s.showThumbs(cs.thumbs) // loaded for this case already: the first frame has them
	}
	return s
}

func (s *biometricsStep) content() fyne.CanvasObject {
	return container.NewVBox(s.plan, container.NewCenter(s.hands.content), s.fs.form())
}

// showThumbs puts the stored captures' thumbnails on the hands and the face row, with the
// face's problems in words (caseScreen.loadThumbs calls it when they are loaded).
func (s *biometricsStep) showThumbs(th *app.Thumbs) {
	s.showHands()
	switch {
	case th.Face != nil:
		s.faceThumb.Objects = []fyne.CanvasObject{faceThumb(th.Face)}
		s.showFaceProblems(th.FaceProblems)
	case s.cs.c.Biometrics.Face.Status != forms.FaceCaptured:
		return
	case th.Withheld:
		s.faceThumb.Objects = []fyne.CanvasObject{facePlaceholder(T("hand.withheld"))}
	default:
		s.faceThumb.Objects = []fyne.CanvasObject{facePlaceholder(T("hand.imageMissing"))}
	}
	s.faceThumb.Refresh()
}

// showHands shows the hands from the case as the inputs would make it (an exception chosen
// but not yet saved shows at once) with the thumbnails loaded so far.
func (s *biometricsStep) showHands() {
	c := s.cs.c.Clone()
	if err := s.apply(c); err != nil {
		c = s.cs.c
	}
	s.hands.show(c, s.cs.thumbs)
}

// showFaceProblems lists the face's ICAO-style problems in the interface language.
func (s *biometricsStep) showFaceProblems(ps []hardware.Problem) {
	if len(ps) > 0 {
		texts := make([]string, len(ps))
		for i, p := range ps {
			texts[i] = p.Text(Language())
		}
		s.faceProblems.SetText(Tf("bio.faceProblems", strings.Join(texts, "; ")))
		s.faceProblems.Importance = widget.WarningImportance
	} else {
		s.faceProblems.SetText(T("bio.faceOK"))
		s.faceProblems.Importance = widget.SuccessImportance
	}
	s.faceProblems.Show()
	s.faceBox.Refresh()
}

// showPlan summarises what capture will do, from the case as the inputs would make it.
func (s *biometricsStep) showPlan() {
	c := s.cs.c.Clone()
	if err := s.apply(c); err != nil {
		return // an unreadable retake date: the old summary stays until it is fixed
	}
	s.plan.SetText(planText(c.CapturePlan(s.cs.u.sess.Now())))
	if s.hands != nil {
		s.hands.show(c, s.cs.thumbs)
	}
}

// planText is the capture plan as sentences for the officer.
func planText(p forms.CapturePlan) string {
	if !p.Required {
		return Tf("bio.notRequired", pick(p.Reason.Message.EN, p.Reason.Message.NL))
	}
	var lines []string
	if len(p.Fingers) > 0 {
		names := make([]string, len(p.Fingers))
		for i, f := range p.Fingers {
			names[i] = T(fmt.Sprintf("finger.%d", f))
		}
		lines = append(lines, Tf("bio.planFingers", len(p.Fingers), strings.Join(names, ", ")))
	}
	if len(p.Captured) > 0 {
		lines = append(lines, Tf("bio.planCaptured", len(p.Captured)))
	}
	if len(p.Exceptions) > 0 {
		lines = append(lines, Tf("bio.planExceptions", len(p.Exceptions)))
	}
	if p.Face {
		lines = append(lines, T("bio.planFace"))
	}
	if p.FaceOnly {
		lines = append(lines, T("bio.planFaceOnly"))
	}
	if len(p.Fingers) == 0 && !p.Face {
		lines = append(lines, T("bio.planDone"))
	}
	if p.Deferred {
		lines = append(lines, T("bio.deferred"))
	}
	if p.CompanionMissing {
		lines = append(lines, T("bio.companionFirst"))
	}
	return strings.Join(lines, "\n")
}

// apply puts the companion and the finger exceptions on the screen's copy through app's
// commands (whose rules refuse, for example, clearing the companion of a capture already
// made); the save sends the same change.
func (s *biometricsStep) apply(c *forms.Case) error {
	var cp *forms.Companion
	rel, id := strings.TrimSpace(s.compRel.Text), strings.TrimSpace(s.compID.Text)
	if i := s.compRole.SelectedIndex(); i >= 0 || rel != "" || id != "" {
		cp = &forms.Companion{Relationship: rel, ID: id, Organisation: s.compOrg.Text}
		if old := c.Biometrics.Companion; old != nil {
			cp.Name = old.Name // a name recorded before the ID rule stays; nothing asks for one
		}
		if i >= 0 {
			cp.Role = forms.CompanionRoles[i]
		}
	}
	cmds := []app.Command{app.SetCompanion{Companion: cp}}
	for i, sel := range s.status {
		if sel == nil {
			continue
		}
		pos := forms.FingerPosition(i + 1)
		var want forms.FingerStatus
		if j := sel.SelectedIndex(); j > 0 {
			want = forms.FingerExceptionStatuses[j-1]
		}
		var retake forms.PartialDate
		if want == forms.FingerTemporarilyUnusable {
			d, err := parseDate(s.retake[i].Text)
			if err != nil {
				return inputErrorf("%s: %s", T(fmt.Sprintf("finger.%d", pos)), T("input.badDate"))
			}
			retake = d
		}
		cmds = append(cmds, app.SetFingerException{Position: pos, Status: want, RetakeOn: retake})
	}
	if err := s.cs.u.sess.Preview(c, cmds...); err != nil {
		return &inputError{text: errorText(err)}
	}
	return nil
}

// capture saves the case, checks the plan can run, then runs it on the paired devices off
// the UI goroutine, showing each finger's progress as the device reports it.
func (s *biometricsStep) capture() {
	cs := s.cs
	cs.u.touch()
	setError(s.msg, "")
	if !cs.applyCurrent() {
		return
	}
	if !cs.save() {
		setError(s.msg, T("bio.saveFirst"))
		return
	}
	plan := cs.c.CapturePlan(cs.u.sess.Now())
	switch {
	case !plan.Required:
		setError(s.msg, Tf("bio.notRequired", pick(plan.Reason.Message.EN, plan.Reason.Message.NL)))
		return
	case plan.Deferred:
		setError(s.msg, T("bio.deferred"))
		return
	case len(plan.Fingers) == 0 && !plan.Face:
		setError(s.msg, T("bio.planDone"))
		return
	}
	if ps, err := cs.u.sess.MinorProblems(cs.c); err != nil {
		setError(s.msg, errorText(err))
		return
	} else if len(ps) > 0 {
		setError(s.msg, problemsText(ps))
		return
	}
	s.progress.Max, s.progress.Value = float64(app.CaptureSteps(plan)), 0
	s.progress.Show()
	s.progress.Refresh()
	for _, f := range plan.Fingers {
		s.state[f-1].SetText(T("bio.waiting"))
	}
	if plan.Face {
		s.faceState.SetText(T("bio.waiting"))
	}
	s.stopPreview() // the device is needed for the capture
	s.capturing = true
	s.captureBtn.Disable()
	sess, id := cs.u.sess, cs.id
	var res *hardware.Result
	var err error
	runAsync(func() {
		var fingerDev, faceDev hardware.Device
		fingerDev, faceDev, err = captureDevices(sess, plan)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), captureTimeout)
		defer cancel()
		res, err = sess.CaptureBiometrics(ctx, id, fingerDev, faceDev, func(e hardware.Event) {
			uiDo(func() { s.event(e) })
		})
	}, func() { s.captured(id, res, err) })
}

// captureDevices picks the paired scanner and camera the plan needs. Off the UI goroutine.
func captureDevices(sess *app.Session, plan forms.CapturePlan) (fingers, face hardware.Device, err error) {
	if len(plan.Fingers) > 0 {
		if fingers, err = findPaired(sess, hardware.Finger); err != nil {
			return nil, nil, err
		}
	}
	if plan.Face {
		if face, err = findPaired(sess, hardware.Face); err != nil {
			return nil, nil, err
		}
	}
	return fingers, face, nil
}

// event shows one progress report of the capture session on the fingers it concerns.
func (s *biometricsStep) event(e hardware.Event) {
	text := Tf("bio.attempt", e.Attempt, T("stage."+string(e.Stage)))
	if e.Stage == hardware.StageDone {
		switch {
		case e.Err != nil:
			text = Tf("bio.attemptFailed", e.Attempt, deviceError(e.Err))
		case e.Target.Kind == hardware.Finger:
			text = Tf("bio.attemptScore", e.Attempt, e.Score)
		default:
			text = Tf("bio.attempt", e.Attempt, T("stage.done"))
		}
		// count each slap, finger or face once, at the end of its first attempt
		if e.Attempt == 1 && s.progress.Value < s.progress.Max {
			s.progress.SetValue(s.progress.Value + 1)
		}
	}
	if e.Image != nil && s.capturing {
		// the attempt just taken, large, while the capture runs
		s.previewImg.Image = e.Image
		s.previewImg.Show()
		s.previewImg.Refresh()
	}
	if e.Target.Kind == hardware.Face {
		s.faceState.SetText(text)
		return
	}
	positions := e.Target.Slap.Positions()
	if e.Target.Finger != 0 {
		positions = []int{e.Target.Finger}
	}
	for _, p := range positions {
		if p >= 1 && p <= 10 && s.status[p-1] != nil {
			s.state[p-1].SetText(text)
		}
	}
}

// captured shows each finger's image, quality and status, and the face's problems. The
// capture's record reached the open case through the change feed (caseScreen.changed); a
// save made while it ran was a command at the old revision that could not touch it.
func (s *biometricsStep) captured(id vault.CaseID, res *hardware.Result, err error) {
	cs := s.cs
	s.captureBtn.Enable()
	s.progress.Hide()
	s.capturing = false
	if s.previewStop == nil {
		s.previewImg.Image = nil
		s.previewImg.Hide()
	}
	target := s
	if bs, ok := cs.view.(*biometricsStep); ok && cs.id == id {
		target = bs // the officer left the step and came back meanwhile
	}
	var refused *app.MinorsError
	switch {
	case errors.Is(err, errNoScanner):
		setError(target.msg, T("bio.noScanner"))
	case errors.Is(err, errNoCamera):
		setError(target.msg, T("bio.noCamera"))
	case errors.As(err, &refused):
		setError(target.msg, problemsText(refused.Problems))
	case errors.Is(err, app.ErrCompanion):
		setError(target.msg, T("bio.companionFirst"))
	case errors.Is(err, app.ErrCaptureDeferred):
		setError(target.msg, T("bio.deferred"))
	case errors.Is(err, app.ErrNothingToTake):
		setError(target.msg, T("bio.planDone"))
	case err != nil:
		setError(target.msg, deviceError(err))
	}
	if res != nil {
		target.showResult(res)
	}
	target.showPlan()
}

// showResult puts the capture's outcome on the finger rows and the face row.
func (s *biometricsStep) showResult(res *hardware.Result) {
	for _, f := range res.Fingers {
		i := f.Finger - 1
		if i < 0 || i >= 10 {
			continue
		}
		if s.status[i] != nil && f.Status == hardware.StatusCaptured {
			// captured: no exception can be set any more
			s.status[i].Hide()
			s.retake[i].Hide()
		}
		st, ok := app.FingerStatusOf(f.Status)
		if !ok {
			s.state[i].SetText(Tf("bio.failed", f.Attempts))
			s.state[i].Importance = widget.DangerImportance
			s.state[i].Refresh()
			continue
		}
		s.showFinger(i, st, f.Quality)
	}
	if res.Face != nil && len(res.Face.PNG) > 0 {
		s.faceState.SetText(T("bio.faceCaptured"))
		s.showFaceProblems(res.Face.Problems)
	}
	// the images reach the hands from the vault (caseScreen.loadThumbs), decoded off the UI
	// goroutine, as for a case opened again
}

// showFinger shows one finger's status in its row, saying when its quality is below what
// the capture wanted (quality's verdict, not a comparison made here).
func (s *biometricsStep) showFinger(i int, st forms.FingerStatus, score int) {
	s.state[i].SetText(T("fingerstatus." + string(st)))
	if st == forms.FingerCaptured && app.QualityVerdict(score) != quality.Pass {
		s.state[i].SetText(Tf("bio.belowThreshold", score))
		s.state[i].Importance = widget.WarningImportance
		s.state[i].Refresh()
	}
}

// refuse records a refusal on the case, saves it, and tells the officer what it means for
// this person, in the interface language.
func (s *biometricsStep) refuse() {
	cs := s.cs
	cs.u.touch()
	i := s.refuseWhat.SelectedIndex()
	if i < 0 {
		return
	}
	if !cs.save(app.RecordRefusal{What: forms.RefusalWhats[i], Informed: s.informed.Checked}) {
		return
	}
	m := cs.c.RefusalMessage(cs.u.sess.Now())
	s.refusalMsg.SetText(pick(m.EN, m.NL))
	s.refusalMsg.Show()
}

// togglePreview starts or stops the live view of the device the next capture uses: the
// scanner while fingers are left, else the camera. Frames are shown and dropped.
func (s *biometricsStep) togglePreview() {
	cs := s.cs
	cs.u.touch()
	if s.previewStop != nil {
		s.stopPreview()
		return
	}
	setError(s.msg, "")
	target := app.PreviewTarget(cs.c.CapturePlan(cs.u.sess.Now()))
	kind := target.Kind
	ctx, cancel := context.WithCancel(context.Background())
	s.previewStop = cancel
	s.previewBtn.SetText(T("bio.previewStop"))
	sess := cs.u.sess
	var frames <-chan hardware.Frame
	var err error
	runAsync(func() {
		var dev hardware.Device
		if dev, err = findPaired(sess, kind); err == nil {
			frames, err = dev.Preview(ctx, target)
		}
	}, func() {
		switch {
		case err == nil:
			s.previewImg.Show()
			go s.showFrames(ctx, frames)
			return
		case errors.Is(err, errNoScanner):
			setError(s.msg, T("bio.noScanner"))
		case errors.Is(err, errNoCamera):
			setError(s.msg, T("bio.noCamera"))
		default:
			setError(s.msg, deviceError(err))
		}
		s.stopPreview()
	})
}

// showFrames puts each preview frame on screen until the preview stops, the officer leaves
// the step, or the device ends the stream.
func (s *biometricsStep) showFrames(ctx context.Context, frames <-chan hardware.Frame) {
	for f := range frames {
		img := f.Image
		uiDo(func() {
			if ctx.Err() != nil {
				return
			}
			if s.cs.u.openCase != s.cs || s.cs.view != s {
				s.stopPreview()
				return
			}
			s.previewImg.Image = img
			s.previewImg.Refresh()
		})
	}
	uiDo(func() {
		if ctx.Err() == nil {
			s.stopPreview() // the device stopped streaming
		}
	})
}

func (s *biometricsStep) stopPreview() {
	if s.previewStop == nil {
		return
	}
	s.previewStop()
	s.previewStop = nil
	s.previewImg.Image = nil
	s.previewImg.Hide()
	s.previewBtn.SetText(T("bio.preview"))
}

// problemsText is the sentences of a rule's problems in the interface language.
func problemsText(ps forms.Problems) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = pick(p.Message.EN, p.Message.NL)
	}
	return strings.Join(lines, "\n")
}
