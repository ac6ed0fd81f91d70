package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// TestStatementStep (SR Art 17(1)(f), (g), (i), 17(2)): an Art 5(2) case opens with the
// application pre-filled as yes; family and cooperation start as "not recorded" and are
// stored as the officer answers them, with the person's statement and remarks; identity
// takes the countries of residence, country of birth and other names.
func TestStatementStep(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	test.Tap(button(t, w, T("cases.new")))
	entries(w)[0].SetText("NLSPL Schiphol")
	find(w, func(s *widget.Select) bool { return true }).SetSelectedIndex(2) // Art 5(2)
	test.Tap(button(t, w, T("common.save")))
	nav := find(w, func(l *widget.List) bool { return true })
	nav.Select(stepIndex(t, "identity"))
	es := entries(w)
	es[0].SetText("Testperson")
	setEntry(t, w, T("identity.countryPlaceholder"), "syr")
	setEntry(t, w, T("identity.residencesPlaceholder"), "TUR 2019 2026-05; IRN")
	setEntry(t, w, T("identity.otherNamesPlaceholder"), "alfa testpersoon")
	nav.Select(stepIndex(t, "statement"))
	selects := allSelects(w)
	if len(selects) < 5 {
		t.Fatalf("statement step shows %d choices", len(selects))
	}
	if selects[0].Selected != T("answer.yes") {
		t.Errorf("Art 5(2) case: application made shows %q, want yes", selects[0].Selected)
	}
	if selects[1].Selected != T("answer.notRecorded") || selects[2].Selected != T("answer.notRecorded") {
		t.Errorf("family / cooperation start as %q / %q, want not recorded", selects[1].Selected, selects[2].Selected)
	}
	selects[1].SetSelectedIndex(2) // family: no
	selects[2].SetSelected(T("answer.partly"))
	for _, e := range entries(w) {
		if e.MultiLine && e.Text == "" && e.PlaceHolder == "" {
			e.SetText("stated text")
		}
	}
	selects[3].SetSelectedIndex(1) // copy received: yes
	test.Tap(button(t, w, T("common.save")))
	rows, _ := u.Session().CaseRows()
	c, err := u.Session().Case(rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Application.Made != forms.AnswerYes || c.Application.Place != "NLSPL Schiphol" {
		t.Errorf("application %+v", c.Application)
	}
	if c.FamilyAnswer() != forms.AnswerNo || c.Cooperation.Complied != "partly" || c.Cooperation.At.IsZero() {
		t.Errorf("family %q cooperation %+v", c.FamilyAnswer(), c.Cooperation)
	}
	if c.Statement.Route != "stated text" || c.Remarks.Incorrect != "stated text" || !c.Remarks.CopyReceived.Yes() || c.Remarks.CopyAt.IsZero() {
		t.Errorf("statement %+v remarks %+v", c.Statement, c.Remarks)
	}
	id := c.Identity
	if id.CountryOfBirth != "SYR" || len(id.Residences) != 2 || id.Residences[0].Country != "TUR" ||
		id.Residences[0].To != (forms.PartialDate{Year: 2026, Month: time.May}) || strings.Join(id.OtherNames, ",") != "ALFA TESTPERSOON" {
		t.Errorf("identity %+v", id)
	}
}

func stepIndex(t *testing.T, key string) int {
	t.Helper()
	for i, st := range caseSteps {
		if st.key == key {
			return i
		}
	}
	t.Fatalf("no step %s", key)
	return -1
}

func setEntry(t *testing.T, w fyne.Window, placeholder, text string) {
	t.Helper()
	for _, e := range entries(w) {
		if e.PlaceHolder == placeholder {
			e.SetText(text)
			return
		}
	}
	t.Fatalf("no entry with placeholder %q", placeholder)
}

// allSelects returns the visible choices in layout order.
func allSelects(w fyne.Window) []*widget.Select {
	var out []*widget.Select
	find(w, func(s *widget.Select) bool { out = append(out, s); return false })
	return out
}

func FuzzParseFamily(f *testing.F) {
	f.Add("brother; TESTPERSON BETA; D\n\nmother;X;NLD")
	f.Add(";;")
	f.Add("a;b")
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := parseFamily(s)
		if err != nil {
			return
		}
		back, err := parseFamily(familyText(ms))
		if err != nil || len(back) != len(ms) {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}

func FuzzParseResidences(f *testing.F) {
	f.Add("TUR 2019 2026-05; IRN")
	f.Add("X 2019-13")
	f.Add("a b c d")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := parseResidences(s)
		if err != nil {
			return
		}
		back, err := parseResidences(residencesText(rs))
		if err != nil || len(back) != len(rs) {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}
