package sync_test

import (
	"context"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/pgtest"
	"github.com/fieldscreen/fieldscreen/vault"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openShared opens a PostgresStore on a new migrated database; call it again with the
// same URL for a second instance's store.
func openShared(t testing.TB, url string) *central.PostgresStore {
	t.Helper()
	st, err := central.OpenPostgres(url)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func migratedDB(t testing.TB) string {
	t.Helper()
	url := pgtest.URL(t)
	pool, err := central.ConnectPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, _, err := central.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return url
}

// TestUploadContinuesOnAnotherInstance: a resumable upload started on one central instance
// goes on where it stopped on the other when the first dies mid-upload (its chunks are in
// the shared database): the second instance receives only the rest, at most one chunk
// again.
func TestUploadContinuesOnAnotherInstance(t *testing.T) {
	const chunk = 64 << 10
	db := migratedDB(t)
	keys := t.TempDir()
	var aPatches, bReceived atomic.Int64
	var a *centralProc
	a = serveCentral(t, keys, "127.0.0.1:0", central.Options{Store: openShared(t, db), Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPatch && aPatches.Add(1) == 4 {
				go a.stop() // the instance dies in the middle of the fourth chunk
				panic(http.ErrAbortHandler)
			}
			h.ServeHTTP(w, r)
		})
	}})
	b := serveCentral(t, keys, "127.0.0.1:0", central.Options{Store: openShared(t, db), Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPatch {
				r.Body = countingBody{r.Body, &bReceived}
			}
			h.ServeHTTP(w, r)
		})
	}})
	term := newTerminal(t)
	en := enrol(t, term, a, a.url+","+b.url)
	ids := enqueueCases(t, term, 1, "TESTPERSON INDIA", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewEurodacPacket(string(id), time.Now(), make([]byte, 10*chunk), nil)
	})
	size := rows(t, term)[ids[0]].Size
	var skew atomic.Int64 // over the circuit breaker's cooldown between rounds
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
		ChunkSize: chunk, BaseBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, MaxWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; rows(t, term)[ids[0]].State != fsync.StateDelivered; round++ {
		if round == 10 {
			r := rows(t, term)[ids[0]]
			t.Fatalf("not delivered after 10 rounds: %s %s", r.State, r.LastError)
		}
		w.RunOnce(context.Background())
		skew.Add(int64(31 * time.Second))
	}
	if aPatches.Load() < 4 {
		t.Fatalf("the first instance saw %d PATCHes: it never died mid-upload", aPatches.Load())
	}
	// The first instance stored 3 chunks; the second needs the other 7 (and at most the
	// cut chunk once more), not the whole packet.
	if got := bReceived.Load(); got > size-3*chunk || got < size-4*chunk {
		t.Fatalf("the second instance received %d of %d bytes: the upload did not continue where it stopped", got, size)
	}
	m, err := b.srv.Store().Packet(en.DeviceID, ids[0])
	if err != nil || m.Size != size {
		t.Fatalf("stored %+v %v", m, err)
	}
	if _, err := os.Stat(keys + "/uploads"); err == nil {
		t.Fatal("upload bytes went to files in the keys folder, not to the shared database")
	}
	var n int
	b.srv.Store().Uploads(func(central.Upload) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d uploads left after completion", n)
	}
	// The packet owns the upload's chunk rows (one per PATCH), adopted, not copied into
	// new 1 MiB rows; nothing else is left.
	pool, err := central.ConnectPostgres(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var rows, total int64
	if err := pool.QueryRow(context.Background(), `SELECT count(*), coalesce(sum(length(data)), 0) FROM chunks`).Scan(&rows, &total); err != nil {
		t.Fatal(err)
	}
	if total != size || rows != (size+chunk-1)/chunk {
		t.Fatalf("%d chunk rows holding %d bytes; want the upload's %d rows holding the packet's %d", rows, total, (size+chunk-1)/chunk, size)
	}
}
