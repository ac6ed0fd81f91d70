package forms

import (
	"errors"
	"testing"
	"time"
)

// TestRecordHandoverArt11_17: that the person received the leaflet (SR Art 11) and the form's
// copy (SR Art 17) is recorded as its own fact: received or refused to accept, with the
// language offered; the terminal stamps the version, the time and who; "" withdraws it (not
// recorded); anything else is refused naming the field.
func TestRecordHandoverArt11_17(t *testing.T) {
	have := []string{"ar", "en", "ti"}
	t0 := time.Date(2026, 6, 14, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		before   HandedOver
		doc      string
		status   HandoverStatus
		lang     string
		want     HandedOver
		wantPath string // a refusal's problem path
	}{
		{name: "leaflet received", doc: HandoverLeaflet, status: HandoverReceived, lang: " AR ",
			want: HandedOver{Status: HandoverReceived, Language: "ar", Version: "v9", At: t0, By: "kmar-1"}},
		{name: "form refused to accept", doc: HandoverForm, status: HandoverRefused, lang: "ti",
			want: HandedOver{Status: HandoverRefused, Language: "ti", Version: "v9", At: t0, By: "kmar-1"}},
		{name: "the same again keeps the first stamp", doc: HandoverLeaflet, status: HandoverReceived, lang: "ar",
			before: HandedOver{Status: HandoverReceived, Language: "ar", Version: "v1", At: t0.Add(-time.Hour), By: "first"},
			want:   HandedOver{Status: HandoverReceived, Language: "ar", Version: "v1", At: t0.Add(-time.Hour), By: "first"}},
		{name: "another language is a new handover", doc: HandoverLeaflet, status: HandoverReceived, lang: "en",
			before: HandedOver{Status: HandoverReceived, Language: "ar", Version: "v1", At: t0.Add(-time.Hour), By: "first"},
			want:   HandedOver{Status: HandoverReceived, Language: "en", Version: "v9", At: t0, By: "kmar-1"}},
		{name: "not recorded withdraws", doc: HandoverForm, status: "",
			before: HandedOver{Status: HandoverRefused, Language: "ar", Version: "v1", At: t0, By: "first"}},
		{name: "unknown status", doc: HandoverForm, status: "maybe", lang: "ar", wantPath: "handover.form.status"},
		{name: "a language the terminal does not print", doc: HandoverLeaflet, status: HandoverReceived, lang: "de", wantPath: "handover.leaflet.language"},
		{name: "no language", doc: HandoverLeaflet, status: HandoverRefused, wantPath: "handover.leaflet.language"},
		{name: "unknown document", doc: "passport", status: HandoverReceived, lang: "ar", wantPath: "handover"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{}
			if tc.doc == HandoverForm {
				c.Handover.Form = tc.before
			} else {
				c.Handover.Leaflet = tc.before
			}
			err := c.RecordHandover(tc.doc, tc.status, tc.lang, have, "v9", "kmar-1", t0)
			if tc.wantPath != "" {
				var ps Problems
				if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != tc.wantPath || ps[0].Message.NL == "" {
					t.Fatalf("err = %v, want one problem at %s", err, tc.wantPath)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := c.Handover.Leaflet
			if tc.doc == HandoverForm {
				got = c.Handover.Form
			}
			if got != tc.want {
				t.Errorf("handover = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestOversightHandoverCodes: the monitoring summary carries each handover as a code only
// (SR Art 10, 11, 17): received, refused, not_recorded, and not_a_code for anything else.
func TestOversightHandoverCodes(t *testing.T) {
	for _, tc := range []struct {
		h    HandedOver
		want string
	}{
		{HandedOver{}, HandoverNotRecorded},
		{HandedOver{Status: HandoverReceived, Language: "ar", By: "kmar-1"}, "received"},
		{HandedOver{Status: HandoverRefused}, "refused"},
		{HandedOver{Status: "TESTPERSON signed"}, NotACode},
	} {
		c := &Case{Handover: Handover{Form: tc.h, Leaflet: tc.h}}
		o := c.Oversight("p1", time.Now())
		if o.Information.FormReceived != tc.want || o.Information.LeafletReceived != tc.want {
			t.Errorf("%+v: summary %q/%q, want %q", tc.h, o.Information.FormReceived, o.Information.LeafletReceived, tc.want)
		}
	}
}

// TestCheckNewRefusesHandover: an imported case cannot bring a handover: the terminal records
// who handed what over and when.
func TestCheckNewRefusesHandover(t *testing.T) {
	c := &Case{Handover: Handover{Leaflet: HandedOver{Status: HandoverReceived, Language: "ar"}}}
	var re *RuleError
	if err := c.CheckNew(false); !errors.As(err, &re) || re.Path != "handover" {
		t.Fatalf("CheckNew = %v, want a refusal at handover", err)
	}
}

// TestValidateHandoverStatus: a stored or imported handover status off the list is a problem
// naming the field.
func TestValidateHandoverStatus(t *testing.T) {
	c := &Case{Handover: Handover{Form: HandedOver{Status: "given"}}}
	if ps := c.Validate(time.Now()); !ps.Has("handover.form.status", CodeInvalidValue) {
		t.Errorf("Validate = %v, want handover.form.status invalid", ps)
	}
	c.Handover.Form.Status = HandoverRefused
	if ps := c.Validate(time.Now()); ps.Has("handover.form.status", CodeInvalidValue) {
		t.Errorf("refused is a valid handover status: %v", ps)
	}
}
