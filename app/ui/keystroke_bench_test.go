package ui

import (
	"context"
	"net"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// BenchmarkKeystrokeDuringSync types into the identity step's surname field while the
// worker drains 40 queued cases to an in-process central over mutual TLS, and beside it the
// same typing with nothing in the background. Reported: the median and the worst keystroke
// (the target is 16 ms, one frame), and the ratio of the medians.
func BenchmarkKeystrokeDuringSync(b *testing.B) {
	srv, err := central.Open(b.TempDir(), central.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Serve(ctx, ln)
	defer func() { cancel(); srv.Close() }()

	cfg := benchVault(b, 0)
	test.NewTempApp(b)
	runAsync = func(work, done func()) { work(); done() }
	term, err := app.OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		b.Fatal(err)
	}
	defer term.Close()
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1100, 720))
	u := New(w, term)
	u.Start()
	s, err := term.Unlock("sup1", []byte(supPass))
	if err != nil {
		b.Fatal(err)
	}
	u.sess = s
	tok, _ := srv.CreateToken()
	if err := s.Enrol(context.Background(), "https://"+ln.Addr().String(), tok); err != nil {
		b.Fatal(err)
	}
	u.showNewCase()
	u.openCase.Step(1)
	field := entries(w)[0]

	typeN := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			field.SetText("")
			start := time.Now()
			test.Type(field, "T")
			out[i] = time.Since(start)
		}
		return out
	}
	queue := func() {
		cs := make([]*forms.Case, 40)
		for i := range cs {
			cs[i] = &forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: time.Now()},
				Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"KEYSTROKE"}}}
		}
		ids, err := s.CreateCases(cs)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			if _, err := s.Submit(id); err != nil {
				b.Fatal(err)
			}
		}
	}
	var quiet, busyDur []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		quiet = append(quiet, typeN(200)...)
		queue()
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, err := s.SyncOnce(context.Background()); err != nil {
				b.Error(err)
			}
		}()
		for draining := true; draining; {
			busyDur = append(busyDur, typeN(20)...)
			select {
			case <-done:
				draining = false
			default:
			}
		}
	}
	b.StopTimer()
	med := func(d []time.Duration) (time.Duration, time.Duration) {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2], d[len(d)-1]
	}
	qm, _ := med(quiet)
	bm, bmax := med(busyDur)
	p99 := busyDur[len(busyDur)*99/100]
	over := 0
	for _, d := range busyDur {
		if d > 16*time.Millisecond {
			over++
		}
	}
	b.ReportMetric(float64(p99.Microseconds())/1000, "ms/p99-key")
	b.ReportMetric(100*float64(over)/float64(len(busyDur)), "%keys>16ms")
	b.ReportMetric(float64(bm.Microseconds())/1000, "ms/key-during-sync")
	b.ReportMetric(float64(bmax.Microseconds())/1000, "ms/worst-key")
	b.ReportMetric(float64(qm.Microseconds())/1000, "ms/key-quiet")
	b.ReportMetric(float64(bm)/float64(qm), "ratio")
}
