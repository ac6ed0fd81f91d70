package sync_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestUploadExpiredRestartsFromZero: a large upload is cut after two chunks and the
// terminal goes away; central's sweep removes the abandoned upload; when the terminal
// comes back its HEAD gets 404, it creates the upload again and sends the whole packet
// from offset 0, and the packet is delivered with a verified receipt.
func TestUploadExpiredRestartsFromZero(t *testing.T) {
	const chunk = 64 << 10
	var (
		mu       gosync.Mutex
		cnow     = time.Now()
		patches  atomic.Int32
		after    atomic.Bool // the sweep has run
		offsets  []int64     // Upload-Offset of every PATCH after the sweep
		received atomic.Int64
		heads    []int // statuses of HEAD after the sweep
	)
	centralNow := func() time.Time { mu.Lock(); defer mu.Unlock(); return cnow }
	c := startCentral(t, central.Options{Now: centralNow, UploadTTL: time.Hour, Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !after.Load() {
				if r.Method == http.MethodPatch && patches.Add(1) == 3 {
					io.CopyN(io.Discard, r.Body, chunk/2)
					panic(http.ErrAbortHandler) // the connection is cut mid-chunk: the terminal goes away
				}
				h.ServeHTTP(w, r)
				return
			}
			sw := &statusWriter{ResponseWriter: w}
			if r.Method == http.MethodPatch {
				off, _ := strconv.ParseInt(r.Header.Get(fsync.HeaderOffset), 10, 64)
				mu.Lock()
				offsets = append(offsets, off)
				mu.Unlock()
				r.Body = countingBody{r.Body, &received}
			}
			h.ServeHTTP(sw, r)
			if r.Method == http.MethodHead {
				mu.Lock()
				heads = append(heads, sw.status)
				mu.Unlock()
			}
		})
	}})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	ids := enqueueCases(t, term, 1, "TESTPERSON ROMEO", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewEurodacPacket(string(id), time.Now(), make([]byte, 6*chunk), nil)
	})
	size := rows(t, term)[ids[0]].Size
	clk := &fakeClock{now: time.Now()}
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{Now: clk.Now, Sleep: clk.Sleep, ChunkSize: chunk, MaxWait: time.Millisecond})
	if rep, err := w.RunOnce(context.Background()); err != nil || rep.Delivered != 0 || rep.Pending != 1 {
		t.Fatalf("first drain: %+v %v", rep, err)
	}
	if r := rows(t, term)[ids[0]]; r.UploadURL == "" || r.Offset != 2*chunk {
		t.Fatalf("after the cut: upload %q at %d, want two chunks held by central", r.UploadURL, r.Offset)
	}

	mu.Lock()
	cnow = cnow.Add(2 * time.Hour)
	mu.Unlock()
	if n, err := c.srv.SweepUploads(); err != nil || n != 1 {
		t.Fatalf("sweep removed %d (%v), want the abandoned upload", n, err)
	}
	after.Store(true)

	clk.now = clk.now.Add(2 * time.Hour) // past any backoff
	w, _ = fsync.NewWorker(term.v, term.s, fsync.Options{Now: clk.Now, Sleep: clk.Sleep, ChunkSize: chunk, MaxWait: time.Hour})
	rep, err := w.RunOnce(context.Background())
	r := rows(t, term)[ids[0]]
	if err != nil || rep.Delivered != 1 || r.State != fsync.StateDelivered {
		t.Fatalf("after the sweep: %+v %v; row %s %q", rep, err, r.State, r.LastError)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heads) == 0 || heads[0] != http.StatusNotFound {
		t.Fatalf("HEAD statuses after the sweep %v, want 404 first", heads)
	}
	if len(offsets) == 0 || offsets[0] != 0 || received.Load() != size {
		t.Fatalf("after the sweep the terminal sent %d bytes from offsets %v; want all %d from 0", received.Load(), offsets, size)
	}
	if m, err := c.srv.Store().Packet(en.DeviceID, ids[0]); err != nil || m.Size != size {
		t.Fatalf("stored %+v %v", m, err)
	}
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
