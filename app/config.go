// Package app is the application layer between the screens (app/ui) and the packages that do
// the work: it holds the unlocked session with its idle lock, and the services that change
// cases — validate, store in the vault, queue packets and audit, in one transaction.
//
// app has no Fyne in it, so every rule a screen relies on is tested without a display.
package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Config is what the terminal needs to start. The zero value is not useful; start from
// DefaultConfig, which is what `make run` uses.
type Config struct {
	VaultDir    string        `json:"vaultDir"`
	IdleTimeout time.Duration `json:"-"`
	IdleMinutes float64       `json:"idleMinutes"` // as stored; IdleTimeout is derived from it
	Language    string        `json:"language"`    // interface language: "en" or "nl"
	CentralURL  string        `json:"centralURL,omitempty"`
	Demo        bool          `json:"demo,omitempty"` // a vault for demonstrations, marked DEMO on every screen
	// Devices names the paired device to use per modality ("finger", "face", "document");
	// empty or absent means the first paired device of that kind that answers.
	Devices map[string]string `json:"devices,omitempty"`
	// Printer is the CUPS queue forms and leaflets print on (`lpstat -e` lists them); empty
	// means none chosen, and printing says so instead of guessing.
	Printer string `json:"printer,omitempty"`
	// TrainingDevices offers the simulated scanner, camera and document reader outside a
	// DEMO vault, for training; off by default so a working terminal never captures a
	// synthetic person by mistake.
	TrainingDevices bool `json:"trainingDevices,omitempty"`
	// SBIPorts is the loopback port range of MOSIP SBI device services (FROM-TO); empty
	// means 4501-4600.
	SBIPorts string `json:"sbiPorts,omitempty"`
	// SerialReaders are the document readers' ports, PATH[:BAUD[:PARITY]] each, e.g.
	// /dev/ttyUSB0:9600:N or COM3.
	SerialReaders []string `json:"serialReaders,omitempty"`
	// Scale is the text and control size (Fyne scale) for officers who need larger text;
	// 0 means the desktop's own setting.
	Scale float32 `json:"scale,omitempty"`
	// WindowWidth and WindowHeight remember the window's size (device-independent pixels);
	// 0 opens it maximised.
	WindowWidth  float32 `json:"windowWidth,omitempty"`
	WindowHeight float32 `json:"windowHeight,omitempty"`
}

// WindowSizeToRemember is what the settings keep of a window closing at w×h on a screen
// whose work area is workW×workH: 0×0 when it filled the screen (so it opens maximised next
// time, on whatever screen that is), else its size. An unknown work area keeps the size.
func WindowSizeToRemember(w, h, workW, workH float32) (float32, float32) {
	if workW > 0 && workH > 0 && w >= 0.95*workW && h >= 0.9*workH {
		return 0, 0
	}
	return w, h
}

// Text sizes offered in Settings (Fyne scale factors); MinScale and MaxScale bound a
// hand-edited settings file.
const (
	MinScale = 0.75
	MaxScale = 2.5
)

// DefaultIdleTimeout locks an unattended terminal after five minutes (issue 2).
const DefaultIdleTimeout = 5 * time.Minute

// DefaultConfig is the embedded default: a vault in the user's data directory, the
// system's language when it is Dutch (else English), and the five-minute idle lock.
func DefaultConfig() Config {
	return Config{
		VaultDir:    DefaultVaultDir(),
		IdleTimeout: DefaultIdleTimeout,
		IdleMinutes: DefaultIdleTimeout.Minutes(),
		Language:    SystemLanguage(),
	}
}

// SystemLanguage is "nl" when the user's locale is Dutch (nl_NL, nl_BE, …) and "en"
// otherwise, read as the C library does: LANGUAGE, then LC_ALL, LC_MESSAGES and LANG (on
// Windows, where these are usually unset, the user's default locale name).
func SystemLanguage() string {
	for _, v := range localeSources() {
		if v == "" || v == "C" || v == "POSIX" {
			continue
		}
		first, _, _ := strings.Cut(v, ":") // LANGUAGE is a list; the first is preferred
		if l := strings.ToLower(first); l == "nl" || strings.HasPrefix(l, "nl_") || strings.HasPrefix(l, "nl-") || strings.HasPrefix(l, "nl.") {
			return "nl"
		}
		return "en"
	}
	return "en"
}

// DefaultVaultDir is $FIELDSCREEN_VAULT; else on Windows %LOCALAPPDATA%\fieldscreen\vault
// (local, not roaming: the vault must never follow the user to another machine); else
// $XDG_DATA_HOME/fieldscreen/vault, else ~/.local/share/fieldscreen/vault.
func DefaultVaultDir() string {
	if d := os.Getenv("FIELDSCREEN_VAULT"); d != "" {
		return d
	}
	if runtime.GOOS == "windows" {
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "fieldscreen", "vault")
		}
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "fieldscreen", "vault")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "fieldscreen-vault"
	}
	return filepath.Join(home, ".local", "share", "fieldscreen", "vault")
}

// LoadConfig reads a JSON settings file over the defaults. A missing file gives the
// defaults; a malformed one is an error naming the file, never silently ignored.
func LoadConfig(path string) (Config, error) {
	c := DefaultConfig()
	b, err := readSmallFile(path, maxSettingsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read settings %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("settings file %s is not valid JSON (fix or delete it to use the defaults): %w", path, err)
	}
	if err := c.normalise(); err != nil {
		return c, fmt.Errorf("settings file %s: %w", path, err)
	}
	return c, nil
}

// maxSettingsFile bounds the settings file: a few hundred bytes in use.
const maxSettingsFile = 1 << 20

// readSmallFile reads a regular file of at most max bytes.
func readSmallFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d KiB: not a settings file", max>>10)
	}
	return b, nil
}

// Save writes the settings atomically (temp file, fsync, rename).
func (c Config) Save(path string) error {
	c.IdleMinutes = c.IdleTimeout.Minutes()
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save settings %s: %w", path, err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save settings %s: %w", path, err)
	}
	if _, err = f.Write(append(b, '\n')); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save settings %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

func (c *Config) normalise() error {
	switch {
	case c.IdleMinutes < 0.1 || c.IdleMinutes > 60:
		return fmt.Errorf("idleMinutes %.1f is outside 0.1–60", c.IdleMinutes)
	case c.Language != "en" && c.Language != "nl":
		return fmt.Errorf("language %q is not supported (use \"en\" or \"nl\")", c.Language)
	case c.VaultDir == "":
		return errors.New("vaultDir is empty")
	case c.Scale != 0 && (c.Scale < MinScale || c.Scale > MaxScale):
		return fmt.Errorf("scale %.2f is outside %.2f–%.2f (or 0 for the desktop's own)", c.Scale, MinScale, MaxScale)
	case c.WindowWidth < 0 || c.WindowHeight < 0 || c.WindowWidth > 1e5 || c.WindowHeight > 1e5:
		return fmt.Errorf("window size %.0f×%.0f is not a size (delete windowWidth and windowHeight to open maximised)", c.WindowWidth, c.WindowHeight)
	}
	if c.SBIPorts != "" {
		if _, _, err := ParsePortRange(c.SBIPorts); err != nil {
			return err
		}
	}
	for _, s := range c.SerialReaders {
		if _, err := ParseSerialPort(s); err != nil {
			return err
		}
	}
	if c.Printer != "" {
		if err := CheckPrinterName(c.Printer); err != nil {
			return err
		}
	}
	c.IdleTimeout = time.Duration(c.IdleMinutes * float64(time.Minute))
	return nil
}
