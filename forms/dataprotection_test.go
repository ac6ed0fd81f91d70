package forms

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const goodConfig = `{"thresholds":{"face_match":0.6},"dataProtection":{
 "controller":{"name":"TEST Border Authority","email":"privacy@border.example","phone":"+31 00 000 0000"},
 "dpo":{"name":"TEST DPO","email":"dpo@border.example"},
 "supervisoryAuthority":{"name":"TEST DPA","web":"https://dpa.example"}}}`

// TestParseDataProtection covers Eurodac Art 42(1)(a): the controller and DPO contacts, and the
// supervisory authority, come from central's config and are checked before they are printed.
func TestParseDataProtection(t *testing.T) {
	d, err := ParseDataProtection([]byte(goodConfig))
	if err != nil || d == nil || d.DPO.Email != "dpo@border.example" || d.Representative != nil {
		t.Fatalf("good config: %+v %v", d, err)
	}
	for _, none := range []string{``, `{}`, `{"dataProtection":null}`, `{"thresholds":{}}`} {
		if d, err := ParseDataProtection([]byte(none)); d != nil || err != nil {
			t.Errorf("%q: %+v %v, want nil, nil (not configured)", none, d, err)
		}
	}
	for _, tc := range []struct{ name, cfg, want string }{
		{"not JSON", `{`, "not a JSON object"},
		{"no controller name", strings.Replace(goodConfig, `"name":"TEST Border Authority",`, "", 1), "controller.name is missing"},
		{"dpo unreachable", strings.Replace(goodConfig, `"name":"TEST DPO","email":"dpo@border.example"`, `"name":"TEST DPO"`, 1), "dpo has no address"},
		{"bad email", strings.Replace(goodConfig, "dpo@border.example", "dpo at border", 1), "dpo.email"},
		{"display-name email", strings.Replace(goodConfig, "dpo@border.example", `DPO <dpo@border.example>`, 1), "dpo.email"},
		{"unknown field", strings.Replace(goodConfig, `"dpo":{`, `"dpo":{"fax":"1",`, 1), "unknown field"},
		{"control character", strings.Replace(goodConfig, "TEST DPA", `TEST\u0007DPA`, 1), "control character"},
		{"too long", strings.Replace(goodConfig, "TEST DPA", strings.Repeat("x", 301), 1), "longer than 300"},
		{"representative without a way to reach", strings.Replace(goodConfig, `"dpo":{`, `"representative":{"name":"R"},"dpo":{`, 1), "representative has no address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDataProtection([]byte(tc.cfg))
			if !errors.Is(err, ErrDataProtection) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParseDataProtection(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte(`{"dataProtection":{"controller":{"name":"\u0000"}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDataProtection(b)
		if err == nil && d != nil {
			if verr := d.Validate(); verr != nil {
				t.Fatalf("parsed contacts fail validation: %v", verr)
			}
		}
	})
}

// TestRetentionPeriods pins the Eurodac Art 29 storage periods the leaflet prints.
func TestRetentionPeriods(t *testing.T) {
	want := map[string]int{"applicant": 10, "irregular_crossing": 5, "illegally_staying": 5, "disembarked": 5, "temporary_protection": 0}
	got := EurodacRetention()
	if len(got) != len(want) {
		t.Fatalf("%d categories, want %d", len(got), len(want))
	}
	for _, r := range got {
		if y, ok := want[r.Category]; !ok || y != r.Years || r.Article == "" {
			t.Errorf("%+v", r)
		}
	}
	if h := TerminalRetention(72 * time.Hour).Hours; h != 72 {
		t.Errorf("terminal %d hours", h)
	}
}
