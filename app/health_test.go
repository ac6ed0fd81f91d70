package app

import (
	"errors"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestMedicRecordsHealth: the medic records details and outcome; the officer sees the
// outcome on the case but cannot read the details; the medic cannot edit the rest.
func TestMedicRecordsHealth(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	sup, _ := term.Unlock("sup", []byte(testPass))
	for _, u := range []struct {
		n string
		r vault.Role
	}{{"med", vault.Medic}, {"off", vault.Officer}} {
		if err := sup.AddUser(u.n, u.r, []byte(testPass)); err != nil {
			t.Fatal(err)
		}
	}
	off, _ := term.Unlock("off", []byte(testPass))
	med, _ := term.Unlock("med", []byte(testPass))
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// the officer may not record the health outcome (Art 12(1)); the medic may
	out := forms.HealthOutcome{Result: forms.HealthCareNeeded}
	if _, err := off.Do(id, 1, RecordHealth{Outcome: out}); !errors.Is(err, forms.ErrMedicOnly) {
		t.Fatalf("officer records the health outcome: %v", err)
	}
	findings := "synthetic finding: sprained ankle"
	if _, err := med.Do(id, 1, RecordHealth{Outcome: out, Findings: &findings}); err != nil {
		t.Fatal(err)
	}
	c, err := off.Case(id)
	if err != nil || c.Health.Result != forms.HealthCareNeeded || c.Health.Examiner != "med" || c.Health.At.IsZero() {
		t.Fatalf("officer sees outcome %q, %v", c.Health.Result, err)
	}
	var pe *vault.PermissionError
	if _, err := off.Health(id); !errors.As(err, &pe) {
		t.Fatalf("officer reads health details: %v", err)
	}
	d, err := med.Health(id)
	if err != nil || d.Findings != "synthetic finding: sprained ankle" {
		t.Fatalf("medic reads %+v, %v", d, err)
	}
	if _, err := med.Do(id, 2, SetIdentity{forms.Identity{Surnames: []string{"CHANGED"}}}); !errors.Is(err, ErrMedicEdit) {
		t.Fatalf("medic edits identity: %v", err)
	}
}
