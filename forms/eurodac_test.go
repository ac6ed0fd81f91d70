package forms

import (
	"slices"
	"testing"
)

func TestEurodacElements(t *testing.T) {
	c := fullCase()
	if got := c.MissingEurodacCore(); len(got) != 0 {
		t.Fatalf("full case missing %v", got)
	}
	present := map[string]bool{}
	for _, e := range c.EurodacElements() {
		present[e.Letter] = e.Present
	}
	// The full case has no transmission date yet and uses the application as event (g).
	if present["m"] || !present["g"] || !present["i"] || !present["j"] || !present["k"] {
		t.Errorf("elements %v", present)
	}
	c.Application.Place = ""
	for _, e := range c.EurodacElements() {
		if e.Letter == "g" && e.Present {
			t.Error("applicant without place of application still has (g)")
		}
	}
	c.Biometrics.Fingers = []Finger{{Position: RightThumb, Status: FingerRefused}}
	c.Identity.Sex = ""
	c.Identity.PlaceOfBirth, c.Identity.CountryOfBirth = "", ""
	if got := c.MissingEurodacCore(); !slices.Equal(got, []string{"a", "f", "h"}) {
		t.Errorf("missing %v, want a f h", got)
	}
}
