package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
)

// The access request dialog (GDPR Art 15, Eurodac Art 43): a supervisor prints, or saves where
// they choose, everything the terminal holds about the person on the open case. A medic and an
// auditor may co-sign on the spot, each typing their own name and passphrase, which adds the
// health details and the log; the rules, the co-signers' verification and the audit are app's.

// accessButton is the case screen's "Access request…" button, for supervisors on a stored
// case; nil for everyone else.
func accessButton(cs *caseScreen) *widget.Button {
	if cs.u.sess == nil || !cs.u.sess.CanAnswerAccessRequests() {
		return nil
	}
	b := widget.NewButton(T("access.button"), func() {
		cs.u.touch()
		if cs.id == "" {
			dialog.ShowInformation(T("access.title"), T("access.saveFirst"), cs.u.win)
			return
		}
		newAccessDialog(cs).show()
	})
	return b
}

// accessDialog asks for the report's language and the optional co-signers, then prints or
// saves the report.
type accessDialog struct {
	cs                   *caseScreen
	d                    dialog.Dialog
	lang                 *widget.Select
	medicUser, medicPass *widget.Entry
	audUser, audPass     *widget.Entry
	printBtn, saveBtn    *widget.Button
	bar                  *widget.ProgressBarInfinite
	result               *widget.Label
}

func newAccessDialog(cs *caseScreen) *accessDialog {
	a := &accessDialog{cs: cs, bar: newBusyBar(), result: widget.NewLabel("")}
	a.result.Wrapping = fyne.TextWrapWord
	langs := append([]string{T("access.langPerson")}, app.LeafletLanguages()...)
	a.lang = widget.NewSelect(langs, nil)
	a.lang.SetSelected(langs[0])
	a.medicUser, a.medicPass = widget.NewEntry(), widget.NewPasswordEntry()
	a.audUser, a.audPass = widget.NewEntry(), widget.NewPasswordEntry()
	a.medicUser.SetPlaceHolder(T("access.userName"))
	a.medicPass.SetPlaceHolder(T("access.passphrase"))
	a.audUser.SetPlaceHolder(T("access.userName"))
	a.audPass.SetPlaceHolder(T("access.passphrase"))
	a.printBtn = widget.NewButton(T("access.print"), a.print)
	a.printBtn.Importance = widget.HighImportance
	a.saveBtn = widget.NewButton(T("access.save"), a.save)
	intro := widget.NewLabel(T("access.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("access.language"), a.lang),
		widget.NewFormItem(T("access.medic"), container.NewGridWithColumns(2, a.medicUser, a.medicPass)),
		widget.NewFormItem(T("access.auditor"), container.NewGridWithColumns(2, a.audUser, a.audPass)),
	)
	cancel := widget.NewButton(T("access.close"), func() { a.clear(); a.d.Hide() })
	content := container.NewVBox(intro, form, a.bar, a.result, container.NewHBox(cancel, a.saveBtn, a.printBtn))
	a.d = dialog.NewCustomWithoutButtons(T("access.title"), content, cs.u.win)
	a.d.Resize(fyne.NewSize(640, 420))
	return a
}

func (a *accessDialog) show() { a.d.Show() }

// request reads the dialog into an access request. The passphrases are copied out of the
// entries, which are emptied at once; app zeroes the copies when it is done.
func (a *accessDialog) request() app.AccessRequest {
	req := app.AccessRequest{Case: a.cs.id}
	if a.lang.SelectedIndex() > 0 {
		req.Lang = a.lang.Selected
	}
	if a.medicUser.Text != "" {
		req.Medic = &app.CoSign{User: a.medicUser.Text, Passphrase: []byte(a.medicPass.Text)}
	}
	if a.audUser.Text != "" {
		req.Auditor = &app.CoSign{User: a.audUser.Text, Passphrase: []byte(a.audPass.Text)}
	}
	a.medicPass.SetText("")
	a.audPass.SetText("")
	return req
}

func (a *accessDialog) clear() {
	a.medicPass.SetText("")
	a.audPass.SetText("")
}

func (a *accessDialog) print() {
	a.cs.u.touch()
	sess, req := a.cs.u.sess, a.request()
	var job, lang string
	busy(a.bar, a.printBtn, func() (err error) {
		job, lang, err = sess.PrintAccessReport(context.Background(), req)
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, app.ErrNoPrinter):
			a.say(widget.WarningImportance, T("form.noPrinter"))
		case err != nil:
			a.say(widget.DangerImportance, accessErrorText(err))
		default:
			a.say(widget.SuccessImportance, Tf("access.printed", lang, job))
		}
	})
}

// save writes the report where the supervisor chooses, after the warning that the file holds
// personal data purge cannot reach.
func (a *accessDialog) save() {
	a.cs.u.touch()
	w := a.cs.u.win
	dialog.ShowConfirm(T("form.savePDF"), T("form.savePDFWarning"), func(ok bool) {
		if !ok {
			return
		}
		d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil { // the place chosen cannot be written
				a.clear()
				a.say(widget.DangerImportance, errorText(err))
				return
			}
			if wc == nil { // cancelled: no copy of a passphrase was made
				a.clear()
				return
			}
			// the passphrases are copied only now that app takes the request (and zeroes them)
			req := a.request()
			path := wc.URI().Path()
			wc.Close() // SaveAccessReport replaces the empty file whole, mode 0600
			lang, err := a.cs.u.sess.SaveAccessReport(path, req)
			if err != nil {
				a.say(widget.DangerImportance, accessErrorText(err))
				return
			}
			a.say(widget.WarningImportance, Tf("access.saved", lang, path))
		}, w)
		d.SetFileName("access-report-" + a.cs.c.Reference + ".pdf")
		d.Show()
	}, w)
}

func (a *accessDialog) say(imp widget.Importance, text string) {
	a.result.Importance = imp
	a.result.SetText(text)
}

// accessErrorText prefers the error's own sentence in the interface language (a refused role,
// a co-signer who could not be verified).
func accessErrorText(err error) string {
	var s interface{ Sentence(string) string }
	if errors.As(err, &s) {
		return s.Sentence(Language())
	}
	return errorText(err)
}
