package sync_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	gosync "sync"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Central on PostgreSQL beside central on bbolt, in the same run (docs/BENCHMARKS.md).
// Run with -benchtime=1x; the PostgreSQL cluster is pgtest's throw-away one on this
// machine's disk, with PostgreSQL's default durability (fsync, synchronous_commit on).

// benchDrain drains n packets of payload's size from a new terminal to a new central with
// opt and returns the time of the drain (receipts for all).
func benchDrain(b *testing.B, opt central.Options, n int, payload []byte) time.Duration {
	b.Helper()
	c := startCentral(b, opt)
	defer c.stop()
	term := newTerminal(b)
	enrol(b, term, c, "")
	enqueueCases(b, term, n, "TESTPERSON BENCH", func(i int, id vault.CaseID) *fsync.Packet {
		p := fsync.NewCheckPacket(string(id), nil, nil)
		p.Files = []fsync.File{{Name: "x", Data: payload[:len(payload)-1024]}}
		return p
	})
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{})
	t0 := time.Now()
	rep, err := w.RunOnce(context.Background())
	d := time.Since(t0)
	if err != nil || rep.Delivered != n {
		b.Fatalf("%+v %v", rep, err)
	}
	return d
}

// BenchmarkDrainStores200x1MiB drains 200 packets of 1 MiB to a bbolt-backed and to a
// PostgreSQL-backed central (alternating which goes first) and reports both rates and
// their ratio (target pg/bolt >= 0.6).
func BenchmarkDrainStores200x1MiB(b *testing.B) {
	const n, size = 200, 1 << 20
	payload := make([]byte, size)
	rand.Read(payload)
	var bolt, pg time.Duration
	for i := 0; i < b.N; i++ {
		runBolt := func() { bolt += benchDrain(b, central.Options{Rate: 1e6, Burst: 1e6}, n, payload) }
		runPG := func() {
			pg += benchDrain(b, central.Options{Rate: 1e6, Burst: 1e6, Store: openShared(b, migratedDB(b))}, n, payload)
		}
		if i%2 == 0 {
			runBolt()
			runPG()
		} else {
			runPG()
			runBolt()
		}
	}
	mb := float64(n*size*b.N) / 1e6
	b.ReportMetric(mb/bolt.Seconds(), "boltMB/s")
	b.ReportMetric(mb/pg.Seconds(), "pgMB/s")
	b.ReportMetric(bolt.Seconds()/pg.Seconds(), "pg/bolt")
}

// BenchmarkReceipts20Terminals sends 2,000 small packets from 20 terminals at once (100
// each) to one bbolt-backed central, one PostgreSQL-backed central, and two central
// instances on one PostgreSQL database (terminals split between them). It reports the
// throughput (packets with receipts per second, wall clock) and the median and p99
// receipt latency as central sees it: from a PUT's arrival to its receipt.
func BenchmarkReceipts20Terminals(b *testing.B) {
	const terminals, per = 20, 100
	for _, tc := range []struct {
		name      string
		instances int
		pg        bool
	}{{"bolt-1", 1, false}, {"pg-1", 1, true}, {"pg-2", 2, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var all []time.Duration
			var wall time.Duration
			for i := 0; i < b.N; i++ {
				var mu gosync.Mutex
				var lat []time.Duration
				record := func(h http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						t0 := time.Now()
						h.ServeHTTP(w, r)
						if r.Method == http.MethodPut {
							mu.Lock()
							lat = append(lat, time.Since(t0))
							mu.Unlock()
						}
					})
				}
				var db string
				if tc.pg {
					db = migratedDB(b)
				}
				keys := b.TempDir()
				cs := make([]*centralProc, tc.instances)
				for k := range cs {
					opt := central.Options{Rate: 1e6, Burst: 1e6, EnrollRate: 1e6, EnrollBurst: 1e6, Wrap: record}
					if tc.pg {
						opt.Store = openShared(b, db)
					}
					cs[k] = serveCentral(b, keys, "127.0.0.1:0", opt)
				}
				workers := make([]*fsync.Worker, terminals)
				for k := range workers {
					term := newTerminal(b)
					enrol(b, term, cs[k%len(cs)], "")
					enqueueCases(b, term, per, "TESTPERSON BENCH", func(int, vault.CaseID) *fsync.Packet {
						return fsync.NewCheckPacket("", []string{"TESTPERSON BENCH"}, nil)
					})
					workers[k], _ = fsync.NewWorker(term.v, term.s, fsync.Options{})
				}
				var wg gosync.WaitGroup
				errs := make(chan error, terminals)
				t0 := time.Now()
				for _, w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if rep, err := w.RunOnce(context.Background()); err != nil || rep.Delivered != per {
							errs <- fmt.Errorf("%+v %v", rep, err)
						}
					}()
				}
				wg.Wait()
				wall += time.Since(t0)
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				for _, c := range cs {
					c.stop()
				}
				all = append(all, lat...)
			}
			slices.Sort(all)
			q := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(terminals*per*b.N)/wall.Seconds(), "packets/s")
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
		})
	}
}
