package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
)

// showMonitor is the independent monitoring mechanism's screen (Screening Art 10): the
// pseudonymised summaries of the cases of a period, and their export as CSV and JSON. The
// monitor's session holds no key of a personal class, so nothing personal can appear here.
func (u *UI) showMonitor() {
	msg := errorLabel()
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	from, to := widget.NewEntry(), widget.NewEntry()
	from.SetPlaceHolder("YYYY-MM-DD")
	to.SetPlaceHolder("YYYY-MM-DD")
	now := u.sess.Now()
	from.SetText(now.AddDate(0, 0, -30).Format("2006-01-02"))
	to.SetText(now.Format("2006-01-02"))
	var shown []forms.OversightSummary
	heads := []string{"monitor.pseudonym", "monitor.started", "monitor.trigger", "monitor.status", "monitor.hours",
		"monitor.minor", "monitor.vulnerabilities", "monitor.refusals", "monitor.missed"}
	table := widget.NewTable(
		func() (int, int) { return len(shown), len(heads) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(monitorCell(shown[id.Row], id.Col))
		},
	)
	table.ShowHeaderRow = true
	table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(heads) {
			o.(*widget.Label).SetText(T(heads[id.Col]))
		}
	}
	for i, w := range []float32{300, 140, 250, 150, 60, 60, 200, 70, 220} {
		table.SetColumnWidth(i, w)
	}
	period := func() (app.Period, bool) {
		var p app.Period
		var err error
		if p.From, err = time.ParseInLocation("2006-01-02", strings.TrimSpace(from.Text), time.Local); err != nil {
			setError(msg, T("monitor.badDate"))
			return p, false
		}
		if p.To, err = time.ParseInLocation("2006-01-02", strings.TrimSpace(to.Text), time.Local); err != nil {
			setError(msg, T("monitor.badDate"))
			return p, false
		}
		p.To = p.To.AddDate(0, 0, 1) // the last day is included
		return p, true
	}
	load := func() {
		msg.Hide()
		p, ok := period()
		if !ok {
			return
		}
		cases, err := u.sess.MonitorCases(p)
		if err != nil {
			setError(msg, errorText(err))
			return
		}
		shown = cases
		table.Refresh()
		status.SetText(Tf("monitor.count", len(cases)))
	}
	show := widget.NewButton(T("monitor.show"), func() { u.touch(); load() })
	export := widget.NewButton(T("monitor.export"), func() {
		u.touch()
		p, ok := period()
		if !ok {
			return
		}
		d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil { // the place chosen cannot be written
				setError(msg, errorText(err))
				return
			}
			if wc == nil {
				return
			}
			path := wc.URI().Path()
			wc.Close()
			csvPath, jsonPath, err := u.sess.SaveMonitoringExport(path, p)
			if err != nil {
				setError(msg, errorText(err))
				return
			}
			status.SetText(Tf("monitor.exported", csvPath, jsonPath))
		}, u.win)
		d.SetFileName("monitoring-" + strings.TrimSpace(from.Text) + "-" + strings.TrimSpace(to.Text))
		d.Show()
	})
	export.Importance = widget.HighImportance
	bar := container.NewHBox(widget.NewLabel(T("monitor.from")), container.NewGridWrap(fyne.NewSize(130, 36), from),
		widget.NewLabel(T("monitor.to")), container.NewGridWrap(fyne.NewSize(130, 36), to), show, export)
	load()
	u.showSection("monitor", container.NewBorder(container.NewVBox(widget.NewLabel(T("monitor.intro")), bar, msg, status), nil, nil, nil, table))
}

// monitorCell is the text of one cell of the monitoring table.
func monitorCell(o forms.OversightSummary, col int) string {
	switch col {
	case 0:
		return o.Pseudonym
	case 1:
		return o.StartedAt.Local().Format("2006-01-02 15:04")
	case 2:
		return string(o.Trigger)
	case 3:
		return T("status." + string(o.Status))
	case 4:
		return fmt.Sprintf("%.1f", o.DurationHours)
	case 5:
		if o.Minor.Minor {
			return T("monitor.yes")
		}
		return T("monitor.no")
	case 6:
		return strings.Join(o.Vulnerability.Indicators, ", ")
	case 7:
		return fmt.Sprint(o.Refusals.Fingers + o.Refusals.Recorded)
	case 8:
		var m []string
		for _, x := range o.MissedLimits {
			r := string(x.Reason)
			if r == "" {
				r = T("monitor.noReason")
			}
			m = append(m, string(x.Deadline)+": "+r)
		}
		return strings.Join(m, "; ")
	}
	return ""
}
