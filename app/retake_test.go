package app

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/nist"
	"github.com/fieldscreen/fieldscreen/biometrics/nist/eurodac"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// enrolledOfficer starts central, enrols an officer's terminal and pairs the simulated
// devices of seed (scanner, camera, document reader) through a technician.
func enrolledOfficer(t *testing.T, seed int64) (srv *central.Server, term *Terminal, off *Session, scanner, camera, reader hardware.Device) {
	t.Helper()
	srv, url := centraltest.Start(t, central.Options{})
	term = newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	tok, _ := srv.CreateToken()
	if err := off.Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	scanner = sim.New(hardware.Finger, sim.Options{Seed: seed})
	camera = sim.New(hardware.Face, sim.Options{Seed: seed})
	reader = sim.New(hardware.Document, sim.Options{Seed: seed})
	for _, d := range []hardware.Device{scanner, camera, reader} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	return srv, term, off, scanner, camera, reader
}

// TestRetakeSentAsEurodacUpdate (ER Art 15(1) second subparagraph, Art 17(1)(k)): a finger
// temporarily unusable at the first capture is retaken later; the next send transmits the
// data set again under the same reference number, naming the first transmission, with the
// security flag a supervisor set in between; before the retake nothing is resent.
func TestRetakeSentAsEurodacUpdate(t *testing.T) {
	srv, term, off, scanner, camera, _ := enrolledOfficer(t, 7)
	c0 := adultCase(time.Now())
	c0.Identity.Nationalities = []string{"XXX"}
	id, err := off.CreateCase(c0)
	if err != nil {
		t.Fatal(err)
	}
	retakeOn := forms.DateOf(time.Now().AddDate(0, 0, 2))
	if _, err := off.Do(id, 1, SetFingerException{Position: forms.LeftRing, Status: forms.FingerTemporarilyUnusable, RetakeOn: retakeOn}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	first, err := off.Submit(id)
	if err != nil {
		t.Fatal(err)
	}
	c, rev, _ := off.ReadCase(id)
	firstTCN, ref := c.Eurodac.ControlNum, c.Eurodac.Reference
	if firstTCN == "" || ref == "" || len(first) != 2 {
		t.Fatalf("first send: packets %v, eurodac %+v", first, c.Eurodac)
	}
	if again, _ := off.Submit(id); len(again) != 0 {
		t.Fatalf("resent without a retake: %v", again)
	}

	// on its retake date the finger has healed: the capture plan takes it again
	off.nowFunc = func() time.Time { return time.Now().Add(48 * time.Hour) }
	sup, _ := term.Unlock("sup", []byte(testPass))
	if _, err := off.Do(id, rev, SetSecurityFlag{Flag: &forms.SecurityFlag{Ground: forms.FlagViolent}}); err == nil {
		t.Fatal("an officer set the security flag")
	}
	if _, err := sup.Do(id, rev, SetSecurityFlag{Flag: &forms.SecurityFlag{Ground: forms.FlagViolent, Note: "assault at the BCP, report 12"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	update, err := off.Submit(id)
	if err != nil || len(update) != 1 {
		t.Fatalf("after the retake: %v %v", update, err)
	}
	c, _, _ = off.ReadCase(id)
	if c.Eurodac.Reference != ref || c.Eurodac.ControlNum == firstTCN {
		t.Errorf("eurodac after the update: %+v (reference was %s)", c.Eurodac, ref)
	}
	ds, meta := openEurodacPacket(t, off, srv, update[0])
	if ds.Subject.ReferenceNumber != c.Reference || ds.Transmission.ControlRef != firstTCN || meta["update_of"] != firstTCN {
		t.Errorf("update: reference %q TCR %q meta %v, want %q and %q", ds.Subject.ReferenceNumber, ds.Transmission.ControlRef, meta, c.Reference, firstTCN)
	}
	// the Sync screen words the three packets of the case under its reference
	groups, err := off.PacketGroups()
	if err != nil || len(groups) != 1 || groups[0].Reference != c.Reference {
		t.Fatalf("packet groups: %+v %v", groups, err)
	}
	var kinds []PacketKind
	for _, l := range groups[0].Packets {
		kinds = append(kinds, l.Kind)
	}
	// the first send's two packets (same moment, either order), then the update
	if len(kinds) != 3 || kinds[2] != PacketEurodacUpdate || !slices.Contains(kinds[:2], PacketEurodac) || !slices.Contains(kinds[:2], PacketSecurityCheck) {
		t.Errorf("kinds %v, want the security check and the Eurodac registration, then the Eurodac update", kinds)
	}
	if ds.Subject.SecurityFlag != string(forms.FlagViolent) {
		t.Errorf("security flag in the transaction: %q", ds.Subject.SecurityFlag)
	}
	if ds.Fingers[forms.LeftRing-1].Status != eurodac.Captured {
		t.Errorf("the retaken finger is not in the update: %v", ds.Fingers[forms.LeftRing-1].Status)
	}
}

func openEurodacPacket(t *testing.T, s *Session, srv *central.Server, packetID string) (*eurodac.Dataset, map[string]string) {
	t.Helper()
	return eurodacOf(t, openQueued(t, s, srv, packetID))
}

// eurodacOf reads an opened Eurodac packet's transaction and its meta.
func eurodacOf(t *testing.T, p *fsync.Packet) (*eurodac.Dataset, map[string]string) {
	t.Helper()
	var meta map[string]string
	_ = json.Unmarshal(p.Body, &meta)
	tx, err := nist.ParseBytes(p.Files[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := eurodac.Read(tx)
	if err != nil {
		t.Fatal(err)
	}
	return ds, meta
}

// TestClearedExceptionRetakeSentAsUpdate (ER Art 15(1) second subparagraph): a finger sent
// as temporarily unusable heals before its retake date; the officer clears the exception,
// which puts it back in the capture plan at once; the capture that follows is a retake, so
// the next send transmits the data set again under the same reference with the finger.
func TestClearedExceptionRetakeSentAsUpdate(t *testing.T) {
	srv, _, off, scanner, camera, _ := enrolledOfficer(t, 9)
	c0 := adultCase(time.Now())
	c0.Identity.Nationalities = []string{"XXX"}
	id, err := off.CreateCase(c0)
	if err != nil {
		t.Fatal(err)
	}
	retakeOn := forms.DateOf(time.Now().AddDate(0, 0, 10))
	if _, err := off.Do(id, 1, SetFingerException{Position: forms.LeftRing, Status: forms.FingerTemporarilyUnusable, RetakeOn: retakeOn}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Submit(id); err != nil {
		t.Fatal(err)
	}
	c, rev, _ := off.ReadCase(id)
	firstTCN := c.Eurodac.ControlNum

	off.nowFunc = func() time.Time { return time.Now().Add(time.Hour) }
	if _, err := off.Do(id, rev, SetFingerException{Position: forms.LeftRing}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	update, err := off.Submit(id)
	if err != nil || len(update) != 1 {
		t.Fatalf("after clearing the exception and capturing the finger: packets %v, %v", update, err)
	}
	ds, meta := openEurodacPacket(t, off, srv, update[0])
	if meta["update_of"] != firstTCN || ds.Transmission.ControlRef != firstTCN {
		t.Errorf("update: meta %v TCR %q, want both naming %q", meta, ds.Transmission.ControlRef, firstTCN)
	}
	if ds.Fingers[forms.LeftRing-1].Status != eurodac.Captured {
		t.Errorf("the retaken finger is not in the update: %v", ds.Fingers[forms.LeftRing-1].Status)
	}
}
