package sync_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestEndToEnd: packets of several kinds go through the outbox to a real central over
// loopback mutual TLS; each gets a verified receipt, central's stored copies verify and
// open with the age command and central's identity file, and results come back.
func TestEndToEnd(t *testing.T) {
	wl := filepath.Join(t.TempDir(), "watchlist.txt")
	os.WriteFile(wl, []byte("# test watch list\nTESTPERSON LISTED\nX9990001\n"), 0o600)
	list, err := central.LoadWatchlist(wl)
	if err != nil {
		t.Fatal(err)
	}
	c := startCentral(t, central.Options{Watchlist: list})
	term := newTerminal(t)
	en := enrol(t, term, c, "")

	nist := bytes.Repeat([]byte("NIST-TRANSACTION "), 4000)
	ids := enqueueCases(t, term, 6, "TESTPERSON ALPHA", func(i int, id vault.CaseID) *fsync.Packet {
		switch i % 3 {
		case 0:
			return fsync.NewCheckPacket(string(id), []string{"TESTPERSON ALPHA"}, []string{"X1230000"})
		case 1:
			return fsync.NewCheckPacket(string(id), []string{"testperson  listed"}, nil)
		default:
			return fsync.NewEurodacPacket(string(id), time.Now(), nist, nil)
		}
	})
	var before fsync.Status
	term.s.View(func(tx *vault.Tx) error { before, _ = fsync.GetStatus(tx, time.Now().Add(time.Hour)); return nil })
	if before.Pending != 6 || before.OldestUrgentAgeSeconds < 3600 || before.PendingBytes < 2*int64(len(nist)) {
		t.Fatalf("status before the drain: %+v", before)
	}
	var results []fsync.Result
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 20 * time.Second, Applier: func(tx *vault.Tx, r fsync.Result) error {
		results = append(results, r)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 6 || rep.Pending != 0 || rep.Offline != nil {
		for _, r := range rows(t, term) {
			t.Logf("%s %s %s", r.PacketID, r.State, r.LastError)
		}
		t.Fatalf("report %+v", rep)
	}
	rs := rows(t, term)
	for _, id := range ids {
		r := rs[id]
		if r.State != fsync.StateDelivered {
			t.Fatalf("packet %s state %s (%s)", id, r.State, r.LastError)
		}
		var signed fsync.Signed
		if err := json.Unmarshal(r.Receipt, &signed); err != nil {
			t.Fatal(err)
		}
		var rec fsync.Receipt
		if err := signed.Open(fsync.DomainReceipt, ed25519.PublicKey(en.ReceiptKey), &rec); err != nil {
			t.Fatalf("stored receipt of %s: %v", id, err)
		}
		if rec.PacketID != id || rec.SHA256 != r.SHA256 || rec.DeviceID != en.DeviceID {
			t.Fatalf("receipt %+v for row %+v", rec, r)
		}
		if _, err := os.Stat(fsync.PacketPath(term.v.PacketDir(), id)); !os.IsNotExist(err) {
			t.Errorf("delivered packet %s still has its sealed file (err %v)", id, err)
		}
	}
	// Central's copies: digest + signature verify, and the age command opens them.
	out := t.TempDir()
	n, _, err := central.ExportDir(c.srv.Store(), out)
	if err != nil || n != 6 {
		t.Fatalf("export: %d, %v", n, err)
	}
	for _, id := range ids {
		m, err := c.srv.Store().Packet(en.DeviceID, id)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(out, en.DeviceID+"-"+id+".age"))
		var dg [32]byte
		hex.Decode(dg[:], []byte(m.SHA256))
		if err := fsync.Verify(id, en.DeviceID, data, dg, m.Signature, ed25519.PrivateKey(en.Key).Public().(ed25519.PublicKey)); err != nil {
			t.Fatalf("stored packet %s: %v", id, err)
		}
		plain := ageDecrypt(t, filepath.Join(c.dir, "age-identity.txt"), filepath.Join(out, en.DeviceID+"-"+id+".age"))
		p, err := fsync.Unmarshal(plain)
		if err != nil {
			t.Fatalf("age-decrypted packet %s: %v", id, err)
		}
		if p.Header.PacketID != id || p.Header.DeviceID != en.DeviceID {
			t.Fatalf("header %+v", p.Header)
		}
		if p.Header.Kind == fsync.KindEurodac && (len(p.Files) != 1 || !bytes.Equal(p.Files[0].Data, nist)) {
			t.Fatalf("Eurodac packet lost its NIST attachment")
		}
	}
	// Results: 6 validated, 4 checks (2 hits), 2 Eurodac references.
	count := map[string]int{}
	for _, r := range results {
		count[r.Type+"/"+r.Outcome]++
		if r.Type == fsync.ResultEurodac && !strings.HasPrefix(r.Reference, "EURODAC-") {
			t.Errorf("Eurodac reference %q", r.Reference)
		}
	}
	want := map[string]int{"validated/": 6, "check/no-hit": 2, "check/hit": 2, "eurodac/": 2}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Fatalf("results %v, want %v", count, want)
	}
	// A second drain sends nothing and applies no result twice.
	rep, err = w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 0 || rep.Results != 0 {
		t.Fatalf("second drain %+v %v", rep, err)
	}
	st, _ := central.GetStats(c.srv.Store())
	if st.Packets != 6 || st.Devices != 1 || st.DuplicatesRejected != 0 {
		t.Fatalf("stats %+v", st)
	}
	// Config and the audit checkpoint were pulled and countersigned.
	term.s.View(func(tx *vault.Tx) error {
		cfg, etag, err := fsync.LoadConfig(tx)
		if err != nil || etag == "" || !json.Valid(cfg.Data) {
			t.Errorf("config %+v %q %v", cfg, etag, err)
		}
		return nil
	})
}

// TestIdempotentReplay: a packet sent again (same ID, same bytes) gets the very same
// receipt; the same ID with other bytes is refused with 422 and a reason.
func TestIdempotentReplay(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	ids := enqueueCases(t, term, 1, "TESTPERSON BRAVO", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON BRAVO"}, nil)
	})
	data, _ := os.ReadFile(fsync.PacketPath(term.v.PacketDir(), ids[0]))
	row := rows(t, term)[ids[0]]
	cl, err := fsync.NewClient(en, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := cl.PutPacket(context.Background(), row, data)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := cl.PutPacket(context.Background(), row, data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r1.Payload, r2.Payload) || !bytes.Equal(r1.Signature, r2.Signature) {
		t.Fatal("replay gave another receipt")
	}
	// Same ID, other content (re-sealed by the same terminal, properly signed).
	other := *row
	p := fsync.NewCheckPacket("x", []string{"TESTPERSON CHARLIE"}, nil)
	p.Header.PacketID = ids[0]
	s, err := fsync.Seal(p, en.DeviceID, mustRecipient(t, c), ed25519.PrivateKey(en.Key))
	if err != nil {
		t.Fatal(err)
	}
	other.SHA256, other.Signature, other.Size = fmt.Sprintf("%x", s.SHA256), s.Signature, int64(len(s.Data))
	_, err = cl.PutPacket(context.Background(), &other, s.Data)
	var he *fsync.HTTPError
	if !asHTTP(err, &he) || he.Status != 422 || he.Problem.Code != "digest-conflict" {
		t.Fatalf("conflicting replay: %v", err)
	}
	st, _ := central.GetStats(c.srv.Store())
	if st.Packets != 1 || st.DuplicatesRejected != 1 || st.Conflicts != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestPurgeAfterGrace: once every packet of a case has a verified receipt and the grace
// period has passed (injected clock), the case's personal data is gone from the vault
// file, checked by scanning the raw files for a canary string after compaction.
func TestPurgeAfterGrace(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	enrol(t, term, c, "")
	const canary = "TESTPERSON CANARYZULU"
	enqueueCases(t, term, 2, canary, func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{canary}, nil)
	})
	clk := &fakeClock{now: time.Now()}
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{Now: clk.Now, Sleep: clk.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := w.RunOnce(context.Background()); err != nil || rep.Delivered != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	// Before the grace period: the data is still readable.
	clk.now = clk.now.Add(71 * time.Hour)
	if got, _ := w.PurgeDue(); len(got) != 0 {
		t.Fatalf("purged %v before the grace period", got)
	}
	var cases []vault.CaseID
	term.s.View(func(tx *vault.Tx) error { cases, _ = tx.CaseIDs(); return nil })
	for _, id := range cases {
		term.s.View(func(tx *vault.Tx) error {
			if b, err := tx.GetCase(id, vault.Core, "identity"); err != nil || !bytes.Contains(b, []byte(canary)) {
				t.Fatalf("case %s before purge: %q %v", id, b, err)
			}
			return nil
		})
	}
	clk.now = clk.now.Add(2 * time.Hour)
	got, err := w.PurgeDue()
	if err != nil || len(got) != 2 {
		t.Fatalf("purge: %v %v", got, err)
	}
	for _, r := range rows(t, term) {
		if r.State != fsync.StatePurged {
			t.Fatalf("row %s state %s", r.PacketID, r.State)
		}
	}
	for _, id := range cases {
		term.s.View(func(tx *vault.Tx) error {
			if b, err := tx.GetCase(id, vault.Core, "identity"); err == nil {
				t.Fatalf("case %s still readable after purge: %q", id, b)
			}
			return nil
		})
	}
	if err := term.v.Compact(); err != nil {
		t.Fatal(err)
	}
	filepath.Walk(term.v.Dir(), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(canary)) || bytes.Contains(b, []byte("CANARYZULU")) {
				t.Errorf("canary found in %s after purge", p)
			}
		}
		return nil
	})
}

// TestResultsComeAfterTheReceipt: central answers packets after storing them, from a
// durable queue. Packets carried on media are imported while central is not serving (no
// downstream runs), central restarts, and the terminal's next drain gets the receipts at
// once (the packets are stored) and waits for the results, which the restarted central
// produces from its queue: a hit for the listed name, no hit for the other, exactly once.
func TestResultsComeAfterTheReceipt(t *testing.T) {
	opt := central.Options{Watchlist: []string{"TESTPERSON LISTED"}}
	c := startCentral(t, opt)
	term := newTerminal(t)
	enrol(t, term, c, "")
	enqueueCases(t, term, 2, "TESTPERSON ECHO", func(i int, id vault.CaseID) *fsync.Packet {
		name := []string{"TESTPERSON ECHO", "TESTPERSON LISTED"}[i]
		return fsync.NewCheckPacket(string(id), []string{name}, nil)
	})
	media := t.TempDir()
	if n, err := fsync.Export(term.s, term.v.PacketDir(), media); err != nil || n != 2 {
		t.Fatalf("export %d %v", n, err)
	}
	c.stop()

	// Imported by the operator while central is down: stored and queued, not answered.
	srv, err := central.Open(c.dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := srv.ImportDir(media); err != nil || rep.Imported != 2 {
		t.Fatalf("import %+v %v", rep, err)
	}
	var queued int
	srv.Store().PendingDownstream(func(central.PacketMeta) error { queued++; return nil })
	if queued != 2 {
		t.Fatalf("%d packets queued for the downstream after the import, want 2", queued)
	}
	srv.Close()

	c = c.restart(t, opt)
	var outcomes []string
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 20 * time.Second,
		Applier: func(tx *vault.Tx, r fsync.Result) error {
			if r.Type == fsync.ResultCheck {
				outcomes = append(outcomes, r.Outcome)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 2 || rep.Results != 4 {
		t.Fatalf("drain %+v %v: want 2 delivered (receipts of the imported copies) and 4 results", rep, err)
	}
	sort.Strings(outcomes)
	if fmt.Sprint(outcomes) != "[hit no-hit]" {
		t.Fatalf("check outcomes %v", outcomes)
	}
	if rep, err := w.RunOnce(context.Background()); err != nil || rep.Results != 0 {
		t.Fatalf("second drain %+v %v: results must come once", rep, err)
	}
}

// slowStore holds central's downstream (its reads of stored packets) until released.
type slowStore struct {
	central.Store
	release chan struct{}
}

func (s slowStore) OpenPacket(dev, id string) (io.ReadCloser, error) {
	<-s.release
	return s.Store.OpenPacket(dev, id)
}

// TestResultsWaitForTheDownstream: the receipt comes as soon as the packet is stored; the
// results page says how many packets are still with the downstream, and a drain with
// ResultWait waits on central (?wait=) until their results exist instead of returning
// without them. Without ResultWait the drain returns at once and reports them pending.
func TestResultsWaitForTheDownstream(t *testing.T) {
	slow := slowStore{Store: central.NewMemStore(), release: make(chan struct{})}
	var asks atomic.Int32 // GET /v1/results requests
	c := startCentral(t, central.Options{Store: slow, Wrap: countRequests("/v1/results", &asks)})
	term := newTerminal(t)
	enrol(t, term, c, "")
	enqueueCases(t, term, 1, "TESTPERSON FOXTROT", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON FOXTROT"}, nil)
	})
	quick, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := quick.RunOnce(context.Background())
	if err != nil || rep.Delivered != 1 || rep.Results != 0 {
		t.Fatalf("drain without waiting: %+v %v (the downstream is held: no results yet)", rep, err)
	}
	awaiting := func() int {
		var st fsync.Status
		term.s.View(func(tx *vault.Tx) error { st, _ = fsync.GetStatus(tx, time.Now()); return nil })
		return st.AwaitingResults
	}
	if n := awaiting(); n != 1 {
		t.Fatalf("status shows %d packets awaiting results, want 1", n)
	}
	// Release the downstream well after the next drain has started waiting.
	go func() { time.Sleep(1500 * time.Millisecond); close(slow.release) }()
	asks.Store(0)
	patient, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = patient.RunOnce(context.Background())
	if err != nil || rep.Results != 2 {
		t.Fatalf("drain with ResultWait: %+v %v, want the 2 results (validated, check)", rep, err)
	}
	if n := awaiting(); n != 0 {
		t.Fatalf("status shows %d packets awaiting results after they came, want 0", n)
	}
	// Central held the request and answered when the results existed: one empty page,
	// one held request that brings them, one empty page to finish; polling would ask more.
	if n := asks.Load(); n != 3 {
		t.Fatalf("%d results requests, want 3 (central holds the request instead of being polled)", n)
	}
}

// unreadableStore cannot open stored packets: the downstream keeps them queued and retries.
type unreadableStore struct{ central.Store }

func (unreadableStore) OpenPacket(string, string) (io.ReadCloser, error) {
	return nil, errors.New("disk error (test)")
}

// TestHeldResultsRequestEndsWithCentral: a results request that central holds (?wait=)
// while its downstream is busy returns when central stops, instead of keeping the
// shutdown waiting and reading a closed store.
func TestHeldResultsRequestEndsWithCentral(t *testing.T) {
	var asks atomic.Int32 // GET /v1/results requests that reached central
	c := startCentral(t, central.Options{Store: unreadableStore{central.NewMemStore()}, Logf: t.Logf,
		Wrap: countRequests("/v1/results", &asks)})
	term := newTerminal(t)
	enrol(t, term, c, "")
	enqueueCases(t, term, 1, "TESTPERSON NOVEMBER", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON NOVEMBER"}, nil)
	})
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 25 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { _, err := w.RunOnce(context.Background()); errc <- err }()
	for asks.Load() < 2 { // the first page came back empty; the second request is held
		select {
		case err := <-errc:
			t.Fatalf("the drain ended before central held its results request: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if st, _ := central.GetStats(c.srv.Store()); st.Packets != 1 {
		t.Fatalf("central holds %d packets, want the 1 (its downstream cannot read it)", st.Packets)
	}
	stopped := make(chan struct{})
	go func() { c.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(4 * time.Second): // Shutdown's own limit is 5 s
		t.Fatal("central's shutdown waited for the held results request")
	}
	if err := <-errc; err == nil {
		t.Log("the drain ended without an error: central answered before it stopped")
	}
}
