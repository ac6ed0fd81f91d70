package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestDownstreamQueue: pending packets wait in arrival order until CompleteDownstream answers them, once.
func (suite *Suite) TestDownstreamQueue(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	pending := func() []string {
		var ids []string
		if err := s.PendingDownstream(func(m central.PacketMeta) error {
			if !m.Pending {
				t.Errorf("queued packet %s is not marked pending", m.PacketID)
			}
			ids = append(ids, m.PacketID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// Stored out of ID order: the queue keeps arrival order.
	for _, id := range []string{"qqqqqqqqqqqqqqq2", "qqqqqqqqqqqqqqq1", "qqqqqqqqqqqqqqq3"} {
		b := []byte("sealed " + id)
		m := meta(id, b)
		m.Pending = id != "qqqqqqqqqqqqqqq3" // answered at once: never queued
		if _, _, err := s.PutPacket(m, bytes.NewReader(b), receipt); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(pending()); got != "[qqqqqqqqqqqqqqq2 qqqqqqqqqqqqqqq1]" {
		t.Fatalf("queue %s, want the two pending packets in arrival order", got)
	}
	answer := []fsync.Result{{Type: "validated"}, {Type: "check", Outcome: "no-hit"}}
	if err := s.CompleteDownstream(dev, "qqqqqqqqqqqqqqq1", answer); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(pending()); got != "[qqqqqqqqqqqqqqq2]" {
		t.Fatalf("queue after one answer: %s", got)
	}
	if m, err := s.Packet(dev, "qqqqqqqqqqqqqqq1"); err != nil || m.Pending {
		t.Fatalf("answered packet still pending: %+v %v", m, err)
	}
	// Answering again (a runner that crashed after the commit) adds nothing.
	if err := s.CompleteDownstream(dev, "qqqqqqqqqqqqqqq1", answer); err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.Results(dev, 0, 10); len(rs) != 2 || rs[0].Seq != 1 || rs[1].Outcome != "no-hit" {
		t.Fatalf("results after answering twice: %+v", rs)
	}
	if err := s.CompleteDownstream(dev, "zzzzzzzzzzzzzzzz", answer); !errors.Is(err, central.ErrNotFound) {
		t.Fatalf("unknown packet: %v", err)
	}
	if err := s.CompleteDownstream(dev, "qqqqqqqqqqqqqqq2", nil); err != nil {
		t.Fatal(err)
	}
	if got := pending(); len(got) != 0 {
		t.Fatalf("queue not empty: %v", got)
	}
}
