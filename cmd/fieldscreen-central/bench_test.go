package main

import (
	"context"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central/pgtest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// BenchmarkInstanceUpload64MiB measures one PostgreSQL-backed central instance alone, in
// its own process, while a terminal uploads a 64 MiB packet in 4 MiB chunks: the peak of
// the instance's heap (go_memstats_heap_alloc_bytes on its /metrics, sampled every 5 ms)
// above its heap just before, in chunks. The instance runs with GOGC=5 so garbage does
// not hide what is live; heap_alloc still counts garbage not yet collected, so the figure
// is an upper bound.
func BenchmarkInstanceUpload64MiB(b *testing.B) {
	const chunk = 4 << 20
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store := pgtest.URL(b)
		keys := filepath.Join(b.TempDir(), "keys")
		runBin(b, "migrate", "--store", store)
		in := startInstances(b, 1, store, keys, "GOGC=5")[0]
		tm := newTerm(b)
		tok := strings.TrimSpace(runBin(b, "token", "create", "--store", store, "--keys", keys))
		if _, err := fsync.Enrol(context.Background(), tm.s, in.url, tok); err != nil {
			b.Fatal(err)
		}
		err := tm.s.Update(func(tx *vault.Tx) error {
			id, err := tx.NewCase()
			if err != nil {
				return err
			}
			_, err = fsync.Enqueue(tx, tm.v.PacketDir(), fsync.NewEurodacPacket(string(id), time.Now(), make([]byte, 64<<20), nil), time.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		w, _ := fsync.NewWorker(tm.v, tm.s, fsync.Options{ChunkSize: chunk})
		heap := func() float64 { return metricValue(get(b, in.metrics), "go_memstats_heap_alloc_bytes") }
		time.Sleep(200 * time.Millisecond)
		base := heap()
		var peak float64
		stop, done := make(chan struct{}), make(chan struct{})
		var mu gosync.Mutex
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
					if h := heap(); h > 0 {
						mu.Lock()
						peak = max(peak, h)
						mu.Unlock()
					}
				}
			}
		}()
		b.StartTimer()
		rep, err := w.RunOnce(context.Background())
		b.StopTimer()
		close(stop)
		<-done
		if err != nil || rep.Delivered != 1 {
			b.Fatalf("%+v %v", rep, err)
		}
		above := peak - base
		b.ReportMetric(above/(1<<20), "MiB-above-baseline")
		b.ReportMetric(above/chunk, "chunks-above-baseline")
		b.StartTimer()
	}
}
