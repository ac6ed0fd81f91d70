package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// BenchmarkOpenCaseScreen10Prints: opening a stored case whose ten fingers and face were
// captured (on the simulated devices) and moving to its biometrics step, from the case list
// (target < 150 ms); beside it, in the same run, the audited read of the case alone
// (app.ReadCase) and the officer's "show images" (eleven audited image reads, decoded into
// thumbnails).
func BenchmarkOpenCaseScreen10Prints(b *testing.B) {
	cfg := app.DefaultConfig()
	cfg.VaultDir = filepath.Join(b.TempDir(), "vault")
	term, err := app.OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		b.Fatal(err)
	}
	defer term.Close()
	if err := term.Setup("sup1", []byte(supPass)); err != nil {
		b.Fatal(err)
	}
	sup, _ := term.Unlock("sup1", []byte(supPass))
	for _, u := range []struct {
		n string
		r vault.Role
	}{{"tec1", vault.Technician}, {"off1", vault.Officer}} {
		if err := sup.AddUser(u.n, u.r, []byte("a passphrase for "+u.n)); err != nil {
			b.Fatal(err)
		}
	}
	sup.Lock(app.LockedClosed)
	devs := simCaptureDevices(7)
	tec, _ := term.Unlock("tec1", []byte("a passphrase for tec1"))
	for _, d := range devs {
		if err := tec.PairDevice(d.Identity(), 80); err != nil {
			b.Fatal(err)
		}
	}
	tec.Lock(app.LockedClosed)
	off, _ := term.Unlock("off1", []byte("a passphrase for off1"))
	now := off.Now()
	id, err := off.CreateCase(&forms.Case{Trigger: forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: now.Add(-time.Hour)},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"PAPA"}, BirthDate: forms.DateOf(now.AddDate(-30, 0, 0))}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, devs[0], devs[1], nil); err != nil {
		b.Fatal(err)
	}
	off.Lock(app.LockedClosed)

	test.NewTempApp(b)
	runAsync = func(work, done func()) { work(); done() }
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1100, 720))
	u := New(w, term)
	u.Start()
	es := entries(w)
	es[0].SetText("off1")
	es[1].SetText("a passphrase for off1")
	test.Tap(find(w, func(bt *widget.Button) bool { return bt.Text == T("unlock.button") }))
	u.stopSyncWorker()
	defer u.Lock()
	var bio int
	for i, st := range caseSteps {
		if st.key == "biometrics" {
			bio = i
		}
	}
	var open, read time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.showCaseList()
		start := time.Now()
		u.showCase(id)
		u.openCase.Step(bio)
		open += time.Since(start)
		if n := len(u.openCase.c.CapturePlan(now).Captured); n != 10 {
			b.Fatalf("%d captured fingers on screen", n)
		}
		start = time.Now()
		if _, _, err := u.Session().ReadCase(id); err != nil {
			b.Fatal(err)
		}
		read += time.Since(start)
	}
	b.ReportMetric(float64(open.Microseconds())/1000/float64(b.N), "ms-open/op")
	b.ReportMetric(float64(read.Microseconds())/1000/float64(b.N), "ms-read-baseline/op")
}
