package app

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/vault"
)

// capturedCase is an officer's case whose whole plan was captured on simulated devices.
func capturedCase(t *testing.T, seed int64) (*Terminal, *Session, vault.CaseID) {
	t.Helper()
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	scanner := sim.New(hardware.Finger, sim.Options{Seed: seed})
	camera := sim.New(hardware.Face, sim.Options{Seed: seed})
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	id, err := off.CreateCase(adultCase(off.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	return term, off, id
}

// TestThumbnailsOfStoredCapture: after a capture on the simulated devices, Thumbnails gives
// the ten stored fingers and the face as small images with each finger's stored score and
// quality's verdict against the capture threshold, in one audited read; a registrar (no
// biometric key) gets the scores and no image, and nothing is audited for them.
func TestThumbnailsOfStoredCapture(t *testing.T) {
	term, off, id := capturedCase(t, 21)
	c, err := off.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	th, err := off.Thumbnails(id)
	if err != nil {
		t.Fatal(err)
	}
	if th.Withheld || len(th.Fingers) != 10 || th.Face == nil || th.FaceMissing {
		t.Fatalf("thumbnails: withheld %t, %d fingers, face %v", th.Withheld, len(th.Fingers), th.Face != nil)
	}
	for _, f := range c.Biometrics.Fingers {
		got := th.Fingers[f.Position]
		if got.Image == nil || got.Missing {
			t.Fatalf("%v: no image", f.Position)
		}
		if b := got.Image.Bounds(); b.Dx() > ThumbSize || b.Dy() > ThumbSize || b.Dx() < ThumbSize/4 {
			t.Errorf("%v: thumbnail %v, want the longest side at most %d", f.Position, b, ThumbSize)
		}
		if got.Quality != f.Quality || got.Verdict != quality.Judge(f.Quality, CaptureThreshold) {
			t.Errorf("%v: quality %d %s, stored %d (verdict %s)", f.Position, got.Quality, got.Verdict, f.Quality, quality.Judge(f.Quality, CaptureThreshold))
		}
	}
	if b := th.Face.Bounds(); b.Dx() > ThumbSize || b.Dy() > ThumbSize {
		t.Errorf("face thumbnail %v", b)
	}

	sup, _ := term.Unlock("sup", []byte(testPass))
	for _, u := range []struct {
		name string
		role vault.Role
	}{{"reg", vault.Registrar}, {"aud", vault.Auditor}} {
		if err := sup.AddUser(u.name, u.role, []byte(testPass)); err != nil {
			t.Fatal(err)
		}
	}
	reg, _ := term.Unlock("reg", []byte(testPass))
	rth, err := reg.Thumbnails(id)
	if err != nil {
		t.Fatalf("registrar: %v", err)
	}
	if !rth.Withheld || rth.Face != nil || len(rth.Fingers) != 10 {
		t.Fatalf("registrar: withheld %t, face %v, %d fingers", rth.Withheld, rth.Face != nil, len(rth.Fingers))
	}
	for pos, f := range rth.Fingers {
		if f.Image != nil || f.Verdict == "" {
			t.Errorf("registrar sees finger %v: image %v verdict %q", pos, f.Image != nil, f.Verdict)
		}
	}

	aud, _ := term.Unlock("aud", []byte(testPass))
	entries, err := aud.AuditEntries(vault.AuditFilter{Case: id, Action: AuditThumbnails})
	if err != nil {
		t.Fatal(err)
	}
	var thumbReads []vault.AuditEntry
	for _, e := range entries {
		if strings.HasPrefix(e.Detail, "thumbnails ") {
			thumbReads = append(thumbReads, e)
		}
	}
	if len(thumbReads) != 1 || thumbReads[0].User != "off" || strings.Count(thumbReads[0].Detail, ".png") != 11 {
		t.Fatalf("thumbnail reads audited: %+v, want one by the officer naming 11 images", thumbReads)
	}
}

// TestThumbnailsUnreadableImage: a stored finger image that does not decode (a damaged
// record) gives that finger as missing with its score, and the rest still show; no error. A
// stored face in which no face is found comes with that problem in words.
func TestThumbnailsUnreadableImage(t *testing.T) {
	_, off, id := capturedCase(t, 22)
	// a damaged finger record, and a stored face with no face in it (a grey card)
	grey := image.NewGray(image.Rect(0, 0, 480, 600))
	for i := range grey.Pix {
		grey.Pix[i] = 128
	}
	var card bytes.Buffer
	if err := png.Encode(&card, grey); err != nil {
		t.Fatal(err)
	}
	if err := off.vs.Update(func(tx *vault.Tx) error {
		if err := tx.PutCase(id, vault.Biometric, faceRecord, card.Bytes()); err != nil {
			return err
		}
		return tx.PutCase(id, vault.Biometric, fingerRecord(int(forms.RightIndex), "png"), []byte("not a PNG"))
	}); err != nil {
		t.Fatal(err)
	}
	th, err := off.Thumbnails(id)
	if err != nil {
		t.Fatal(err)
	}
	if f := th.Fingers[forms.RightIndex]; !f.Missing || f.Image != nil || f.Quality == 0 {
		t.Fatalf("damaged finger: %+v", f)
	}
	if f := th.Fingers[forms.RightThumb]; f.Missing || f.Image == nil {
		t.Fatalf("the other fingers must still show: %+v", f)
	}
	// the face's ICAO problems come from the stored image, in both languages
	if th.Face == nil || len(th.FaceProblems) == 0 || th.FaceProblems[0].EN == "" || th.FaceProblems[0].NL == "" {
		t.Fatalf("a stored face without a face: problems %+v", th.FaceProblems)
	}
}
