package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestPacketsStoredOnce: a packet ID is stored once: a second put of the same ID (even with other bytes) returns the first's metadata and receipt, and the bytes read back are the first's.
func (suite *Suite) TestPacketsStoredOnce(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	a := bytes.Repeat([]byte("sealed-a"), 1000)
	m, created, err := s.PutPacket(meta("aaaaaaaaaaaaaaaa", a), bytes.NewReader(a), receipt)
	if err != nil || !created || m.Seq == 0 || string(m.Receipt.Payload) != fmt.Sprintf(`{"seq":%d}`, m.Seq) {
		t.Fatalf("first put: %+v %v %v", m, created, err)
	}
	b := []byte("other content")
	again, created, err := s.PutPacket(meta("aaaaaaaaaaaaaaaa", b), bytes.NewReader(b), receipt)
	if err != nil || created || again.SHA256 != m.SHA256 || !bytes.Equal(again.Receipt.Payload, m.Receipt.Payload) {
		t.Fatalf("second put must return the first: %+v %v %v", again, created, err)
	}
	rc, err := s.OpenPacket(dev, "aaaaaaaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, a) {
		t.Fatal("stored bytes differ")
	}
	m2, _, err := s.PutPacket(meta("bbbbbbbbbbbbbbbb", b), bytes.NewReader(b), receipt)
	if err != nil || m2.Seq <= m.Seq {
		t.Fatalf("sequence must grow: %d then %d (%v)", m.Seq, m2.Seq, err)
	}
	// Only new packets go to the downstream: two packets, two queue entries.
	if q := queued(t, s); fmt.Sprint(q) != "[aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb]" {
		t.Fatalf("queued for the downstream: %v", q)
	}
	var ids []string
	s.Packets(func(p central.PacketMeta) error { ids = append(ids, p.PacketID); return nil })
	if fmt.Sprint(ids) != "[aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb]" {
		t.Fatalf("packets %v", ids)
	}
	if _, err := s.Packet(dev, "cccccccccccccccc"); !errors.Is(err, central.ErrNotFound) {
		t.Fatalf("missing packet: %v", err)
	}
}

// TestWrongDigestRefused: bytes that do not hash to the announced digest are refused with fsync.ErrBadDigest, and nothing is stored or queued.
func (suite *Suite) TestWrongDigestRefused(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	m := meta("dddddddddddddddd", []byte("x"))
	if _, _, err := s.PutPacket(m, bytes.NewReader([]byte("y")), receipt); !errors.Is(err, fsync.ErrBadDigest) {
		t.Fatalf("got %v", err)
	}
	if _, err := s.Packet(dev, m.PacketID); !errors.Is(err, central.ErrNotFound) {
		t.Fatal("a packet with a wrong digest was stored")
	}
	if q := queued(t, s); len(q) != 0 {
		t.Fatal("a refused packet was queued for the downstream")
	}
}

// TestConcurrentPuts: 32 overlapping puts (see ConcurrentPuts).
func (suite *Suite) TestConcurrentPuts(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	ConcurrentPuts(t, s)
}

// Concurrent is what ConcurrentPuts stored: the bytes of every distinct packet ID as
// central holds them, for CheckStored (again after a reopen).
type Concurrent struct {
	Device string
	Data   map[string][]byte // packet ID → the bytes stored for it
	Meta   map[string]central.PacketMeta
}

// ConcurrentPuts makes 32 PutPacket calls at once on an empty store (BoltStore commits them
// in shared group commits): 14 packets sent once, 8 sent twice with the same digest, and 2
// that reuse an ID of the former with other content. Each distinct ID must be stored
// exactly once, by exactly one caller that got created=true; every caller for an ID gets
// the same stored metadata and receipt (a caller with another digest sees the stored
// digest and can answer 422); sequence numbers are unique and gapless; every stored packet
// has its one result and waits once in the downstream queue.
func ConcurrentPuts(t *testing.T, s central.Store) Concurrent {
	t.Helper()
	const dev = "devconcurrent000000000000000001" // not the suite's default device
	type call struct {
		id   string
		data []byte
	}
	var calls []call
	content := func(id string, variant, n int) []byte {
		return bytes.Repeat([]byte(fmt.Sprintf("sealed %s v%d ", id, variant)), n)
	}
	for i := 0; i < 14; i++ {
		id := fmt.Sprintf("single%010d", i)
		calls = append(calls, call{id, content(id, 0, 50+i*97)})
	}
	for i := 0; i < 8; i++ {
		id := fmt.Sprintf("pair%012d", i)
		b := content(id, 0, 200+i*31)
		calls = append(calls, call{id, b}, call{id, b})
	}
	for i := 0; i < 2; i++ { // same ID as single i, other content
		id := calls[i].id
		calls = append(calls, call{id, content(id, 1, 80)})
	}
	if len(calls) != 32 {
		t.Fatalf("test set up %d calls, want 32", len(calls))
	}

	// Every call reads its body only once all 32 have started (or after 5 s, for a store
	// that reads bodies one at a time), so the puts overlap as much as they can.
	var arrived atomic.Int32
	allIn := make(chan struct{})
	gate := func(b []byte) io.Reader {
		return &gatedReader{r: bytes.NewReader(b), wait: func() {
			if arrived.Add(1) == int32(len(calls)) {
				close(allIn)
			}
			select {
			case <-allIn:
			case <-time.After(5 * time.Second):
			}
		}}
	}
	type outcome struct {
		meta    central.PacketMeta
		created bool
		err     error
	}
	outs := make([]outcome, len(calls))
	var wg gosync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := sha256.Sum256(c.data)
			m := central.PacketMeta{PacketID: c.id, DeviceID: dev, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(c.data)), ReceivedAt: time.Now().UTC(), Pending: true}
			receipt := func(seq uint64) (fsync.Signed, error) {
				return fsync.Signed{Payload: []byte(fmt.Sprintf(`{"packet_id":%q,"sha256":%q,"seq":%d}`, c.id, m.SHA256, seq))}, nil
			}
			st, created, err := s.PutPacket(m, gate(c.data), receipt)
			outs[i] = outcome{st, created, err}
		}()
	}
	wg.Wait()

	got := Concurrent{Device: dev, Data: map[string][]byte{}, Meta: map[string]central.PacketMeta{}}
	created := map[string]int{}
	for i, o := range outs {
		c := calls[i]
		if o.err != nil {
			t.Fatalf("put %d (%s): %v", i, c.id, o.err)
		}
		if o.created {
			created[c.id]++
		}
		first, seen := got.Meta[c.id]
		if !seen {
			got.Meta[c.id] = o.meta
			continue
		}
		if o.meta.Seq != first.Seq || o.meta.SHA256 != first.SHA256 || !bytes.Equal(o.meta.Receipt.Payload, first.Receipt.Payload) {
			t.Errorf("packet %s: callers got different answers: seq %d and %d, receipts %s and %s",
				c.id, first.Seq, o.meta.Seq, first.Receipt.Payload, o.meta.Receipt.Payload)
		}
	}
	for i, o := range outs {
		c := calls[i]
		sum := sha256.Sum256(c.data)
		mine := hex.EncodeToString(sum[:]) == got.Meta[c.id].SHA256
		if mine && got.Data[c.id] == nil {
			got.Data[c.id] = c.data
		}
		if o.created && !mine {
			t.Errorf("packet %s: the creating caller's digest is not the stored one", c.id)
		}
	}
	if len(got.Meta) != 22 {
		t.Fatalf("%d distinct packet IDs answered, want 22", len(got.Meta))
	}
	for id := range got.Meta {
		if created[id] != 1 {
			t.Errorf("packet %s: created=true for %d callers, want exactly 1", id, created[id])
		}
		if got.Data[id] == nil {
			t.Errorf("packet %s: stored digest matches no caller's bytes", id)
		}
	}
	// Each packet is queued once for the downstream; answering them all gives one result
	// per packet (CheckStored counts them, and nothing may stay queued).
	queued := map[string]int{}
	if err := s.PendingDownstream(func(m central.PacketMeta) error { queued[m.PacketID]++; return nil }); err != nil {
		t.Fatal(err)
	}
	for id := range got.Meta {
		if queued[id] != 1 {
			t.Errorf("packet %s queued %d times for the downstream, want 1", id, queued[id])
		}
		if err := s.CompleteDownstream(got.Device, id, []fsync.Result{{PacketID: id, Type: fsync.ResultValidated}}); err != nil {
			t.Fatal(err)
		}
	}
	CheckStored(t, s, got)
	return got
}

// CheckStored checks that s holds exactly what ConcurrentPuts stored and answered: each ID
// once with its metadata and receipt, gapless sequence numbers from 1, bytes that hash to
// their digest, one result per packet and nothing left in the downstream queue.
func CheckStored(t *testing.T, s central.Store, want Concurrent) {
	t.Helper()
	var seqs []uint64
	listed := map[string]int{}
	err := s.Packets(func(m central.PacketMeta) error {
		listed[m.PacketID]++
		seqs = append(seqs, m.Seq)
		w, ok := want.Meta[m.PacketID]
		if !ok {
			return fmt.Errorf("stored packet %s was never put", m.PacketID)
		}
		if m.Seq != w.Seq || m.SHA256 != w.SHA256 || !bytes.Equal(m.Receipt.Payload, w.Receipt.Payload) {
			return fmt.Errorf("packet %s stored with seq %d and receipt %s; callers were told seq %d and %s",
				m.PacketID, m.Seq, m.Receipt.Payload, w.Seq, w.Receipt.Payload)
		}
		if !bytes.Contains(m.Receipt.Payload, []byte(fmt.Sprintf(`"seq":%d}`, m.Seq))) {
			return fmt.Errorf("packet %s: receipt %s is not for its sequence number %d", m.PacketID, m.Receipt.Payload, m.Seq)
		}
		rc, err := s.OpenPacket(m.DeviceID, m.PacketID)
		if err != nil {
			return err
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return err
		}
		if hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
			return fmt.Errorf("packet %s: stored bytes do not hash to its digest", m.PacketID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != len(want.Meta) {
		t.Fatalf("%d packets stored, want %d", len(listed), len(want.Meta))
	}
	for id, n := range listed {
		if n != 1 {
			t.Errorf("packet %s listed %d times", id, n)
		}
	}
	slices.Sort(seqs)
	for i, q := range seqs {
		if q != uint64(i+1) {
			t.Fatalf("sequence numbers %v: not unique and gapless from 1", seqs)
		}
	}
	rs, err := s.Results(want.Device, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	perID := map[string]int{}
	for _, r := range rs {
		perID[r.PacketID]++
	}
	if len(rs) != len(want.Meta) || len(perID) != len(want.Meta) {
		t.Fatalf("%d results for %d packets (%v), want one each", len(rs), len(perID), perID)
	}
	if err := s.PendingDownstream(func(m central.PacketMeta) error {
		t.Errorf("packet %s still queued for the downstream after its answer", m.PacketID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// gatedReader calls wait before its first Read.
type gatedReader struct {
	r    io.Reader
	wait func()
	once gosync.Once
}

func (g *gatedReader) Read(p []byte) (int, error) {
	g.once.Do(g.wait)
	return g.r.Read(p)
}
