package central_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/storetest"
)

func TestBoltStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store {
		s, err := central.OpenBolt(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMemStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store { return central.NewMemStore() })
}

// TestBoltStoreBusy: a second process (here: a second open) gets a clear error, not a hang.
func TestBoltStoreBusy(t *testing.T) {
	dir := t.TempDir()
	s, err := central.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := central.OpenBolt(dir); err != central.ErrBusy {
		t.Fatalf("got %v, want ErrBusy", err)
	}
}

// TestBoltStoreQueueSurvivesReopen: a packet stored but not yet answered by the downstream
// is still queued after the store is closed and opened again (central restarted), and its
// results are appended exactly once.
func TestBoltStoreQueueSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := central.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("sealed bytes of a synthetic packet")
	sum := sha256.Sum256(data)
	m := central.PacketMeta{PacketID: "rrrrrrrrrrrrrrrr", DeviceID: "dev1", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Pending: true}
	if _, _, err := s.PutPacket(m, bytes.NewReader(data), func(uint64) (fsync.Signed, error) { return fsync.Signed{}, nil }, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = central.OpenBolt(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var queued []string
	s.PendingDownstream(func(p central.PacketMeta) error { queued = append(queued, p.PacketID); return nil })
	if len(queued) != 1 || queued[0] != m.PacketID {
		t.Fatalf("queue after reopen: %v", queued)
	}
	if err := s.CompleteDownstream(m.PacketID, []fsync.Result{{Type: "validated"}}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.Results("dev1", 0, 10); len(rs) != 1 {
		t.Fatalf("results %+v", rs)
	}
}
