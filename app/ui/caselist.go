package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
)

// caseListScreen lists every case on the terminal with its deadlines. The list is a
// widget.List, so only the rows on screen exist however many cases there are.
type caseListScreen struct {
	u      *UI
	all    []app.CaseRow
	shown  []app.CaseRow
	list   *widget.List
	search *widget.Entry
	count  *widget.Label
	msg    *widget.Label
}

func (u *UI) showCaseList() {
	s := newCaseListScreen(u)
	u.showSection("cases", s.content())
	u.win.Canvas().Focus(s.search)
}

func newCaseListScreen(u *UI) *caseListScreen {
	s := &caseListScreen{u: u, search: widget.NewEntry(), count: widget.NewLabel(""), msg: errorLabel()}
	rows, err := u.sess.CaseRows()
	if err != nil {
		setError(s.msg, errorText(err))
	}
	s.all = rows
	s.search.SetPlaceHolder(T("cases.search"))
	s.search.OnChanged = func(q string) {
		u.touch()
		s.filter(q)
	}
	s.list = widget.NewList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.TextStyle.Bold = true
			return container.NewHBox(name, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := s.shown[i]
			cells := o.(*fyne.Container).Objects
			name := r.DisplayName
			if name == r.Reference {
				name = T("cases.noName")
			}
			cells[0].(*widget.Label).SetText(name)
			cells[1].(*widget.Label).SetText(r.Reference)
			cells[2].(*widget.Label).SetText(T("status." + string(r.Status)))
			cells[3].(*widget.Label).SetText(deadlineBadge(r, time.Now()))
		},
	)
	s.list.OnSelected = func(i widget.ListItemID) {
		u.touch()
		id := s.shown[i].ID
		s.list.UnselectAll()
		u.showCase(id)
	}
	s.filter("")
	return s
}

func (s *caseListScreen) content() fyne.CanvasObject {
	newCase := widget.NewButton(T("cases.new"), func() {
		s.u.touch()
		s.u.showNewCase()
	})
	newCase.Importance = widget.HighImportance
	top := container.NewBorder(nil, nil, nil, newCase, s.search)
	empty := widget.NewLabel(T("cases.empty"))
	var body fyne.CanvasObject = s.list
	if len(s.all) == 0 {
		body = container.NewCenter(empty)
	}
	return container.NewBorder(container.NewVBox(top, s.msg), s.count, nil, nil, body)
}

// filter keeps the rows whose name, document number or case reference contains q.
func (s *caseListScreen) filter(q string) {
	q = strings.ToLower(strings.TrimSpace(q))
	s.shown = s.shown[:0]
	for _, r := range s.all {
		if q == "" || strings.Contains(strings.ToLower(r.SearchText()), q) {
			s.shown = append(s.shown, r)
		}
	}
	s.count.SetText(Tf("cases.count", len(s.shown), len(s.all)))
	s.list.Refresh()
}

// deadlineBadge shows the time left on the screening and the Eurodac deadline.
func deadlineBadge(r app.CaseRow, now time.Time) string {
	return fmt.Sprintf("%s %s · Eurodac %s", T("cases.screening"), left(r.ScreeningDue, now), left(r.EurodacDue, now))
}

func left(due, now time.Time) string {
	if due.IsZero() {
		return "—"
	}
	d := due.Sub(now)
	if d < 0 {
		return T("deadline.overdue")
	}
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}
