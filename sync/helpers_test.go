package sync_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"filippo.io/age"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

const testPass = "correct horse battery staple"

// terminal is a vault with an unlocked supervisor session.
type terminal struct {
	v *vault.Vault
	s *vault.Session
}

func newTerminal(t testing.TB) *terminal {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, err := vault.Create(dir, "sup1", []byte(testPass), vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Unlock("sup1", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Lock(); v.Close() })
	return &terminal{v: v, s: s}
}

type centralProc struct {
	srv  *central.Server
	url  string
	addr string
	dir  string
	stop func()
}

// startCentral runs central in-process on a loopback port with real TLS.
func startCentral(t testing.TB, opt central.Options) *centralProc {
	t.Helper()
	return serveCentral(t, t.TempDir(), "127.0.0.1:0", opt)
}

func serveCentral(t testing.TB, dir, addr string, opt central.Options) *centralProc {
	t.Helper()
	srv, url, stop := centraltest.Serve(t, dir, addr, opt)
	return &centralProc{srv: srv, url: url, addr: strings.TrimPrefix(url, "https://"), dir: dir, stop: stop}
}

// restart stops central (if it runs) and serves its data folder again on the same
// address: the terminal's enrolment stays valid.
func (c *centralProc) restart(t testing.TB, opt central.Options) *centralProc {
	t.Helper()
	c.stop()
	return serveCentral(t, c.dir, c.addr, opt)
}

// countRequests wraps central's handler to count the requests for path.
func countRequests(path string, n *atomic.Int32) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == path {
				n.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
}

func enrol(t testing.TB, term *terminal, c *centralProc, url string) *fsync.Enrolment {
	t.Helper()
	tok, err := c.srv.CreateToken()
	if err != nil {
		t.Fatal(err)
	}
	if url == "" {
		url = c.url
	}
	en, err := fsync.Enrol(context.Background(), term.s, url, tok)
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return en
}

// enqueueCases makes n cases, each with a core record holding marker and one packet.
func enqueueCases(t testing.TB, term *terminal, n int, marker string, mk func(i int, id vault.CaseID) *fsync.Packet) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		err := term.s.Update(func(tx *vault.Tx) error {
			id, err := tx.NewCase()
			if err != nil {
				return err
			}
			if err := tx.PutCase(id, vault.Core, "identity", []byte(`{"name":"`+marker+`"}`)); err != nil {
				return err
			}
			row, err := fsync.Enqueue(tx, term.v.PacketDir(), mk(i, id), time.Now())
			if err != nil {
				return err
			}
			ids = append(ids, row.PacketID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func rows(t testing.TB, term *terminal) map[string]*fsync.Row {
	t.Helper()
	out := map[string]*fsync.Row{}
	err := term.s.View(func(tx *vault.Tx) error {
		rs, err := fsync.Rows(tx)
		for _, r := range rs {
			out[r.PacketID] = r
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ageDecrypt opens a sealed file with the age command and central's identity file.
func ageDecrypt(t testing.TB, identity, path string) []byte {
	t.Helper()
	if _, err := exec.LookPath("age"); err != nil {
		t.Fatal("the age command is missing: install the Debian package age (apt-get install age)")
	}
	out, err := exec.Command("age", "-d", "-i", identity, path).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("age -d %s: %v: %s", path, err, ee.Stderr)
		}
		t.Fatalf("age -d %s: %v", path, err)
	}
	return out
}

// fakeClock is an injected clock whose Sleep advances time instantly.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

func mustRecipient(t testing.TB, c *centralProc) *age.X25519Recipient {
	t.Helper()
	return c.srv.Keys().Identity.Recipient()
}

func asHTTP(err error, target **fsync.HTTPError) bool { return errors.As(err, target) }

func newPool(c *centralProc) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.srv.Keys().CA)
	return p
}
