package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestCorrectionAfterTransmissionArt40 (ER Art 40(3), 43; GDPR Art 16; SR Art 18): a
// screening goes to the end with its form and Eurodac data set sent to an in-process
// central. Then an officer's edit of a transmitted field is refused, and so are an
// officer's correction and a supervisor's without a reason; a supervisor's correction of
// a form-only field sends the form again as the next version (a correction superseding the
// last) and no Eurodac packet; a correction of a Eurodac element sends the form again and
// a rectification under the same reference, in the correction's transaction; the history
// holds old, new, reason, role, user and time; central receipts every packet.
func TestCorrectionAfterTransmissionArt40(t *testing.T) {
	authority, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	srv, url := serveWithConfig(t, []byte(`{"receiving_authorities": {"return": "`+authority.Recipient().String()+`"}}`))
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	med := medic(t, term)
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	enrolAt(t, off, srv, url)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	scanner, camera := sim.New(hardware.Finger, sim.Options{Seed: 3}), sim.New(hardware.Face, sim.Options{Seed: 3})
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}

	// the screening: recorded, captured, sent, answered, completed and referred
	c0 := adultCase(off.Now())
	id, err := off.CreateCase(c0)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := off.Do(id, 1, formItems(c0)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = med.Do(id, rev, RecordHealth{Outcome: forms.HealthOutcome{Result: forms.HealthNoFurtherCheck}}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(ctx, id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Submit(id); err != nil {
		t.Fatal(err)
	}
	c, rev, _ := off.ReadCase(id)
	firstTCN := c.Eurodac.ControlNum
	for i := 0; i < 50 && len(c.PendingChecks()) > 0; i++ {
		if _, err := off.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		c, rev, _ = off.ReadCase(id)
		time.Sleep(100 * time.Millisecond)
	}
	if rev, err = off.Do(id, rev, CompleteForm{}, RecordReferral{forms.Referral{To: forms.ReferReturn, Authority: "DT&V"}}); err != nil {
		t.Fatal(err)
	}
	c, rev, _ = off.ReadCase(id)
	ref := c.Eurodac.Reference // central's, once its result came back
	if ref == "" || len(c.FormPackets) != 1 || c.Status != forms.StatusReferred {
		t.Fatalf("before the corrections: eurodac %+v, form packets %+v, status %s", c.Eurodac, c.FormPackets, c.Status)
	}
	v1 := c.FormPackets[0].PacketID
	packetsBefore := len(outboxRows(t, off))

	if off.CanCorrect(c) || !sup.CanCorrect(c) || sup.CanCorrect(adultCase(sup.Now())) {
		t.Errorf("CanCorrect: officer %v, supervisor %v, supervisor on a case sent nowhere %v", off.CanCorrect(c), sup.CanCorrect(c), sup.CanCorrect(adultCase(sup.Now())))
	}
	names := json.RawMessage(`["DELTA","CORRECTED"]`)
	for _, tc := range []struct {
		name string
		s    *Session
		cmd  Command
		want error
		text string
	}{
		{"officer edits a transmitted field", off, SetIdentity{withNames(c.Identity, "DELTA", "CORRECTED")}, forms.ErrTransmitted, "supervisor's correction"},
		{"officer edits the referral", off, RecordReferral{forms.Referral{To: forms.ReferAsylum}}, forms.ErrTransmitted, "referral."},
		{"officer corrects", off, Correct{Path: "identity.givenNames", Value: names, Reason: "misspelt"}, forms.ErrCorrection, "Only a supervisor"},
		{"supervisor without a reason", sup, Correct{Path: "identity.givenNames", Value: names, Reason: " "}, forms.ErrCorrection, "needs its reason"},
		{"supervisor corrects nothing transmitted", sup, Correct{Path: "remarks.incorrect", Value: json.RawMessage(`"x"`), Reason: "r"}, forms.ErrCorrection, "changes nothing"},
		{"supervisor names no such field", sup, Correct{Path: "identity.nickname", Value: json.RawMessage(`"x"`), Reason: "r"}, nil, "nickname"},
	} {
		_, err := tc.s.Do(id, rev, tc.cmd)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v, want %v saying %q", tc.name, err, tc.want, tc.text)
		}
	}
	// a case update patch is the same ordinary change
	if _, err := off.UpdateCaseJSON(id, rev, []byte(`{"identity":{"sex":"F"}}`)); !errors.Is(err, forms.ErrTransmitted) {
		t.Errorf("case update of a transmitted field: %v", err)
	}
	if n := len(outboxRows(t, off)); n != packetsBefore {
		t.Fatalf("refused changes queued %d packets", n-packetsBefore)
	}

	// a form-only field: the form again, no Eurodac packet
	if rev, err = sup.Do(id, rev, Correct{Path: "identity.languages", Value: json.RawMessage(`["ara","eng"]`), Reason: "interpreter confirmed English"}); err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	if len(c.FormPackets) != 2 || c.FormPackets[1].Version != 2 || len(outboxRows(t, off)) != packetsBefore+1 || c.Eurodac.ControlNum != firstTCN {
		t.Fatalf("after a form-only correction: form packets %+v, %d new packets", c.FormPackets, len(outboxRows(t, off))-packetsBefore)
	}
	v2 := c.FormPackets[1].PacketID

	// a Eurodac element: the form again and the rectification, in the same transaction
	at := sup.Now()
	if _, err = sup.Do(id, rev, Correct{Path: "identity.givenNames", Value: names, Reason: "misspelt at intake; passport read again"}); err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	if len(c.Corrections) != 2 || len(c.FormPackets) != 3 || len(outboxRows(t, off)) != packetsBefore+3 {
		t.Fatalf("after the Eurodac correction: corrections %+v, form packets %+v", c.Corrections, c.FormPackets)
	}
	k := c.Corrections[1]
	if k.Path != "identity.givenNames" || string(k.Old) != `["DELTA"]` || string(k.New) != `["DELTA","CORRECTED"]` ||
		k.Reason != "misspelt at intake; passport read again" || k.Role != "supervisor" || k.By != "sup" || k.At.Before(at.Add(-time.Second)) || k.At.After(sup.Now()) ||
		k.FormVersion != 3 || k.FormPacket != c.FormPackets[2].PacketID || strings.Join(k.Eurodac, ",") != "c" || k.EurodacPacket == "" {
		t.Errorf("history: %+v (old %s new %s)", k, k.Old, k.New)
	}
	if c.Eurodac.Reference != ref {
		t.Errorf("the Eurodac reference changed: %s, was %s", c.Eurodac.Reference, ref)
	}
	m, files := openFormPacket(t, off, srv, k.FormPacket, authority)
	if m.Version != 3 || m.Supersedes != v2 || !m.Correction || strings.Join(m.Corrected, ",") != "identity.givenNames" {
		t.Errorf("form v3 manifest %+v", m)
	}
	var sent forms.Case
	if err := json.Unmarshal(files["form.json"], &sent); err != nil || len(sent.Corrections) != 2 || sent.Corrections[1].Reason != k.Reason ||
		strings.Join(sent.Identity.GivenNames, " ") != "DELTA CORRECTED" {
		t.Errorf("form.json: %v %+v", err, sent.Corrections)
	}
	ds, meta := openEurodacPacket(t, off, srv, k.EurodacPacket)
	if ds.Subject.ReferenceNumber != c.Reference || ds.Transmission.ControlRef != firstTCN || strings.Join(ds.Rectified, ",") != "c" ||
		meta["update_of"] != firstTCN || meta["rectified"] != "c" || strings.Join(ds.Subject.Forenames, " ") != "DELTA CORRECTED" || len(ds.Fingers) != 0 {
		t.Errorf("rectification: reference %q TCR %q rectified %v meta %v forenames %v", ds.Subject.ReferenceNumber, ds.Transmission.ControlRef,
			ds.Rectified, meta, ds.Subject.Forenames)
	}

	// central receipts the corrected forms and the rectification
	want := []string{v1, v2, k.FormPacket, k.EurodacPacket}
	delivered := func() bool {
		for _, p := range want {
			if packetState(t, off, p) != fsync.StateDelivered {
				return false
			}
		}
		return true
	}
	for i := 0; i < 30 && !delivered(); i++ {
		if _, err := off.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range want {
		if st := packetState(t, off, p); st != fsync.StateDelivered {
			t.Errorf("packet %s: %s, want delivered with a verified receipt", p, st)
		}
	}
	// nothing more is due
	if pk, err := off.Submit(id); err != nil || len(pk) != 0 {
		t.Errorf("a send after the corrections queued %v (%v)", pk, err)
	}
}

func withNames(id forms.Identity, given ...string) forms.Identity {
	id.GivenNames = given
	return id
}

func outboxRows(t *testing.T, s *Session) []*fsync.Row {
	t.Helper()
	var rows []*fsync.Row
	if err := s.vs.View(func(tx *vault.Tx) error {
		var err error
		rows, err = fsync.Rows(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}
