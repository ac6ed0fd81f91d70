package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
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
	// filters: index into statusFilters, levelFilters, syncFilters (0 = all)
	status, level, sync *widget.Select
}

// The case list's filters. Each keeps the rows for which it returns true.
var (
	statusFilters = []struct {
		key  string
		keep func(app.CaseRow) bool
	}{
		{"filter.allStatus", func(app.CaseRow) bool { return true }},
		{"filter.open", func(r app.CaseRow) bool {
			return r.Status != forms.StatusFormCompleted && r.Status != forms.StatusReferred && r.Status != forms.StatusClosed
		}},
		{"filter.completed", func(r app.CaseRow) bool { return r.Status == forms.StatusFormCompleted }},
		{"filter.referred", func(r app.CaseRow) bool { return r.Status == forms.StatusReferred || r.Status == forms.StatusClosed }},
	}
	levelFilters = []forms.Level{forms.LevelNone, forms.LevelNotice, forms.LevelWarning, forms.LevelOverdue}
	syncFilters  = []string{"all", app.SyncNone, app.SyncQueued, app.SyncDelivered, app.SyncRefused}
)

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
			due := widget.NewLabel("") // biometrics due (ER Art 15(1)): shown only when due
			due.TextStyle.Bold = true
			due.Importance = widget.WarningImportance
			return container.NewHBox(name, widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), due)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := s.shown[i]
			cells := o.(*fyne.Container).Objects
			badge := cells[3].(*widget.Label)
			switch r.Level(u.sess.Now()) {
			case forms.LevelOverdue:
				badge.Importance = widget.DangerImportance
			case forms.LevelWarning:
				badge.Importance = widget.WarningImportance
			default:
				badge.Importance = widget.MediumImportance
			}
			cells[4].(*widget.Label).SetText(T("syncstate." + syncKey(r.SyncState)))
			name := r.DisplayName
			if name == r.Reference {
				name = T("cases.noName")
			}
			cells[0].(*widget.Label).SetText(name)
			cells[1].(*widget.Label).SetText(r.Reference)
			cells[2].(*widget.Label).SetText(T("status." + string(r.Status)))
			cells[3].(*widget.Label).SetText(deadlineBadge(r, u.sess.Now()))
			cells[5].(*widget.Label).SetText("")
			if r.BiometricsDue {
				cells[5].(*widget.Label).SetText(T("cases.biometricsDue"))
			}
		},
	)
	s.list.OnSelected = func(i widget.ListItemID) {
		u.touch()
		id := s.shown[i].ID
		s.list.UnselectAll()
		u.showCase(id)
	}
	opts := func(keys []string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = T(k)
		}
		return out
	}
	var sk, lk, yk []string
	for _, f := range statusFilters {
		sk = append(sk, f.key)
	}
	for _, l := range levelFilters {
		lk = append(lk, "filter.level."+l.String())
	}
	for _, y := range syncFilters {
		yk = append(yk, "filter.sync."+syncKey(y))
	}
	refilter := func(string) { u.touch(); s.filter(s.search.Text) }
	s.status = widget.NewSelect(opts(sk), refilter)
	s.level = widget.NewSelect(opts(lk), refilter)
	s.sync = widget.NewSelect(opts(yk), refilter)
	s.status.SetSelectedIndex(0)
	s.level.SetSelectedIndex(0)
	s.sync.SetSelectedIndex(0)
	s.filter("")
	return s
}

func syncKey(state string) string {
	if state == "" {
		return "none"
	}
	return state
}

func (s *caseListScreen) content() fyne.CanvasObject {
	newCase := widget.NewButton(T("cases.new"), func() {
		s.u.touch()
		s.u.showNewCase()
	})
	newCase.Importance = widget.HighImportance
	top := container.NewVBox(container.NewBorder(nil, nil, nil, newCase, s.search),
		container.NewGridWithColumns(3, s.status, s.level, s.sync))
	empty := widget.NewLabel(T("cases.empty"))
	var body fyne.CanvasObject = s.list
	if len(s.all) == 0 {
		body = container.NewCenter(empty)
	}
	return container.NewBorder(container.NewVBox(top, s.msg), s.count, nil, nil, body)
}

// filter keeps the rows whose name, document number or case reference contains q and that
// pass the status, deadline-level and sync filters.
func (s *caseListScreen) filter(q string) {
	if s.status == nil {
		return // still being built
	}
	q = strings.ToLower(strings.TrimSpace(q))
	now := s.u.sess.Now()
	keepStatus := statusFilters[max(s.status.SelectedIndex(), 0)].keep
	minLevel := levelFilters[max(s.level.SelectedIndex(), 0)]
	syncIdx := max(s.sync.SelectedIndex(), 0)
	s.shown = s.shown[:0]
	for _, r := range s.all {
		switch {
		case q != "" && !strings.Contains(strings.ToLower(r.SearchText()), q):
		case !keepStatus(r):
		case minLevel > forms.LevelNone && r.Level(now) < minLevel:
		case syncIdx > 0 && r.SyncState != syncFilters[syncIdx]:
		default:
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
