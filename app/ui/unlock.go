package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
)

// newUnlockScreen asks for the user and passphrase. Failed attempts back off in the vault;
// the screen says how long to wait rather than pretending the passphrase was wrong.
func newUnlockScreen(u *UI) (fyne.CanvasObject, fyne.Focusable) {
	names, err := u.term.UserNames()
	user := widget.NewSelectEntry(names)
	user.SetPlaceHolder(T("unlock.user"))
	if len(names) == 1 {
		user.SetText(names[0])
	}
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(T("unlock.passphrase"))
	msg := errorLabel()
	if err != nil {
		setError(msg, errorText(err))
	} else if u.lockNotice != "" {
		setError(msg, u.lockNotice)
	}
	btn := widget.NewButton(T("unlock.button"), nil)
	btn.Importance = widget.HighImportance
	bar := newBusyBar()
	btn.OnTapped = func() {
		name, secret := user.Text, []byte(pass.Text)
		pass.SetText("")
		setError(msg, "")
		var s *app.Session
		busy(bar, btn, func() (err error) {
			s, err = u.term.Unlock(name, secret)
			return err
		}, func(err error) {
			if err != nil {
				setError(msg, errorText(err))
				u.win.Canvas().Focus(pass)
				return
			}
			u.unlocked(s)
		})
	}
	pass.OnSubmitted = func(string) { btn.OnTapped() }
	user.OnSubmitted = func(string) { u.win.Canvas().Focus(pass) } // Enter moves on, as Tab would
	title := widget.NewLabelWithStyle(T("unlock.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, user, pass, msg, btn, bar)
	var focus fyne.Focusable = user
	if user.Text != "" {
		focus = pass
	}
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 300), box)), focus
}
