package vault

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable clock for backoff and audit timestamps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func testOptions(clock *fakeClock) Options {
	o := Options{KDF: TestKDF()}
	if clock != nil {
		o.Now = clock.Now
	}
	return o
}

const (
	supName = "TESTPERSON SUPERVISOR"
	supPass = "correct horse battery staple"
)

// newTestVault creates a vault with a supervisor and returns it with an unlocked supervisor
// session; both are closed at the end of the test.
func newTestVault(t testing.TB, clock *fakeClock) (*Vault, *Session) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, err := Create(dir, supName, []byte(supPass), testOptions(clock))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	s, err := v.Unlock(supName, []byte(supPass))
	if err != nil {
		t.Fatalf("Unlock supervisor: %v", err)
	}
	return v, s
}

// addAndUnlock adds a user with the given role and returns their session.
func addAndUnlock(t testing.TB, v *Vault, sup *Session, name string, role Role) *Session {
	t.Helper()
	pass := []byte("pass of " + name)
	if err := sup.AddUser(name, role, pass); err != nil {
		t.Fatalf("AddUser %s: %v", role, err)
	}
	s, err := v.Unlock(name, pass)
	if err != nil {
		t.Fatalf("Unlock %s: %v", role, err)
	}
	return s
}

func putCase(t testing.TB, s *Session, c Class, name string, value []byte) CaseID {
	t.Helper()
	var id CaseID
	err := s.Update(func(tx *Tx) error {
		var err error
		if id, err = tx.NewCase(); err != nil {
			return err
		}
		return tx.PutCase(id, c, name, value)
	})
	if err != nil {
		t.Fatalf("put case: %v", err)
	}
	return id
}

func getCase(s *Session, id CaseID, c Class, name string) ([]byte, error) {
	var out []byte
	err := s.View(func(tx *Tx) error {
		var err error
		out, err = tx.GetCase(id, c, name)
		return err
	})
	return out, err
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// closeAndRead locks the session, closes the vault and returns its dir, file path and bytes.
func closeAndRead(t *testing.T, v *Vault, s *Session) (dir, path string, raw []byte) {
	t.Helper()
	s.Lock()
	dir = v.Dir()
	v.Close()
	path = filepath.Join(dir, dbName)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dir, path, raw
}
