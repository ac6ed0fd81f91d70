package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

// textScales are the text sizes Settings offers (Fyne scale factors); 0 is the desktop's own.
var textScales = []float32{0, 1, 1.25, 1.5, 1.75, 2}

func scaleName(s float32) string {
	if s == 0 {
		return T("settings.scaleSystem")
	}
	return fmt.Sprintf("%.0f %%", s*100)
}

// scaledTheme enlarges every size of the base theme (text, padding, icons) by one factor,
// which is what Fyne's own scale does, but applied at once instead of at the next start.
type scaledTheme struct {
	fyne.Theme
	scale float32
}

func (t scaledTheme) Size(n fyne.ThemeSizeName) float32 { return t.Theme.Size(n) * t.scale }

// applyScale sets the text size chosen in Settings; 0 (or no app) leaves the theme alone.
func applyScale(s float32) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	if s == 0 || s == 1 {
		a.Settings().SetTheme(theme.DefaultTheme())
		return
	}
	a.Settings().SetTheme(scaledTheme{theme.DefaultTheme(), s})
}

// displaySettings is the text size: for every user, since officers choose their own.
func (u *UI) displaySettings(msg, ok *widget.Label) []*widget.FormItem {
	var names []string
	for _, s := range textScales {
		names = append(names, scaleName(s))
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelected(scaleName(u.term.Config().Scale))
	sel.OnChanged = func(string) {
		u.touch()
		s := textScales[sel.SelectedIndex()]
		applyScale(s)
		if err := u.term.UpdateConfig(func(c *app.Config) { c.Scale = s }); err != nil {
			setError(msg, errorText(err)) // the size stays for this run
			return
		}
		ok.SetText(T("settings.scaleSaved"))
	}
	return []*widget.FormItem{widget.NewFormItem(T("settings.scale"), sel)}
}

// deviceSettings are where discovery looks: serial document readers, the SBI port range and
// the simulated devices for training. Only a role that pairs devices sees them.
func (u *UI) deviceSettings(msg, ok *widget.Label) []*widget.FormItem {
	if u.sess == nil || !u.sess.Can(vault.Devices, true) {
		return nil
	}
	cfg := u.term.Config()
	serials := widget.NewEntry()
	serials.SetText(strings.Join(cfg.SerialReaders, ", "))
	serials.SetPlaceHolder("/dev/ttyUSB0:9600:N, COM3")
	sbiPorts := widget.NewEntry()
	sbiPorts.SetText(cfg.SBIPorts)
	sbiPorts.SetPlaceHolder(app.DefaultSBIPorts)
	apply := widget.NewButton(T("settings.saveDevices"), func() {
		u.touch()
		var list []string
		for _, s := range strings.Split(serials.Text, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			if _, err := app.ParseSerialPort(s); err != nil {
				setError(msg, Tf("settings.badSerial", s))
				return
			}
			list = append(list, s)
		}
		ports := strings.TrimSpace(sbiPorts.Text)
		if _, _, err := app.ParsePortRange(ports); err != nil {
			setError(msg, Tf("settings.badSBIPorts", ports))
			return
		}
		if err := u.term.UpdateConfig(func(c *app.Config) { c.SerialReaders, c.SBIPorts = list, ports }); err != nil {
			setError(msg, errorText(err))
			return
		}
		setError(msg, "")
		ok.SetText(T("settings.devicesSaved"))
	})
	training := widget.NewCheck(T("settings.training"), nil)
	training.SetChecked(cfg.TrainingDevices)
	if cfg.Demo {
		training.SetChecked(true)
		training.Disable() // a DEMO vault always offers them
	}
	training.OnChanged = func(on bool) {
		u.touch()
		if err := u.term.UpdateConfig(func(c *app.Config) { c.TrainingDevices = on }); err != nil {
			setError(msg, errorText(err))
			return
		}
		ok.SetText(T("settings.devicesSaved"))
	}
	return []*widget.FormItem{
		widget.NewFormItem(T("settings.serialReaders"), serials),
		widget.NewFormItem(T("settings.sbiPorts"), sbiPorts),
		widget.NewFormItem("", apply),
		widget.NewFormItem("", training),
	}
}
