package ui

import (
	"fmt"
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

// benchVault makes a vault holding n synthetic cases and returns its settings.
func benchVault(b *testing.B, n int) app.Config {
	b.Helper()
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
	s, err := term.Unlock("sup1", []byte(supPass))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Lock(app.LockedClosed)
	at := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	for done := 0; done < n; {
		batch := make([]*forms.Case, 0, 1000)
		for i := 0; i < 1000 && done < n; i, done = i+1, done+1 {
			batch = append(batch, &forms.Case{
				Trigger:   forms.Trigger{Reason: forms.TriggerIrregularCrossing, Place: "BCP", At: at.Add(-time.Duration(done) * time.Minute)},
				Identity:  forms.Identity{Surnames: []string{fmt.Sprintf("TESTPERSON%05d", done)}, GivenNames: []string{"SYNTHETIC"}},
				Documents: []forms.Document{{Type: "P", Number: fmt.Sprintf("X%08d", done), IssuingState: "UTO"}},
			})
		}
		if _, err := s.CreateCases(batch); err != nil {
			b.Fatal(err)
		}
	}
	return cfg
}

// BenchmarkUnlockToCaseList10k: from the unlock button to a case list showing 10,000 cases,
// with the key derivation excluded (test parameters) so the figure is the UI and the vault
// listing; the baseline is the listing alone (app.CaseRows), in the same run.
func BenchmarkUnlockToCaseList10k(b *testing.B) {
	cfg := benchVault(b, 10000)
	test.NewTempApp(b)
	runAsync = func(work, done func()) { work(); done() }
	term, err := app.OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		b.Fatal(err)
	}
	defer term.Close()
	var uiTotal, listTotal time.Duration
	for i := 0; i < b.N; i++ {
		w := test.NewWindow(nil)
		w.Resize(fyne.NewSize(1100, 720))
		u := New(w, term)
		u.Start()
		es := entries(w)
		es[0].SetText("sup1")
		es[1].SetText(supPass)
		btn := find(w, func(bt *widget.Button) bool { return bt.Text == T("unlock.button") })
		start := time.Now()
		test.Tap(btn)
		if u.Screen() != "cases" {
			b.Fatalf("screen %s", u.Screen())
		}
		uiTotal += time.Since(start)
		start = time.Now()
		rows, err := u.Session().CaseRows()
		if err != nil || len(rows) != 10000 {
			b.Fatalf("rows %d %v", len(rows), err)
		}
		listTotal += time.Since(start)
		u.Lock()
		w.Close()
	}
	b.ReportMetric(float64(uiTotal.Milliseconds())/float64(b.N), "ms/unlock-to-list")
	b.ReportMetric(float64(listTotal.Milliseconds())/float64(b.N), "ms/list-baseline")
	b.ReportMetric(float64(uiTotal)/float64(listTotal), "ratio")
}

// BenchmarkStartToUnlockScreen: building the UI on an existing vault until the unlock
// screen is up (the process start itself is measured by the screenshot script's log).
func BenchmarkStartToUnlockScreen(b *testing.B) {
	cfg := benchVault(b, 0)
	test.NewTempApp(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		term, err := app.OpenTerminal(cfg, vault.Options{})
		if err != nil {
			b.Fatal(err)
		}
		w := test.NewWindow(nil)
		u := New(w, term)
		u.Start()
		if u.Screen() != "unlock" {
			b.Fatal(u.Screen())
		}
		w.Close()
		term.Close()
	}
}
