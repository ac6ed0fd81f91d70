package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// packetList is the Sync screen's queue: the packets grouped under each case's reference
// (app.Session.PacketGroups decides the groups, their order and what the officer can do);
// a header line per case, then a line per packet with its kind, state, deadline and, when
// refused or stuck, what to do. A virtualised list: one row object per line on screen.
type packetList struct {
	u     *UI
	items []syncItem
	list  *widget.List
	// heights of a header, a packet line, and a packet line with advice
	heights [3]float32
	// badges finds a row's deadline badge by its box (rows are Fyne containers)
	badges map[fyne.CanvasObject]*badge
}

// syncItem is one line: a case header (line nil) or a packet of the group.
type syncItem struct {
	group *app.PacketGroup
	line  *app.PacketLine
}

// syncText is what a line shows, with the importance (colour) of each part.
type syncText struct {
	main, left, advice, details string
	bold                        bool
	state, leftImp, adviceImp   widget.Importance
	// due is a waiting packet's deadline, on a badge in the case header's colour of
	// dueLevel (forms' level).
	due      string
	dueLevel forms.Level
}

func newPacketList(u *UI) *packetList {
	p := &packetList{u: u, badges: map[fyne.CanvasObject]*badge{}}
	p.list = widget.NewList(func() int { return len(p.items) }, p.newRow, p.updateRow)
	for i, n := range []int{0, 1, 2} { // header: no advice/details; packet; packet with advice
		r := p.newRow()
		objs := p.rowParts(r)
		objs.advice.Hidden, objs.details.Hidden = n < 2, n == 0
		p.heights[i] = r.MinSize().Height
	}
	return p
}

// rowParts are the objects of a row, in newRow's layout.
type rowObjects struct {
	bar                         *canvas.Rectangle
	top, body                   *fyne.Container
	main, left, advice, details *widget.Label
	due                         *badge
}

func (p *packetList) rowParts(o fyne.CanvasObject) rowObjects {
	b := o.(*fyne.Container)
	var r rowObjects
	for _, ch := range b.Objects {
		switch v := ch.(type) {
		case *canvas.Rectangle:
			r.bar = v
		case *fyne.Container:
			r.body, r.top = v, v.Objects[0].(*fyne.Container)
			r.main, r.left = r.top.Objects[0].(*widget.Label), r.top.Objects[1].(*widget.Label)
			r.due = p.badges[r.top.Objects[2]]
			r.advice, r.details = v.Objects[1].(*widget.Label), v.Objects[2].(*widget.Label)
		}
	}
	return r
}

func (p *packetList) newRow() fyne.CanvasObject {
	bar := canvas.NewRectangle(theme.Color(theme.ColorNameDisabled))
	bar.SetMinSize(fyne.NewSize(theme.Padding(), 0))
	main, left, advice, details := widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	left.TextStyle.Bold = true
	advice.TextStyle.Bold = true
	details.Importance = widget.LowImportance
	due := newBadge()
	due.hide()
	dueBox := container.NewCenter(due.box)
	p.badges[dueBox] = due
	body := container.NewVBox(container.NewHBox(main, left, dueBox), advice, details)
	return container.NewBorder(nil, nil, bar, nil, body)
}

func (p *packetList) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	t := p.text(i, p.u.sess.Now())
	r := p.rowParts(o)
	r.main.TextStyle.Bold = t.bold
	r.main.Importance = t.state
	r.main.SetText(t.main)
	r.left.Importance = t.leftImp
	r.left.SetText(t.left)
	r.advice.Importance = t.adviceImp
	r.advice.SetText(t.advice)
	r.advice.Hidden = t.advice == ""
	if t.due != "" {
		r.due.set(t.due, levelFill[t.dueLevel])
	} else {
		r.due.hide()
	}
	r.details.SetText(t.details)
	r.details.Hidden = t.details == ""
	r.bar.FillColor = importanceColor(t.state)
	if t.bold {
		r.bar.FillColor = theme.Color(theme.ColorNameSeparator)
	}
	r.bar.Refresh()
	r.top.Refresh() // the texts' widths changed: lay the line out again
	r.body.Refresh()
}

// show takes the groups in, one header line per case and a line per packet.
func (p *packetList) show(groups []app.PacketGroup) {
	p.items = p.items[:0]
	for gi := range groups {
		g := &groups[gi]
		p.items = append(p.items, syncItem{group: g})
		for li := range g.Packets {
			p.items = append(p.items, syncItem{group: g, line: &g.Packets[li]})
		}
	}
	for i, it := range p.items {
		h := p.heights[0]
		if it.line != nil {
			h = p.heights[1]
			if it.line.Advice != app.AdviceNone {
				h = p.heights[2]
			}
		}
		p.list.SetItemHeight(i, h)
	}
	p.list.Refresh()
}

// text words line i at now: the case's reference and counts on a header; on a packet its
// kind and state, its deadline coloured by forms' level (the Eurodac clock for a Eurodac
// transmission), what to do, and a details line for a technician (short ID, size, tries).
func (p *packetList) text(i int, now time.Time) syncText {
	it := p.items[i]
	g := it.group
	if it.line == nil {
		t := syncText{bold: true, state: widget.MediumImportance}
		switch {
		case g.CaseID == "":
			t.main = T("sync.terminalPackets")
		case g.Gone:
			t.main = T("sync.caseGone")
		case g.Reference == "":
			t.main = T("sync.caseHidden")
		default:
			t.main = Tf("sync.case", g.Reference)
		}
		parts := []string{plural("sync.groupPacket", len(g.Packets))}
		if g.Waiting > 0 {
			parts = append(parts, Tf("sync.groupWaiting", g.Waiting))
		}
		if g.Refused > 0 {
			parts = append(parts, Tf("sync.groupRefused", g.Refused))
			t.leftImp = widget.DangerImportance
		}
		t.left = strings.Join(parts, " · ")
		return t
	}
	l := it.line
	t := syncText{state: packetStateImportance(l.State)}
	main := []string{T("packetkind." + string(l.Kind)), T("packetstate." + l.State)}
	if l.Progress >= 0 {
		main = append(main, Tf("sync.progress", l.Progress))
	}
	t.main = strings.Join(main, " · ")
	switch {
	case l.State == fsync.StatePending && !l.Due.IsZero():
		key := "sync.due"
		if l.Eurodac() {
			key = "sync.eurodacLeft"
		}
		t.due = Tf(key, left(l.Due, now))
		if l.Level > forms.LevelNone {
			t.due += " (" + T("level."+l.Level.String()) + ")"
		}
		t.dueLevel = l.Level
	case !l.DeliveredAt.IsZero():
		t.left = Tf("sync.deliveredAt", timeText(l.DeliveredAt))
		if l.Late {
			t.left += " · " + T("sync.afterLimit")
			t.leftImp = widget.WarningImportance
		}
	}
	if l.Advice != app.AdviceNone {
		t.advice = T("packetadvice." + string(l.Advice))
		t.adviceImp = widget.WarningImportance
		if l.State == fsync.StateRefused || l.Level == forms.LevelOverdue {
			t.adviceImp = widget.DangerImportance
		}
	}
	details := []string{Tf("sync.packetID", shortID(l.PacketID)), sizeText(l.Size), Tf("sync.queuedAt", timeText(l.Created))}
	if l.Attempts > 0 {
		details = append(details, plural("sync.attempt", l.Attempts))
	}
	if l.State == fsync.StatePending && l.NextAttempt.After(now) {
		details = append(details, Tf("sync.nextAttempt", l.NextAttempt.Local().Format("15:04:05")))
	}
	if l.Problem != "" {
		details = append(details, Tf("sync.problem", l.Problem))
	}
	if g.CaseID != "" && (g.Reference == "" || g.Gone) {
		details = append(details, Tf("sync.caseID", shortID(string(g.CaseID))))
	}
	t.details = strings.Join(details, " · ")
	return t
}

// plural is key's text for one (key) or for n (key+"s").
func plural(key string, n int) string {
	if n == 1 {
		return T(key)
	}
	return Tf(key+"s", n)
}

// packetStateImportance colours a packet's state: refused red, waiting in the primary
// colour, delivered green.
func packetStateImportance(state string) widget.Importance {
	switch state {
	case fsync.StateRefused:
		return widget.DangerImportance
	case fsync.StatePending:
		return widget.HighImportance
	case fsync.StateDelivered, fsync.StatePurged:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// lines is every line's text at now, for tests and the screenshot walk's checks.
func (p *packetList) lines(now time.Time) []syncText {
	out := make([]syncText, len(p.items))
	for i := range p.items {
		out[i] = p.text(i, now)
	}
	return out
}
