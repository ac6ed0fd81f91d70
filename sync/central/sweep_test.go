package central_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// uploadTerminal is an enrolled terminal talking to central through the real client.
type uploadTerminal struct {
	en *fsync.Enrolment
	c  *fsync.Client
}

func newUploadTerminal(t *testing.T, srv *central.Server, url string) *uploadTerminal {
	t.Helper()
	_, en := enrolledTerminal(t, srv, url)
	c, err := fsync.NewClient(en, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdle)
	return &uploadTerminal{en: en, c: c}
}

// row is an outbox row for data as the terminal would sign it (the bytes stand in for a
// sealed packet: central checks digests and signatures, not content, before storing).
func (u *uploadTerminal) row(id string, data []byte) *fsync.Row {
	sum := sha256.Sum256(data)
	sig := ed25519.Sign(ed25519.PrivateKey(u.en.Key), fsync.SignedMessage(id, u.en.DeviceID, sum))
	return &fsync.Row{PacketID: id, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Signature: sig}
}

// start creates an upload and sends its first chunk.
func (u *uploadTerminal) start(t *testing.T, r *fsync.Row, data []byte, chunk int) string {
	t.Helper()
	loc, off, _, done, err := u.c.CreateUpload(context.Background(), r)
	if err != nil || done || off != 0 {
		t.Fatalf("create upload %s: off %d done %v %v", r.PacketID, off, done, err)
	}
	if next, _, done, err := u.c.PatchChunk(context.Background(), loc, 0, data[:chunk]); err != nil || done || next != int64(chunk) {
		t.Fatalf("first chunk of %s: next %d done %v %v", r.PacketID, next, done, err)
	}
	return loc
}

// TestSweepUploads: uploads untouched for longer than UploadTTL (by their part file's
// mtime, or their record's Created without one) and part files without a record are
// removed and counted; an upload the terminal asked about (HEAD) since is kept and
// completes; a terminal asking about a removed upload gets 404 and starts again from 0.
func TestSweepUploads(t *testing.T) {
	clk := &clock{now: time.Now()}
	srv, url := centraltest.Start(t, central.Options{Now: clk.Now, UploadTTL: time.Hour})
	term := newUploadTerminal(t, srv, url)
	dev := term.en.DeviceID
	part := func(pkt string) string { return filepath.Join(srv.Dir(), "uploads", dev+"-"+pkt+".part") }
	const chunk = 32 << 10
	sealed := map[string][]byte{}
	for _, id := range []string{"aaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaa2"} {
		sealed[id] = sealedFor(t, srv, term.en, id, 4*chunk)
	}

	idle := term.row("aaaaaaaaaaaaaaa1", sealed["aaaaaaaaaaaaaaa1"]) // one chunk, then nothing
	idleLoc := term.start(t, idle, sealed[idle.PacketID], chunk)
	busy := term.row("aaaaaaaaaaaaaaa2", sealed["aaaaaaaaaaaaaaa2"]) // one chunk, later asked about again
	busyLoc := term.start(t, busy, sealed[busy.PacketID], chunk)
	// A record from before POST created the part file: it counts from Created.
	legacy := central.Upload{DeviceID: dev, PacketID: "aaaaaaaaaaaaaaa3", Length: 10, SHA256: strings.Repeat("0", 64), Created: clk.Now().Add(-2 * time.Hour)}
	if err := srv.Store().PutUpload(legacy); err != nil {
		t.Fatal(err)
	}
	// Part files without a record (a sweep that crashed between its two deletions): an old
	// one goes, a fresh one stays until it is old too.
	for _, pkt := range []string{"aaaaaaaaaaaaaaa4", "aaaaaaaaaaaaaaa5"} {
		if err := os.WriteFile(part(pkt), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := clk.Now().Add(-3 * time.Hour)
	os.Chtimes(part("aaaaaaaaaaaaaaa4"), old, old)

	clk.Add(50 * time.Minute)
	fresh := clk.Now()
	os.Chtimes(part("aaaaaaaaaaaaaaa5"), fresh, fresh)
	if n, err := srv.SweepUploads(); err != nil || n != 2 {
		t.Fatalf("first sweep removed %d (%v), want the legacy record and the old part file", n, err)
	}
	if off, err := term.c.UploadOffset(context.Background(), busyLoc); err != nil || off != chunk {
		t.Fatalf("HEAD of the busy upload: %d %v", off, err)
	}
	clk.Add(20 * time.Minute) // idle: 70 min untouched; busy: 20 min since its HEAD
	if n, err := srv.SweepUploads(); err != nil || n != 1 {
		t.Fatalf("second sweep removed %d (%v), want the idle upload", n, err)
	}
	for _, pkt := range []string{idle.PacketID, legacy.PacketID, "aaaaaaaaaaaaaaa4"} {
		if _, err := srv.Store().Upload(dev, pkt); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("upload %s: record kept (%v)", pkt, err)
		}
		if _, err := os.Stat(part(pkt)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("upload %s: part file kept (%v)", pkt, err)
		}
	}
	if _, err := os.Stat(part("aaaaaaaaaaaaaaa5")); err != nil {
		t.Errorf("a part file younger than the TTL was removed: %v", err)
	}
	st, err := central.GetStats(srv.Store())
	if err != nil || st.UploadsExpired != 3 {
		t.Fatalf("stats %+v %v, want uploadsExpired 3", st, err)
	}

	// The terminal of the idle upload: HEAD says 404, so it creates the upload again and
	// central holds nothing of it: it starts from 0 and completes.
	var he *fsync.HTTPError
	if _, err := term.c.UploadOffset(context.Background(), idleLoc); !errors.As(err, &he) || he.Status != http.StatusNotFound {
		t.Fatalf("HEAD of a removed upload: %v", err)
	}
	for _, r := range []*fsync.Row{idle, busy} {
		loc, off, _, done, err := term.c.CreateUpload(context.Background(), r)
		want := int64(0)
		if r == busy {
			want = chunk
		}
		if err != nil || done || off != want {
			t.Fatalf("create %s again: offset %d (want %d) %v", r.PacketID, off, want, err)
		}
		data := sealed[r.PacketID]
		for !done {
			n := min(int64(len(data))-off, 64<<10)
			var rec fsync.Signed
			if off, rec, done, err = term.c.PatchChunk(context.Background(), loc, off, data[off:off+n]); err != nil {
				t.Fatalf("upload %s at %d: %v", r.PacketID, off, err)
			}
			if done && len(rec.Signature) == 0 {
				t.Fatal("no receipt")
			}
		}
		if m, err := srv.Store().Packet(dev, r.PacketID); err != nil || m.Size != int64(len(data)) {
			t.Fatalf("stored %s: %+v %v", r.PacketID, m, err)
		}
	}
	if n, err := srv.SweepUploads(); err != nil || n != 0 {
		t.Fatalf("a sweep with nothing stale removed %d (%v)", n, err)
	}
}

// TestSweepRemovesRecordBeforeFile: when the part file cannot be removed the record is
// gone already (never a record whose bytes were deleted), the sweep reports the failure,
// and the next sweep removes the file.
func TestSweepRemovesRecordBeforeFile(t *testing.T) {
	clk := &clock{now: time.Now()}
	srv, err := central.Open(t.TempDir(), central.Options{Now: clk.Now, UploadTTL: time.Hour, Store: central.NewMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const dev, pkt = "devicetestpersonpapa0000000000000", "bbbbbbbbbbbbbbbb"
	if err := srv.Store().PutUpload(central.Upload{DeviceID: dev, PacketID: pkt, Length: 10, Created: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	// A part "file" that os.Remove refuses: a folder with something in it.
	path := filepath.Join(srv.Dir(), "uploads", dev+"-"+pkt+".part")
	if err := os.MkdirAll(filepath.Join(path, "stuck"), 0o700); err != nil {
		t.Fatal(err)
	}
	old := clk.Now().Add(-2 * time.Hour)
	os.Chtimes(path, old, old)
	clk.Add(2 * time.Hour)
	n, err := srv.SweepUploads()
	if err == nil || !strings.Contains(err.Error(), "the next sweep retries") || n != 0 {
		t.Fatalf("sweep with a stuck file: removed %d, %v", n, err)
	}
	if _, err := srv.Store().Upload(dev, pkt); !errors.Is(err, central.ErrNotFound) {
		t.Fatalf("the record must go before the file: %v", err)
	}
	os.Remove(filepath.Join(path, "stuck"))
	os.Chtimes(path, old, old)
	if n, err := srv.SweepUploads(); err != nil || n != 1 {
		t.Fatalf("next sweep: removed %d, %v", n, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("part file left: %v", err)
	}
}

// TestServeSweepsAtStart: an upload abandoned while central was down is removed when it
// serves again, without waiting for the first interval.
func TestServeSweepsAtStart(t *testing.T) {
	logs := make(chan string, 10)
	st := central.NewMemStore()
	const dev, pkt = "devicetestpersonquebec00000000000", "cccccccccccccccc"
	if err := st.PutUpload(central.Upload{DeviceID: dev, PacketID: pkt, Length: 10, Created: time.Now().Add(-25 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	centraltest.Start(t, central.Options{Store: st, Logf: func(f string, a ...any) { logs <- fmt.Sprintf(f, a...) }})
	select {
	case msg := <-logs:
		if !strings.Contains(msg, "removed 1 uploads untouched for more than 24h0m0s") {
			t.Fatalf("log %q", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no sweep at start")
	}
	if _, err := st.Upload(dev, pkt); !errors.Is(err, central.ErrNotFound) {
		t.Fatalf("abandoned upload kept: %v", err)
	}
	if n, _ := st.Counter(central.CounterUploadsExpired); n != 1 {
		t.Fatalf("uploadsExpired %d", n)
	}
}
