package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

// TestUpdateCaseJSONRefusesListFlood: a merge patch under forms.MaxCaseBytes could carry
// 15,001 documents (or family members, residences, languages …) and was accepted, each a
// command, a stored entry and a row of every printed form. It is now refused naming the list
// and its limit, and nothing is stored; a patch within the limits passes.
func TestUpdateCaseJSONRefusesListFlood(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	many := func(n int, item string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]"
	}
	flood := `{"documents":` + many(15001, `{"type":"P","number":"X1","issuingState":"NLD","source":"manual"}`) + `}`
	if len(flood) > forms.MaxCaseBytes {
		t.Fatalf("the flood patch is %d bytes, over the size limit: the test would not reach the list limit", len(flood))
	}
	for _, tc := range []struct{ field, patch string }{
		{"documents", flood},
		{"family", `{"family":` + many(31, `{"name":"TESTPERSON","relation":"brother","memberState":"NLD"}`) + `}`},
		{"identity.residences", `{"identity":{"residences":` + many(31, `{"country":"TUR"}`) + `}}`},
		{"identity.languages", `{"identity":{"languages":` + many(11, `"ara"`) + `}}`},
		{"identity.nationalities", `{"identity":{"nationalities":` + many(6, `"SYR"`) + `}}`},
		{"documents[0].holder.givenNames", `{"documents":[{"type":"P","number":"X1","issuingState":"NLD","source":"manual","holder":{"givenNames":` + many(13, `"DELTA"`) + `}}]}`},
		{"deadlineMisses", `{"deadlineMisses":` + many(3, `{"deadline":"eurodac","reason":"TECH_FAILURE"}`) + `}`},
	} {
		_, err := off.UpdateCaseJSON(id, 1, []byte(tc.patch))
		var le *ListLimitError
		if !errors.As(err, &le) || le.Field != tc.field || !errors.Is(err, ErrTooManyEntries) {
			t.Errorf("%s: got %v, want a refusal naming the list", tc.field, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), "at most "+strconv.Itoa(le.Limit)) {
			t.Errorf("%s: the error %q does not name the list and its limit", tc.field, err)
		}
	}
	c, rev, err := off.ReadCase(id)
	if err != nil {
		t.Fatal(err)
	}
	if rev != 1 || len(c.Documents) != 0 || len(c.Family) != 0 {
		t.Fatalf("a refused patch changed the case: revision %d, %d documents, %d family members", rev, len(c.Documents), len(c.Family))
	}
	ok := `{"documents":` + many(maxDocuments, `{"type":"P","number":"X1","issuingState":"NLD","source":"manual"}`) +
		`,"identity":{"languages":` + many(maxLanguages, `"ara"`) + `}}`
	if _, err := off.UpdateCaseJSON(id, 1, []byte(ok)); err != nil {
		t.Fatalf("a patch at the limits: %v", err)
	}
}

// TestCreateCaseRefusesListFlood: an import (fieldscreenctl case import, CreateCases) meets
// the same limits as a patch: before, a new case could bring 15,001 documents.
func TestCreateCaseRefusesListFlood(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	c := adultCase(time.Now())
	c.Documents = make([]forms.Document, 15001)
	for i := range c.Documents {
		c.Documents[i] = forms.Document{Type: "P", Number: "X1", IssuingState: "NLD", Source: "manual"}
	}
	var le *ListLimitError
	if _, err := off.CreateCase(c); !errors.As(err, &le) || le.Field != "documents" || le.Limit != maxDocuments {
		t.Fatalf("a new case with 15,001 documents: %v, want a refusal naming documents and %d", err, maxDocuments)
	}
	c.Documents = c.Documents[:maxDocuments]
	if _, err := off.CreateCase(c); err != nil {
		t.Fatalf("a new case at the limit: %v", err)
	}
}

// TestListLimitsCoverEveryList walks forms.Case by reflection: every list a patch can fill
// is limited, so a list added to the case later cannot be flooded unnoticed. Each list is
// filled with 1,000 entries in turn and must be refused naming it, unless only the system
// writes it (Do refuses any change there).
func TestListLimitsCoverEveryList(t *testing.T) {
	system := map[string]bool{"history": true, "securityChecks": true, "openChecks": true,
		"formPackets": true, "formPackets[0].systems": true, "formPackets[0].open": true,
		"corrections": true, "corrections[0].old": true, "corrections[0].new": true, "corrections[0].eurodac": true}
	var paths []string
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		switch typ.Kind() {
		case reflect.Pointer:
			walk(typ.Elem(), path)
		case reflect.Slice:
			paths = append(paths, path)
			walk(typ.Elem(), path+"[0]")
		case reflect.Struct:
			if typ.PkgPath() == "time" {
				return
			}
			for i := 0; i < typ.NumField(); i++ {
				f := typ.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if !f.IsExported() || name == "-" || name == "" {
					continue
				}
				p := name
				if path != "" {
					p = path + "." + name
				}
				walk(f.Type, p)
			}
		}
	}
	walk(reflect.TypeOf(forms.Case{}), "")
	if len(paths) < 20 {
		t.Fatalf("found only %d lists in forms.Case: the walk is broken", len(paths))
	}
	for _, path := range paths {
		c := &forms.Case{}
		fill(t, reflect.ValueOf(c).Elem(), strings.Split(strings.ReplaceAll(path, "[0]", ".[0]"), "."), 1000)
		err := checkListLimits(&forms.Case{}, c)
		var le *ListLimitError
		switch {
		case system[path]:
			if err != nil {
				t.Errorf("%s: only the system writes it, yet refused here: %v", path, err)
			}
		case !errors.As(err, &le):
			t.Errorf("%s: 1,000 entries accepted: give the list a limit in patchlimits.go", path)
		case le.Field != path:
			t.Errorf("%s: the refusal names %s", path, le.Field)
		}
	}
}

// fill follows the JSON path segs from v (a struct) and makes the list at its end n entries
// long; a "[0]" segment makes the list before it one entry long and steps into it.
func fill(t *testing.T, v reflect.Value, segs []string, n int) {
	t.Helper()
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if len(segs) == 0 {
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		return
	}
	if segs[0] == "[0]" {
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		fill(t, v.Index(0), segs[1:], n)
		return
	}
	for i := 0; i < v.NumField(); i++ {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); name == segs[0] {
			fill(t, v.Field(i), segs[1:], n)
			return
		}
	}
	t.Fatalf("no field %s in %s", segs[0], v.Type())
}

// FuzzCaseListLimits: any patch merged onto an exported case either fails to decode or is
// judged by checkListLimits without a panic, and what it accepts stays within the limits
// for the lists the patch grew.
func FuzzCaseListLimits(f *testing.F) {
	base := adultCase(time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC))
	doc, err := json.Marshal(base)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"documents":[{"type":"P","number":"X1","issuingState":"NLD","holder":{"givenNames":["A","B"]}}]}`))
	f.Add([]byte(`{"identity":{"languages":["ara","eng"],"residences":[{"country":"TUR"}]}}`))
	f.Add([]byte(`{"family":[{"name":"TESTPERSON","relation":"brother","memberState":"NLD"}],"deadlineMisses":[{"deadline":"eurodac","reason":"OFFLINE"}]}`))
	f.Fuzz(func(t *testing.T, patch []byte) {
		merged, err := MergePatch(doc, patch)
		if err != nil {
			return
		}
		edited, err := forms.DecodeCase(bytes.NewReader(merged))
		if err != nil {
			return
		}
		if err := checkListLimits(base, edited); err == nil {
			if len(edited.Documents) > maxDocuments || len(edited.Family) > maxFamily || len(edited.Identity.Languages) > maxLanguages {
				t.Fatalf("accepted %d documents, %d family members, %d languages", len(edited.Documents), len(edited.Family), len(edited.Identity.Languages))
			}
		} else if le := (*ListLimitError)(nil); !errors.As(err, &le) || le.Field == "" {
			t.Fatalf("a refusal without the list's name: %v", err)
		}
	})
}
