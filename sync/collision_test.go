package sync_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestPacketIDTakenByAnotherTerminal reproduces the attack of issue 14 item 2: another
// enrolled terminal reads a victim's Eurodac packet ID (courier media show it) and PUTs
// its own, properly signed packet under that ID first. Central keys packets by terminal,
// so the victim's packet is still stored and receipted, and nothing is refused.
func TestPacketIDTakenByAnotherTerminal(t *testing.T) {
	c := startCentral(t, central.Options{})
	victim, thief := newTerminal(t), newTerminal(t)
	en := enrol(t, victim, c, "")
	ten := enrol(t, thief, c, "")
	ids := enqueueCases(t, victim, 1, "TESTPERSON KILO", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewEurodacPacket(string(id), time.Now(), []byte("synthetic NIST"), nil)
	})
	row := *rows(t, victim)[ids[0]]

	p := fsync.NewCheckPacket("x", []string{"TESTPERSON LIMA"}, nil)
	p.Header.PacketID = ids[0]
	s, err := fsync.Seal(p, ten.DeviceID, mustRecipient(t, c), ed25519.PrivateKey(ten.Key))
	if err != nil {
		t.Fatal(err)
	}
	stolen := row
	stolen.SHA256, stolen.Signature, stolen.Size = fmt.Sprintf("%x", s.SHA256), s.Signature, int64(len(s.Data))
	cl, err := fsync.NewClient(ten, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutPacket(context.Background(), &stolen, s.Data); err != nil {
		t.Fatalf("the other terminal's put: %v", err)
	}

	w, err := fsync.NewWorker(victim.v, victim.s, fsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Offline != nil || rep.Refused != 0 || rep.Delivered != 1 {
		t.Fatalf("victim's sync: %+v %v", rep, err)
	}
	m, err := c.srv.Store().Packet(en.DeviceID, ids[0])
	if err != nil || m.SHA256 != row.SHA256 {
		t.Fatalf("victim's packet at central: %+v %v", m, err)
	}
	if st, _ := central.GetStats(c.srv.Store()); st.Packets != 2 || st.Conflicts != 0 {
		t.Fatalf("stats %+v: want both packets and no conflict", st)
	}
}
