package ui

import (
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	"github.com/fieldscreen/fieldscreen/vault"
)

// informationStep: the leaflet handed over, its language and version, the interpreter.
type informationStep struct {
	cs *caseScreen
	stepBase
	lang          *widget.Select
	interpreter   *widget.Check
	interpLang    *widget.Entry
	childFriendly *widget.Check
	leaflet       *leafletPrint  // warning and print button (leaflet.go)
	handover      []*handoverRow // received the leaflet, the form (handover.go)
}

func newInformationStep(cs *caseScreen) stepView {
	in := cs.c.Info
	s := &informationStep{cs: cs, stepBase: stepBase{newFieldSet()}}
	s.lang = widget.NewSelect(app.LeafletLanguages(), func(string) { s.checkLanguage() })
	s.lang.SetSelected(in.LeafletLanguage)
	s.interpreter = widget.NewCheck(T("info.interpreterUsed"), nil)
	s.interpreter.SetChecked(in.Interpreter.Used)
	s.interpLang = widget.NewEntry()
	s.interpLang.SetText(in.Interpreter.Language)
	s.interpLang.SetPlaceHolder(T("identity.langPlaceholder"))
	s.childFriendly = widget.NewCheck(T("info.childFriendly"), nil)
	s.childFriendly.SetChecked(in.ChildFriendly)
	s.fs.add("information.leafletLanguage", "info.leafletLanguage", s.lang)
	s.fs.add("information.interpreter", "info.interpreter", container.NewVBox(s.interpreter, s.interpLang))
	s.fs.add("information.childFriendly", "info.variant", s.childFriendly)
	s.leaflet = newLeafletPrint(s)
	s.fs.add("information.leaflet", "info.leaflet", s.leaflet.row())
	s.addHandover()
	s.checkLanguage()
	return s
}

func (s *informationStep) content() fyne.CanvasObject {
	return container.NewVBox(s.fs.form(), s.leaflet.bar, s.leaflet.warning, s.leaflet.result)
}

// apply copies the choices; the time, medium and leaflet version are stamped by app.
func (s *informationStep) apply(c *forms.Case) error {
	for _, h := range s.handover {
		h.apply(c)
	}
	if s.lang.Selected == "" {
		return nil
	}
	c.Info.LeafletLanguage = s.lang.Selected
	c.Info.Interpreter.Used = s.interpreter.Checked
	c.Info.Interpreter.Language = s.interpLang.Text
	c.Info.ChildFriendly = s.childFriendly.Checked
	return nil
}

// healthStep: everyone sees the outcome; a medic also records and reads the details, which
// live in the medic-only health class.
type healthStep struct {
	cs *caseScreen
	stepBase
	result   *widget.Select
	defers   *widget.Check
	findings *widget.Entry
	details  *forms.HealthDetails
}

func newHealthStep(cs *caseScreen) stepView {
	s := &healthStep{cs: cs, stepBase: stepBase{newFieldSet()}}
	labels := make([]string, len(forms.HealthResults))
	for i, r := range forms.HealthResults {
		labels[i] = T("health." + string(r))
	}
	s.result = widget.NewSelect(labels, nil)
	for i, r := range forms.HealthResults {
		if cs.c.Health.Result == r {
			s.result.SetSelectedIndex(i)
		}
	}
	s.defers = widget.NewCheck(T("health.defers"), nil)
	s.defers.SetChecked(cs.c.Health.DefersBiometrics)
	s.fs.add("health.result", "health.result", s.result)
	s.fs.add("health.defersBiometrics", "health.biometrics", s.defers)
	if cs.u.sess.Can(vault.Health, true) {
		s.findings = widget.NewMultiLineEntry()
		s.findings.SetMinRowsVisible(5)
		if cs.id != "" {
			if d, err := cs.u.sess.Health(cs.id); err == nil && d != nil {
				s.details = d
				s.findings.SetText(d.Findings)
			}
		}
		s.fs.add("health.details", "health.findings", s.findings)
	} else {
		s.result.Disable()
		s.defers.Disable()
		s.fs.add("health.details", "health.findings", widget.NewLabel(T("health.medicOnly")))
	}
	return s
}

// apply records the outcome on the copy; the examiner and time are stamped by app, which
// also refuses anyone but medical staff.
func (s *healthStep) apply(c *forms.Case) error {
	if s.findings == nil {
		return nil
	}
	if i := s.result.SelectedIndex(); i >= 0 {
		c.Health.Result = forms.HealthResults[i]
		c.Health.DefersBiometrics = s.defers.Checked
	}
	return nil
}

// stored notes that the findings on screen are the stored ones now, so the next save does
// not send them again.
func (s *healthStep) stored() {
	if s.findings != nil {
		s.details = &forms.HealthDetails{Findings: s.findings.Text}
	}
}

// commands sends the medic's findings with the outcome, in the same command.
func (s *healthStep) commands(cmds []app.Command) []app.Command {
	if s.findings == nil {
		return cmds
	}
	text := s.findings.Text
	old := ""
	if s.details != nil {
		old = s.details.Findings
	}
	if text == old {
		return cmds
	}
	out := cmds[:0:0]
	for _, c := range cmds {
		if _, ok := c.(app.RecordHealth); !ok {
			out = append(out, c)
		}
	}
	h := s.cs.c.Health
	return append(out, app.RecordHealth{Outcome: forms.HealthOutcome{Result: h.Result, DefersBiometrics: h.DefersBiometrics}, Findings: &text})
}

// vulnerabilityStep: indicators and special needs from the preliminary check.
type vulnerabilityStep struct {
	stepBase
	checked    *widget.Check
	indicators *widget.CheckGroup
	notes      *widget.Entry
}

func newVulnerabilityStep(cs *caseScreen) stepView {
	v := cs.c.Vulnerability
	s := &vulnerabilityStep{stepBase: stepBase{newFieldSet()}}
	s.checked = widget.NewCheck(T("vuln.done"), nil)
	s.checked.SetChecked(v.Checked)
	opts := make([]string, len(forms.VulnerabilityIndicators))
	for i, code := range forms.VulnerabilityIndicators {
		opts[i] = T("vuln." + code)
	}
	s.indicators = widget.NewCheckGroup(opts, nil)
	var sel []string
	for _, code := range v.Indicators {
		sel = append(sel, T("vuln."+code))
	}
	s.indicators.SetSelected(sel)
	s.notes = widget.NewMultiLineEntry()
	s.notes.SetText(v.Notes)
	s.fs.add("vulnerability.checked", "vuln.check", s.checked)
	s.fs.add("vulnerability.indicators", "vuln.indicators", s.indicators)
	s.fs.add("vulnerability.notes", "vuln.notes", s.notes)
	return s
}

func (s *vulnerabilityStep) apply(c *forms.Case) error {
	v := &c.Vulnerability
	v.Checked = s.checked.Checked
	v.Indicators = nil
	for i, code := range forms.VulnerabilityIndicators {
		for _, sel := range s.indicators.Selected {
			if sel == T("vuln."+forms.VulnerabilityIndicators[i]) {
				v.Indicators = append(v.Indicators, code)
			}
		}
	}
	v.Notes = s.notes.Text
	return nil
}

// formStep: the referral, and the screening form printed in the person's language.
type formStep struct {
	cs         *caseScreen
	bar        *widget.ProgressBarInfinite
	previewBtn *widget.Button
	printBtn   *widget.Button
	stepBase
	to        *widget.Select
	authority *widget.Entry
	lang      *widget.Select
	result    *widget.Label
	unsent    *widget.Label // the form is owed but cannot go: no receiving authority (app.FormNotSent)
}

func newFormStep(cs *caseScreen) stepView {
	s := &formStep{cs: cs, stepBase: stepBase{newFieldSet()}, result: widget.NewLabel(""), unsent: errorLabel()}
	s.result.Wrapping = fyne.TextWrapWord
	s.unsent.Importance = widget.WarningImportance
	s.showUnsent(cs.c)
	opts := make([]string, len(forms.ReferralTargets))
	for i, r := range forms.ReferralTargets {
		opts[i] = T("referral." + string(r))
	}
	s.to = widget.NewSelect(opts, nil)
	for i, r := range forms.ReferralTargets {
		if cs.c.Referral.To == r {
			s.to.SetSelectedIndex(i)
		}
	}
	s.authority = widget.NewEntry()
	s.authority.SetText(cs.c.Referral.Authority)
	s.lang = widget.NewSelect(pdf.Languages(), nil)
	s.lang.SetSelected(firstNonEmpty(cs.c.Info.LeafletLanguage, "en"))
	print := widget.NewButton(T("form.print"), s.print)
	print.Importance = widget.HighImportance
	s.printBtn = print
	savePDF := widget.NewButton(T("form.savePDF"), s.savePDF)
	send := widget.NewButton(T("form.send"), s.send)
	preview := widget.NewButton(T("form.preview"), s.preview)
	s.bar = newBusyBar()
	s.previewBtn = preview
	s.fs.add("referral.to", "referral.to", s.to)
	s.fs.add("referral.authority", "referral.authority", s.authority)
	s.fs.add("form", "form.language", container.NewBorder(nil, nil, nil, container.NewHBox(preview, savePDF, print), s.lang))
	s.fs.add("securityChecks", "form.central", send)
	complete := widget.NewButton(T("form.complete"), s.complete)
	ending := container.NewHBox(complete)
	if open, ok := cs.u.sess.DeadlineEndOffer(cs.c); ok {
		end := widget.NewButton(Tf("form.endAtDeadline", strings.Join(open, ", ")), s.endAtDeadline)
		end.Importance = widget.WarningImportance
		ending.Add(end)
	}
	if cs.c.Status == forms.StatusFormCompleted || cs.c.Status == forms.StatusReferred || cs.c.Status == forms.StatusClosed {
		complete.Disable()
	}
	s.fs.add("outcome", "form.outcome", ending)
	return s
}

func (s *formStep) content() fyne.CanvasObject {
	return container.NewVBox(s.unsent, s.fs.form(), s.bar, s.result)
}

// showUnsent says, above the form, when the form is owed but central names no authority to
// receive it (SR Art 18): it is never sent to nobody.
func (s *formStep) showUnsent(c *forms.Case) bool {
	m, ok := s.cs.u.sess.FormNotSent(c)
	if !ok {
		setError(s.unsent, "")
		return false
	}
	setError(s.unsent, pick(m.EN, m.NL))
	return true
}

// commands: the form step adds none; stored: after a save (the referral), say whether the
// form went.
func (s *formStep) commands(cmds []app.Command) []app.Command { return cmds }

func (s *formStep) stored() {
	if c, _, err := s.cs.u.sess.ReadCase(s.cs.id); err == nil {
		s.showUnsent(c)
	}
}

// preview saves the case and shows the form's pages exactly as they print, in the person's
// language, in a window of their own; nothing is written to disk.
func (s *formStep) preview() {
	if !s.cs.save() {
		return
	}
	sess, id, lang := s.cs.u.sess, s.cs.id, s.lang.Selected
	var pages []image.Image
	busy(s.bar, s.previewBtn, func() (err error) {
		pages, err = sess.PreviewForm(id, lang)
		return err
	}, func(err error) {
		if err != nil {
			s.result.Importance = widget.DangerImportance
			s.result.SetText(errorText(err))
			return
		}
		box := container.NewVBox()
		for _, p := range pages {
			img := canvas.NewImageFromImage(p)
			img.FillMode = canvas.ImageFillContain
			img.SetMinSize(fyne.NewSize(float32(p.Bounds().Dx()), float32(p.Bounds().Dy())))
			box.Add(img)
		}
		s.result.Importance = widget.MediumImportance
		s.result.SetText(Tf("form.previewShown", len(pages)))
		s.cs.u.showPreview(Tf("form.previewTitle", s.cs.c.Reference, lang), container.NewVScroll(box))
	})
}

func (s *formStep) apply(c *forms.Case) error {
	if i := s.to.SelectedIndex(); i >= 0 {
		c.Referral.To = forms.ReferralTargets[i]
	}
	c.Referral.Authority = strings.TrimSpace(s.authority.Text)
	return nil
}

// complete saves the case and completes the screening form (refused, with the reason, while
// a field is missing or a check is pending).
func (s *formStep) complete() {
	s.lifecycle(app.CompleteForm{})
}

// endAtDeadline ends the screening at the screening limit with the open checks listed (Art
// 18(5)); the button shows only while app offers it.
func (s *formStep) endAtDeadline() {
	s.lifecycle(app.EndAtDeadline{})
}

func (s *formStep) lifecycle(cmd app.Command) {
	if !s.cs.save(cmd) {
		return
	}
	s.result.Importance = widget.SuccessImportance
	s.result.SetText(T("status." + string(s.cs.c.Status)))
	s.cs.open(s.cs.cur)
}

// send saves the case and queues its security-check query and Eurodac transaction for
// central, in the same transaction; the background worker sends them when a link is up.
func (s *formStep) send() {
	if !s.cs.save() {
		return
	}
	s.cs.own = true
	pk, err := s.cs.u.sess.Submit(s.cs.id)
	s.cs.own = false
	s.cs.reread()
	if err != nil {
		s.result.Importance = widget.DangerImportance
		s.result.SetText(errorText(err))
		return
	}
	s.result.Importance = widget.SuccessImportance
	unsent := s.showUnsent(s.cs.c)
	if len(pk) == 0 {
		if unsent {
			s.result.SetText("") // not "already sent": the sentence above says why it waits
			return
		}
		s.result.SetText(T("form.alreadySent"))
		return
	}
	s.result.SetText(Tf("form.queued", len(pk)))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
