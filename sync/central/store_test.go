package central_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

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
	m := central.PacketMeta{PacketID: "rrrrrrrrrrrrrrrr", DeviceID: "dev1000000000000001", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Pending: true}
	if _, _, err := s.PutPacket(m, bytes.NewReader(data), func(uint64) (fsync.Signed, error) { return fsync.Signed{}, nil }); err != nil {
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
	if err := s.CompleteDownstream(m.DeviceID, m.PacketID, []fsync.Result{{Type: "validated"}}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.Results(m.DeviceID, 0, 10); len(rs) != 1 {
		t.Fatalf("results %+v", rs)
	}
}

// TestBoltStoreReadsOldTokens: a token record written before tokens expired (no expiry
// field) is read as expiring a day after its creation.
func TestBoltStoreReadsOldTokens(t *testing.T) {
	dir := t.TempDir()
	s, err := central.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	old, young := sha256.Sum256([]byte("old secret")), sha256.Sum256([]byte("young secret"))
	db, err := bolt.Open(filepath.Join(dir, "central.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, h := range [][32]byte{old, young} {
			if err := tx.Bucket([]byte("tokens")).Put(h[:], []byte(`{"created":"2026-03-01T09:00:00Z","used":false}`)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err = central.OpenBolt(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var te *central.TokenExpiredError
	if err := s.UseToken(old, created.Add(25*time.Hour)); !errors.As(err, &te) || !te.Expired.Equal(created.Add(24*time.Hour)) {
		t.Fatalf("old record after a day: %v", err)
	}
	if err := s.UseToken(young, created.Add(23*time.Hour)); err != nil {
		t.Fatalf("old record within a day: %v", err)
	}
}

// TestBoltStoreConcurrentGroupCommit: the concurrent puts of the conformance suite on
// BoltStore's group commit, plus what only files show: no temporary file is left in
// packets/, every packet file hashes to its digest and holds the bytes of the caller
// that stored it, and everything is still there after Close and a reopen.
func TestBoltStoreConcurrentGroupCommit(t *testing.T) {
	dir := t.TempDir()
	s, err := central.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	stored := storetest.ConcurrentPuts(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "packets"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(stored.Meta) {
		t.Errorf("packets/ holds %d files, want %d", len(entries), len(stored.Meta))
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(strings.TrimPrefix(e.Name(), stored.Device+"-"), ".age")
		want, known := stored.Data[id]
		if !ok || !known {
			t.Errorf("packets/%s: a temporary or unknown file", e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "packets", e.Name()))
		sum := sha256.Sum256(b)
		if err != nil || !bytes.Equal(b, want) || hex.EncodeToString(sum[:]) != stored.Meta[id].SHA256 {
			t.Errorf("packets/%s: not the stored bytes (%v)", e.Name(), err)
		}
	}
	s, err = central.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckStored(t, s, stored)
}

// TestBoltStoreScopesLegacyPackets: a data folder written before packet IDs were scoped by
// terminal (key and file named by the packet ID alone) opens with every packet under its
// (device, packet) key and file, still queued for the downstream, bytes unchanged.
func TestBoltStoreScopesLegacyPackets(t *testing.T) {
	dir := t.TempDir()
	s, err := central.OpenBolt(dir) // creates the buckets
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	data := []byte("sealed bytes stored by an older central")
	sum := sha256.Sum256(data)
	m := central.PacketMeta{PacketID: "legacy0000000001", DeviceID: "devlegacy00000001", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Seq: 7, Pending: true}
	v, _ := json.Marshal(m)
	db, err := bolt.Open(filepath.Join(dir, "central.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte("packets")).Put([]byte(m.PacketID), v); err != nil {
			return err
		}
		return tx.Bucket([]byte("downstream")).Put(binary.BigEndian.AppendUint64(nil, 7), []byte(m.PacketID))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "packets", m.PacketID+".age"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second open finds nothing left to move
		s, err := central.OpenBolt(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Packet(m.DeviceID, m.PacketID)
		if err != nil || got.SHA256 != m.SHA256 {
			t.Fatalf("moved packet: %+v %v", got, err)
		}
		rc, err := s.OpenPacket(m.DeviceID, m.PacketID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, data) {
			t.Fatal("moved packet's bytes differ")
		}
		var queued []string
		if err := s.PendingDownstream(func(p central.PacketMeta) error { queued = append(queued, p.DeviceID+"/"+p.PacketID); return nil }); err != nil || len(queued) != 1 {
			t.Fatalf("queue %v %v", queued, err)
		}
		s.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "packets", m.PacketID+".age")); !os.IsNotExist(err) {
		t.Fatalf("legacy file left in place: %v", err)
	}
}
