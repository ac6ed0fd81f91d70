package ui

import (
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// statementStep asks what the form records from the person (Screening Regulation Art
// 17(1)(f), (g), (i), Art 17(2)) and their own remarks, and lets the officer mark a form
// item as could not be established, with why. Each yes/no question starts as "not
// recorded" and stays so until someone answers it: the screen never supplies a "no".
type statementStep struct {
	stepBase
	made                  *widget.Select
	appAt, appPlace       *widget.Entry
	family                *widget.Select
	members               *widget.Entry
	cooperation           *widget.Select
	reasons, route, smugg *widget.Entry
	incorrect, correct    *widget.Entry
	copyReceived          *widget.Select
	neItem                *widget.Select
	neReason              *widget.Entry
	neList                *widget.Label
	neItems               []string
}

// answerChoices are the choices for an answer; index 0 is not recorded.
func answerChoices() []string {
	return []string{T("answer.notRecorded"), T("answer.yes"), T("answer.no")}
}

var answerValues = []forms.Answer{forms.AnswerNotRecorded, forms.AnswerYes, forms.AnswerNo}

func answerSelect(a forms.Answer) *widget.Select {
	s := widget.NewSelect(answerChoices(), nil)
	for i, v := range answerValues {
		if v == a {
			s.SetSelectedIndex(i)
		}
	}
	return s
}

func selectedAnswer(s *widget.Select) forms.Answer {
	if i := s.SelectedIndex(); i > 0 {
		return answerValues[i]
	}
	return forms.AnswerNotRecorded
}

func newStatementStep(cs *caseScreen) stepView {
	c := cs.c
	s := &statementStep{stepBase: stepBase{newFieldSet()}}
	entry := cs.u.entry
	multi := func(text string) *widget.Entry {
		e := widget.NewMultiLineEntry()
		e.SetText(text)
		e.Wrapping = 3 // fyne.TextWrapWord
		e.OnChanged = func(string) { cs.u.touch() }
		return e
	}
	s.made = answerSelect(c.Application.Made)
	s.appAt = entry(timeText(c.Application.At), T("statement.atPlaceholder"))
	s.appPlace = entry(c.Application.Place, "")
	s.family = answerSelect(c.FamilyInMemberState)
	s.members = multi(familyText(c.Family))
	s.members.SetPlaceHolder(T("statement.membersPlaceholder"))
	coop := append([]string{T("answer.notRecorded")}, cooperationLabels()...)
	s.cooperation = widget.NewSelect(coop, nil)
	s.cooperation.SetSelectedIndex(0)
	for i, v := range forms.CooperationValues {
		if c.Cooperation.Complied == v {
			s.cooperation.SetSelectedIndex(i + 1)
		}
	}
	s.reasons, s.route, s.smugg = multi(c.Statement.ReasonsForEntry), multi(c.Statement.Route), multi(c.Statement.Smugglers)
	s.incorrect, s.correct = multi(c.Remarks.Incorrect), multi(c.Remarks.Correct)
	s.copyReceived = answerSelect(c.Remarks.CopyReceived)
	for _, it := range forms.Art17Items {
		if it.MayBeUnestablished {
			s.neItems = append(s.neItems, it.Path)
		}
	}
	s.neItem = widget.NewSelect(s.neItems, nil)
	s.neReason = entry("", T("statement.neReasonPlaceholder"))
	s.neItem.OnChanged = func(item string) { s.neReason.SetText(c.NotEstablishedReason(item)) }
	s.neList = widget.NewLabel(notEstablishedText(c))
	s.neList.Wrapping = 3

	s.fs.add("application.made", "statement.applicationMade", s.made)
	s.fs.add("application.at", "statement.applicationAt", s.appAt)
	s.fs.add("application.place", "statement.applicationPlace", s.appPlace)
	s.fs.add("familyInMemberState", "statement.family", s.family)
	s.fs.add("family", "statement.members", s.members)
	s.fs.add("cooperation.complied", "statement.cooperation", s.cooperation)
	s.fs.add("statement.reasonsForEntry", "statement.reasons", s.reasons)
	s.fs.add("statement.route", "statement.route", s.route)
	s.fs.add("statement.smugglers", "statement.smugglers", s.smugg)
	s.fs.add("remarks.incorrect", "statement.incorrect", s.incorrect)
	s.fs.add("remarks.correct", "statement.correct", s.correct)
	s.fs.add("remarks.copyReceived", "statement.copyReceived", s.copyReceived)
	s.fs.add("notEstablished", "statement.notEstablished", container.NewVBox(s.neList, s.neItem, s.neReason))
	return s
}

func cooperationLabels() []string {
	out := make([]string, len(forms.CooperationValues))
	for i, v := range forms.CooperationValues {
		out[i] = T("answer." + v)
	}
	return out
}

// apply copies the answers; the stamps (cooperation, copy received, not established) are
// app's.
func (s *statementStep) apply(c *forms.Case) error {
	at, err := parseTime(s.appAt.Text)
	if err != nil {
		return inputErrorf("%s: %s", T("statement.applicationAt"), T("input.badTime"))
	}
	members, err := parseFamily(s.members.Text)
	if err != nil {
		return inputErrorf("%s: %s", T("statement.members"), errorText(err))
	}
	c.Application.Made = selectedAnswer(s.made)
	c.Application.At, c.Application.Place = at, strings.TrimSpace(s.appPlace.Text)
	c.FamilyInMemberState, c.Family = selectedAnswer(s.family), members
	if c.FamilyInMemberState == forms.AnswerYes && len(members) > 0 {
		c.FamilyInMemberState = forms.AnswerNotRecorded // the listed members say yes
	}
	c.Cooperation.Complied = ""
	if i := s.cooperation.SelectedIndex(); i > 0 {
		c.Cooperation.Complied = forms.CooperationValues[i-1]
	}
	c.Statement = forms.Statement{ReasonsForEntry: s.reasons.Text, Route: s.route.Text, Smugglers: s.smugg.Text}
	c.Remarks.Incorrect, c.Remarks.Correct = s.incorrect.Text, s.correct.Text
	c.Remarks.CopyReceived = selectedAnswer(s.copyReceived)
	if item := s.neItem.Selected; item != "" {
		kept := c.NotEstablished[:0:0]
		for _, n := range c.NotEstablished {
			if n.Item != item {
				kept = append(kept, n)
			} else if strings.TrimSpace(s.neReason.Text) != "" {
				kept = append(kept, forms.NotEstablished{Item: item, Reason: s.neReason.Text, At: n.At})
			}
		}
		if c.NotEstablishedReason(item) == "" && strings.TrimSpace(s.neReason.Text) != "" {
			kept = append(kept, forms.NotEstablished{Item: item, Reason: s.neReason.Text})
		}
		c.NotEstablished = kept
	}
	return nil
}

func notEstablishedText(c *forms.Case) string {
	var lines []string
	for _, n := range c.NotEstablished {
		lines = append(lines, n.Item+": "+n.Reason)
	}
	if len(lines) == 0 {
		return T("statement.noneNotEstablished")
	}
	return strings.Join(lines, "\n")
}

// familyText and parseFamily: one member a line, "relation; name; Member State code".
func familyText(ms []forms.FamilyMember) string {
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = m.Relation + "; " + m.Name + "; " + m.MemberState
	}
	return strings.Join(lines, "\n")
}

func parseFamily(s string) ([]forms.FamilyMember, error) {
	var out []forms.FamilyMember
	for n, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		p := strings.Split(line, ";")
		if len(p) != 3 {
			return nil, inputErrorf(T("statement.badMemberLine"), n+1)
		}
		out = append(out, forms.FamilyMember{Relation: strings.TrimSpace(p[0]), Name: strings.TrimSpace(p[1]),
			MemberState: strings.ToUpper(strings.TrimSpace(p[2]))})
	}
	return out, nil
}
