package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// pairedSims returns the simulated scanner and camera, paired by the technician.
func pairedSims(t testing.TB, tech *Session, seed int64) (scanner, camera hardware.Device) {
	t.Helper()
	scanner = sim.New(hardware.Finger, sim.Options{Seed: seed})
	camera = sim.New(hardware.Face, sim.Options{Seed: seed})
	for _, d := range []hardware.Device{scanner, camera} {
		if err := tech.PairDevice(d.Identity(), 80); err != nil {
			t.Fatal(err)
		}
	}
	return scanner, camera
}

// wsqAvailable reports whether the app's WSQ hook (app/wsq.go) encodes, so the test can
// say exactly what blocks the Eurodac half of a submission.
func wsqAvailable(t testing.TB) bool {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	_, err := encodeWSQ(buf.Bytes(), 500)
	return err == nil
}

func TestDemoIdentityDeterministicAndSynthetic(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 60; i++ {
		a, b := DemoName(42, i), DemoName(42, i)
		if a != b {
			t.Fatalf("person %d: %q then %q for the same seed", i, a, b)
		}
		if !strings.HasPrefix(a, "TESTPERSON ") {
			t.Fatalf("person %d: %q does not look synthetic", i, a)
		}
		if seen[a] {
			t.Fatalf("person %d: %q repeats", i, a)
		}
		seen[a] = true
	}
	if DemoName(42, 0) == DemoName(43, 0) {
		t.Fatalf("seeds 42 and 43 give the same first person %q", DemoName(42, 0))
	}
	now := time.Now()
	for i := 0; i < 60; i++ {
		c := demoCase(7, i, now)
		if ps := c.Validate(now); len(ps.Blocking()) > 0 {
			t.Fatalf("demo case %d invalid: %v", i, ps)
		}
		if c.IsMinor(now) {
			t.Fatalf("demo case %d is a minor (needs a companion before capture)", i)
		}
	}
}

func TestSeedDemoRejectsBadInput(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	scanner, camera := pairedSims(t, tech, 1)
	if _, err := off.SeedDemo(context.Background(), 1, 1, scanner, camera); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("seeding on a terminal that is not enrolled: %v, want ErrNotEnrolled", err)
	}
	if rows, _ := off.CaseRows(); len(rows) != 0 {
		t.Fatalf("a refused seed left %d cases", len(rows))
	}
	enrolled(t, off)
	for _, n := range []int{0, -1, MaxDemoCases + 1} {
		if ids, err := off.SeedDemo(context.Background(), n, 1, scanner, camera); !errors.Is(err, ErrDemoCount) || len(ids) != 0 {
			t.Errorf("n=%d: %v %v, want ErrDemoCount", n, ids, err)
		}
	}
	if _, err := off.SeedDemo(context.Background(), 1, 1, nil, camera); err == nil {
		t.Error("seeded without a scanner")
	}
	// unpaired devices are refused by the capture service, and the error names the case
	other := sim.New(hardware.Finger, sim.Options{Seed: 1, Serial: "SIM-UNPAIRED"})
	ids, err := off.SeedDemo(context.Background(), 2, 1, other, camera)
	if !errors.Is(err, hardware.ErrNotPaired) || len(ids) != 1 || !strings.Contains(err.Error(), "demo case 1 of 2") {
		t.Fatalf("unpaired scanner: ids %v, err %v", ids, err)
	}
}

// checkSeeded fails the test on a SeedDemo error, naming the missing WSQ encoder when that
// is what stopped the Eurodac transaction.
func checkSeeded(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !wsqAvailable(t) && strings.Contains(err.Error(), "WSQ") {
		t.Fatalf("BLOCKED: app.encodeWSQ (app/wsq.go) cannot encode, so Submit cannot build the Eurodac transaction: %v", err)
	}
	t.Fatal(err)
}

// enrolled enrols a session with a fresh in-process central.
func enrolled(t *testing.T, s *Session, watch ...string) {
	t.Helper()
	srv, url := startCentral(t, watch)
	enrolAt(t, s, srv, url)
}

// enrolAt enrols the session's terminal with the central serving at url.
func enrolAt(t testing.TB, s *Session, srv *central.Server, url string) {
	t.Helper()
	tok, err := srv.CreateToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
}

// TestSeedDemo: three complete screenings, each with ten captured fingers (lossless PNG and
// WSQ stored), a face, pending security checks and both packets queued in the outbox.
func TestSeedDemo(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	enrolled(t, off)
	scanner, camera := pairedSims(t, tech, 5)
	ids, err := off.SeedDemo(context.Background(), 3, 5, scanner, camera)
	checkSeeded(t, err)
	if len(ids) != 3 {
		t.Fatalf("%d cases, want 3", len(ids))
	}
	rows, err := off.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[vault.CaseID]map[string]int{}
	for _, r := range rows {
		if r.State != fsync.StatePending {
			t.Errorf("packet %s state %s, want pending", r.PacketID, r.State)
		}
		if kinds[vault.CaseID(r.CaseID)] == nil {
			kinds[vault.CaseID(r.CaseID)] = map[string]int{}
		}
		kinds[vault.CaseID(r.CaseID)][r.Kind]++
	}
	for i, id := range ids {
		c, err := off.Case(id)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(append(c.Identity.Surnames, c.Identity.GivenNames...), " "), DemoName(5, i); got != want {
			t.Errorf("case %d name %q, want %q", i, got, want)
		}
		if len(c.Documents) != 1 || c.Health.Result == "" || !c.Vulnerability.Checked || c.Referral.To == "" || c.Info.LeafletLanguage == "" {
			t.Errorf("case %d incomplete: docs %d health %q vuln %v referral %q leaflet %q", i, len(c.Documents), c.Health.Result, c.Vulnerability.Checked, c.Referral.To, c.Info.LeafletLanguage)
		}
		captured := 0
		for _, f := range c.Biometrics.Fingers {
			if f.Status != forms.FingerCaptured {
				continue
			}
			captured++
			for _, ext := range []string{"png", "wsq"} {
				b, err := off.BiometricImage(id, fingerRecord(int(f.Position), ext))
				if err != nil || len(b) < 100 {
					t.Errorf("case %d finger %d: no %s record (%d bytes, %v)", i, f.Position, ext, len(b), err)
				}
			}
		}
		if captured != 10 || c.Biometrics.Face.Status != forms.FaceCaptured {
			t.Errorf("case %d: %d fingers captured, face %q", i, captured, c.Biometrics.Face.Status)
		}
		if want := forms.QueriedSystems(c); len(c.PendingChecks()) != len(want) {
			t.Errorf("case %d: pending checks %v, want all of %v", i, c.PendingChecks(), want)
		}
		if c.Eurodac.Reference == "" {
			t.Errorf("case %d: no Eurodac reference after submit", i)
		}
		if k := kinds[id]; k[fsync.KindSecurityCheck] != 1 || k[fsync.KindEurodac] != 1 {
			t.Errorf("case %d packets %v, want one check and one eurodac", i, k)
		}
	}
	// the same seed on another terminal gives the same people
	term2 := newTestTerminal(t, time.Hour)
	tech2, off2 := staff(t, term2)
	enrolled(t, off2)
	s2, c2 := pairedSims(t, tech2, 5)
	ids2, err := off2.SeedDemo(context.Background(), 1, 5, s2, c2)
	checkSeeded(t, err)
	a, _ := off.Case(ids[0])
	b, _ := off2.Case(ids2[0])
	if a.DisplayName() != b.DisplayName() || a.Documents[0].Number != b.Documents[0].Number {
		t.Errorf("seed 5 gave %q/%s then %q/%s", a.DisplayName(), a.Documents[0].Number, b.DisplayName(), b.Documents[0].Number)
	}
}

// TestSeedDemoSyncAndPurge: seeded cases drain to an in-process central over mutual TLS;
// a watch-listed demo person comes back as a hit; after the grace period (the session's
// clock is moved past it) the next sync still keeps every case: their packets have
// receipts, but the screenings have not ended (no referral, no screening form sent), so
// the retention rule (forms.Case.MayPurge) does not let them go. Before that rule, sync
// purged them here.
func TestSeedDemoSyncAndPurge(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	enrolled(t, off, DemoName(9, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	scanner, camera := pairedSims(t, tech, 9)
	ids, err := off.SeedDemo(ctx, 2, 9, scanner, camera)
	checkSeeded(t, err)
	if _, err := off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		c0, _ := off.Case(ids[0])
		c1, _ := off.Case(ids[1])
		if len(c0.PendingChecks()) == 0 && len(c1.PendingChecks()) == 0 && c0.Eurodac.Reference != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
		if _, err := off.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st, err := off.SyncStatus()
	if err != nil || st.Pending != 0 || st.Delivered != 4 {
		t.Fatalf("status after sync: %+v %v (want 4 delivered)", st, err)
	}
	rows, _ := off.Outbox()
	for _, r := range rows {
		if r.Receipt == nil {
			t.Errorf("packet %s delivered without a receipt", r.PacketID)
		}
	}
	for i, want := range []forms.CheckStatus{forms.CheckNoHit, forms.CheckHit} {
		c, _ := off.Case(ids[i])
		for _, ch := range c.Checks {
			if ch.Status != want {
				t.Errorf("case %d (%s) check %s: %s, want %s", i, DemoName(9, i), ch.System, ch.Status, want)
			}
		}
	}
	// still inside the grace period: nothing purged
	if _, err := off.Case(ids[0]); err != nil {
		t.Fatalf("case purged before the grace period: %v", err)
	}
	off.mu.Lock()
	later := time.Now().Add(fsync.DefaultGrace + time.Hour)
	off.nowFunc = func() time.Time { return later }
	off.mu.Unlock()
	if _, err := off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if _, err := off.Case(id); err != nil {
			t.Errorf("case %d after the grace period: %v; a screening still open must be kept", i, err)
		}
		if _, err := off.BiometricImage(id, "face.png"); err != nil {
			t.Errorf("case %d: face image gone: %v", i, err)
		}
		wantRefusal(t, off.PurgeCase(id), forms.PurgeNotEnded)
	}
	if st, _ := off.SyncStatus(); st.Purged != 0 {
		t.Errorf("status: %+v, want nothing purged", st)
	}
}

// BenchmarkSeedAndDrain20: seed 20 complete demo cases (capture on the sim devices, WSQ,
// sealing) and drain their 40 packets to an in-process central over loopback mutual TLS.
// The baseline in the same process is the plain CaseRows listing of the same vault, the
// cheapest whole-vault read the app does; ratio = seed+drain time / listing time.
func BenchmarkSeedAndDrain20(b *testing.B) {
	const n = 20
	tech, off := staff(b, newTestTerminal(b, time.Hour))
	srv, url := startCentral(b, nil)
	tok, err := srv.CreateToken()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := off.Enrol(ctx, url, tok); err != nil {
		b.Fatal(err)
	}
	scanner, camera := pairedSims(b, tech, 3)
	var seedTime, drainTime time.Duration
	iters := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := off.SeedDemo(ctx, n, int64(iters), scanner, camera); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		for {
			rep, err := off.SyncOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if rep.Pending == 0 {
				break
			}
		}
		seedTime += t1.Sub(t0)
		drainTime += time.Since(t1)
		iters++
	}
	b.StopTimer()
	if st, _ := off.SyncStatus(); st.Pending != 0 || st.Delivered != 2*n*iters {
		b.Fatalf("after the benchmark: %+v, want %d delivered", st, 2*n*iters)
	}
	// baseline: list the same vault's cases
	const listRuns = 50
	t0 := time.Now()
	for i := 0; i < listRuns; i++ {
		rows, err := off.CaseRows()
		if err != nil || len(rows) != n*iters {
			b.Fatalf("CaseRows: %d rows, %v", len(rows), err)
		}
	}
	list := time.Since(t0) / listRuns
	per := (seedTime + drainTime) / time.Duration(iters)
	b.ReportMetric(float64(seedTime.Milliseconds())/float64(iters*n), "seed-ms/case")
	b.ReportMetric(float64(drainTime.Milliseconds())/float64(iters*n), "drain-ms/case")
	b.ReportMetric(float64(list.Microseconds()), "caserows-µs")
	b.ReportMetric(float64(per)/float64(list), "x-caserows")
}
