package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
)

// leafletPrint is the information step's leaflet row: the warning when the chosen leaflet
// language is not one the person speaks (the rule is forms.Case.LeafletLanguageWarning), and
// a button that prints the leaflet, with central's data protection contacts, on the printer
// chosen in Settings.
type leafletPrint struct {
	step    *informationStep
	btn     *widget.Button
	bar     *widget.ProgressBarInfinite
	warning *widget.Label
	result  *widget.Label
}

func newLeafletPrint(s *informationStep) *leafletPrint {
	l := &leafletPrint{step: s, bar: newBusyBar(), warning: widget.NewLabel(""), result: widget.NewLabel("")}
	l.warning.Wrapping, l.result.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	l.warning.Importance = widget.WarningImportance
	l.warning.Hide()
	l.btn = widget.NewButton(T("info.printLeaflet"), l.print)
	return l
}

func (l *leafletPrint) row() fyne.CanvasObject { return l.btn }

// checkLanguage shows or hides the warning for the selected leaflet language against the
// languages recorded for the person.
func (s *informationStep) checkLanguage() {
	if s.leaflet == nil {
		return // called while the select is built
	}
	c := *s.cs.c
	c.Info.LeafletLanguage = s.lang.Selected
	if p := app.LeafletWarning(&c); p != nil {
		s.leaflet.warning.SetText(pick(p.Message.EN, p.Message.NL))
		s.leaflet.warning.Show()
		return
	}
	s.leaflet.warning.Hide()
}

// print sends the leaflet in the selected language (child-friendly when ticked) to the printer.
func (l *leafletPrint) print() {
	lang, child := l.step.lang.Selected, l.step.childFriendly.Checked
	if lang == "" {
		l.result.Importance = widget.WarningImportance
		l.result.SetText(T("info.pickLanguage"))
		return
	}
	sess := l.step.cs.u.sess
	var job string
	busy(l.bar, l.btn, func() (err error) {
		job, err = sess.PrintLeaflet(context.Background(), lang, child)
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, app.ErrNoPrinter):
			l.result.Importance = widget.WarningImportance
			l.result.SetText(T("form.noPrinter"))
		case err != nil:
			l.result.Importance = widget.DangerImportance
			l.result.SetText(errorText(err))
		default:
			l.result.Importance = widget.SuccessImportance
			l.result.SetText(Tf("info.leafletPrinted", job))
		}
	})
}
