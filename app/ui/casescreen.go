package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

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
	done func(c *forms.Case) bool
	make func(cs *caseScreen) stepView
	// paths are the JSON path prefixes of the problems this step shows; the last step also
	// shows every problem no step claims.
	paths []string
}

// caseSteps are the steps of a screening in the order the list shows them; the officer may
// take them in any order (domain note §2.2).
var caseSteps []step

// init fills caseSteps; a plain initialiser would be a cycle (steps show problems, which
// are sorted by step).
func init() {
	caseSteps = []step{
		{"trigger", func(c *forms.Case) bool { return c.Trigger.Reason != "" && !c.Trigger.At.IsZero() }, newTriggerStep, []string{"trigger"}},
		{"identity", func(c *forms.Case) bool { return len(c.Identity.Surnames) > 0 }, newIdentityStep, []string{"identity"}},
		{"document", func(c *forms.Case) bool { return len(c.Documents) > 0 }, newDocumentStep, []string{"documents"}},
		{"information", func(c *forms.Case) bool { return c.Info.LeafletLanguage != "" }, newInformationStep, []string{"information"}},
		{"health", func(c *forms.Case) bool { return c.Health.Result != "" }, newHealthStep, []string{"health"}},
		{"vulnerability", func(c *forms.Case) bool { return c.Vulnerability.Checked }, newVulnerabilityStep, []string{"vulnerability"}},
		{"biometrics", biometricsDone, newBiometricsStep, []string{"biometrics", "eurodac"}},
		{"checks", func(c *forms.Case) bool { return len(c.Checks) > 0 && len(c.PendingChecks()) == 0 }, newChecksStep, []string{"securityChecks"}},
		{"form", func(c *forms.Case) bool { return c.Referral.To != "" }, newFormStep, []string{"referral"}},
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

// extraSaver is a step that stores something besides the case (the medic's details).
type extraSaver interface {
	saveExtra(id vault.CaseID, c *forms.Case) error
}

// caseScreen shows one case, step by step, with the case's deadlines above.
type caseScreen struct {
	u      *UI
	id     vault.CaseID // empty until the first save of a new case
	c      *forms.Case
	cur    int
	view   stepView
	nav    *widget.List
	body   *fyne.Container
	header *widget.Label
	notice *widget.Label
	// saved is set after the first save on this screen: before it, "required" problems are
	// not shown, so a new case does not open as a wall of red.
	saved bool
}

// showNewCase opens an empty case at the trigger step, with the trigger time set to now.
func (u *UI) showNewCase() {
	c := &forms.Case{Trigger: forms.Trigger{At: time.Now().Truncate(time.Minute)}}
	u.openCaseScreen("", c)
}

// showCase opens a stored case (an audited read).
func (u *UI) showCase(id vault.CaseID) {
	c, err := u.sess.Case(id)
	if err != nil {
		u.showCaseListWithError(errorText(err))
		return
	}
	u.openCaseScreen(id, c)
}

func (u *UI) showCaseListWithError(msg string) {
	s := newCaseListScreen(u)
	setError(s.msg, msg)
	u.showSection("cases", s.content())
}

func (u *UI) openCaseScreen(id vault.CaseID, c *forms.Case) {
	cs := &caseScreen{u: u, id: id, c: c, header: widget.NewLabel(""), notice: widget.NewLabel(""), body: container.NewStack()}
	cs.header.TextStyle.Bold = true
	cs.notice.Wrapping = fyne.TextWrapWord
	cs.notice.Hide()
	cs.nav = widget.NewList(
		func() int { return len(caseSteps) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			mark := "○ "
			if caseSteps[i].done(cs.c) {
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
	left := container.NewBorder(nil, nil, nil, nil, cs.nav)
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(cs.body)))
	split.Offset = 0.22
	content := container.NewBorder(container.NewVBox(cs.header, cs.notice), bar, nil, nil, split)
	u.show("case", content)
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
	all := cs.c.Validate(time.Now())
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
		setError(cs.view.fields().general, err.Error())
		return false
	}
	return true
}

// save applies the step, shows every validation problem beside its field, and stores the
// case: problems do not block saving work in progress, unreadable input does.
func (cs *caseScreen) save() {
	cs.u.touch()
	if !cs.applyCurrent() {
		return
	}
	cs.saved = true
	probs := cs.problems()
	var err error
	if cs.id == "" {
		cs.id, err = cs.u.sess.CreateCase(cs.c)
	} else {
		err = cs.u.sess.SaveCase(cs.id, cs.c)
	}
	if es, ok := cs.view.(extraSaver); ok && err == nil {
		err = es.saveExtra(cs.id, cs.c)
	}
	cs.notice.Show()
	if err != nil {
		cs.notice.Importance = widget.DangerImportance
		cs.notice.SetText(errorText(err))
		return
	}
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
}

func (cs *caseScreen) refreshHeader() {
	ref := cs.c.Reference
	if ref == "" {
		ref = T("case.unsaved")
	}
	text := ref
	if !cs.c.Trigger.At.IsZero() {
		d := cs.c.Deadlines()
		now := time.Now()
		due := func(dl forms.Deadline) string {
			if !dl.MetAt.IsZero() {
				return T("deadline.met")
			}
			return left(dl.Due(), now)
		}
		text += fmt.Sprintf("   ·   %s %s   ·   Eurodac %s", T("cases.screening"), due(d.Screening), due(d.Eurodac))
	}
	cs.header.SetText(text)
}
