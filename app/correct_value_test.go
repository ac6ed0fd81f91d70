package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/forms"
)

// CorrectionValue's refusal of a value that is not JSON says which form the value needs
// without quoting the current one: the error's text reaches fieldscreenctl's stderr and the
// log, where the person's data must not go.
func TestCorrectionValueErrorCarriesNoPersonalData(t *testing.T) {
	c := &forms.Case{Identity: forms.Identity{Surnames: []string{"TESTSURNAME"}, GivenNames: []string{"TESTGIVEN"}},
		Documents: []forms.Document{{Type: "P", Number: "X12345678", IssuingState: "UTO"}}}
	for _, tc := range []struct{ path, text string }{
		{"identity.surnames", "TESTCORRECTED"},
		{"documents[0]", "not json"},
	} {
		_, err := CorrectionValue(c, tc.path, tc.text)
		var re *forms.RuleError
		if !errors.As(err, &re) || !errors.Is(err, forms.ErrFieldPath) {
			t.Fatalf("%s = %q: %v, want a *forms.RuleError", tc.path, tc.text, err)
		}
		for _, s := range []string{err.Error(), re.Sentence("en"), re.Sentence("nl")} {
			for _, personal := range []string{"TESTSURNAME", "TESTGIVEN", "X12345678"} {
				if strings.Contains(s, personal) {
					t.Errorf("%s: the error quotes the person's data %s: %s", tc.path, personal, s)
				}
			}
		}
	}
	if v, err := CorrectionValue(c, "identity.surnames", `["TESTCORRECTED"]`); err != nil || string(v) != `["TESTCORRECTED"]` {
		t.Errorf("a JSON list: %s, %v", v, err)
	}
}
