package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// demoGiven are the first given names of demo people: spelling-alphabet words, so nobody
// mistakes a demo case for a real person.
var demoGiven = []string{"ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL",
	"INDIA", "JULIETT", "KILO", "LIMA", "MIKE", "NOVEMBER", "OSCAR", "PAPA", "QUEBEC", "ROMEO",
	"SIERRA", "TANGO", "UNIFORM", "VICTOR", "WHISKEY", "XRAY", "YANKEE", "ZULU"}

// ErrDemoCount is returned for a number of demo cases outside 1..MaxDemoCases.
var ErrDemoCount = errors.New("number of demo cases out of range")

// ErrNotEnrolled: demo cases are submitted, and packets are sealed to central's key, so the
// terminal must be enrolled first; SeedDemo checks before it creates anything.
var ErrNotEnrolled = errors.New("this terminal is not enrolled with central, so packets cannot be sealed: run fieldscreenctl enroll --central URL --token TOKEN first")

// MaxDemoCases bounds one SeedDemo call: each case holds eleven lossless images.
const MaxDemoCases = 500

// DemoIdentity is the synthetic identity of demo person i (0-based) for a seed: surname
// TESTPERSON, a spelling-alphabet given name and a second given name of letters drawn from
// the seed, so the same seed always gives the same people (a watch list for a demo central
// can name one in advance) and different seeds give different ones.
func DemoIdentity(seed int64, i int) forms.Identity {
	r := demoRand(seed, i)
	suffix := make([]byte, 4)
	for k := range suffix {
		suffix[k] = byte('A' + r.IntN(26))
	}
	sex := forms.SexFemale
	if r.IntN(2) == 1 {
		sex = forms.SexMale
	}
	nat := []string{"SYR", "AFG", "ERI", "UTO"}[r.IntN(4)]
	return forms.Identity{
		Surnames:   []string{"TESTPERSON"},
		GivenNames: []string{demoGiven[i%len(demoGiven)], "DEMO" + string(suffix)},
		// adults (19 to 58), born on the first of a month: the age rules take the adult path
		BirthDate:     forms.PartialDate{Year: 2026 - 19 - r.IntN(40), Month: time.Month(1 + r.IntN(12)), Day: 1},
		Sex:           sex,
		Nationalities: []string{nat},
		Languages:     []string{"eng"},
		PlaceOfBirth:  "TESTTOWN",
	}
}

// DemoName is demo person i's name as the security-check query carries it (surnames, then
// given names), which is what a central watch list matches.
func DemoName(seed int64, i int) string {
	id := DemoIdentity(seed, i)
	return id.Surnames[0] + " " + id.GivenNames[0] + " " + id.GivenNames[1]
}

func demoRand(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(i)+0x9e3779b97f4a7c15))
}

// demoCase is a complete synthetic screening up to capture: trigger, information, declared
// identity, a passport stating the same identity, health outcome, vulnerability check and
// referral. Times are relative to now so the screening deadlines are current.
func demoCase(seed int64, i int, now time.Time) *forms.Case {
	r := demoRand(seed, i)
	idn := DemoIdentity(seed, i)
	at := now.Add(-time.Duration(2+r.IntN(20)) * time.Hour).Truncate(time.Minute)
	doc := fmt.Sprintf("D%08d", r.IntN(100000000))
	return &forms.Case{
		Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "DEMO-BCP", At: at},
		Info: forms.Information{LeafletLanguage: "en", LeafletVersion: "v1", Medium: "paper",
			At: at.Add(10 * time.Minute)},
		Identity: idn,
		Documents: []forms.Document{{Type: "P", Number: doc, IssuingState: idn.Nationalities[0],
			ExpiryDate: forms.PartialDate{Year: now.Year() + 3, Month: time.March, Day: 1},
			Holder:     idn, Source: "manual", Authenticity: "not_checked"}},
		Health:        forms.HealthOutcome{Result: forms.HealthNoFurtherCheck, Examiner: "DEMO-MEDIC", At: at.Add(20 * time.Minute)},
		Vulnerability: forms.Vulnerability{Checked: true, Screener: "DEMO-SCREENER", At: at.Add(30 * time.Minute)},
		Referral:      forms.Referral{To: forms.ReferAsylum, Authority: "DEMO ASYLUM AUTHORITY", At: at.Add(time.Hour)},
	}
}

// SeedDemo creates n complete synthetic screenings for demonstrations and load tests:
// each case is stored, its ten fingers and face are captured through CaptureBiometrics on
// the given devices (which must be paired: demo data takes the same path as a real
// capture, so a demo exercises the device checks too), and its packets are queued with
// Submit. The people are DemoIdentity(seed, 0..n-1).
//
// Cases are created one by one: on an error the cases already seeded stay (with their
// IDs returned) and the error names the case and the step that failed.
func (s *Session) SeedDemo(ctx context.Context, n int, seed int64, scanner, camera hardware.Device) ([]vault.CaseID, error) {
	if n < 1 || n > MaxDemoCases {
		return nil, fmt.Errorf("%w: %d (want 1 to %d)", ErrDemoCount, n, MaxDemoCases)
	}
	if scanner == nil || camera == nil {
		return nil, errors.New("seed demo cases: a fingerprint scanner and a face camera are needed")
	}
	if !s.Enrolled() {
		return nil, fmt.Errorf("seed demo cases: %w", ErrNotEnrolled)
	}
	cs := make([]*forms.Case, n)
	now := s.nowFunc()
	for i := range cs {
		cs[i] = demoCase(seed, i, now)
		if ps := cs[i].Validate(now).Blocking(); len(ps) > 0 {
			return nil, fmt.Errorf("demo case %d is not valid (a bug in the demo data): %w", i, ps)
		}
	}
	var ids []vault.CaseID
	for i, c := range cs {
		if err := ctx.Err(); err != nil {
			return ids, err
		}
		created, err := s.createCases([]*forms.Case{c}, true)
		if err != nil {
			return ids, fmt.Errorf("demo case %d of %d: %w", i+1, n, err)
		}
		id := created[0]
		ids = append(ids, id)
		if _, err := s.CaptureBiometrics(ctx, id, scanner, camera, nil); err != nil {
			return ids, fmt.Errorf("demo case %d of %d (%s): capture: %w", i+1, n, id, err)
		}
		if _, err := s.Submit(id); err != nil {
			return ids, fmt.Errorf("demo case %d of %d (%s): %w", i+1, n, id, err)
		}
	}
	return ids, nil
}
