package sync_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// TestResumeResendsAtMostOneChunk: a large packet goes up in chunks; the connection is cut
// once mid-chunk (central never stores it) or after central stored a chunk (the answer is
// lost). Either way the upload resumes from central's offset and the bytes central reads in
// total exceed the packet by at most one chunk.
func TestResumeResendsAtMostOneChunk(t *testing.T) {
	const chunk = 64 << 10
	for _, cut := range []string{"mid-request", "after-store"} {
		t.Run(cut, func(t *testing.T) {
			var patches, received atomic.Int64
			c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodPatch {
						h.ServeHTTP(w, r)
						return
					}
					r.Body = countingBody{r.Body, &received}
					if patches.Add(1) != 4 {
						h.ServeHTTP(w, r)
						return
					}
					if cut == "mid-request" {
						io.CopyN(io.Discard, r.Body, chunk/2)
					} else {
						h.ServeHTTP(discard{}, r)
					}
					panic(http.ErrAbortHandler) // the connection is cut
				})
			}})
			term := newTerminal(t)
			en := enrol(t, term, c, "")
			ids := enqueueCases(t, term, 1, "TESTPERSON HOTEL", func(i int, id vault.CaseID) *fsync.Packet {
				p := fsync.NewEurodacPacket(string(id), time.Now(), make([]byte, 10*chunk), nil)
				return p
			})
			size := rows(t, term)[ids[0]].Size
			clk := &fakeClock{now: time.Now()}
			w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{Now: clk.Now, Sleep: clk.Sleep, ChunkSize: chunk, MaxWait: time.Hour})
			rep, err := w.RunOnce(context.Background())
			if err != nil || rep.Delivered != 1 {
				r := rows(t, term)[ids[0]]
				t.Fatalf("%+v %v; row %s %s", rep, err, r.State, r.LastError)
			}
			extra := received.Load() - size
			t.Logf("packet %d bytes, central read %d (%d extra), %d PATCHes", size, received.Load(), extra, patches.Load())
			if extra > chunk {
				t.Fatalf("resume re-sent %d bytes, more than one chunk (%d)", extra, chunk)
			}
			if m, err := c.srv.Store().Packet(en.DeviceID, ids[0]); err != nil || m.Size != size {
				t.Fatalf("stored %+v %v", m, err)
			}
			if entries, _ := os.ReadDir(c.dir + "/uploads"); len(entries) != 0 {
				t.Fatalf("upload leftovers: %v", entries)
			}
		})
	}
}

// TestOrphansAndMissingFiles: a sealed file whose transaction never committed is removed at
// start; a row whose file vanished is reported, never silently dropped.
func TestOrphansAndMissingFiles(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	enrol(t, term, c, "")
	// A transaction that fails after Enqueue wrote the file: the row rolls back, the file stays.
	err := term.s.Update(func(tx *vault.Tx) error {
		if _, err := fsync.Enqueue(tx, term.v.PacketDir(), fsync.NewCheckPacket("", []string{"TESTPERSON INDIA"}, nil), time.Now()); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	})
	if err != io.ErrUnexpectedEOF {
		t.Fatal(err)
	}
	ids := enqueueCases(t, term, 2, "TESTPERSON INDIA", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON INDIA"}, nil)
	})
	os.Remove(fsync.PacketPath(term.v.PacketDir(), ids[1]))
	before, _ := os.ReadDir(term.v.PacketDir())
	if len(before) != 2 {
		t.Fatalf("want the orphan and one good file, have %d", len(before))
	}
	cons, err := fsync.CleanOrphans(term.s, term.v.PacketDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(cons.RemovedOrphans) != 1 || len(cons.MissingFiles) != 1 || cons.MissingFiles[0] != ids[1] {
		t.Fatalf("%+v", cons)
	}
	after, _ := os.ReadDir(term.v.PacketDir())
	if len(after) != 1 || !strings.HasPrefix(after[0].Name(), ids[0]) {
		t.Fatalf("left %v", after)
	}
	// The row with no file stays pending with the reason; the other one is delivered.
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs := rows(t, term)
	if rs[ids[0]].State != fsync.StateDelivered || rs[ids[1]].State != fsync.StatePending || !strings.Contains(rs[ids[1]].LastError, "sealed file missing") || rs[ids[1]].Problem != fsync.ProblemSealedMissing {
		t.Fatalf("states %s %s (%s)", rs[ids[0]].State, rs[ids[1]].State, rs[ids[1]].LastError)
	}
	// A crash between the receipt's commit and the file's removal leaves a delivered copy:
	// the next start removes it.
	left := fsync.PacketPath(term.v.PacketDir(), ids[0])
	os.WriteFile(left, []byte("sealed"), 0o600)
	if _, err := fsync.CleanOrphans(term.s, term.v.PacketDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("delivered packet's file kept: %v", err)
	}
}

// TestUrgentBetweenChunks: while a large upload runs, a Eurodac packet queued meanwhile is
// sent between two of its chunks instead of waiting for the whole upload.
func TestUrgentBetweenChunks(t *testing.T) {
	const chunk = 64 << 10
	var term *terminal
	var (
		seq     []string
		patches int
		urgent  string
	)
	c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodPatch:
				seq = append(seq, "PATCH")
				patches++
				if patches == 2 {
					ids := enqueueCases(t, term, 1, "TESTPERSON KILO", func(int, vault.CaseID) *fsync.Packet {
						return fsync.NewEurodacPacket("", time.Now(), []byte("small"), nil)
					})
					urgent = ids[0]
				}
			case http.MethodPut:
				seq = append(seq, "PUT")
			}
			h.ServeHTTP(w, r)
		})
	}})
	term = newTerminal(t)
	enrol(t, term, c, "")
	enqueueCases(t, term, 1, "TESTPERSON KILO", func(int, vault.CaseID) *fsync.Packet {
		p := &fsync.Packet{Header: fsync.Header{Kind: fsync.KindScreeningForm, Priority: fsync.P1}, Body: []byte(`{}`),
			Files: []fsync.File{{Name: "scan.pdf", Data: make([]byte, 6*chunk)}}}
		return p
	})
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{ChunkSize: chunk})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	got := strings.Join(seq, " ")
	if got != "PATCH PATCH PUT PATCH PATCH PATCH PATCH PATCH" {
		t.Fatalf("request order %q: the urgent packet must go right after the chunk in flight", got)
	}
	if rows(t, term)[urgent].State != fsync.StateDelivered {
		t.Fatal("urgent packet not delivered")
	}
}

// TestLostUploadStartsAgain: central answers a PATCH with 404 (the upload was swept, or
// completed with the answer lost). The packet is not refused: the upload starts again and
// the packet is delivered once.
func TestLostUploadStartsAgain(t *testing.T) {
	const chunk = 64 << 10
	var patches int
	c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPatch {
				if patches++; patches == 2 {
					http.Error(w, `{"title":"no such upload"}`, http.StatusNotFound)
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}})
	term := newTerminal(t)
	enrol(t, term, c, "")
	ids := enqueueCases(t, term, 1, "TESTPERSON LIMA", func(int, vault.CaseID) *fsync.Packet {
		return &fsync.Packet{Header: fsync.Header{Kind: fsync.KindScreeningForm, Priority: fsync.P1}, Body: []byte(`{}`),
			Files: []fsync.File{{Name: "scan.pdf", Data: make([]byte, 4*chunk)}}}
	})
	clk := &fakeClock{now: time.Now()}
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{ChunkSize: chunk, Now: clk.Now, Sleep: clk.Sleep})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 1 || rep.Refused != 0 {
		t.Fatalf("%+v %v: the packet must be delivered after its upload starts again", rep, err)
	}
	if r := rows(t, term)[ids[0]]; r.State != fsync.StateDelivered || r.Attempts < 2 {
		t.Fatalf("row %s after %d attempts (%s)", r.State, r.Attempts, r.LastError)
	}
	if st, _ := central.GetStats(c.srv.Store()); st.Packets != 1 {
		t.Fatalf("central holds %d packets", st.Packets)
	}
}

// TestPacketsOverCentralsLimitGoAsUploads: central accepts smaller PUTs than the terminal
// assumed (413); those packets switch to resumable uploads and are delivered in the same
// drain, while the others go on as PUTs. Six 3 MiB packets switch: more than the send
// window's 16 MiB, so the window's byte count must not keep them after they settle as
// uploads (the small packets after them would wait forever).
func TestPacketsOverCentralsLimitGoAsUploads(t *testing.T) {
	c := startCentral(t, central.Options{MaxPacket: 1 << 20})
	term := newTerminal(t)
	enrol(t, term, c, "")
	enqueueCases(t, term, 8, "TESTPERSON PAPA", func(i int, id vault.CaseID) *fsync.Packet {
		size := 1 << 10
		if i < 6 {
			size = 3 << 20 // over central's limit, under the terminal's chunk size
		}
		return &fsync.Packet{Header: fsync.Header{Kind: fsync.KindScreeningForm, Priority: fsync.P1}, Body: []byte(`{}`),
			Files: []fsync.File{{Name: "scan.pdf", Data: make([]byte, size)}}}
	})
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 8 || rep.Refused != 0 || rep.Pending != 0 {
		t.Fatalf("%+v %v: every packet must be delivered, the large ones as uploads", rep, err)
	}
	chunked := 0
	for _, r := range rows(t, term) {
		if r.Chunked {
			chunked++
		}
	}
	if chunked != 6 {
		t.Fatalf("%d packets switched to uploads, want the 6 over central's limit", chunked)
	}
}
