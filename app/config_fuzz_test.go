package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadConfig: any settings file either loads into settings that pass the checks and
// survive Save and LoadConfig unchanged, or gives an error naming the file; never a panic.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(`{"vaultDir":"/tmp/v","idleMinutes":5,"language":"nl"}`))
	f.Add([]byte(`{"vaultDir":"/tmp/v","idleMinutes":0.5,"language":"en","printer":"office-1","devices":{"finger":"sbi-1"}}`))
	f.Add([]byte(`{"printer":"-o evil"}`))
	f.Add([]byte(`{"idleMinutes":1e308}`))
	f.Add([]byte(`{"language":"xx"}`))
	f.Add([]byte(`{"sbiPorts":"4501-4600","serialReaders":["/dev/ttyUSB0:9600"]}`))
	f.Add([]byte(`not json`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "settings.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c.IdleTimeout <= 0 || (c.Language != "en" && c.Language != "nl") || c.VaultDir == "" {
			t.Fatalf("loaded settings break the checks: %+v", c)
		}
		if c.Printer != "" && CheckPrinterName(c.Printer) != nil {
			t.Fatalf("printer %q loaded", c.Printer)
		}
		again := filepath.Join(dir, "again.json")
		if err := c.Save(again); err != nil {
			t.Fatal(err)
		}
		c2, err := LoadConfig(again)
		if err != nil {
			t.Fatalf("saved settings do not load: %v", err)
		}
		// compared as saved: an empty list and no list are the same setting
		b1, _ := json.Marshal(c)
		b2, _ := json.Marshal(c2)
		if string(b1) != string(b2) || c.IdleTimeout != c2.IdleTimeout {
			t.Fatalf("settings changed through Save: %s → %s", b1, b2)
		}
	})
}
