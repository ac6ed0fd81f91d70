package app

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Terminal is one vault on this machine, before and after unlock.
type Terminal struct {
	cfgMu        sync.Mutex // settings change on the UI goroutine, discovery reads them off it
	cfg          Config
	settingsPath string
	vault        *vault.Vault // nil until the vault exists (first run)
	opt          vault.Options
	warnings     []error

	devOnce sync.Once
	devices *DeviceRegistry

	cleanMu   sync.Mutex
	cleanDone bool // the outbox check ran once without error in this run
	cleaned   fsync.Consistency
	cleanErr  error
}

// OpenTerminal opens the configured vault, or prepares a first run when there is none yet.
// A vault that exists but cannot be read is an error (never re-created over it).
func OpenTerminal(cfg Config, opt vault.Options) (*Terminal, error) {
	t := &Terminal{cfg: cfg, opt: opt}
	if _, err := RemoveLegacyPrintFiles(); err != nil {
		t.warnings = append(t.warnings, err)
	}
	if !vault.Exists(cfg.VaultDir) {
		return t, nil
	}
	v, err := vault.Open(cfg.VaultDir, opt)
	if err != nil {
		return nil, err
	}
	t.vault = v
	return t, nil
}

// StartupWarnings are problems at start-up that do not stop the terminal but someone must
// fix (an old printed form that could not be removed); main prints them.
func (t *Terminal) StartupWarnings() []error { return t.warnings }

// Config is the terminal's settings as loaded.
func (t *Terminal) Config() Config {
	t.cfgMu.Lock()
	defer t.cfgMu.Unlock()
	return t.cfg
}

// NeedsSetup reports a first run: no vault yet.
func (t *Terminal) NeedsSetup() bool { return t.vault == nil }

// Vault is the open vault, or nil before setup.
func (t *Terminal) Vault() *vault.Vault { return t.vault }

// Setup creates the vault and its first supervisor, then leaves it open and locked.
func (t *Terminal) Setup(user string, passphrase []byte) error {
	if t.vault != nil {
		return vault.ErrExists
	}
	if err := CheckUserName(user); err != nil {
		return err
	}
	if err := CheckPassphrase(passphrase, user); err != nil {
		return err
	}
	v, err := vault.Create(t.cfg.VaultDir, user, passphrase, t.opt)
	if err != nil {
		return err
	}
	t.vault = v
	return nil
}

// SetIdleTimeout changes the idle time for sessions unlocked from now on (Settings).
func (t *Terminal) SetIdleTimeout(d time.Duration) {
	t.cfgMu.Lock()
	defer t.cfgMu.Unlock()
	t.cfg.IdleTimeout = d
}

// SetSettingsPath names the settings file that UpdateConfig writes (main sets it).
func (t *Terminal) SetSettingsPath(p string) { t.settingsPath = p }

// UpdateConfig changes the settings and, when a settings file is known, saves them there
// (atomically), so the choice survives a restart.
func (t *Terminal) UpdateConfig(change func(*Config)) error {
	t.cfgMu.Lock()
	defer t.cfgMu.Unlock()
	change(&t.cfg)
	if t.settingsPath == "" {
		return nil
	}
	return t.cfg.Save(t.settingsPath)
}

// UserNames lists the people who can unlock this terminal, for the unlock screen.
func (t *Terminal) UserNames() ([]string, error) {
	if t.vault == nil {
		return nil, nil
	}
	return t.vault.UserNames()
}

// Unlock opens a session that locks itself after the configured idle time.
func (t *Terminal) Unlock(user string, passphrase []byte) (*Session, error) {
	if t.vault == nil {
		return nil, errors.New("no vault yet: create it first")
	}
	vs, err := t.vault.Unlock(user, passphrase)
	if err != nil {
		return nil, err
	}
	ns := newSession(vs, t.Config().IdleTimeout)
	ns.packetDir = t.vault.PacketDir()
	ns.vault = t.vault
	ns.term = t
	// an enrolment from before issue 14 keeps the terminal key in the sync class: move it
	if err := fsync.SeparateKey(vs); err != nil {
		vs.Lock()
		return nil, fmt.Errorf("move the terminal key into the signing class: %w", err)
	}
	t.checkOutbox(vs)
	ns.checkAuditChain()
	return ns, nil
}

// checkOutbox runs the start check once per run; a user whose role cannot read the outbox
// leaves it to the next unlock.
func (t *Terminal) checkOutbox(vs *vault.Session) {
	t.cleanMu.Lock()
	defer t.cleanMu.Unlock()
	if t.cleanDone {
		return
	}
	t.cleaned, t.cleanErr = fsync.CleanOrphans(vs, t.vault.PacketDir())
	t.cleanDone = t.cleanErr == nil
}

// StartCheck is what the outbox check at the first unlock of this run found: sealed files
// removed because their case change never committed (a crash between sealing and the
// commit), and queued packets whose sealed file is missing (reported, never dropped). The
// check runs once per start, before any sync, as fieldscreenctl sync run does.
func (t *Terminal) StartCheck() (fsync.Consistency, error) {
	t.cleanMu.Lock()
	defer t.cleanMu.Unlock()
	return t.cleaned, t.cleanErr
}

// Close releases the discovered devices and closes the vault file.
func (t *Terminal) Close() error {
	if t.devices != nil {
		t.devices.Close()
	}
	if t.vault == nil {
		return nil
	}
	return t.vault.Close()
}

// CheckUserName keeps user names printable and short: they appear in the audit log and on
// the unlock screen.
func CheckUserName(name string) error {
	if name == "" {
		return &UserNameError{forms.Message{EN: "The user name is empty: type the name you sign in with.",
			NL: "De gebruikersnaam is leeg: typ de naam waarmee u zich aanmeldt."}}
	}
	if len(name) > 64 {
		return &UserNameError{forms.Message{EN: "The user name is longer than 64 characters: choose a shorter one.",
			NL: "De gebruikersnaam is langer dan 64 tekens: kies een kortere."}}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return &UserNameError{forms.Message{EN: "The user name contains an invisible control character: type it again.",
				NL: "De gebruikersnaam bevat een onzichtbaar stuurteken: typ hem opnieuw."}}
		}
	}
	return nil
}

// UserNameError refuses a user name, saying why in English and Dutch.
type UserNameError struct{ Message forms.Message }

func (e *UserNameError) Error() string               { return e.Message.EN }
func (e *UserNameError) Sentence(lang string) string { return e.Message.In(lang) }

// LockReason says why a session ended.
type LockReason int

const (
	LockedByUser LockReason = iota // the lock shortcut or button
	LockedIdle                     // no activity for the idle time
	LockedClosed                   // the application is closing
)

func (r LockReason) String() string {
	switch r {
	case LockedByUser:
		return "locked"
	case LockedIdle:
		return "locked after idle time"
	default:
		return "closed"
	}
}

// Session is an unlocked vault session with an idle lock. Call Touch on every user action;
// when no Touch arrives for the idle time the vault keys are dropped and OnLock callbacks run.
type Session struct {
	vs   *vault.Session
	idle time.Duration

	mu      sync.Mutex
	last    time.Time
	timer   *time.Timer
	locked  bool
	onLock  []func(LockReason)
	nowFunc func() time.Time
	// packetDir is the vault's folder of sealed outbox files.
	packetDir string
	vault     *vault.Vault
	term      *Terminal
	// feed announces committed case changes (OnCaseChanged).
	feed feed
	// auditRollback is what the audit check at unlock found (syncsvc.go).
	auditRollback error
}

func newSession(vs *vault.Session, idle time.Duration) *Session {
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	s := &Session{vs: vs, idle: idle, nowFunc: time.Now}
	s.last = s.nowFunc()
	s.timer = time.AfterFunc(idle, s.checkIdle)
	return s
}

// PreferredDevice is the device ID chosen in Settings for a modality ("finger", "face",
// "document"), or "" for the first paired one.
func (s *Session) PreferredDevice(kind string) string {
	if s.term == nil {
		return ""
	}
	return s.term.Config().Devices[kind]
}

// Vault is the underlying vault session for the services in this package.
func (s *Session) Vault() *vault.Session { return s.vs }

// User is the signed-in user's name.
func (s *Session) User() string { return s.vs.User() }

// Role is the signed-in user's role.
func (s *Session) Role() vault.Role { return s.vs.Role() }

// Touch records user activity and pushes the idle lock back.
func (s *Session) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked {
		return
	}
	s.last = s.nowFunc()
	s.timer.Reset(s.idle)
}

// IdleRemaining is the time left before the idle lock, for a warning countdown.
func (s *Session) IdleRemaining() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked {
		return 0
	}
	left := s.idle - s.nowFunc().Sub(s.last)
	if left < 0 {
		return 0
	}
	return left
}

// IdleTimeout is the configured idle time.
func (s *Session) IdleTimeout() time.Duration { return s.idle }

// OnLock registers a callback that runs once when the session locks (from any goroutine:
// UI callers must hand it to fyne.Do).
func (s *Session) OnLock(fn func(LockReason)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onLock = append(s.onLock, fn)
}

// Locked reports whether the keys are gone.
func (s *Session) Locked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.locked
}

// Lock drops the keys now.
func (s *Session) Lock(reason LockReason) {
	s.mu.Lock()
	if s.locked {
		s.mu.Unlock()
		return
	}
	s.locked = true
	s.timer.Stop()
	callbacks := s.onLock
	s.onLock = nil
	s.mu.Unlock()
	s.vs.Lock()
	for _, fn := range callbacks {
		fn(reason)
	}
}

func (s *Session) checkIdle() {
	s.mu.Lock()
	left := s.idle - s.nowFunc().Sub(s.last)
	if !s.locked && left > 0 {
		s.timer.Reset(left)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.Lock(LockedIdle)
}
