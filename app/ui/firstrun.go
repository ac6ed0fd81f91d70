package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// newFirstRunScreen creates the vault and its first supervisor, then unlocks as them.
func newFirstRunScreen(u *UI) fyne.CanvasObject {
	name := widget.NewEntry()
	name.SetPlaceHolder(T("firstrun.namePlaceholder"))
	pass := widget.NewPasswordEntry()
	again := widget.NewPasswordEntry()
	msg := errorLabel()
	create := widget.NewButton(T("firstrun.create"), nil)
	create.Importance = widget.HighImportance
	create.OnTapped = func() {
		if pass.Text != again.Text {
			setError(msg, T("firstrun.mismatch"))
			return
		}
		create.Disable()
		defer create.Enable()
		if err := u.term.Setup(name.Text, []byte(pass.Text)); err != nil {
			setError(msg, errorText(err))
			return
		}
		s, err := u.term.Unlock(name.Text, []byte(pass.Text))
		if err != nil {
			setError(msg, errorText(err))
			return
		}
		u.unlocked(s)
	}
	again.OnSubmitted = func(string) { create.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(T("firstrun.name"), name),
		widget.NewFormItem(T("firstrun.passphrase"), pass),
		widget.NewFormItem(T("firstrun.again"), again),
	)
	intro := widget.NewLabel(T("firstrun.intro"))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(T("firstrun.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, intro, form, msg, create)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(520, 420), box))
}
