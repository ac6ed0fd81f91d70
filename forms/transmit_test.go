package forms

import (
	"strings"
	"testing"
)

// TestFormDueArt18 walks one case through SR Art 18 and 18(5): nothing before the referral,
// version 1 on referral naming the open checks, nothing again until something changes, a
// late hit forwarded at once, other late answers together once all have answered, a
// correction as version 2 superseding version 1, a new referral target as a new version.
func TestFormDueArt18(t *testing.T) {
	c := fullCase()
	c.Checks = []SecurityCheck{{System: "SIS", Status: CheckPending}, {System: "VIS", Status: CheckPending}, {System: "EES", Status: CheckPending}}
	c.Status = StatusFormCompleted
	if _, ok := c.FormDue(); ok {
		t.Fatal("form due before the referral")
	}
	c.Status = StatusReferred
	step := func(name string, wantOK bool, want FormSending) {
		t.Helper()
		got, ok := c.FormDue()
		if ok != wantOK {
			t.Fatalf("%s: due %v, want %v (%+v)", name, ok, wantOK, got)
		}
		if !ok {
			return
		}
		if got.Version != want.Version || got.Addendum != want.Addendum || strings.Join(got.Systems, ",") != strings.Join(want.Systems, ",") ||
			strings.Join(got.Open, ",") != strings.Join(want.Open, ",") || (want.Supersedes != "" && got.Supersedes != want.Supersedes) {
			t.Fatalf("%s: %+v, want %+v", name, got, want)
		}
		c.RecordFormPacket(got, name, t0)
	}
	step("v1", true, FormSending{Version: 1, Open: []string{"SIS", "VIS", "EES"}})
	step("again", false, FormSending{})
	c.Checks[1].Status = CheckNoHit
	step("one no-hit of three", false, FormSending{})
	c.Checks[0].Status = CheckHit
	step("hit", true, FormSending{Version: 1, Addendum: true, Systems: []string{"SIS", "VIS"}, Open: []string{"EES"}, Supersedes: "v1"})
	c.Checks[2].Status = CheckNotPossible
	step("last answer", true, FormSending{Version: 1, Addendum: true, Systems: []string{"EES"}})
	step("all forwarded", false, FormSending{})
	c.Identity.GivenNames = []string{"ALPHA", "CORRECTED"}
	step("v2", true, FormSending{Version: 2, Supersedes: "v1"})
	c.Referral.To = ReferReturn
	step("v3", true, FormSending{Version: 3, Supersedes: "v2"})
	c.Status = StatusClosed
	step("closed", false, FormSending{})
}
