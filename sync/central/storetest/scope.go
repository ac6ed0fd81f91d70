package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestPacketIDsScopedByDevice: another terminal storing first under the same packet ID
// (courier media show IDs) does not take the ID from its owner: two devices, two packets,
// each read, listed and answered on its own.
func (suite *Suite) TestPacketIDsScopedByDevice(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	const id, thief = "eeeeeeeeeeeeeeee", "devthief00000000001"
	x, y := []byte("thief's bytes"), []byte("victim's bytes")
	mx := meta(id, x)
	mx.DeviceID = thief
	if _, created, err := s.PutPacket(mx, bytes.NewReader(x), receipt); err != nil || !created {
		t.Fatalf("thief's put: %v %v", created, err)
	}
	mine, created, err := s.PutPacket(meta(id, y), bytes.NewReader(y), receipt)
	if err != nil || !created || mine.DeviceID != dev || mine.SHA256 != meta(id, y).SHA256 {
		t.Fatalf("the owner's packet must be stored beside the other terminal's: %+v %v %v", mine, created, err)
	}
	for _, c := range []struct{ dev, want string }{{thief, string(x)}, {dev, string(y)}} {
		rc, err := s.OpenPacket(c.dev, id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != c.want {
			t.Fatalf("device %s reads %q, want %q", c.dev, got, c.want)
		}
		if m, err := s.Packet(c.dev, id); err != nil || m.DeviceID != c.dev {
			t.Fatalf("device %s: %+v %v", c.dev, m, err)
		}
	}
	var listed []string
	s.Packets(func(p central.PacketMeta) error { listed = append(listed, p.DeviceID+"/"+p.PacketID); return nil })
	if want := "[" + dev + "/" + id + " " + thief + "/" + id + "]"; fmt.Sprint(listed) != want {
		t.Fatalf("packets %v, want %s (device, then packet order)", listed, want)
	}
	if q := queued(t, s); len(q) != 2 {
		t.Fatalf("queued %v, want both packets", q)
	}
	if err := s.CompleteDownstream(thief, id, []fsync.Result{{PacketID: id, Type: "validated"}}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Packet(dev, id); !m.Pending {
		t.Fatal("answering the other terminal's packet answered the owner's")
	}
	if _, err := s.Packet("devnobody0000000001", id); !errors.Is(err, central.ErrNotFound) {
		t.Fatalf("a third device sees the packet: %v", err)
	}
}

// TestQuarantine: a quarantined packet keeps its receipt and its first reason, through
// the downstream's answer; an unknown packet gives ErrNotFound.
func (suite *Suite) TestQuarantine(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	b := []byte("not an age file")
	m := meta("ffffffffffffffff", b)
	if _, _, err := s.PutPacket(m, bytes.NewReader(b), receipt); err != nil {
		t.Fatal(err)
	}
	if err := s.Quarantine(dev, m.PacketID, "packet does not decrypt"); err != nil {
		t.Fatal(err)
	}
	if err := s.Quarantine(dev, m.PacketID, "second reason"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Packet(dev, m.PacketID)
	if err != nil || got.Quarantined != "packet does not decrypt" || got.Receipt.Payload == nil {
		t.Fatalf("quarantined packet: %+v %v (want the first reason, receipt kept)", got, err)
	}
	if err := s.CompleteDownstream(dev, m.PacketID, []fsync.Result{{Type: "rejected"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Packet(dev, m.PacketID); got.Quarantined == "" || got.Pending {
		t.Fatalf("after the downstream answered: %+v", got)
	}
	if err := s.Quarantine(dev, "gggggggggggggggg", "x"); !errors.Is(err, central.ErrNotFound) {
		t.Fatalf("unknown packet: %v", err)
	}
}
