package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
)

// print saves the case and sends its form to the printer chosen in Settings, from memory:
// no copy of the form is left on this laptop (issue 14). Printing is audited.
func (s *formStep) print() {
	if !s.cs.save() {
		return
	}
	sess, id, lang := s.cs.u.sess, s.cs.id, s.lang.Selected
	var job string
	busy(s.bar, s.printBtn, func() (err error) {
		job, err = sess.PrintFormOnPrinter(context.Background(), id, lang)
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, app.ErrNoPrinter):
			s.result.Importance = widget.WarningImportance
			s.result.SetText(T("form.noPrinter"))
		case err != nil:
			s.result.Importance = widget.DangerImportance
			s.result.SetText(errorText(err))
		default:
			s.result.Importance = widget.SuccessImportance
			s.result.SetText(Tf("form.printedJob", job))
		}
	})
}

// savePDF saves the form as a PDF file where the user chooses, after a warning: that file
// holds personal data outside the vault, so purge cannot reach it.
func (s *formStep) savePDF() {
	if !s.cs.save() {
		return
	}
	w := s.cs.u.win
	dialog.ShowConfirm(T("form.savePDF"), T("form.savePDFWarning"), func(ok bool) {
		if !ok {
			return
		}
		d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil { // the place chosen cannot be written
				s.result.Importance = widget.DangerImportance
				s.result.SetText(errorText(err))
				return
			}
			if wc == nil {
				return
			}
			path := wc.URI().Path()
			wc.Close() // SaveFormPDF replaces the empty file whole, mode 0600
			if err := s.cs.u.sess.SaveFormPDF(path, s.cs.id, s.lang.Selected); err != nil {
				s.result.Importance = widget.DangerImportance
				s.result.SetText(errorText(err))
				return
			}
			s.result.Importance = widget.WarningImportance
			s.result.SetText(Tf("form.savedPDF", path))
		}, w)
		d.SetFileName("screening-form-" + s.cs.c.Reference + "-" + s.lang.Selected + ".pdf")
		d.Show()
	}, w)
}
