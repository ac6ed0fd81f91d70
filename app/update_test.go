package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

// TestUpdateCaseJSONKeepsMRZHonest: "mrz" on a document means a document reader verified
// the check digits of what it read. A merge patch is typed, so it may keep "mrz" only on a
// reading it leaves as read (the officer's own judgement, authenticity, may change): a
// changed number or a new document claiming "mrz" is refused naming the field, as the
// screen turns an edited reading to "manual". Before, the patch's number stood vouched for.
func TestUpdateCaseJSONKeepsMRZHonest(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	// the reading comes through the command the document-reader step sends (an import may
	// not claim "mrz": forms.Case.CheckCodes)
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	read := forms.Document{Type: "P", Number: "X1234567", IssuingState: "NLD", Source: "mrz", Authenticity: "not_checked",
		Holder: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"DELTA"}}}
	if _, err := off.Do(id, 1, RecordDocument{Index: -1, Document: read}); err != nil {
		t.Fatal(err)
	}
	refused := []struct{ name, patch string }{
		{"typed number kept as mrz", `{"documents":[{"type":"P","number":"Y7654321","issuingState":"NLD","source":"mrz","authenticity":"not_checked","holder":{"surnames":["TESTPERSON"],"givenNames":["DELTA"]}}]}`},
		{"typed holder kept as mrz", `{"documents":[{"type":"P","number":"X1234567","issuingState":"NLD","source":"mrz","authenticity":"not_checked","holder":{"surnames":["OTHERPERSON"],"givenNames":["DELTA"]}}]}`},
		{"new document claiming mrz", `{"documents":[{"type":"P","number":"X1234567","issuingState":"NLD","source":"mrz","authenticity":"not_checked","holder":{"surnames":["TESTPERSON"],"givenNames":["DELTA"]}},{"type":"I","number":"Z1","issuingState":"BEL","source":"mrz"}]}`},
	}
	for _, tc := range refused {
		_, err := off.UpdateCaseJSON(id, 2, []byte(tc.patch))
		var pe *ProtectedError
		if !errors.As(err, &pe) || !strings.HasPrefix(pe.Field, "documents[") {
			t.Errorf("%s: got %v, want a refusal naming the document's source", tc.name, err)
		}
	}
	// the officer's judgement on the reading, and the same correction marked manual, pass
	rev, err := off.UpdateCaseJSON(id, 2, []byte(`{"documents":[{"type":"P","number":"X1234567","issuingState":"NLD","source":"mrz","authenticity":"genuine","holder":{"surnames":["TESTPERSON"],"givenNames":["DELTA"]}}]}`))
	if err != nil || rev != 3 {
		t.Fatalf("authenticity on a reading: rev %d, %v", rev, err)
	}
	if _, err := off.UpdateCaseJSON(id, 3, []byte(`{"documents":[{"type":"P","number":"Y7654321","issuingState":"NLD","source":"manual","authenticity":"genuine","holder":{"surnames":["TESTPERSON"],"givenNames":["DELTA"]}}]}`)); err != nil {
		t.Fatalf("a typed correction marked manual: %v", err)
	}
}

// TestUpdateCaseJSONRefusesCodesOffTheirList: a patch (or any command) cannot clear the
// recorded trigger (every deadline runs from it) nor record a
// trigger reason or a missed deadline that is not a code of its list; the screen offers only
// the codes, and before a patch stored any text there (where a name could stand).
func TestUpdateCaseJSONRefusesCodesOffTheirList(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for path, patch := range map[string]string{
		"trigger.reason":          `{"trigger":{"reason":"TESTPERSON DELTA"}}`,
		"deadlineMisses.deadline": `{"deadlineMisses":[{"deadline":"TESTPERSON DELTA","reason":"TECH_FAILURE"}]}`,
	} {
		_, err := off.UpdateCaseJSON(id, 1, []byte(patch))
		var re *forms.RuleError
		if !errors.As(err, &re) || re.Path != path || !errors.Is(err, forms.ErrBadValue) {
			t.Errorf("%s: got %v, want a refusal naming it", path, err)
		}
	}
	if _, err := off.UpdateCaseJSON(id, 1, []byte(`{"trigger":null}`)); !errors.Is(err, forms.ErrOnRecord) {
		t.Errorf("clearing the recorded trigger: got %v, want it refused (stays on record)", err)
	}
	if _, err := off.UpdateCaseJSON(id, 1, []byte(`{"trigger":{"reason":"ART5_1_B_DISEMBARKATION"},"deadlineMisses":[{"deadline":"eurodac","reason":"TECH_FAILURE"}]}`)); err != nil {
		t.Fatalf("codes of their lists: %v", err)
	}
}
