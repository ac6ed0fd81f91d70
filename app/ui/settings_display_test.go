package ui

import (
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestTextSizeSetting: an officer who needs larger text picks 150 % in Settings; every
// size of the theme grows at once, the choice is saved, and the next start uses it.
func TestTextSizeSetting(t *testing.T) {
	u, w, term := newTestUI(t, time.Hour)
	path := filepath.Join(t.TempDir(), "settings.json")
	term.SetSettingsPath(path)
	firstRun(t, u, w)
	base := theme.DefaultTheme().Size(theme.SizeNameText)
	test.Tap(button(t, w, T("nav.settings")))
	sel := find(w, func(s *widget.Select) bool { return s.Selected == scaleName(0) })
	if sel == nil {
		t.Fatal("no text size choice in Settings")
	}
	sel.SetSelected(scaleName(1.5))
	if got := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText); got != 1.5*base {
		t.Fatalf("text size %v after choosing 150 %%, want %v", got, 1.5*base)
	}
	c, err := app.LoadConfig(path)
	if err != nil || c.Scale != 1.5 {
		t.Fatalf("saved scale %v, %v", c.Scale, err)
	}
	// the next start applies the saved size before the first screen
	test.NewTempApp(t)
	c.VaultDir = filepath.Join(t.TempDir(), "second-vault")
	term2, err := app.OpenTerminal(c, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term2.Close() })
	New(test.NewWindow(nil), term2)
	if got := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText); got != 1.5*base {
		t.Fatalf("text size %v at the next start, want %v", got, 1.5*base)
	}
}
