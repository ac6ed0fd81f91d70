package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/vault"
)

// staff adds a technician and an officer to a test terminal and unlocks each.
func staff(t testing.TB, term *Terminal) (tech, off *Session) {
	t.Helper()
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role vault.Role
	}{{"tec", vault.Technician}, {"off", vault.Officer}} {
		if err := sup.AddUser(u.name, u.role, []byte(testPass)); err != nil {
			t.Fatal(err)
		}
	}
	sup.Lock(LockedClosed)
	if tech, err = term.Unlock("tec", []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	if off, err = term.Unlock("off", []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	return tech, off
}

func adultCase(now time.Time) *forms.Case {
	return &forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-time.Hour)},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"DELTA"}, BirthDate: forms.DateOf(now.AddDate(-30, 0, 0)), Sex: forms.SexMale},
	}
}

// TestCaptureFullPlanOnSim: a technician pairs the simulated scanner and camera; an officer
// captures a case's whole plan (three slaps and the face); every image is stored in the
// biometric class and the case records ten captured fingers and the face.
func TestCaptureFullPlanOnSim(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 7})
	camera := sim.New(hardware.Face, sim.Options{Seed: 7})
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// unpaired devices are refused
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); !errors.Is(err, hardware.ErrNotPaired) {
		t.Fatalf("capture on unpaired devices: %v, want ErrNotPaired", err)
	}
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	res, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingers) != 10 || res.Face == nil {
		t.Fatalf("result: %d fingers, face %v", len(res.Fingers), res.Face != nil)
	}
	c, err := off.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	captured := 0
	for _, f := range c.Biometrics.Fingers {
		if f.Status == forms.FingerCaptured {
			captured++
			b, err := off.BiometricImage(id, f.ImageRef)
			if err != nil {
				t.Fatalf("finger %d image: %v", f.Position, err)
			}
			if img, err := png.Decode(bytes.NewReader(b)); err != nil || img.Bounds().Dx() < 100 {
				t.Fatalf("finger %d: stored image does not decode: %v", f.Position, err)
			}
		}
	}
	if captured != 10 || c.Biometrics.Face.Status != forms.FaceCaptured || c.Biometrics.Operator != "off" {
		t.Fatalf("case biometrics: %d captured, face %q, operator %q", captured, c.Biometrics.Face.Status, c.Biometrics.Operator)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); !errors.Is(err, ErrNothingToTake) {
		t.Fatalf("second capture: %v, want ErrNothingToTake (one capture feeds every use)", err)
	}
	// the technician sees no image
	if _, err := tech.BiometricImage(id, "face.png"); err == nil {
		t.Fatal("technician read a face image")
	}
}

// TestCaptureExceptionsAndMinor: an amputated finger is skipped; a minor needs the
// accompanying adult recorded before capture.
func TestCaptureExceptionsAndMinor(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 9})
	camera := sim.New(hardware.Face, sim.Options{Seed: 9})
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	c := adultCase(now)
	c.Biometrics.Fingers = []forms.Finger{{Position: forms.LeftLittle, Status: forms.FingerAmputated}}
	id, err := off.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Finger(10); f == nil || f.Status != hardware.StatusAmputated || len(f.PNG) != 0 {
		t.Fatalf("left little: %+v", f)
	}
	got, _ := off.Case(id)
	n := 0
	for _, f := range got.Biometrics.Fingers {
		if f.Status == forms.FingerCaptured {
			n++
		}
	}
	if n != 9 {
		t.Fatalf("%d fingers captured, want 9", n)
	}

	minor := adultCase(now)
	minor.Identity.BirthDate = forms.DateOf(now.AddDate(-12, 0, 0))
	mid, err := off.CreateCase(minor)
	if err != nil {
		t.Fatal(err)
	}
	// Eurodac Art 14(1): an officer without the minors' training is refused first.
	if _, err := off.CaptureBiometrics(context.Background(), mid, scanner, camera, nil); !errors.Is(err, ErrNotTrained) || !errors.Is(err, ErrCompanion) {
		t.Fatalf("untrained officer, minor without companion: %v", err)
	}
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.SetTrainedForMinors("off", true); err != nil {
		t.Fatal(err)
	}
	sup.Lock(LockedClosed)
	if off, err = term.Unlock("off", []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), mid, scanner, camera, nil); errors.Is(err, ErrNotTrained) || !errors.Is(err, ErrCompanion) {
		t.Fatalf("trained officer, minor without companion: %v", err)
	}
	// Eurodac Art 14(1): the capturing official cannot be the companion, nor can another
	// account of the terminal; the refusal says so in both languages.
	for _, official := range []string{"OFF", "sup"} {
		_, rev, _ := off.ReadCase(mid)
		if _, err := off.Do(mid, rev, SetCompanion{&forms.Companion{Role: forms.CompanionFamily, Relationship: "father", ID: official}}); err != nil {
			t.Fatal(err)
		}
		_, err := off.CaptureBiometrics(context.Background(), mid, scanner, camera, nil)
		var refused *MinorsError
		if !errors.As(err, &refused) || !errors.Is(err, ErrCompanion) || !refused.Problems.Has("biometrics.companion.id", forms.CodeCompanionRole) {
			t.Fatalf("companion %q (an official) accepted: %v", official, err)
		}
	}
	_, rev, _ := off.ReadCase(mid)
	if _, err := off.Do(mid, rev, SetCompanion{&forms.Companion{Role: forms.CompanionFamily, Relationship: "aunt", ID: "TEST-BADGE-0815"}}); err != nil {
		t.Fatal(err)
	}
	// the child-friendly leaflet is given and recorded first (Eurodac Art 42)
	if _, err := off.CaptureBiometrics(context.Background(), mid, scanner, camera, nil); err == nil || !strings.Contains(err.Error(), "child-friendly leaflet") {
		t.Fatalf("minor without the child-friendly leaflet: %v", err)
	}
	_, rev, _ = off.ReadCase(mid)
	if _, err := off.Do(mid, rev, RecordInformation{forms.Information{LeafletLanguage: "ar", ChildFriendly: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), mid, scanner, camera, nil); err != nil {
		t.Fatalf("minor with companion: %v", err)
	}
}

func TestReadDocumentFromSimReader(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	reader := sim.New(hardware.Document, sim.Options{})
	if _, _, err := off.ReadDocument(context.Background(), reader); !errors.Is(err, hardware.ErrNotPaired) {
		t.Fatalf("unpaired reader: %v", err)
	}
	if err := tech.PairDevice(reader.Identity(), -1); err != nil {
		t.Fatal(err)
	}
	d, res, err := off.ReadDocument(context.Background(), reader)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || d.Source != "mrz" || d.Number == "" || d.Holder.Surnames[0] != "TESTPERSON" || d.IssuingState != "UTO" {
		t.Fatalf("document %+v, valid %v", d, res.Valid)
	}
}

// TestCaptureKeepsRetakeDate: a temporarily unusable finger keeps its retake date through a
// capture, so it returns to the plan on that day.
func TestCaptureKeepsRetakeDate(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 11})
	camera := sim.New(hardware.Face, sim.Options{Seed: 11})
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	retake := forms.DateOf(now.AddDate(0, 0, 3))
	c := adultCase(now)
	c.Biometrics.Fingers = []forms.Finger{{Position: forms.RightThumb, Status: forms.FingerTemporarilyUnusable, RetakeOn: retake}}
	id, err := off.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := off.Case(id)
	plan := got.CapturePlan(now.AddDate(0, 0, 4))
	if len(plan.Fingers) != 1 || plan.Fingers[0] != forms.RightThumb {
		t.Fatalf("on the retake day the plan is %v, want the right thumb back", plan.Fingers)
	}
}

// TestFaceProblemsInBothLanguages: the face check's problems reach the capture session
// with their Dutch and English texts and a stable code, so the screen can show them in the
// interface language.
func TestFaceProblemsInBothLanguages(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 480, 640))
	for i := range blank.Pix {
		blank.Pix[i] = 128
	}
	ps := faceProblems(blank)
	if len(ps) == 0 {
		t.Fatal("an empty grey picture passed the face check")
	}
	for _, p := range ps {
		if p.Code == "" || p.EN == "" || p.NL == "" || p.EN == p.NL {
			t.Errorf("problem without both texts: %+v", p)
		}
	}
	if ps[0].Code != "no_face" {
		t.Errorf("first problem %q, want no_face", ps[0].Code)
	}
}
