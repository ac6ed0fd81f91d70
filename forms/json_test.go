package forms

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The format the coordinator promised: it must decode and come back with the same values.
func TestDecodeMinimalRoundTrip(t *testing.T) {
	in, err := os.ReadFile("testdata/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeCase(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if c.Trigger.Reason != TriggerApplicationAtBCP || !c.Trigger.At.Equal(time.Date(2026, 6, 14, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("trigger = %+v", c.Trigger)
	}
	if c.Identity.BirthDate != (PartialDate{1990, time.April, 17}) || c.Identity.Sex != SexFemale {
		t.Errorf("identity = %+v", c.Identity)
	}
	if len(c.Documents) != 1 || c.Documents[0].ExpiryDate != (PartialDate{2029, time.March, 1}) || c.Documents[0].Number != "X1234567" {
		t.Errorf("documents = %+v", c.Documents)
	}
	if c.Status != StatusOpened {
		t.Errorf("status = %q, want opened by default", c.Status)
	}
	var out bytes.Buffer
	if err := EncodeCase(&out, c); err != nil {
		t.Fatal(err)
	}
	// Every input value comes back under the same key.
	var want, got map[string]any
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"trigger", "identity", "documents"} {
		if !reflect.DeepEqual(want[k], got[k]) {
			t.Errorf("%s: exported %v, imported %v", k, got[k], want[k])
		}
	}
	if got["status"] != "opened" {
		t.Errorf("exported status %v", got["status"])
	}
	// And a second decode of the export is the same case.
	c2, err := DecodeCase(&out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, c2) {
		t.Errorf("re-decoded case differs:\n%+v\n%+v", c, c2)
	}
}

func TestDecodePartialBirthDates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PartialDate
	}{
		{"1990", PartialDate{Year: 1990}},
		{"1990-04", PartialDate{Year: 1990, Month: time.April}},
		{"2000-02-29", PartialDate{2000, time.February, 29}},
	} {
		c, err := DecodeCase(strings.NewReader(`{"trigger":{"reason":"ART7_WITHIN_TERRITORY","place":"x","at":"2026-06-14T09:30:00Z"},"identity":{"birthDate":"` + tc.in + `"}}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if c.Identity.BirthDate != tc.want {
			t.Errorf("%s: got %+v", tc.in, c.Identity.BirthDate)
		}
		b, _ := json.Marshal(c)
		if !strings.Contains(string(b), `"birthDate":"`+tc.in+`"`) {
			t.Errorf("%s: not exported at its own precision: %s", tc.in, b)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	const trig = `"trigger":{"reason":"ART7_WITHIN_TERRITORY","place":"x","at":"2026-06-14T09:30:00Z"}`
	for _, tc := range []struct {
		name, in, wantInErr string
	}{
		{"unknown top-level field", `{` + trig + `,"stateless":true}`, `"stateless"`},
		{"unknown nested field", `{` + trig + `,"identity":{"surname":"X"}}`, `"surname"`},
		{"unknown document field", `{` + trig + `,"documents":[{"type":"P","numbr":"1"}]}`, `"numbr"`},
		{"bad partial date", `{` + trig + `,"identity":{"birthDate":"1990-13"}}`, `month must be 01-12`},
		{"impossible leap day", `{` + trig + `,"identity":{"birthDate":"2023-02-29"}}`, `2023-02-29`},
		{"wrong type", `{` + trig + `,"identity":{"surnames":"TESTPERSON"}}`, `identity.surnames`},
		{"bad time", `{"trigger":{"at":"yesterday"}}`, `yesterday`},
		{"syntax", "{\n\"trigger\": {,}}", `line 2`},
		{"empty", ``, `empty input`},
		{"truncated", `{"trigger":{`, `truncated`},
		{"two objects", `{` + trig + `} {}`, `after the case object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCase(strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q does not mention %q", err, tc.wantInErr)
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	big := `{"reference":"` + strings.Repeat("A", MaxCaseBytes) + `"}`
	if _, err := DecodeCase(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("err = %v", err)
	}
}

func TestFullCaseRoundTrip(t *testing.T) {
	c := fullCase()
	var buf bytes.Buffer
	if err := EncodeCase(&buf, c); err != nil {
		t.Fatal(err)
	}
	c2, err := DecodeCase(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, c2) {
		t.Errorf("round trip differs:\n%+v\n%+v", c, c2)
	}
}

func FuzzDecodeCase(f *testing.F) {
	seed, _ := os.ReadFile("testdata/minimal.json")
	f.Add(seed)
	var full bytes.Buffer
	_ = EncodeCase(&full, fullCase())
	f.Add(full.Bytes())
	f.Add([]byte(`{"identity":{"birthDate":"2000-02"}}`))
	f.Add([]byte(`{"biometrics":{"fingers":[{"position":11,"status":"x"}]}}`))
	f.Add([]byte(`[]`))
	now := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCase(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Nothing that decodes may panic in the rules, and an export must decode again.
		_ = c.Validate(now)
		_ = c.Summary(now)
		_ = c.CapturePlan(now)
		var buf bytes.Buffer
		if err := EncodeCase(&buf, c); err != nil {
			t.Fatalf("encode: %v", err)
		}
		c2, err := DecodeCase(&buf)
		if err != nil {
			t.Fatalf("export does not decode: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(c.Identity.BirthDate, c2.Identity.BirthDate) || c.Status != c2.Status {
			t.Fatalf("round trip changed the case")
		}
	})
}

func TestMarshalValueAndPointerAlike(t *testing.T) {
	c := Case{Trigger: Trigger{Reason: TriggerWithinTerritory, Place: "x", At: t0}}
	a, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(&c)
	if !bytes.Equal(a, b) || !strings.Contains(string(a), `"status":"opened"`) {
		t.Errorf("value %s\npointer %s", a, b)
	}
}
