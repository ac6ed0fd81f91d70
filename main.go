// Command fieldscreen is the desktop screening terminal. It reads its settings, opens the
// vault (or offers to create one) and shows the screens of app/ui.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	fyneapp "fyne.io/fyne/v2/app"

	"fyne.io/fyne/v2"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/app/ui"
	"github.com/fieldscreen/fieldscreen/assets"
	"github.com/fieldscreen/fieldscreen/vault"
)

func main() {
	settings := flag.String("settings", defaultSettingsPath(), "settings file (JSON); missing means the embedded defaults")
	vaultDir := flag.String("vault", "", "vault directory (overrides the settings)")
	demo := flag.Bool("demo", false, "mark the vault as a DEMO vault on every screen")
	central := flag.String("central", "", "central server address (overrides the settings)")
	token := flag.String("enrol-token", "", "one-time enrolment token: enrol with central after the first unlock")
	flag.Parse()

	cfg, err := app.LoadConfig(*settings)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fieldscreen:", err)
		os.Exit(1)
	}
	if *vaultDir != "" {
		cfg.VaultDir = *vaultDir
	}
	cfg.Demo = cfg.Demo || *demo
	if *central != "" {
		cfg.CentralURL = *central
	}

	term, err := app.OpenTerminal(cfg, vault.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fieldscreen:", err)
		os.Exit(1)
	}
	defer term.Close()
	for _, w := range term.StartupWarnings() {
		fmt.Fprintln(os.Stderr, "fieldscreen: warning:", w)
	}
	if !*demo {
		term.SetSettingsPath(*settings) // a demo run never overwrites the real settings
	}

	a := fyneapp.NewWithID("eu.fieldscreen.terminal")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("fieldscreen")
	p := place(w, cfg)
	u := ui.New(w, term)
	if *token != "" {
		u.EnrolAfterUnlock(cfg.CentralURL, *token)
	}
	u.Start()
	w.SetOnClosed(func() {
		if s := u.Session(); s != nil {
			s.Lock(app.LockedClosed)
		}
		width, height := p.remember()
		if err := term.UpdateConfig(func(c *app.Config) { c.WindowWidth, c.WindowHeight = width, height }); err != nil {
			fmt.Fprintln(os.Stderr, "fieldscreen: window size not remembered:", err)
		}
	})
	w.ShowAndRun()
}

func defaultSettingsPath() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "fieldscreen", "settings.json")
	}
	return "fieldscreen-settings.json"
}
