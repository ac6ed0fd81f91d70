package ui

import (
	"fmt"
	"log"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/vault"
)

// showAudit lets an auditor read, filter and verify the audit log.
func (u *UI) showAudit() {
	msg := errorLabel()
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	all, err := u.sess.AuditEntries(vault.AuditFilter{})
	if err != nil {
		setError(msg, errorText(err))
	}
	shown := all
	table := widget.NewTable(
		func() (int, int) { return len(shown), 6 },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			e := shown[id.Row]
			var s string
			switch id.Col {
			case 0:
				s = fmt.Sprint(e.Seq)
			case 1:
				s = e.At.Local().Format("2006-01-02 15:04:05")
			case 2:
				s = e.User
			case 3:
				s = e.Action
			case 4:
				s = string(e.Case)
			case 5:
				s = e.Detail
			}
			o.(*widget.Label).SetText(s)
		},
	)
	heads := []string{"audit.seq", "audit.time", "audit.user", "audit.action", "audit.case", "audit.detail"}
	table.ShowHeaderRow = true
	table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(heads) {
			o.(*widget.Label).SetText(T(heads[id.Col]))
		}
	}
	for i, w := range []float32{60, 170, 110, 140, 260, 300} {
		table.SetColumnWidth(i, w)
	}
	filter := widget.NewEntry()
	filter.SetPlaceHolder(T("audit.filter"))
	filter.OnChanged = func(q string) {
		u.touch()
		q = strings.ToLower(strings.TrimSpace(q))
		shown = nil
		for _, e := range all {
			if q == "" || strings.Contains(strings.ToLower(e.User+" "+e.Action+" "+string(e.Case)+" "+e.Detail), q) {
				shown = append(shown, e)
			}
		}
		table.Refresh()
	}
	verify := widget.NewButton(T("audit.verify"), func() {
		u.touch()
		rep, err := u.term.VerifyAudit()
		switch {
		case err != nil && rep.FirstBroken > 0:
			// the technical reason (a hash, a key) is for fieldscreenctl audit verify and the log
			log.Printf("fieldscreen: audit chain broken at entry %d: %s", rep.FirstBroken, rep.Reason)
			status.Importance = widget.DangerImportance
			status.SetText(Tf("audit.broken", rep.FirstBroken))
			return
		case err != nil: // the check itself could not run: not a broken chain
			status.Importance = widget.DangerImportance
			status.SetText(errorText(err))
			return
		}
		status.Importance = widget.SuccessImportance
		status.SetText(Tf("audit.intact", rep.Entries, u.sess.Now().Format("15:04:05")))
	})
	top := container.NewBorder(nil, nil, nil, verify, filter)
	u.showSection("audit", container.NewBorder(container.NewVBox(top, status, msg), nil, nil, nil, table))
}
