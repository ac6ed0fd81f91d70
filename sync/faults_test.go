package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// faultProxy is a TCP proxy that injects a fault per connection: drop, reset, long delay,
// a response cut after some bytes (central stored the packet but the answer is lost).
type faultProxy struct {
	ln     net.Listener
	target string
	mu     gosync.Mutex
	rng    *rand.Rand
	faults map[string]int
	on     atomic.Bool
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, rng: rand.New(rand.NewPCG(7, 9)), faults: map[string]int{}}
	p.on.Store(true)
	go p.serve()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *faultProxy) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.faults {
		out[k] = v
	}
	return out
}

func (p *faultProxy) pick() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on.Load() {
		return "pass"
	}
	kinds := []string{"pass", "pass", "drop", "reset", "delay", "cut-response", "cut-response", "cut-request"}
	k := kinds[p.rng.IntN(len(kinds))]
	p.faults[k]++
	return k
}

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *faultProxy) handle(c net.Conn) {
	defer c.Close()
	kind := p.pick()
	switch kind {
	case "drop":
		return
	case "reset":
		c.(*net.TCPConn).SetLinger(0)
		return
	case "delay":
		time.Sleep(700 * time.Millisecond)
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	// Even a "pass" connection dies after a random number of bytes, so the client keeps
	// opening new connections (each with its own fault) and cuts land at random points.
	p.mu.Lock()
	budget := 20_000 + int64(p.rng.IntN(300_000))
	p.mu.Unlock()
	up, downLimit := budget, budget
	switch kind {
	case "cut-request":
		up = 1500 + int64(rand.IntN(4000))
	case "cut-response":
		downLimit = 2500 + int64(rand.IntN(3000)) // handshake passes, the answer is cut
	}
	done := make(chan struct{}, 2)
	go func() { io.CopyN(s, c, up); done <- struct{}{} }()
	go func() { io.CopyN(c, s, downLimit); done <- struct{}{} }()
	<-done
}

// httpFaults answers some requests with 500 or 503 + Retry-After before central sees them,
// and some after central stored the packet (the receipt is replaced by a 502).
func httpFaults(seed uint64) func(http.Handler) http.Handler {
	var mu gosync.Mutex
	rng := rand.New(rand.NewPCG(seed, 1))
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n := rng.IntN(10)
			mu.Unlock()
			if r.URL.Path == "/v1/enroll" || r.URL.Path == "/v1/time" {
				n = 9 // let probes through mostly; the TCP proxy already fails some
			}
			switch n {
			case 0:
				w.Header().Set("Retry-After", "3")
				http.Error(w, "busy", http.StatusServiceUnavailable)
			case 1:
				http.Error(w, "boom", http.StatusInternalServerError)
			case 2: // stored, answer lost
				h.ServeHTTP(discard{}, r)
				http.Error(w, "bad gateway", http.StatusBadGateway)
			default:
				h.ServeHTTP(w, r)
			}
		})
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// TestFaults: through a proxy that drops, resets, delays and cuts connections, and a
// central that answers 500/503 with Retry-After or loses answers after storing, every
// packet ends up stored exactly once, the terminal holds a verified receipt for each, and
// nothing stays stuck. Small packets use PUT, large ones resumable uploads.
func TestFaults(t *testing.T) {
	c := startCentral(t, central.Options{Wrap: httpFaults(3)})
	proxy := newFaultProxy(t, c.addr)
	term := newTerminal(t)
	proxy.on.Store(false)
	enrol(t, term, c, "https://"+proxy.ln.Addr().String())
	proxy.on.Store(true)
	const n = 30
	ids := enqueueCases(t, term, n, "TESTPERSON DELTA", func(i int, id vault.CaseID) *fsync.Packet {
		p := fsync.NewCheckPacket(string(id), []string{"TESTPERSON DELTA"}, nil)
		size := 2 << 10
		if i%10 == 0 {
			size = 200 << 10 // resumable upload in 64 KiB chunks
		}
		p.Files = []fsync.File{{Name: "pad", Data: make([]byte, size)}}
		return p
	})
	clk := &fakeClock{now: time.Now()}
	var retryAfterSeen atomic.Int64
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{
		Now: clk.Now, Sleep: func(ctx context.Context, d time.Duration) error {
			if d >= 3*time.Second {
				retryAfterSeen.Add(1)
			}
			return clk.Sleep(ctx, d)
		},
		ChunkSize: 64 << 10, Timeout: 3 * time.Second, MaxWait: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for runs := 1; ; runs++ {
		rep, err := w.RunOnce(context.Background())
		if err != nil && !strings.Contains(err.Error(), "pull") && !strings.Contains(err.Error(), "checkpoint") {
			t.Fatalf("run %d: %v", runs, err)
		}
		if rep.Pending == 0 && err == nil {
			t.Logf("drained in %d runs; proxy faults %v", runs, proxy.counts())
			break
		}
		if time.Now().After(deadline) {
			for _, r := range rows(t, term) {
				t.Logf("%s %s attempts %d: %s", r.PacketID, r.State, r.Attempts, r.LastError)
			}
			t.Fatalf("queue stuck after %d runs: %+v", runs, rep)
		}
		clk.now = clk.now.Add(time.Minute) // as if the next scheduled run came
	}
	rs := rows(t, term)
	for _, id := range ids {
		if rs[id].State != fsync.StateDelivered || len(rs[id].Receipt) == 0 {
			t.Fatalf("packet %s: %s %s", id, rs[id].State, rs[id].LastError)
		}
	}
	st, err := central.GetStats(c.srv.Store())
	if err != nil || st.Packets != n || st.Conflicts != 0 {
		t.Fatalf("central stats %+v %v", st, err)
	}
	t.Logf("central: %+v, waits of 3 s or more: %d", st, retryAfterSeen.Load())
	if f := proxy.counts(); f["cut-response"] == 0 || f["reset"] == 0 {
		t.Fatalf("the proxy injected too few faults to mean anything: %v", f)
	}
}

// TestRefusals: a tampered packet, a wrong client certificate, a revoked terminal and an
// unknown enrolment token are each refused with a reason the terminal shows.
func TestRefusals(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")

	t.Run("unknown token", func(t *testing.T) {
		tok, _ := c.srv.CreateToken()
		parts := strings.Split(tok, ".")
		forged := parts[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA." + parts[2]
		_, err := fsync.Enrol(context.Background(), newTerminal(t).s, c.url, forged)
		if err == nil || !strings.Contains(err.Error(), "unknown enrolment token") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("tampered packet", func(t *testing.T) {
		ids := enqueueCases(t, term, 2, "TESTPERSON ECHO", func(i int, id vault.CaseID) *fsync.Packet {
			return fsync.NewCheckPacket(string(id), []string{"TESTPERSON ECHO"}, nil)
		})
		// 1: bytes altered on disk (digest no longer matches what was signed).
		path := fsync.PacketPath(term.v.PacketDir(), ids[0])
		b, _ := os.ReadFile(path)
		b[len(b)-1] ^= 1
		os.WriteFile(path, b, 0o600)
		// 2: digest recomputed by an attacker, but the signature is the old one.
		term.s.Update(func(tx *vault.Tx) error {
			raw, _ := tx.Get(vault.Sync, "outbox", ids[1])
			var r fsync.Row
			json.Unmarshal(raw, &r)
			r.SHA256 = strings.Repeat("ab", 32)
			raw, _ = json.Marshal(r)
			return tx.Put(vault.Sync, "outbox", ids[1], raw)
		})
		w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond})
		rep, err := w.RunOnce(context.Background())
		if err != nil || rep.Refused != 2 {
			t.Fatalf("%+v %v", rep, err)
		}
		var st fsync.Status
		term.s.View(func(tx *vault.Tx) error { st, _ = fsync.GetStatus(tx, time.Now()); return nil })
		reasons := map[string]string{}
		for _, r := range st.Refused {
			reasons[r.PacketID] = r.Reason
		}
		if !strings.Contains(reasons[ids[0]], "does not match Content-Digest") || !strings.Contains(reasons[ids[1]], "signature does not verify") {
			t.Fatalf("reasons %q", reasons)
		}
		// the rows keep central's problem code, for the app to say what the officer can do
		if rs := rows(t, term); rs[ids[0]].Problem != "digest-mismatch" || rs[ids[1]].Problem != "signature-invalid" {
			t.Fatalf("problems %q, %q; want digest-mismatch, signature-invalid", rs[ids[0]].Problem, rs[ids[1]].Problem)
		}
		// Refused before anything is stored: no metadata, no packet file, no receipt.
		for _, id := range ids {
			if _, err := c.srv.Store().Packet(en.DeviceID, id); !errors.Is(err, central.ErrNotFound) {
				t.Fatalf("central stored refused packet %s: %v", id, err)
			}
			if _, err := c.srv.Store().OpenPacket(en.DeviceID, id); err == nil {
				t.Fatalf("central keeps bytes of refused packet %s", id)
			}
		}
	})
	t.Run("wrong client certificate", func(t *testing.T) {
		// A terminal enrolled with another central presents a certificate this CA never issued.
		other := startCentral(t, central.Options{})
		t2 := newTerminal(t)
		en2 := enrol(t, t2, other, "")
		en2.Central, en2.CA, en2.ServerPin = en.Central, en.CA, en.ServerPin
		raw, _ := json.Marshal(en2)
		t2.s.Update(func(tx *vault.Tx) error { return tx.Put(vault.Sync, "terminal", "enrolment", raw) })
		w, err := fsync.NewWorker(t2.v, t2.s, fsync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := w.RunOnce(context.Background())
		if err != nil || rep.Offline == nil || !strings.Contains(rep.Offline.Error(), "refused this terminal's TLS certificate") {
			t.Fatalf("%+v %v", rep, err)
		}
	})
	t.Run("central key not the pinned one", func(t *testing.T) {
		t3 := newTerminal(t)
		en3 := enrol(t, t3, c, "")
		en3.ServerPin = strings.Repeat("0", 64)
		raw, _ := json.Marshal(en3)
		t3.s.Update(func(tx *vault.Tx) error { return tx.Put(vault.Sync, "terminal", "enrolment", raw) })
		w, _ := fsync.NewWorker(t3.v, t3.s, fsync.Options{})
		rep, err := w.RunOnce(context.Background())
		if err != nil || rep.Offline == nil || !errors.Is(rep.Offline, fsync.ErrPinMismatch) {
			t.Fatalf("%+v %v", rep, err)
		}
	})
	t.Run("revoked terminal", func(t *testing.T) {
		if err := c.srv.RevokeDevice(en.DeviceID, "reported stolen"); err != nil {
			t.Fatal(err)
		}
		w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{})
		rep, err := w.RunOnce(context.Background())
		var he *fsync.HTTPError
		if err != nil || rep.Offline == nil || !errors.As(rep.Offline, &he) || he.Problem.Code != "revoked" ||
			!strings.Contains(rep.Offline.Error(), "reported stolen") {
			t.Fatalf("%+v %v", rep, err)
		}
	})
}

// TestRetryAfterAndBackoff: a 503 with Retry-After: 120 delays the packet by at least that;
// plain failures back off with full jitter, never beyond the 10 min cap.
func TestRetryAfterAndBackoff(t *testing.T) {
	var mode atomic.Int32 // 0: 503 + Retry-After, 1: 500
	c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/v1/packets/") {
				h.ServeHTTP(w, r)
				return
			}
			if mode.Load() == 0 {
				w.Header().Set("Retry-After", "120")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			http.Error(w, "boom", http.StatusInternalServerError)
		})
	}})
	term := newTerminal(t)
	enrol(t, term, c, "")
	ids := enqueueCases(t, term, 1, "TESTPERSON FOXTROT", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON FOXTROT"}, nil)
	})
	clk := &fakeClock{now: time.Now()}
	start := clk.now
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{Now: clk.Now, Sleep: clk.Sleep, MaxWait: time.Second,
		Rand: func() float64 { return 0.999 }})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Pending != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	r := rows(t, term)[ids[0]]
	if got := r.NextAttempt.Sub(start); got < 120*time.Second {
		t.Fatalf("next attempt after %v, want >= Retry-After 120s", got)
	}
	mode.Store(1)
	for i := 0; i < 12; i++ {
		clk.now = rows(t, term)[ids[0]].NextAttempt
		w.RunOnce(context.Background())
	}
	r = rows(t, term)[ids[0]]
	if d := r.NextAttempt.Sub(clk.now); d > fsync.DefaultMaxBackoff || r.State != fsync.StatePending {
		t.Fatalf("backoff %v beyond the cap or row %s", d, r.State)
	}
	for _, tc := range []struct {
		attempt int
		max     time.Duration
	}{{1, 2 * time.Second}, {2, 4 * time.Second}, {5, 32 * time.Second}, {12, 10 * time.Minute}, {40, 10 * time.Minute}} {
		if got := fsync.Backoff(tc.attempt, 2*time.Second, 10*time.Minute, func() float64 { return 0.9999 }); got > tc.max || got < tc.max*99/100 {
			t.Errorf("Backoff(%d) at the top of the jitter = %v, want just under %v", tc.attempt, got, tc.max)
		}
		if got := fsync.Backoff(tc.attempt, 2*time.Second, 10*time.Minute, func() float64 { return 0 }); got != 0 {
			t.Errorf("full jitter starts at 0, got %v", got)
		}
	}
	var st fsync.Status
	term.s.View(func(tx *vault.Tx) error { st, _ = fsync.GetStatus(tx, clk.now); return nil })
	if st.Pending != 1 || st.LastContact == nil {
		t.Fatalf("status %+v", st)
	}
}
