package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/vault"
)

// section is a top-level screen of an unlocked terminal, shown to the roles that may use it.
type section struct {
	key   string // translation key "nav.<key>" and screen name
	allow func(r vault.Role) bool
	open  func(u *UI)
}

// sections in the order of the navigation bar. A technician never sees the case list; an
// auditor sees only the audit log.
func sections() []section {
	return []section{
		{"cases", func(r vault.Role) bool { return r.Can(vault.Core, false) }, (*UI).showCaseList},
		{"users", func(r vault.Role) bool { return r.ManagesUsers() }, (*UI).showUsers},
		// The monitor (Screening Art 10) reads the oversight class and holds no core key.
		{"monitor", func(r vault.Role) bool { return r.Can(vault.Oversight, false) && !r.Can(vault.Core, false) }, (*UI).showMonitor},
		{"audit", func(r vault.Role) bool { return r.Can(vault.Audit, false) }, (*UI).showAudit},
		{"devices", func(r vault.Role) bool { return r.Can(vault.Devices, true) }, (*UI).showDevices},
		{"sync", func(r vault.Role) bool { return r.Can(vault.Sync, true) }, (*UI).showSync},
		{"settings", func(r vault.Role) bool { return true }, (*UI).showSettings},
	}
}

// showHome opens the first section the role may use.
func (u *UI) showHome() {
	for _, s := range sections() {
		if s.allow(u.sess.Role()) {
			s.open(u)
			return
		}
	}
}

// navBar is the row of section buttons, the signed-in user and the lock button.
func (u *UI) navBar(current string) fyne.CanvasObject {
	row := container.NewHBox()
	for _, s := range sections() {
		if !s.allow(u.sess.Role()) {
			continue
		}
		open := s.open
		b := widget.NewButton(T("nav."+s.key), func() { u.touch(); open(u) })
		if s.key == current {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		row.Add(b)
	}
	who := widget.NewLabel(Tf("cases.signedIn", u.sess.User(), T("role."+string(u.sess.Role()))))
	lock := widget.NewButton(T("common.lock"), u.Lock)
	return container.NewBorder(nil, nil, row, container.NewHBox(who, lock))
}

// showSection puts a section's content under the navigation bar.
func (u *UI) showSection(name string, content fyne.CanvasObject) {
	u.show(name, container.NewBorder(container.NewVBox(u.navBar(name), widget.NewSeparator()), nil, nil, nil, content))
}
