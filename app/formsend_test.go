package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// formItems records every SR Art 17(1) item the form needs besides the trigger, the
// checks and the health outcome (a medic's).
func formItems(c *forms.Case) []Command {
	id := c.Identity
	id.PlaceOfBirth, id.Nationalities, id.Languages = "ALEPPO", []string{"SYR"}, []string{"ara"}
	id.Residences = []forms.Residence{{Country: "TUR"}}
	return []Command{SetIdentity{id}, RecordInformation{forms.Information{LeafletLanguage: "en"}},
		RecordVulnerability{forms.Vulnerability{Checked: true}}, RecordApplication{forms.Application{Made: forms.AnswerNo}},
		SetFamily{Answer: forms.AnswerNo}, RecordCooperation{forms.Cooperation{Complied: "yes"}}}
}

// screenedCase is a case whose screening started at trigger (+1 h), with every form item,
// the medic's health outcome and its security checks queued (not yet answered): ready to
// be completed or ended at the limit, and referred.
func screenedCase(t *testing.T, off, med *Session, trigger time.Time) vault.CaseID {
	t.Helper()
	c := adultCase(trigger.Add(time.Hour))
	id, err := off.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := off.Do(id, 1, formItems(c)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = med.Do(id, rev, RecordHealth{Outcome: forms.HealthOutcome{Result: forms.HealthNoFurtherCheck}}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Submit(id); err != nil { // the checks are queued, not yet answered
		t.Fatal(err)
	}
	return id
}

// TestScreeningFormTransmission (SR Art 18, 18(5)): the screening ends at its limit with
// the checks open and the person is referred: in the referral's transaction the terminal
// queues the screening-form packet (the form's data and its PDF, encrypted to the receiving
// authority's recipient from central's config) naming the open checks; central receipts
// it; the late check answers go as an addendum; a correction goes as version 2, which
// supersedes version 1 under the same case reference.
func TestScreeningFormTransmission(t *testing.T) {
	t.Run("desktop session", func(t *testing.T) { testFormTransmission(t, false) })
	// fieldscreenctl sync run has no session: its applier queues the addendum too
	t.Run("worker without a session", func(t *testing.T) { testFormTransmission(t, true) })
}

func testFormTransmission(t *testing.T, sessionless bool) {
	authority, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := `{"receiving_authorities": {"asylum": "` + authority.Recipient().String() + `"}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, url, _ := centraltest.Serve(t, dir, "127.0.0.1:0", central.Options{})
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	med := medic(t, term)
	tok, _ := srv.CreateToken()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := off.Enrol(ctx, url, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := off.SyncOnce(ctx); err != nil { // central's config, with the authority's recipient
		t.Fatal(err)
	}
	id := screenedCase(t, off, med, time.Now().Add(-8*24*time.Hour))
	c, rev, _ := off.ReadCase(id)
	open := c.PendingChecks()
	if len(open) == 0 {
		t.Fatal("no pending check")
	}
	if rev, err = off.Do(id, rev, EndAtDeadline{}, RecordReferral{forms.Referral{To: forms.ReferAsylum, Authority: "IND Ter Apel"}}); err != nil {
		t.Fatal(err)
	}
	c, rev, _ = off.ReadCase(id)
	if c.Status != forms.StatusReferred || len(c.FormPackets) != 1 {
		t.Fatalf("after the referral: status %s, form packets %+v", c.Status, c.FormPackets)
	}
	v1 := c.FormPackets[0]
	if v1.Version != 1 || v1.Addendum || strings.Join(v1.Open, ",") != strings.Join(open, ",") {
		t.Fatalf("form packet %+v, want version 1 naming the open checks %v", v1, open)
	}
	m, files := openFormPacket(t, off, srv, v1.PacketID, authority)
	if m.CaseReference != c.Reference || m.Version != 1 || m.To != "asylum" || strings.Join(m.OpenChecks, ",") != strings.Join(open, ",") {
		t.Errorf("manifest %+v", m)
	}
	var sent forms.Case
	if err := json.Unmarshal(files["form.json"], &sent); err != nil || sent.Reference != c.Reference || sent.Outcome != forms.OutcomeEndedAtDeadlineWithOpenChecks {
		t.Errorf("form data: %v %+v", err, sent.Outcome)
	}
	if !bytes.HasPrefix(files["form-en.pdf"], []byte("%PDF-")) {
		t.Errorf("no PDF of the form in the packet: %v", m.Files)
	}

	// delivered and receipted; the checks' answers come back and go on as an addendum
	syncOnce := func() error { _, err := off.SyncOnce(ctx); return err }
	if sessionless {
		w, err := fsync.NewWorker(term.Vault(), off.vs, fsync.Options{Applier: ResultApplier(term.Vault().PacketDir(), time.Now)})
		if err != nil {
			t.Fatal(err)
		}
		syncOnce = func() error { _, err := w.RunOnce(ctx); return err }
	}
	for i := 0; i < 30 && len(c.FormPackets) < 2; i++ {
		if err := syncOnce(); err != nil {
			t.Fatal(err)
		}
		c, rev, _ = off.ReadCase(id)
		time.Sleep(100 * time.Millisecond)
	}
	if st := packetState(t, off, v1.PacketID); st != fsync.StateDelivered {
		t.Fatalf("form packet %s", st)
	}
	if len(c.FormPackets) != 2 || !c.FormPackets[1].Addendum || c.FormPackets[1].Version != 1 {
		t.Fatalf("late answers: form packets %+v", c.FormPackets)
	}
	m, files = openFormPacket(t, off, srv, c.FormPackets[1].PacketID, authority)
	var late []forms.SecurityCheck
	if err := json.Unmarshal(files["addendum.json"], &late); err != nil || !m.Addendum || len(late) == 0 || late[0].Status == forms.CheckPending {
		t.Errorf("addendum %+v: %v %+v", m, err, late)
	}

	// a correction (a supervisor's, ER Art 40(3)): version 2 supersedes version 1
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sup.Do(id, rev, Correct{Path: "identity.givenNames", Value: json.RawMessage(`["DELTA","CORRECTED"]`), Reason: "misspelt at intake"}); err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	last := c.FormPackets[len(c.FormPackets)-1]
	if len(c.FormPackets) != 3 || last.Version != 2 || last.Addendum {
		t.Fatalf("after a correction: %+v", c.FormPackets)
	}
	m, _ = openFormPacket(t, off, srv, last.PacketID, authority)
	if m.Supersedes != v1.PacketID || m.CaseReference != c.Reference || !m.Correction || strings.Join(m.Corrected, ",") != "identity.givenNames" {
		t.Errorf("version 2 manifest %+v, want it to supersede %s", m, v1.PacketID)
	}
	// nothing more is due: a save without a change sends nothing
	if pk, err := off.Submit(id); err != nil || len(pk) != 0 {
		t.Errorf("a second send queued %v (%v)", pk, err)
	}
}

func medic(t *testing.T, term *Terminal) *Session {
	t.Helper()
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.AddUser("med", vault.Medic, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	med, err := term.Unlock("med", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	return med
}

// openFormPacket opens a queued form packet as central does, then its files as the
// receiving authority does.
func openFormPacket(t *testing.T, s *Session, srv *central.Server, packetID string, authority *age.X25519Identity) (fsync.FormManifest, map[string][]byte) {
	t.Helper()
	p := openQueued(t, s, srv, packetID)
	if p.Header.Kind != fsync.KindScreeningForm {
		t.Fatalf("packet kind %s", p.Header.Kind)
	}
	var m fsync.FormManifest
	if err := json.Unmarshal(p.Body, &m); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, file := range p.Files {
		if !strings.HasSuffix(file.Name, ".age") {
			t.Fatalf("%s is not encrypted to the receiving authority", file.Name)
		}
		r, err := age.Decrypt(bytes.NewReader(file.Data), authority)
		if err != nil {
			t.Fatalf("%s does not open with the authority's key: %v", file.Name, err)
		}
		b, _ := io.ReadAll(r)
		files[strings.TrimSuffix(file.Name, ".age")] = b
	}
	return m, files
}

func packetState(t *testing.T, s *Session, packetID string) string {
	t.Helper()
	var state string
	_ = s.vs.View(func(tx *vault.Tx) error {
		rows, err := fsync.Rows(tx)
		for _, r := range rows {
			if r.PacketID == packetID {
				state = r.State
			}
		}
		return err
	})
	return state
}

// openQueued opens a packet of s's outbox with central's key, as central does.
func openQueued(t *testing.T, s *Session, srv *central.Server, packetID string) *fsync.Packet {
	t.Helper()
	en, err := fsync.LoadEnrolmentFrom(s.vs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(fsync.PacketPath(s.packetDir, packetID))
	if err != nil {
		t.Fatal(err)
	}
	p, err := fsync.Open(data, packetID, en.DeviceID, srv.Keys().Identity, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
