package main

import (
	"os"
	"strings"
	"testing"
)

// TestCaseImportRefusesCodesOffTheirList: `case import` meets the rules the commands apply
// (forms.Case.CheckCodes): a state, language or document code off the terminal's lists, a
// trigger ground off its list, a leaflet language the terminal has no leaflet in, or a
// document claiming to be read from its MRZ is refused with one line naming the field, and
// nothing is stored (SR Art 17(1), Art 11(1); ER Art 17(1)).
func TestCaseImportRefusesCodesOffTheirList(t *testing.T) {
	dir := newVault(t)
	base, err := os.ReadFile("../../testdata/cases/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	for field, edit := range map[string][2]string{
		"identity.nationalities[0]":   {`"nationalities": ["UTO"]`, `"nationalities": ["ZZZ"]`},
		"identity.languages[0]":       {`"placeOfBirth"`, `"languages": ["qqq"], "placeOfBirth"`},
		"documents[0].issuingState":   {`"issuingState": "UTO"`, `"issuingState": "Utopia"`},
		"documents[0].type":           {`"type": "P"`, `"type": "PT"`},
		"documents[0].source":         {`"expiryDate"`, `"source": "mrz", "expiryDate"`},
		"trigger.reason":              {`"reason": "ART5_2_APPLICATION_AT_BCP"`, `"reason": "TESTPERSON ALPHA"`},
		"information.leafletLanguage": {`"trigger"`, `"information": {"leafletLanguage": "de"}, "trigger"`},
	} {
		in := strings.Replace(string(base), edit[0], edit[1], 1)
		if in == string(base) {
			t.Fatalf("%s: the edit %q did not apply", field, edit[0])
		}
		_, errs, code := ctl(t, dir, "off1", offPass, in, "case", "import")
		if code == 0 || !strings.Contains(errs, field+":") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want one line naming the field", field, code, errs)
		}
	}
	if out := mustCtl(t, dir, "off1", offPass, "", "case", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("a refused import left a case behind: %s", out)
	}
	mustCtl(t, dir, "off1", offPass, string(base), "case", "import")
}
