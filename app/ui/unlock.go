package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
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
	btn.OnTapped = func() {
		btn.Disable()
		defer btn.Enable()
		s, err := u.term.Unlock(user.Text, []byte(pass.Text))
		pass.SetText("")
		if err != nil {
			setError(msg, errorText(err))
			return
		}
		u.unlocked(s)
	}
	pass.OnSubmitted = func(string) { btn.OnTapped() }
	title := widget.NewLabelWithStyle(T("unlock.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, user, pass, msg, btn)
	var focus fyne.Focusable = user
	if user.Text != "" {
		focus = pass
	}
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(420, 300), box)), focus
}
