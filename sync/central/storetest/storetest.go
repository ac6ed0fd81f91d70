// Package storetest is the conformance suite every central.Store implementation must pass
// (restic's backend-test pattern): idempotent packet storage, one-time tokens, devices,
// per-device result sequences, uploads and counters.
package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// Run runs the suite; open returns a new, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) central.Store) {
	meta := func(id string, data []byte) central.PacketMeta {
		sum := sha256.Sum256(data)
		return central.PacketMeta{PacketID: id, DeviceID: "dev0000000000000001", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), ReceivedAt: time.Now().UTC()}
	}
	receipt := func(seq uint64) (fsync.Signed, error) {
		return fsync.Signed{Payload: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}, nil
	}
	t.Run("packets are stored once", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		a := bytes.Repeat([]byte("sealed-a"), 1000)
		m, created, err := s.PutPacket(meta("aaaaaaaaaaaaaaaa", a), bytes.NewReader(a), receipt, []fsync.Result{{Type: "validated"}})
		if err != nil || !created || m.Seq == 0 || string(m.Receipt.Payload) != fmt.Sprintf(`{"seq":%d}`, m.Seq) {
			t.Fatalf("first put: %+v %v %v", m, created, err)
		}
		b := []byte("other content")
		again, created, err := s.PutPacket(meta("aaaaaaaaaaaaaaaa", b), bytes.NewReader(b), receipt, []fsync.Result{{Type: "validated"}})
		if err != nil || created || again.SHA256 != m.SHA256 || !bytes.Equal(again.Receipt.Payload, m.Receipt.Payload) {
			t.Fatalf("second put must return the first: %+v %v %v", again, created, err)
		}
		rc, err := s.OpenPacket("aaaaaaaaaaaaaaaa")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, a) {
			t.Fatal("stored bytes differ")
		}
		m2, _, err := s.PutPacket(meta("bbbbbbbbbbbbbbbb", b), bytes.NewReader(b), receipt, []fsync.Result{{Type: "validated"}})
		if err != nil || m2.Seq <= m.Seq {
			t.Fatalf("sequence must grow: %d then %d (%v)", m.Seq, m2.Seq, err)
		}
		// Results are stored with new packets only: two packets, two results.
		if rs, err := s.Results("dev0000000000000001", 0, 10); err != nil || len(rs) != 2 || rs[1].Seq != 2 {
			t.Fatalf("results stored with packets: %+v %v", rs, err)
		}
		var ids []string
		s.Packets(func(p central.PacketMeta) error { ids = append(ids, p.PacketID); return nil })
		if fmt.Sprint(ids) != "[aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb]" {
			t.Fatalf("packets %v", ids)
		}
		if _, err := s.Packet("cccccccccccccccc"); !errors.Is(err, central.ErrNotFound) {
			t.Fatalf("missing packet: %v", err)
		}
	})
	t.Run("wrong digest is refused and nothing stored", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		m := meta("dddddddddddddddd", []byte("x"))
		if _, _, err := s.PutPacket(m, bytes.NewReader([]byte("y")), receipt, []fsync.Result{{Type: "x"}}); !errors.Is(err, fsync.ErrBadDigest) {
			t.Fatalf("got %v", err)
		}
		if _, err := s.Packet(m.PacketID); !errors.Is(err, central.ErrNotFound) {
			t.Fatal("a packet with a wrong digest was stored")
		}
		if rs, _ := s.Results(m.DeviceID, 0, 10); len(rs) != 0 {
			t.Fatal("results of a refused packet were stored")
		}
	})
	t.Run("tokens are one-time", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		h := sha256.Sum256([]byte("secret"))
		if err := s.UseToken(h, now); !errors.Is(err, central.ErrUnknownToken) {
			t.Fatalf("unknown: %v", err)
		}
		if err := s.AddToken(h, now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.UseToken(h, now.Add(59*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.UseToken(h, now.Add(time.Minute)); !errors.Is(err, central.ErrTokenUsed) {
			t.Fatalf("reuse: %v", err)
		}
	})
	t.Run("tokens expire", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			name    string
			expires time.Time // zero: a record from before tokens expired
			at      time.Time
			want    time.Time // expiry reported; zero: the token is accepted
		}{
			{"used in time", created.Add(2 * time.Hour), created.Add(2*time.Hour - time.Second), time.Time{}},
			{"used at its expiry", created.Add(2 * time.Hour), created.Add(2 * time.Hour), created.Add(2 * time.Hour)},
			{"used after its expiry", created.Add(2 * time.Hour), created.Add(30 * 24 * time.Hour), created.Add(2 * time.Hour)},
			{"old record in its first day", time.Time{}, created.Add(23 * time.Hour), time.Time{}},
			{"old record after a day", time.Time{}, created.Add(central.DefaultTokenTTL), created.Add(central.DefaultTokenTTL)},
		} {
			h := sha256.Sum256([]byte("secret " + tc.name))
			if err := s.AddToken(h, created, tc.expires); err != nil {
				t.Fatal(err)
			}
			err := s.UseToken(h, tc.at)
			if tc.want.IsZero() {
				if err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
				continue
			}
			var te *central.TokenExpiredError
			if !errors.Is(err, central.ErrTokenExpired) || !errors.As(err, &te) || !te.Expired.Equal(tc.want) {
				t.Errorf("%s: got %v, want expired at %s", tc.name, err, tc.want)
				continue
			}
			// An expired token is not consumed: it stays expired, never turns into "used".
			if err := s.UseToken(h, tc.at); !errors.Is(err, central.ErrTokenExpired) {
				t.Errorf("%s: second use: %v", tc.name, err)
			}
		}
	})
	t.Run("devices", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		if _, err := s.Device("nope"); !errors.Is(err, central.ErrNotFound) {
			t.Fatal(err)
		}
		s.PutDevice(central.Device{ID: "d2", PublicKey: []byte{1}})
		s.PutDevice(central.Device{ID: "d1"})
		d, err := s.Device("d2")
		if err != nil || !bytes.Equal(d.PublicKey, []byte{1}) {
			t.Fatal(d, err)
		}
		d.Revoked = true
		s.PutDevice(d)
		var n, revoked int
		s.Devices(func(d central.Device) error {
			n++
			if d.Revoked {
				revoked++
			}
			return nil
		})
		if n != 2 || revoked != 1 {
			t.Fatalf("devices %d revoked %d", n, revoked)
		}
	})
	t.Run("results per device in order", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		if err := s.AppendResults("d1", []fsync.Result{{PacketID: "0"}, {PacketID: "1"}}); err != nil {
			t.Fatal(err)
		}
		s.AppendResults("d2", []fsync.Result{{Type: "other"}})
		s.AppendResults("d1", []fsync.Result{{PacketID: "2"}, {PacketID: "3"}, {PacketID: "4"}})
		rs, err := s.Results("d1", 2, 2)
		if err != nil || len(rs) != 2 || rs[0].Seq != 3 || rs[1].PacketID != "3" {
			t.Fatalf("%+v %v", rs, err)
		}
		if rs, _ := s.Results("d1", 5, 10); len(rs) != 0 {
			t.Fatalf("after the end: %+v", rs)
		}
		if rs, _ := s.Results("d3", 0, 10); len(rs) != 0 {
			t.Fatal("unknown device has results")
		}
	})
	t.Run("downstream queue", func(t *testing.T) {
		s := open(t)
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
			if _, _, err := s.PutPacket(m, bytes.NewReader(b), receipt, nil); err != nil {
				t.Fatal(err)
			}
		}
		if got := fmt.Sprint(pending()); got != "[qqqqqqqqqqqqqqq2 qqqqqqqqqqqqqqq1]" {
			t.Fatalf("queue %s, want the two pending packets in arrival order", got)
		}
		dev := meta("x", nil).DeviceID
		answer := []fsync.Result{{Type: "validated"}, {Type: "check", Outcome: "no-hit"}}
		if err := s.CompleteDownstream("qqqqqqqqqqqqqqq1", answer); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(pending()); got != "[qqqqqqqqqqqqqqq2]" {
			t.Fatalf("queue after one answer: %s", got)
		}
		if m, err := s.Packet("qqqqqqqqqqqqqqq1"); err != nil || m.Pending {
			t.Fatalf("answered packet still pending: %+v %v", m, err)
		}
		// Answering again (a runner that crashed after the commit) adds nothing.
		if err := s.CompleteDownstream("qqqqqqqqqqqqqqq1", answer); err != nil {
			t.Fatal(err)
		}
		if rs, _ := s.Results(dev, 0, 10); len(rs) != 2 || rs[0].Seq != 1 || rs[1].Outcome != "no-hit" {
			t.Fatalf("results after answering twice: %+v", rs)
		}
		if err := s.CompleteDownstream("zzzzzzzzzzzzzzzz", answer); !errors.Is(err, central.ErrNotFound) {
			t.Fatalf("unknown packet: %v", err)
		}
		if err := s.CompleteDownstream("qqqqqqqqqqqqqqq2", nil); err != nil {
			t.Fatal(err)
		}
		if got := pending(); len(got) != 0 {
			t.Fatalf("queue not empty: %v", got)
		}
	})
	t.Run("uploads and counters", func(t *testing.T) {
		s := open(t)
		defer s.Close()
		u := central.Upload{DeviceID: "d1", PacketID: "p1", Length: 10, SHA256: "ab"}
		s.PutUpload(u)
		if got, err := s.Upload("d1", "p1"); err != nil || got.Length != 10 {
			t.Fatal(got, err)
		}
		if _, err := s.Upload("d2", "p1"); !errors.Is(err, central.ErrNotFound) {
			t.Fatal("uploads must be scoped to the device")
		}
		s.PutUpload(central.Upload{DeviceID: "d0", PacketID: "p2", Length: 20})
		var listed []string
		if err := s.Uploads(func(u central.Upload) error { listed = append(listed, u.DeviceID+"/"+u.PacketID); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(listed) != "[d0/p2 d1/p1]" {
			t.Fatalf("uploads listed %v", listed)
		}
		s.DeleteUpload("d1", "p1")
		if _, err := s.Upload("d1", "p1"); !errors.Is(err, central.ErrNotFound) {
			t.Fatal("delete")
		}
		listed = nil
		s.Uploads(func(u central.Upload) error { listed = append(listed, u.PacketID); return nil })
		if fmt.Sprint(listed) != "[p2]" {
			t.Fatalf("uploads after delete %v", listed)
		}
		s.Incr("x", 2)
		s.Incr("x", 3)
		if n, _ := s.Counter("x"); n != 5 {
			t.Fatalf("counter %d", n)
		}
	})
}
