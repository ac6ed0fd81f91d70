package ui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/hardware"
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
		_ = u.term.UpdateConfig(func(c *app.Config) { c.Language = Language() }) // a failed save keeps the choice for this run
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
		if err := u.term.UpdateConfig(func(c *app.Config) {
			c.IdleTimeout = time.Duration(m * float64(time.Minute))
			c.IdleMinutes = m
		}); err != nil {
			setError(msg, errorText(err))
			return
		}
		setError(msg, "")
		ok.SetText(T("settings.idleSaved"))
	})
	central := widget.NewEntry()
	central.SetText(u.term.Config().CentralURL)
	central.SetPlaceHolder("https://central.example:8443[,https://central-b.example:8443]")
	saveCentral := widget.NewButton(T("settings.apply"), func() {
		u.touch()
		v := strings.TrimSpace(central.Text)
		if v != "" && app.CheckCentralURLs(v) != nil {
			setError(msg, T("settings.badCentral"))
			return
		}
		if err := u.term.UpdateConfig(func(c *app.Config) { c.CentralURL = v }); err != nil {
			setError(msg, errorText(err))
			return
		}
		setError(msg, "")
		ok.SetText(T("settings.centralSaved"))
	})
	// the CUPS queue forms and leaflets print on; lpstat's list when CUPS answers
	printers, _ := app.Printers(context.Background())
	printer := widget.NewSelectEntry(printers)
	printer.SetText(u.term.Config().Printer)
	savePrinter := widget.NewButton(T("settings.apply"), func() {
		u.touch()
		v := strings.TrimSpace(printer.Text)
		if v != "" {
			if err := app.CheckPrinterName(v); err != nil {
				setError(msg, errorText(err))
				return
			}
		}
		if err := u.term.UpdateConfig(func(c *app.Config) { c.Printer = v }); err != nil {
			setError(msg, errorText(err))
			return
		}
		setError(msg, "")
		ok.SetText(T("settings.printerSaved"))
	})
	// the device per modality, among the paired ones (pairings carry no personal data)
	deviceItems := []*widget.FormItem{}
	if pairings, err := u.sess.Pairings(); err == nil {
		for _, kind := range []hardware.Kind{hardware.Finger, hardware.Face, hardware.Document} {
			kind := kind
			opts := []string{T("settings.firstPaired")}
			for _, p := range pairings {
				if p.Identity.Kind == kind {
					opts = append(opts, p.ID)
				}
			}
			sel := widget.NewSelect(opts, nil)
			sel.SetSelectedIndex(0)
			if want := u.term.Config().Devices[string(kind)]; want != "" {
				sel.SetSelected(want)
			}
			sel.OnChanged = func(v string) {
				u.touch()
				if sel.SelectedIndex() == 0 {
					v = ""
				}
				err := u.term.UpdateConfig(func(c *app.Config) {
					if c.Devices == nil {
						c.Devices = map[string]string{}
					}
					c.Devices[string(kind)] = v
				})
				if err != nil {
					setError(msg, errorText(err))
				}
			}
			deviceItems = append(deviceItems, widget.NewFormItem(T("settings.device."+string(kind)), sel))
		}
	}
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
		widget.NewFormItem(T("settings.central"), container.NewBorder(nil, nil, nil, saveCentral, central)),
		widget.NewFormItem(T("settings.printer"), container.NewBorder(nil, nil, nil, savePrinter, printer)),
	)
	for _, it := range append(append(u.displaySettings(msg, ok), deviceItems...), u.deviceSettings(msg, ok)...) {
		form.AppendItem(it)
	}
	for _, it := range []*widget.FormItem{
		widget.NewFormItem(T("settings.oldPass"), old),
		widget.NewFormItem(T("settings.newPass"), newPass),
		widget.NewFormItem(T("firstrun.again"), again),
		widget.NewFormItem("", change),
	} {
		form.AppendItem(it)
	}
	u.showSection("settings", container.NewVBox(form, msg, ok))
}
