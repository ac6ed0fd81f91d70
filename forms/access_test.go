package forms

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestAccessLanguage: the access report is in the first language the person speaks that has a
// leaflet, else in the leaflet language they were given, else English with a note (GDPR
// Art 12(1); ER Art 42(1)).
func TestAccessLanguage(t *testing.T) {
	have := []string{"ar", "ckb", "en", "fa", "fr", "nl", "ps", "so", "ti", "tr"}
	for _, tc := range []struct {
		name      string
		spoken    []string
		leaflet   string
		want      string
		wantNote  bool
		available []string
	}{
		{name: "Tigrinya speaker", spoken: []string{"tir", "eng"}, want: "ti"},
		{name: "Syrian Arabic maps to the Arabic leaflet", spoken: []string{"apc"}, want: "ar"},
		{name: "Dari maps to Persian", spoken: []string{"prs"}, want: "fa"},
		{name: "first spoken with a leaflet wins", spoken: []string{"kmr", "tur", "ara"}, want: "tr"},
		{name: "no leaflet for the languages spoken: the leaflet given", spoken: []string{"amh"}, leaflet: "ti", want: "ti"},
		{name: "nothing known: English with a note", spoken: []string{"amh"}, want: "en", wantNote: true},
		{name: "nothing recorded: English with a note", want: "en", wantNote: true},
		{name: "a leaflet language the terminal lacks", spoken: []string{"som"}, available: []string{"en", "nl"}, want: "en", wantNote: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Identity: Identity{Languages: tc.spoken}, Info: Information{LeafletLanguage: tc.leaflet}}
			av := have
			if tc.available != nil {
				av = tc.available
			}
			got, note := AccessLanguage(c, av)
			if got != tc.want || note != tc.wantNote {
				t.Errorf("AccessLanguage = %q, note %v; want %q, %v", got, note, tc.want, tc.wantNote)
			}
		})
	}
}

// TestAccessRecordListsEveryField: every string and number a case holds appears in the access
// report's full record (GDPR Art 15(3)), the security flag and the Member State of origin
// included (ER Art 43(2)).
func TestAccessRecordListsEveryField(t *testing.T) {
	c := fullCase()
	c.SecurityFlag = &SecurityFlag{Ground: FlagViolent, Note: "SYNTHETIC note"}
	c.Eurodac.MemberStateOfOrigin = "NLD"
	fields, err := AccessRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fields {
		got[f.Path] = f.Value
	}
	var walk func(path string, v reflect.Value)
	missing := 0
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.String:
			if s := v.String(); s != "" {
				found := false
				for _, val := range got {
					if val == s {
						found = true
						break
					}
				}
				if !found {
					missing++
					t.Errorf("%s = %q not in the access record", path, s)
				}
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(time.Time{}) {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(path, v.Index(i))
			}
		}
	}
	walk("case", reflect.ValueOf(c))
	if got["securityFlag.ground"] != "violent" || got["eurodac.memberStateOfOrigin"] != "NLD" {
		t.Errorf("security flag or Member State of origin missing: %v", got)
	}
}

// TestAccessAuditLeavesOutOtherPersons: the person gets time, action, role and data class of
// each entry about their case, never a staff member's user name or the entry's free detail
// (GDPR Art 15(4)), in time order.
func TestAccessAuditLeavesOutOtherPersons(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	got := AccessAudit([]AuditFact{
		{At: t0.Add(time.Hour), User: "officer-bob", Role: "officer", Action: "case.update", Class: "core", Detail: "commands: set-identity"},
		{At: t0, User: "medic-carla", Role: "medic", Action: "health.update", Class: "health", Detail: "x"},
	})
	want := []AccessAuditEntry{{At: t0, Action: "health.update", Role: "medic", Class: "health"}, {At: t0.Add(time.Hour), Action: "case.update", Role: "officer", Class: "core"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccessAudit = %+v, want %+v", got, want)
	}
	if s := strings.Join([]string{got[0].Action, got[0].Role, got[1].Action, got[1].Role}, " "); strings.Contains(s, "bob") || strings.Contains(s, "carla") {
		t.Errorf("user names kept: %s", s)
	}
}

// TestAccessHealthLeftOut: health details only with a medic's co-sign (SR Art 12(1), GDPR Art 9).
func TestAccessHealthLeftOut(t *testing.T) {
	d := &HealthDetails{Findings: "x"}
	for _, tc := range []struct {
		cosign bool
		d      *HealthDetails
		want   string
	}{{false, d, LeftOutNoMedic}, {false, nil, LeftOutNoMedic}, {true, nil, LeftOutNoneHeld}, {true, d, ""}} {
		if got := AccessHealthLeftOut(tc.cosign, tc.d); got != tc.want {
			t.Errorf("AccessHealthLeftOut(%v, %v) = %q, want %q", tc.cosign, tc.d != nil, got, tc.want)
		}
	}
}

// TestAccessBiometricsLatestPerFinger: the list holds the latest record of each finger, its
// quality and time, and whether an image is stored.
func TestAccessBiometricsLatestPerFinger(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	c := &Case{Biometrics: Biometrics{Fingers: []Finger{
		{Position: RightIndex, Status: FingerCaptured, Quality: 30, At: t0, ImageRef: "finger-2.png"},
		{Position: RightThumb, Status: FingerAmputated},
		{Position: RightIndex, Status: FingerCaptured, Quality: 71, At: t0.Add(time.Hour), ImageRef: "finger-2.png"},
	}}}
	got := AccessBiometrics(c)
	want := []AccessFinger{{Position: RightThumb, Status: FingerAmputated}, {Position: RightIndex, Status: FingerCaptured, Quality: 71, At: t0.Add(time.Hour), Image: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccessBiometrics = %+v, want %+v", got, want)
	}
}

// TestAccessCorrections: the supervisors' corrections are given with field, old and new value
// (texts without JSON quotes), reason, time and role, never the corrector's user name.
func TestAccessCorrections(t *testing.T) {
	t0 := time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
	c := &Case{Corrections: []Correction{
		{Path: "identity.surnames", Old: []byte(`["TESTPERSOM"]`), New: []byte(`["TESTPERSON"]`), Reason: "typo", Role: "supervisor", By: "sup-anna", At: t0},
		{Path: "identity.placeOfBirth", New: []byte(`"ALEPPO"`), Reason: "stated later", Role: "supervisor", By: "sup-anna", At: t0.Add(time.Hour)},
	}}
	got := AccessCorrections(c)
	want := []AccessCorrection{
		{At: t0, Field: "identity.surnames", Old: `["TESTPERSOM"]`, New: `["TESTPERSON"]`, Reason: "typo", Role: "supervisor"},
		{At: t0.Add(time.Hour), Field: "identity.placeOfBirth", New: "ALEPPO", Reason: "stated later", Role: "supervisor"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccessCorrections = %+v, want %+v", got, want)
	}
}
