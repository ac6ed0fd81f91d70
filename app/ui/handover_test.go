package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// TestInformationStepRecordsHandover (SR Art 11, Art 17): on the information step the officer
// records that the person received the leaflet and refused to accept the form's copy; the
// saved case holds both with the language, the terminal's stamp and who; the step then shows
// the stamp. "Not recorded" stays the choice until someone picks another.
func TestInformationStepRecordsHandover(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	id, err := u.Session().CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "NLSPL", At: u.Session().Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, Languages: []string{"ara"}},
		Info:     forms.Information{LeafletLanguage: "ar", LeafletVersion: "v2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	openInformation := func() {
		u.showCase(id)
		for i, st := range caseSteps {
			if st.key == "information" {
				u.openCase.Step(i)
			}
		}
	}
	openInformation()
	statusSelects := func() []*widget.Select {
		var out []*widget.Select
		for _, h := range u.openCase.view.(*informationStep).handover {
			out = append(out, h.status)
		}
		return out
	}
	ss := statusSelects()
	if len(ss) != 2 || ss[0].Selected != T("handover.status.notRecorded") || ss[1].Selected != T("handover.status.notRecorded") {
		t.Fatalf("handover choices on a new case: %v", ss)
	}
	ss[0].SetSelected(T("handover.status.received"))
	ss[1].SetSelected(T("handover.status.refused"))
	form := u.openCase.view.(*informationStep).handover[1]
	if form.lang.Selected != "" {
		t.Fatalf("the form's copy has language %q chosen before the officer chose one", form.lang.Selected)
	}
	form.lang.SetSelected("ar")
	test.Tap(button(t, w, T("common.save")))
	c, err := u.Session().Case(id)
	if err != nil {
		t.Fatal(err)
	}
	l, f := c.Handover.Leaflet, c.Handover.Form
	if l.Status != forms.HandoverReceived || l.Language != "ar" || l.Version != "v2" || l.By != "sup1" || l.At.IsZero() {
		t.Errorf("leaflet handover stored as %+v", l)
	}
	if f.Status != forms.HandoverRefused || f.Language != "ar" || f.Version != "v1" || f.By != "sup1" {
		t.Errorf("form handover stored as %+v", f)
	}
	openInformation()
	if txt := labelsText(w); !strings.Contains(txt, "by sup1") {
		t.Errorf("the step does not show who recorded the handover:\n%s", txt)
	}
}
