package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// stepView is one step of a case (trigger, identity, …): it builds its widgets from the
// case, and writes them back into the case on apply.
type stepView interface {
	content() fyne.CanvasObject
	// apply copies the inputs into the case; an error is an input that cannot be read
	// (a date that is not a date), shown beside the field, and blocks saving.
	apply(c *forms.Case) error
	fields() *fieldSet
}

// step is an entry of the case's step list.
type step struct {
	key  string // translation key "step.<key>"
	done func(c *forms.Case, now time.Time) bool
	make func(cs *caseScreen) stepView
	// paths are the JSON path prefixes of the problems this step shows; the last step also
	// shows every problem no step claims.
	paths []string
	// system: the step shows sections the system fills, so it is built again when they
	// change under it.
	system bool
}

// caseSteps are the steps of a screening in the order the list shows them; the officer may
// take them in any order (domain note §2.2).
var caseSteps []step

// init fills caseSteps; a plain initialiser would be a cycle (steps show problems, which
// are sorted by step).
func init() {
	caseSteps = []step{
		{"trigger", func(c *forms.Case, _ time.Time) bool { return c.Trigger.Reason != "" && !c.Trigger.At.IsZero() }, newTriggerStep, []string{"trigger"}, false},
		{"identity", func(c *forms.Case, _ time.Time) bool { return len(c.Identity.Surnames) > 0 }, newIdentityStep, []string{"identity"}, false},
		{"document", func(c *forms.Case, _ time.Time) bool { return len(c.Documents) > 0 }, newDocumentStep, []string{"documents"}, false},
		{"information", func(c *forms.Case, _ time.Time) bool { return c.Info.LeafletLanguage != "" }, newInformationStep, []string{"information", "handover"}, false},
		{"health", func(c *forms.Case, _ time.Time) bool { return c.Health.Result != "" }, newHealthStep, []string{"health"}, false},
		{"vulnerability", func(c *forms.Case, _ time.Time) bool { return c.Vulnerability.Checked }, newVulnerabilityStep, []string{"vulnerability"}, false},
		{"statement", func(c *forms.Case, _ time.Time) bool {
			return c.Application.Made != "" && c.FamilyAnswer() != "" && c.Cooperation.Complied != ""
		}, newStatementStep, []string{"application", "family", "familyInMemberState", "cooperation", "statement", "remarks", "notEstablished"}, false},
		{"biometrics", biometricsDone, newBiometricsStep, []string{"biometrics", "eurodac"}, true},
		{"checks", func(c *forms.Case, _ time.Time) bool { return len(c.Checks) > 0 && len(c.PendingChecks()) == 0 }, newChecksStep, []string{"securityChecks"}, true},
		{"corrections", func(c *forms.Case, _ time.Time) bool { return correctionsDone(c) }, newCorrectionsStep, []string{"corrections"}, true}, // correction.go
		{"form", func(c *forms.Case, _ time.Time) bool { return c.Referral.To != "" }, newFormStep, []string{"referral"}, true},
	}
}

// stepOf is the index of the step that shows a problem at path.
func stepOf(path string) int {
	for i, st := range caseSteps {
		for _, p := range st.paths {
			if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
				return i
			}
		}
	}
	return len(caseSteps) - 1
}

// problemsFor keeps the problems step i shows.
func problemsFor(ps forms.Problems, i int) forms.Problems {
	var out forms.Problems
	for _, p := range ps {
		if stepOf(p.Path) == i {
			out = append(out, p)
		}
	}
	return out
}

// commandAdder is a step that changes the commands a save sends (the medic's details go
// with the health outcome), and hears when they were stored.
type commandAdder interface {
	commands(cmds []app.Command) []app.Command
	stored()
}

// caseScreen shows one case, step by step, with the case's deadlines above. It edits a copy
// (c) of the case as it read it (base, at revision rev); a save sends the differences as
// app's named commands at that revision, so it never writes over what changed meanwhile.
type caseScreen struct {
	u    *UI
	id   vault.CaseID // empty until the first save of a new case
	rev  int
	base *forms.Case
	c    *forms.Case
	// stopFeed ends the subscription to the session's case changes.
	stopFeed func()
	// own is set while the screen itself changes the case (save, send): it takes the
	// stored case in afterwards, so the feed's report of that change is not news.
	own    bool
	cur    int
	view   stepView
	nav    *widget.List
	body   *fyne.Container
	head   *caseHeader
	notice *widget.Label
	page   *fyne.Container // laid out again when the header's height changes
	// thumbs are the stored captures' thumbnails once loaded (caseheader.go: loadThumbs),
	// for the images the case recorded when they were asked for (thumbsKey; thumbsGen drops
	// a load overtaken by a newer one).
	thumbs    *app.Thumbs
	thumbsKey string
	thumbsGen int
	// saved is set after the first save on this screen: before it, "required" problems are
	// not shown, so a new case does not open as a wall of red.
	saved bool
}

// showNewCase opens an empty case at the trigger step, with the trigger time set to now.
func (u *UI) showNewCase() {
	c := &forms.Case{Trigger: forms.Trigger{At: u.sess.Now().Truncate(time.Minute)}}
	u.openCaseScreen("", 0, &forms.Case{}, c)
}

// showCase opens a stored case (an audited read).
func (u *UI) showCase(id vault.CaseID) {
	c, rev, err := u.sess.ReadCase(id)
	if err != nil {
		u.showCaseListWithError(errorText(err))
		return
	}
	u.openCaseScreen(id, rev, c, c.Clone())
}

func (u *UI) showCaseListWithError(msg string) {
	s := newCaseListScreen(u)
	setError(s.msg, msg)
	u.showSection("cases", s.content())
}

func (u *UI) openCaseScreen(id vault.CaseID, rev int, base, c *forms.Case) {
	cs := &caseScreen{u: u, id: id, rev: rev, base: base, c: c, head: newCaseHeader(), notice: widget.NewLabel(""), body: container.NewStack()}
	// a change committed elsewhere (the sync worker applying a result, a capture finishing)
	// reaches the screen on the UI goroutine
	cs.stopFeed = u.sess.OnCaseChanged(func(ch app.CaseChange) {
		uiDo(func() { cs.changed(ch) })
	})
	cs.notice.Wrapping = fyne.TextWrapWord
	cs.notice.Hide()
	cs.nav = widget.NewList(
		func() int { return len(caseSteps) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			mark := "○ "
			if caseSteps[i].done(cs.c, cs.u.sess.Now()) {
				mark = "● "
			}
			text := fmt.Sprintf("%s%d  %s", mark, i+1, T("step."+caseSteps[i].key))
			if n := len(problemsFor(cs.problems(), i)); n > 0 {
				text += fmt.Sprintf("  (%d)", n)
			}
			o.(*widget.Label).SetText(text)
		},
	)
	cs.nav.OnSelected = func(i widget.ListItemID) {
		u.touch()
		if i == cs.cur {
			return
		}
		if !cs.applyCurrent() {
			cs.nav.Select(cs.cur)
			return
		}
		cs.open(i)
	}
	save := widget.NewButton(T("common.save"), func() { cs.save() })
	save.Importance = widget.HighImportance
	back := widget.NewButton(T("common.back"), func() { u.touch(); u.showCaseList() })
	bar := container.NewHBox(back, save)
	if b := accessButton(cs); b != nil { // access.go
		bar.Add(b)
	}
	left := container.NewBorder(nil, nil, nil, nil, cs.nav)
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(cs.body)))
	split.Offset = 0.22
	cs.page = container.NewBorder(container.NewVBox(cs.head.content, cs.notice), bar, nil, nil, split)
	u.show("case", cs.page)
	if u.openCase != nil {
		u.openCase.close()
	}
	u.openCase = cs
	cs.open(0)
	cs.nav.Select(0)
	cs.refreshHeader()
}

func (cs *caseScreen) open(i int) {
	cs.cur = i
	cs.view = caseSteps[i].make(cs)
	cs.body.Objects = []fyne.CanvasObject{cs.view.content()}
	cs.body.Refresh()
	cs.view.fields().showProblems(problemsFor(cs.problems(), i))
	cs.refreshHeader() // the step just left put its inputs on the case: name, age, …
	if f := firstFocusable(cs.view.content()); f != nil {
		cs.u.win.Canvas().Focus(f)
	}
}

// Step opens step i (Ctrl+1 … Ctrl+9), keeping what was typed on the current one.
func (cs *caseScreen) Step(i int) {
	if i < 0 || i >= len(caseSteps) || i == cs.cur {
		return
	}
	cs.nav.Select(i)
}

// firstFocusable finds the first input of a step, so typing can start at once.
func firstFocusable(o fyne.CanvasObject) fyne.Focusable {
	switch c := o.(type) {
	case *widget.Entry:
		return c
	case *widget.Form:
		for _, it := range c.Items {
			if f := firstFocusable(it.Widget); f != nil {
				return f
			}
		}
	case *fyne.Container:
		for _, ch := range c.Objects {
			if f := firstFocusable(ch); f != nil {
				return f
			}
		}
	}
	return nil
}

// problems are the validation findings to show now.
func (cs *caseScreen) problems() forms.Problems {
	all := cs.c.Validate(cs.u.sess.Now())
	if cs.saved || cs.id != "" {
		return all
	}
	var out forms.Problems
	for _, p := range all {
		if p.Code != forms.CodeRequired {
			out = append(out, p)
		}
	}
	return out
}

// applyCurrent reads the current step's inputs into the case; false when an input cannot be
// read (the problem is shown beside it).
func (cs *caseScreen) applyCurrent() bool {
	if err := cs.view.apply(cs.c); err != nil {
		setError(cs.view.fields().general, errorText(err))
		return false
	}
	return true
}

// save applies the step, shows every validation problem beside its field, and stores the
// officer's changes as commands at the revision the screen read, with extra commands after
// them: problems do not block saving work in progress, unreadable input does. It reports
// whether everything was stored.
func (cs *caseScreen) save(extra ...app.Command) bool {
	cs.u.touch()
	if !cs.applyCurrent() {
		return false
	}
	cs.saved = true
	err := cs.store(extra)
	var stale *app.StaleError
	if errors.As(err, &stale) {
		// Someone changed the case since the screen read it. When only the system's
		// sections changed (a result, a capture), the officer's change still applies as it
		// was meant: take the fresh case and send it again. Otherwise show the fresh values.
		if !cs.adopt(stale.Case, stale.Current) {
			return false
		}
		err = cs.store(extra)
	}
	cs.notice.Show()
	if err != nil {
		if errors.As(err, &stale) {
			cs.adopt(stale.Case, stale.Current)
			return false
		}
		cs.notice.Importance = widget.DangerImportance
		cs.notice.SetText(errorText(err))
		return false
	}
	if ca, ok := cs.view.(commandAdder); ok {
		ca.stored()
	}
	// the stored case: the terminal's stamps and lifecycle moves are on it
	if fresh, rev, err := cs.u.sess.ReadCase(cs.id); err == nil {
		cs.base, cs.c, cs.rev = fresh, fresh.Clone(), rev
	}
	probs := cs.problems()
	n := cs.view.fields().showProblems(problemsFor(probs, cs.cur))
	cs.notice.Importance = widget.SuccessImportance
	if len(probs) > 0 {
		cs.notice.Importance = widget.WarningImportance
		cs.notice.SetText(Tf("case.savedWithProblems", len(probs), n))
	} else {
		cs.notice.SetText(T("common.saved"))
	}
	cs.nav.Refresh()
	cs.refreshHeader()
	return true
}

// store sends the screen's changes (and extra) as commands.
func (cs *caseScreen) store(extra []app.Command) error {
	cs.own = true
	defer func() { cs.own = false }()
	cmds, err := app.CommandsFor(cs.base, cs.c)
	if err != nil {
		return err
	}
	if ca, ok := cs.view.(commandAdder); ok {
		cmds = ca.commands(cmds)
	}
	cmds = append(cmds, extra...)
	if cs.id == "" {
		id, rev, err := cs.u.sess.NewCase(cmds...)
		if err == nil {
			cs.id, cs.rev = id, rev
		}
		return err
	}
	rev, err := cs.u.sess.Do(cs.id, cs.rev, cmds...)
	if err == nil {
		cs.rev = rev
	}
	return err
}

// changed hears of a committed change of any case; for this screen's case at a newer
// revision it takes the stored case in.
func (cs *caseScreen) changed(ch app.CaseChange) {
	if cs.u.openCase != cs {
		cs.close()
		return
	}
	if cs.own || ch.ID != cs.id || ch.Revision <= cs.rev {
		return
	}
	fresh, rev, err := cs.u.sess.ReadCase(cs.id)
	if err != nil || rev <= cs.rev {
		return
	}
	cs.adopt(fresh, rev)
}

// adopt takes fresh (stored at rev) into the screen, keeping the officer's unsaved input when
// the change touched only the system's sections; otherwise it shows fresh's values and says
// the case changed since it was opened. It reports whether the input was kept.
func (cs *caseScreen) adopt(fresh *forms.Case, rev int) bool {
	if cs.view != nil {
		_ = cs.view.apply(cs.c) // input that cannot be read stays in its field
	}
	from := cs.rev
	var ok bool
	cs.base, cs.c, ok = app.Rebase(cs.base, cs.c, fresh, cs.u.sess.Now())
	cs.rev = rev
	if !ok || caseSteps[cs.cur].system {
		cs.open(cs.cur)
	}
	if !ok {
		cs.notice.Importance = widget.WarningImportance
		cs.notice.SetText(Tf("case.changedSince", from, rev))
		cs.notice.Show()
	}
	cs.nav.Refresh()
	cs.refreshHeader()
	return ok
}

// reread takes the stored case in after the screen's own change (a submission), keeping the
// step's widgets and messages.
func (cs *caseScreen) reread() {
	fresh, rev, err := cs.u.sess.ReadCase(cs.id)
	if err != nil || rev <= cs.rev {
		return
	}
	_ = cs.view.apply(cs.c)
	cs.base, cs.c, _ = app.Rebase(cs.base, cs.c, fresh, cs.u.sess.Now())
	cs.rev = rev
	cs.nav.Refresh()
	cs.refreshHeader()
}

// close ends the screen's subscription to case changes.
func (cs *caseScreen) close() {
	if cs.stopFeed != nil {
		cs.stopFeed()
		cs.stopFeed = nil
	}
}

// refreshHeader shows the case as it now stands in the header, and loads the thumbnails
// of captures it has not shown yet.
func (cs *caseScreen) refreshHeader() {
	cs.head.show(cs.c, cs.u.sess.Now())
	cs.page.Layout.Layout(cs.page.Objects, cs.page.Size())
	cs.loadThumbs()
}
