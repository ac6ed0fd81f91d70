package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/vault"
)

func init() {
	register(Command{Name: "vault", Summary: "init | check | compact: create the vault and its first supervisor", Run: runVault})
	register(Command{Name: "user", Summary: "add | list | passwd | remove: users and their roles (supervisor)", Run: runUser})
	register(Command{Name: "audit", Summary: "verify | show: the hash-chained audit log", Run: runAudit})
}

// vaultOptions is overridden by tests to use cheap key-derivation parameters.
var vaultOptions = func() vault.Options { return vault.Options{} }

// passphrase reads the acting user's passphrase: --passphrase-file, else $FIELDSCREEN_PASSPHRASE.
func (e *Env) passphrase() ([]byte, error) {
	if e.PassphraseFile != "" {
		b, err := os.ReadFile(e.PassphraseFile)
		if err != nil {
			return nil, fmt.Errorf("read passphrase file: %w", err)
		}
		return []byte(strings.TrimRight(string(b), "\r\n")), nil
	}
	if p := os.Getenv("FIELDSCREEN_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	return nil, errors.New("no passphrase: set FIELDSCREEN_PASSPHRASE or pass --passphrase-file FILE")
}

// newPassphrase reads a passphrase for a new or changed slot from $FIELDSCREEN_NEW_PASSPHRASE.
func newPassphrase() ([]byte, error) {
	p := os.Getenv("FIELDSCREEN_NEW_PASSPHRASE")
	if p == "" {
		return nil, errors.New("no new passphrase: set FIELDSCREEN_NEW_PASSPHRASE")
	}
	if err := app.CheckPassphrase([]byte(p)); err != nil {
		return nil, err
	}
	return []byte(p), nil
}

// openVault opens the vault named by --vault, with an error that says what to do when there is none.
func (e *Env) openVault() (*vault.Vault, error) {
	v, err := vault.Open(e.VaultDir, vaultOptions())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no vault at %s: create one with fieldscreenctl --vault %s vault init --user NAME", e.VaultDir, e.VaultDir)
	}
	return v, err
}

// unlock opens the vault and unlocks it as --user with the passphrase. Callers close the
// vault (which also ends the session).
func (e *Env) unlock() (*vault.Vault, *vault.Session, error) {
	if e.User == "" {
		return nil, nil, errors.New("no user: pass --user NAME or set FIELDSCREEN_USER")
	}
	pass, err := e.passphrase()
	if err != nil {
		return nil, nil, err
	}
	v, err := e.openVault()
	if err != nil {
		return nil, nil, err
	}
	s, err := v.Unlock(e.User, pass)
	if err != nil {
		v.Close()
		return nil, nil, fmt.Errorf("unlock as %s: %w", e.User, err)
	}
	return v, s, nil
}

// withSession runs fn with an unlocked session and always locks and closes afterwards.
func (e *Env) withSession(fn func(v *vault.Vault, s *vault.Session) error) error {
	v, s, err := e.unlock()
	if err != nil {
		return err
	}
	defer v.Close()
	defer s.Lock()
	return fn(v, s)
}

func runVault(e *Env, args []string) error {
	sub, rest, err := subcommand("vault", args, "init", "check", "compact")
	if err != nil {
		return err
	}
	switch sub {
	case "init":
		fs := newFlags("vault init")
		user := fs.String("user", e.User, "name of the first supervisor")
		if err := fs.Parse(rest); err != nil {
			return usageError("%v", err)
		}
		if *user == "" {
			return usageError("vault init needs --user NAME (the first supervisor)")
		}
		if err := app.CheckUserName(*user); err != nil {
			return err
		}
		pass, err := e.passphrase()
		if err != nil {
			return err
		}
		if err := app.CheckPassphrase(pass, *user); err != nil {
			return err
		}
		v, err := vault.Create(e.VaultDir, *user, pass, vaultOptions())
		if err != nil {
			return fmt.Errorf("create vault at %s: %w", e.VaultDir, err)
		}
		defer v.Close()
		fmt.Fprintf(e.Stdout, "created vault %s with supervisor %s\n", e.VaultDir, *user)
		return nil
	case "check":
		v, err := e.openVault()
		if err != nil {
			return err
		}
		defer v.Close()
		if err := v.Check(); err != nil {
			return fmt.Errorf("vault file %s fails bbolt's consistency check (%w): keep the file as it is, restore the last backup, and tell a supervisor", e.VaultDir, err)
		}
		rep, err := v.VerifyAudit()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "vault %s: file consistent; audit chain: %s\n", e.VaultDir, rep)
		return nil
	default: // compact
		v, err := e.openVault()
		if err != nil {
			return err
		}
		defer v.Close()
		if err := v.Compact(); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "compacted %s\n", e.VaultDir)
		return nil
	}
}
