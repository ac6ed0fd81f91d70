package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// TestSecurityFlagBySupervisor (ER Art 17(2)): the supervisor sets the Eurodac security
// flag with its ground on the checks step; it is stored stamped with them.
func TestSecurityFlagBySupervisor(t *testing.T) {
	u, w, _ := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	id, err := u.Session().CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: u.Session().Now().Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	u.showCase(id)
	u.openCase.Step(stepIndex(t, "checks"))
	sel := find(w, func(s *widget.Select) bool { return len(s.Options) == len(forms.SecurityFlagGrounds)+1 })
	if sel == nil || sel.Disabled() {
		t.Fatal("no security flag choice for the supervisor")
	}
	sel.SetSelected(T("flag.unlawfully_armed"))
	setEntry(t, w, T("flag.notePlaceholder"), "knife found at the search")
	test.Tap(button(t, w, T("common.save")))
	c, _ := u.Session().Case(id)
	if c.SecurityFlag == nil || c.SecurityFlag.Ground != forms.FlagUnlawfullyArmed || c.SecurityFlag.By != "sup1" || c.SecurityFlag.At.IsZero() {
		t.Fatalf("stored flag %+v: %s", c.SecurityFlag, labelsText(w))
	}
}
