package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
)

// The corrections step and dialog (Eurodac Art 40(3)): the case's correction history, old
// value → new value with the reason, when and by which role; and, for a supervisor on a case
// whose form or Eurodac data set was sent, the dialog that asks for one correction (field,
// corrected value, reason) and sends it as app.Correct. Which fields were transmitted, what a
// correction needs and what it re-sends are forms' and app's rules; this file shows and asks.

// correctionsStep shows the history; it has no inputs of its own.
type correctionsStep struct {
	stepBase
	cs  *caseScreen
	box *fyne.Container
}

func newCorrectionsStep(cs *caseScreen) stepView {
	s := &correctionsStep{cs: cs, stepBase: stepBase{newFieldSet()}}
	intro := widget.NewLabel(T("corr.intro"))
	intro.Wrapping = fyne.TextWrapWord
	s.box = container.NewVBox(intro)
	if len(cs.c.Corrections) == 0 {
		s.box.Add(widget.NewLabel(T("corr.none")))
	}
	for i := len(cs.c.Corrections) - 1; i >= 0; i-- { // newest first
		s.box.Add(correctionCard(cs.c.Corrections[i]))
	}
	switch {
	case cs.id != "" && cs.u.sess.CanCorrect(cs.c):
		b := widget.NewButton(T("corr.button"), func() { cs.u.touch(); cs.showCorrectionDialog() })
		b.Importance = widget.HighImportance
		s.box.Add(container.NewHBox(b))
	case !cs.c.FormSent() && !cs.c.EurodacQueued():
		s.box.Add(widget.NewLabel(T("corr.notSent")))
	default:
		s.box.Add(widget.NewLabel(T("corr.supervisorOnly")))
	}
	s.box.Add(s.fs.general)
	return s
}

func (s *correctionsStep) content() fyne.CanvasObject { return s.box }

func (s *correctionsStep) apply(*forms.Case) error { return nil }

// correctionsDone: the step is done when every correction has gone out.
func correctionsDone(c *forms.Case) bool {
	if len(c.Corrections) == 0 {
		return false
	}
	for _, k := range c.Corrections {
		if k.Form && k.FormPacket == "" || len(k.Eurodac) > 0 && k.EurodacPacket == "" {
			return false
		}
	}
	return true
}

// correctionCard is one correction: field, old → new, reason, when, who, what was re-sent.
func correctionCard(k forms.Correction) fyne.CanvasObject {
	show := func(v string) string {
		if v == "" {
			return T("corr.empty")
		}
		return v
	}
	head := widget.NewLabel(Tf("corr.entry", timeText(k.At), T("role."+k.Role), k.By, k.Path))
	head.TextStyle = fyne.TextStyle{Bold: true}
	change := widget.NewLabel(show(app.CorrectionText(k.Old)) + "  →  " + show(app.CorrectionText(k.New)))
	change.Wrapping = fyne.TextWrapWord
	reason := widget.NewLabel(Tf("corr.reasonIs", k.Reason))
	reason.Wrapping = fyne.TextWrapWord
	var sent []string
	switch {
	case k.FormPacket != "":
		sent = append(sent, Tf("corr.formSent", k.FormVersion))
	case k.Form:
		sent = append(sent, T("corr.formWaiting"))
	}
	switch {
	case k.EurodacPacket != "":
		sent = append(sent, Tf("corr.eurodacSent", strings.Join(k.Eurodac, ", ")))
	case len(k.Eurodac) > 0:
		sent = append(sent, T("corr.eurodacWaiting"))
	}
	resent := widget.NewLabel(T("corr.resent") + " " + strings.Join(sent, "; "))
	resent.Wrapping = fyne.TextWrapWord
	return widget.NewCard("", "", container.NewVBox(head, change, reason, resent))
}

// correctionDialog asks for one correction.
type correctionDialog struct {
	cs      *caseScreen
	d       dialog.Dialog
	field   *widget.SelectEntry
	current *widget.Label
	value   *widget.Entry
	reason  *widget.Entry
	msg     *widget.Label
	apply   *widget.Button
}

// showCorrectionDialog opens the dialog, unless the screen holds unsaved changes: the
// correction is stored on its own, and what was typed elsewhere must be saved (or undone)
// first so it is neither lost nor sent as part of the correction.
func (cs *caseScreen) showCorrectionDialog() {
	if cmds, err := app.CommandsFor(cs.base, cs.c); err != nil || len(cmds) > 0 {
		dialog.ShowInformation(T("corr.title"), T("corr.saveFirst"), cs.u.win)
		return
	}
	k := &correctionDialog{cs: cs, current: widget.NewLabel(""), value: widget.NewEntry(), reason: widget.NewMultiLineEntry(), msg: widget.NewLabel("")}
	k.current.Wrapping, k.msg.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	k.field = widget.NewSelectEntry(cs.c.CorrectableFields())
	k.field.SetPlaceHolder("identity.givenNames")
	k.field.OnChanged = func(string) { k.showCurrent() }
	k.reason.SetPlaceHolder(T("corr.reasonPlaceholder"))
	k.reason.SetMinRowsVisible(3)
	k.apply = widget.NewButton(T("corr.apply"), k.submit)
	k.apply.Importance = widget.HighImportance
	cancel := widget.NewButton(T("corr.cancel"), func() { k.d.Hide() })
	intro := widget.NewLabel(T("corr.dialogIntro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("corr.field"), k.field),
		widget.NewFormItem(T("corr.current"), k.current),
		widget.NewFormItem(T("corr.value"), k.value),
		widget.NewFormItem(T("corr.reason"), k.reason),
	)
	content := container.NewVBox(intro, form, k.msg, container.NewHBox(cancel, k.apply))
	k.d = dialog.NewCustomWithoutButtons(T("corr.title"), content, cs.u.win)
	k.d.Resize(fyne.NewSize(640, 460))
	k.d.Show()
	cs.u.win.Canvas().Focus(k.field)
}

// showCurrent shows the picked field's value as stored and puts it in the value entry to
// edit.
func (k *correctionDialog) showCurrent() {
	path := strings.TrimSpace(k.field.Text)
	v, err := k.cs.c.FieldValue(path)
	if err != nil {
		k.current.SetText("")
		return
	}
	text := app.CorrectionText(v)
	if text == "" {
		k.current.SetText(T("corr.empty"))
	} else {
		k.current.SetText(text)
	}
	k.value.SetText(text)
}

// submit sends the correction; on success the screen takes the stored case in and shows
// what was re-sent, otherwise the dialog stays open with the sentence.
func (k *correctionDialog) submit() {
	cs := k.cs
	cs.u.touch()
	path := strings.TrimSpace(k.field.Text)
	val, err := app.CorrectionValue(cs.c, path, k.value.Text)
	if err == nil {
		cs.own = true
		_, err = cs.u.sess.Do(cs.id, cs.rev, app.Correct{Path: path, Value: val, Reason: k.reason.Text})
		cs.own = false
	}
	if err != nil {
		k.msg.Importance = widget.DangerImportance
		k.msg.SetText(errorText(err))
		return
	}
	k.d.Hide()
	fresh, rev, err := cs.u.sess.ReadCase(cs.id)
	if err != nil {
		cs.notice.Importance = widget.DangerImportance
		cs.notice.SetText(errorText(err))
		cs.notice.Show()
		return
	}
	cs.base, cs.c, cs.rev = fresh, fresh.Clone(), rev
	cs.open(cs.cur)
	cs.nav.Refresh()
	cs.refreshHeader()
	cs.notice.Importance = widget.SuccessImportance
	cs.notice.SetText(fmt.Sprintf("%s %s", Tf("corr.recorded", path), T("corr.seeHistory")))
	cs.notice.Show()
}
