package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
)

// newFirstRunScreen creates the vault and its first supervisor, then unlocks as them.
func newFirstRunScreen(u *UI) (fyne.CanvasObject, fyne.Focusable) {
	name := widget.NewEntry()
	name.SetPlaceHolder(T("firstrun.namePlaceholder"))
	pass := widget.NewPasswordEntry()
	again := widget.NewPasswordEntry()
	central := widget.NewEntry()
	central.SetPlaceHolder("https://central.example:8443")
	central.SetText(u.term.Config().CentralURL)
	token := widget.NewEntry()
	token.SetPlaceHolder(T("firstrun.tokenOptional"))
	msg := errorLabel()
	create := widget.NewButton(T("firstrun.create"), nil)
	create.Importance = widget.HighImportance
	bar := newBusyBar()
	create.OnTapped = func() {
		if pass.Text != again.Text {
			setError(msg, T("firstrun.mismatch"))
			return
		}
		if tok := strings.TrimSpace(token.Text); tok != "" {
			// enrol right after the first unlock; without a token the terminal works
			// offline and can enrol later on the Sync screen
			u.EnrolAfterUnlock(strings.TrimSpace(central.Text), tok)
		}
		setError(msg, T("firstrun.working"))
		msg.Importance = widget.MediumImportance
		user, secret := name.Text, []byte(pass.Text)
		var s *app.Session
		busy(bar, create, func() error {
			// creating calibrates the key derivation to this laptop: a few seconds
			if err := u.term.Setup(user, secret); err != nil {
				return err
			}
			var err error
			s, err = u.term.Unlock(user, secret)
			return err
		}, func(err error) {
			msg.Importance = widget.DangerImportance
			if err != nil {
				setError(msg, errorText(err))
				return
			}
			u.unlocked(s)
		})
	}
	again.OnSubmitted = func(string) { create.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(T("firstrun.name"), name),
		widget.NewFormItem(T("firstrun.passphrase"), pass),
		widget.NewFormItem(T("firstrun.again"), again),
		widget.NewFormItem(T("sync.central"), central),
		widget.NewFormItem(T("sync.tokenLabel"), token),
	)
	intro := widget.NewLabel(T("firstrun.intro"))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(T("firstrun.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, intro, form, msg, create, bar)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 500), box)), name
}
