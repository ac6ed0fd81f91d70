package ui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// showSettings: interface language, idle time, and the signed-in user's own passphrase.
func (u *UI) showSettings() {
	msg := errorLabel()
	ok := widget.NewLabel("")
	langSel := widget.NewSelect([]string{"English", "Nederlands"}, nil)
	if Language() == "nl" {
		langSel.SetSelectedIndex(1)
	} else {
		langSel.SetSelectedIndex(0)
	}
	langSel.OnChanged = func(string) {
		u.touch()
		SetLanguage(Languages[langSel.SelectedIndex()])
		u.showSettings()
	}
	idle := widget.NewEntry()
	idle.SetText(strconv.FormatFloat(u.term.Config().IdleTimeout.Minutes(), 'f', -1, 64))
	applyIdle := widget.NewButton(T("settings.apply"), func() {
		u.touch()
		m, err := strconv.ParseFloat(strings.TrimSpace(idle.Text), 64)
		if err != nil || m < 0.5 || m > 60 {
			setError(msg, T("settings.badIdle"))
			return
		}
		u.term.SetIdleTimeout(time.Duration(m * float64(time.Minute)))
		setError(msg, "")
		ok.SetText(T("settings.idleSaved"))
	})
	old := widget.NewPasswordEntry()
	newPass := widget.NewPasswordEntry()
	again := widget.NewPasswordEntry()
	change := widget.NewButton(T("settings.changePass"), func() {
		u.touch()
		if newPass.Text != again.Text {
			setError(msg, T("firstrun.mismatch"))
			return
		}
		if err := u.sess.ChangePassphrase([]byte(old.Text), []byte(newPass.Text)); err != nil {
			setError(msg, errorText(err))
			return
		}
		old.SetText("")
		newPass.SetText("")
		again.SetText("")
		setError(msg, "")
		ok.SetText(T("settings.passChanged"))
	})
	form := widget.NewForm(
		widget.NewFormItem(T("settings.language"), langSel),
		widget.NewFormItem(T("settings.idle"), container.NewBorder(nil, nil, nil, applyIdle, idle)),
		widget.NewFormItem(T("settings.oldPass"), old),
		widget.NewFormItem(T("settings.newPass"), newPass),
		widget.NewFormItem(T("firstrun.again"), again),
		widget.NewFormItem("", change),
	)
	u.showSection("settings", container.NewVBox(form, msg, ok))
}
