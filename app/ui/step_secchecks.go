package ui

import (
	"image/color"
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

// checksStep shows the security check as an officer reads it at a glance: every system
// the case must query (forms' list, in forms' order) by its full name and article, its
// state in words and in colour, and when it answered. States come from central, never
// typed; a pending check is shown as pending, never as "no hit". Query references (packet
// IDs) and hit references stay off the screen: they are for central and the export.
type checksStep struct {
	stepBase
	summary  *widget.Label
	lines    []checkLine
	flag     *widget.Select // the Eurodac security flag's ground (supervisors only)
	flagNote *widget.Entry
}

// checkLine is one system's line on the checks step.
type checkLine struct {
	system              string
	name, state, detail *widget.Label
}

func newChecksStep(cs *caseScreen) stepView {
	s := &checksStep{stepBase: stepBase{newFieldSet()}}
	now := cs.u.sess.Now()
	rows := container.NewVBox()
	counts := map[string]int{}
	queries, err := cs.u.sess.QueryStates(cs.c)
	if err != nil {
		setError(s.fs.general, errorText(err))
	}
	for _, sc := range cs.c.ChecksBySystem() {
		l := newCheckLine(sc, queries, now)
		counts[l.key(sc)]++
		s.lines = append(s.lines, l)
		rows.Add(l.row(sc))
	}
	s.summary = widget.NewLabel(checksSummary(counts))
	s.summary.TextStyle.Bold = true
	s.summary.Wrapping = fyne.TextWrapWord
	if counts["hit"] > 0 {
		s.summary.Importance = widget.DangerImportance
	}
	s.fs.add("securityChecks", "checks.title", container.NewVBox(s.summary, rows))
	// the Eurodac security flag: shown to everyone, set by a supervisor (forms decides)
	opts := []string{T("flag.none")}
	for _, g := range forms.SecurityFlagGrounds {
		opts = append(opts, T("flag."+string(g)))
	}
	s.flag = widget.NewSelect(opts, nil)
	s.flag.SetSelectedIndex(0)
	s.flagNote = cs.u.entry("", T("flag.notePlaceholder"))
	if f := cs.c.SecurityFlag; f != nil {
		for i, g := range forms.SecurityFlagGrounds {
			if g == f.Ground {
				s.flag.SetSelectedIndex(i + 1)
			}
		}
		s.flagNote.SetText(f.Note)
	}
	if !cs.u.sess.CanSetSecurityFlag() {
		s.flag.Disable()
		s.flagNote.Disable()
	}
	s.fs.add("securityFlag", "flag.label", container.NewVBox(s.flag, s.flagNote))
	return s
}

// newCheckLine words one system's check: the state, and below the name when it answered
// (local time, and how long ago by the session's clock), when it was asked while pending,
// or why it was not possible.
func newCheckLine(sc forms.SystemCheck, queries map[string]app.QueryState, now time.Time) checkLine {
	l := checkLine{system: sc.Code, name: widget.NewLabel(pick(sc.Name.EN, sc.Name.NL)),
		state: widget.NewLabel(""), detail: widget.NewLabel("")}
	l.name.TextStyle.Bold = true
	l.name.Wrapping = fyne.TextWrapWord
	l.detail.Wrapping = fyne.TextWrapWord
	l.state.TextStyle.Bold = true
	key := l.key(sc)
	l.state.SetText(T("checks.state." + key))
	l.state.Importance = checkImportance[key]
	detail := []string{sc.Article}
	switch ch := sc.Check; {
	case ch == nil:
		detail = append(detail, T("checks.notQueuedYet"))
	case ch.Status == forms.CheckPending:
		if !ch.QueriedAt.IsZero() {
			detail = append(detail, Tf("checks.askedAt", timeText(ch.QueriedAt), ago(ch.QueriedAt, now)))
		}
		// how far the query got: waiting to go, with central, or refused (then nothing
		// will answer it until the officer acts on the Sync screen's advice)
		switch q, ok := queries[ch.Reference]; {
		case !ok:
		case q.State == fsync.StateRefused:
			detail = append(detail, T("checks.queryRefused"))
			l.detail.Importance = widget.DangerImportance
		case q.State == fsync.StatePending:
			detail = append(detail, T("checks.queryWaiting"))
		case !q.DeliveredAt.IsZero():
			detail = append(detail, Tf("checks.queryDelivered", timeText(q.DeliveredAt)))
		}
		detail = append(detail, T("checks.pendingNotNoHit"))
	default:
		if !ch.AnsweredAt.IsZero() {
			detail = append(detail, Tf("checks.answeredAt", timeText(ch.AnsweredAt), ago(ch.AnsweredAt, now)))
		}
		if ch.Status == forms.CheckHit {
			detail = append(detail, T("checks.hitWhatToDo"))
		}
		if ch.Status == forms.CheckNotPossible && ch.Reason != "" {
			detail = append(detail, Tf("checks.reason", ch.Reason))
		}
	}
	l.detail.SetText(strings.Join(detail, " · "))
	return l
}

// key is the state's word key: forms' check state, or not_queried when the system has no
// check yet.
func (l checkLine) key(sc forms.SystemCheck) string {
	if sc.Check == nil {
		return "not_queried"
	}
	if !sc.Check.Status.Valid() {
		return string(forms.CheckNotPossible) // never shown as no hit
	}
	return string(sc.Check.Status)
}

// row lays a line out: a bar in the state's colour, the name with its details, the state.
func (l checkLine) row(sc forms.SystemCheck) fyne.CanvasObject {
	bar := canvas.NewRectangle(importanceColor(l.state.Importance))
	bar.SetMinSize(fyne.NewSize(theme.Padding()*1.5, 0))
	return container.NewBorder(nil, nil, bar, l.state, container.NewVBox(l.name, l.detail))
}

// checkImportance colours each state: a hit red, no hit green, not possible orange,
// pending in the primary colour (still to come), not queried grey.
var checkImportance = map[string]widget.Importance{
	"hit":          widget.DangerImportance,
	"no_hit":       widget.SuccessImportance,
	"not_possible": widget.WarningImportance,
	"pending":      widget.HighImportance,
	"not_queried":  widget.LowImportance,
}

// importanceColor is the theme colour Fyne gives text of that importance.
func importanceColor(i widget.Importance) color.Color {
	name := theme.ColorNameForeground
	switch i {
	case widget.DangerImportance:
		name = theme.ColorNameError
	case widget.SuccessImportance:
		name = theme.ColorNameSuccess
	case widget.WarningImportance:
		name = theme.ColorNameWarning
	case widget.HighImportance:
		name = theme.ColorNamePrimary
	case widget.LowImportance:
		name = theme.ColorNameDisabled
	}
	return theme.Color(name)
}

// checksSummary counts the lines by state for the line above them ("11 systems: 1 hit,
// 8 no hit, …"), hits first.
func checksSummary(counts map[string]int) string {
	total := 0
	var parts []string
	for _, k := range []string{"hit", "not_possible", "pending", "not_queried", "no_hit"} {
		if n := counts[k]; n > 0 {
			total += n
			parts = append(parts, Tf("checks.count."+k, n))
		}
	}
	return Tf("checks.summary", total, strings.Join(parts, ", "))
}

// ago is how long before now t was, in the words of the deadline badges.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return T("checks.justNow")
	}
	return Tf("checks.ago", left(now, t)) // left(due, now) is due−now: here now−t

}

// apply copies the flag's ground and note; who set it and when are app's stamps.
func (s *checksStep) apply(c *forms.Case) error {
	i := s.flag.SelectedIndex()
	if i <= 0 {
		c.SecurityFlag = nil
		return nil
	}
	f := forms.SecurityFlag{Ground: forms.SecurityFlagGrounds[i-1], Note: s.flagNote.Text}
	if old := c.SecurityFlag; old != nil {
		f.By, f.At = old.By, old.At
	}
	c.SecurityFlag = &f
	return nil
}
