package central_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// terminalSession is a fresh terminal vault with an unlocked supervisor session.
func terminalSession(t *testing.T) (*vault.Vault, *vault.Session) {
	t.Helper()
	const pass = "correct horse battery staple"
	v, err := vault.Create(filepath.Join(t.TempDir(), "vault"), "sup1", []byte(pass), vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Unlock("sup1", []byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Lock(); v.Close() })
	return v, s
}

// enrolledTerminal is a fresh terminal vault enrolled with central with a new token.
func enrolledTerminal(t *testing.T, srv *central.Server, url string) (*vault.Session, *fsync.Enrolment) {
	t.Helper()
	_, sess := terminalSession(t)
	tok, err := srv.CreateToken()
	if err != nil {
		t.Fatal(err)
	}
	en, err := fsync.Enrol(context.Background(), sess, url, tok)
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return sess, en
}

// clock is central's injected clock, moved by the test.
type clock struct {
	mu  gosync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestEnrolTokenExpires: a token is usable until its expiry; afterwards central answers
// 403 token-expired, the terminal's error is ErrTokenExpired and tells its operator to
// ask for a new token, and the expired token stays unusable.
func TestEnrolTokenExpires(t *testing.T) {
	clk := &clock{now: time.Now()}
	srv, url := centraltest.Start(t, central.Options{Now: clk.Now})
	_, sess := terminalSession(t)

	fresh, exp, err := srv.CreateTokenTTL(2 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.Now().Add(2 * time.Hour); !exp.Equal(want.UTC()) {
		t.Fatalf("expiry %s, want %s", exp, want)
	}
	stale, _, err := srv.CreateTokenTTL(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour) // stale expires now; fresh has an hour left

	_, err = fsync.Enrol(context.Background(), sess, url, stale)
	var he *fsync.HTTPError
	if !errors.Is(err, fsync.ErrTokenExpired) || !errors.As(err, &he) || he.Status != http.StatusForbidden || he.Problem.Code != "token-expired" {
		t.Fatalf("expired token: got %v (%+v)", err, he)
	}
	if msg := err.Error(); !strings.Contains(msg, "expired at") || !strings.Contains(msg, "ask the central operator for a new one") {
		t.Fatalf("the terminal's error must say the token expired and what to do: %q", msg)
	}
	if _, err := fsync.LoadEnrolmentFrom(sess); !errors.Is(err, fsync.ErrNotEnrolled) {
		t.Fatalf("a refused enrolment stored something: %v", err)
	}
	clk.Add(-2 * time.Hour) // even with the clock turned back, an expired try consumed nothing
	if _, err := fsync.Enrol(context.Background(), sess, url, stale); err != nil {
		t.Fatalf("the stale token within its hour: %v", err)
	}
	clk.Add(2 * time.Hour)

	_, sess2 := terminalSession(t)
	if _, err := fsync.Enrol(context.Background(), sess2, url, fresh); err != nil {
		t.Fatalf("token within its lifetime: %v", err)
	}
	_, sess3 := terminalSession(t)
	if _, err := fsync.Enrol(context.Background(), sess3, url, fresh); !errors.Is(err, fsync.ErrTokenUsed) {
		t.Fatalf("used token: %v", err)
	}
	_, sess4 := terminalSession(t)
	unknown := "fst1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA." + strings.Split(fresh, ".")[2]
	if _, err := fsync.Enrol(context.Background(), sess4, url, unknown); !errors.Is(err, fsync.ErrTokenUnknown) {
		t.Fatalf("unknown token: %v", err)
	}
	if _, _, err := srv.CreateTokenTTL(0); err == nil {
		t.Fatal("a token without a lifetime was created")
	}
}
