package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
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

// TestEnrolAgainKeepsRevocationAndCheckpoint: the device ID comes from the key, so a
// second enrolment with a known key (a token in hand) must neither undo a revocation nor
// reset the audit checkpoint; a known, not revoked key gets a fresh certificate and keeps
// its history (an enrolment answer lost on the way).
func TestEnrolAgainKeepsRevocationAndCheckpoint(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	_, en := enrolledTerminal(t, srv, url)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Keys().CA)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool}}}
	defer hc.CloseIdleConnections()
	enrolSameKey := func() (int, fsync.Problem) {
		t.Helper()
		tok, err := srv.CreateToken()
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := fsync.ParseToken(tok)
		if err != nil {
			t.Fatal(err)
		}
		csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fieldscreen terminal"}}, ed25519.PrivateKey(en.Key))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(fsync.EnrollRequest{Token: base64.RawURLEncoding.EncodeToString(parsed.Secret), CSR: csr})
		resp, err := hc.Post(url+"/v1/enroll", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p fsync.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p
	}
	// Give the device a checkpoint to keep.
	d, _ := srv.Store().Device(en.DeviceID)
	d.Checkpoint = &fsync.Checkpoint{DeviceID: en.DeviceID, Size: 7}
	srv.Store().PutDevice(d)
	if code, p := enrolSameKey(); code != http.StatusOK {
		t.Fatalf("enrolling a known key again: %d %+v", code, p)
	}
	if d, _ := srv.Store().Device(en.DeviceID); d.Checkpoint == nil || d.Checkpoint.Size != 7 || bytes.Equal(d.Cert, en.Cert) {
		t.Fatalf("after enrolling again: checkpoint %+v, certificate renewed %v", d.Checkpoint, !bytes.Equal(d.Cert, en.Cert))
	}
	if err := srv.RevokeDevice(en.DeviceID, "laptop reported stolen"); err != nil {
		t.Fatal(err)
	}
	code, p := enrolSameKey()
	if code != http.StatusForbidden || p.Code != "revoked" || !strings.Contains(p.Detail, "laptop reported stolen") {
		t.Fatalf("revoked key enrolling again: %d %+v", code, p)
	}
	if d, _ := srv.Store().Device(en.DeviceID); !d.Revoked {
		t.Fatal("enrolling again undid the revocation")
	}
}

// TestKeysCreatedOnceByInstancesStartedTogether: instances started together on an empty
// keys folder end with one set of keys (the folder lock), and a folder others can read is
// refused.
func TestKeysCreatedOnceByInstancesStartedTogether(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	const n = 6
	keys := make([]*central.Keys, n)
	errs := make([]error, n)
	var wg gosync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() { defer wg.Done(); keys[i], errs[i] = central.LoadOrCreateKeys(dir, nil) }()
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !keys[i].CA.Equal(keys[0].CA) || !keys[i].ReceiptKey.Equal(keys[0].ReceiptKey) ||
			keys[i].Identity.String() != keys[0].Identity.String() || !bytes.Equal(keys[i].Server.Certificate[0], keys[0].Server.Certificate[0]) {
			t.Fatalf("instance %d has other keys than instance 0", i)
		}
	}
	if err := central.CheckKeysDir(dir); err != nil {
		t.Fatalf("a folder made by LoadOrCreateKeys: %v", err)
	}
	os.Chmod(dir, 0o750)
	if err := central.CheckKeysDir(dir); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("a group-readable folder: %v", err)
	}
	os.Chmod(dir, 0o700)
	os.Chmod(filepath.Join(dir, "receipt-key.pem"), 0o644)
	if err := central.CheckKeysDir(dir); err == nil || !strings.Contains(err.Error(), "receipt-key.pem") {
		t.Fatalf("a world-readable key file: %v", err)
	}
}
