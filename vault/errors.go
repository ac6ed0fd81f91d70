package vault

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors; callers decide on them with errors.Is.
var (
	ErrLocked        = errors.New("vault session is locked: unlock again")
	ErrNotFound      = errors.New("not found")
	ErrIntegrity     = errors.New("integrity check failed: the stored data was altered or damaged")
	ErrBadPassphrase = errors.New("wrong passphrase")
	ErrUnknownUser   = errors.New("unknown user")
	// ErrBadLogin is Unlock's one answer for a wrong passphrase and for a name with no slot,
	// so the answer does not tell which names exist; errors.Is(ErrBadLogin, ErrBadPassphrase).
	ErrBadLogin error = badLogin{}
	ErrExists         = errors.New("already exists")
	// ErrUnsafePermissions: the vault directory, file or packet folder has group or world
	// permission bits; Open and Create refuse it rather than fix it silently.
	ErrUnsafePermissions = errors.New("vault permissions open to other users")
	ErrInUse             = errors.New("vault in use by another process: close the other fieldscreen or fieldscreenctl first")
)

// PermissionError says that a role may not use a data class.
type PermissionError struct {
	Role  Role
	Class Class
	Write bool
}

func (e *PermissionError) Error() string {
	verb := "read"
	if e.Write {
		verb = "write"
	}
	return fmt.Sprintf("role %s may not %s %s data", e.Role, verb, e.Class)
}

// BackoffError is returned by Unlock after too many failed attempts for that user.
type BackoffError struct {
	Wait     time.Duration
	Failures int
}

func (e *BackoffError) Error() string {
	return fmt.Sprintf("%d failed unlocks: try again in %s", e.Failures, e.Wait.Round(time.Second))
}

// CorruptError says the vault file cannot be read as a vault. The vault is never re-created or
// overwritten on such an error.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("vault file %s is damaged (%v): keep a copy of it, then restore the last backup or run `fieldscreenctl vault check` and contact support; the vault was not changed", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

type badLogin struct{}

func (badLogin) Error() string        { return "wrong user name or passphrase" }
func (badLogin) Is(target error) bool { return target == ErrBadPassphrase }
