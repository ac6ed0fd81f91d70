package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// peerCerts records the client certificate of every request central serves.
type peerCerts struct {
	mu   gosync.Mutex
	seen map[string][]byte // path → last client certificate (DER)
}

func (p *peerCerts) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			p.mu.Lock()
			p.seen[strings.SplitN(r.URL.Path, "/", 4)[2]] = r.TLS.PeerCertificates[0].Raw
			p.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

func (p *peerCerts) last(endpoint string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[endpoint]
}

func certOf(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRenew: over loopback mutual TLS a terminal renews its certificate for the same key;
// central stores it on the device, the vault holds it, and a packet PUT presenting the new
// certificate is stored with a receipt.
func TestRenew(t *testing.T) {
	clk := &clock{now: time.Now().Add(-48 * time.Hour)} // enrolled two days ago
	peers := &peerCerts{seen: map[string][]byte{}}
	srv, url := centraltest.Start(t, central.Options{Now: clk.Now, Wrap: peers.wrap})
	sess, en := enrolledTerminal(t, srv, url)
	old := certOf(t, en.Cert)
	if fsync.RenewDue(en, clk.Now()) {
		t.Fatal("a certificate issued just now is due for renewal")
	}

	clk.Add(48 * time.Hour) // renewed now (TLS checks certificates against the real clock)
	renewed, err := fsync.Renew(context.Background(), sess)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	cert := certOf(t, renewed.Cert)
	if bytes.Equal(renewed.Cert, en.Cert) || !cert.NotAfter.After(old.NotAfter) || cert.SerialNumber.Cmp(old.SerialNumber) == 0 {
		t.Fatalf("renewed certificate: serial %s until %s; old serial %s until %s", cert.SerialNumber, cert.NotAfter, old.SerialNumber, old.NotAfter)
	}
	if !bytes.Equal(peers.last("renew"), en.Cert) {
		t.Fatal("the renewal did not authenticate with the current certificate")
	}
	if renewed.DeviceID != en.DeviceID || !bytes.Equal(renewed.Key, en.Key) || renewed.Renewed.IsZero() {
		t.Fatalf("renewal changed the identity: %s → %s (renewed %s)", en.DeviceID, renewed.DeviceID, renewed.Renewed)
	}
	stored, err := fsync.LoadEnrolmentFrom(sess)
	if err != nil || !bytes.Equal(stored.Cert, renewed.Cert) {
		t.Fatalf("vault holds another certificate (%v)", err)
	}
	d, err := srv.Store().Device(en.DeviceID)
	if err != nil || !bytes.Equal(d.Cert, renewed.Cert) || !d.Renewed.Equal(clk.Now().UTC()) || !d.Enrolled.Before(d.Renewed) {
		t.Fatalf("central's device after renewal: %+v %v", d, err)
	}

	// A packet PUT with the renewed certificate.
	c, err := fsync.NewClient(stored, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdle()
	const id = "renewedpacket0001"
	data := sealedFor(t, srv, stored, id, 0)
	sum := sha256.Sum256(data)
	row := &fsync.Row{PacketID: id, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Signature: ed25519.Sign(ed25519.PrivateKey(stored.Key), fsync.SignedMessage(id, stored.DeviceID, sum))}
	signed, err := c.PutPacket(context.Background(), row, data)
	if err != nil {
		t.Fatalf("PUT with the renewed certificate: %v", err)
	}
	var rec fsync.Receipt
	if err := signed.Open(fsync.DomainReceipt, stored.ReceiptKey, &rec); err != nil || rec.PacketID != id || rec.DeviceID != en.DeviceID {
		t.Fatalf("receipt %+v %v", rec, err)
	}
	if !bytes.Equal(peers.last("packets"), renewed.Cert) {
		t.Fatal("the PUT did not present the renewed certificate")
	}
}

// TestRenewRevoked: a revoked terminal is refused with central's reason and keeps its
// certificate.
func TestRenewRevoked(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	sess, en := enrolledTerminal(t, srv, url)
	if err := srv.RevokeDevice(en.DeviceID, "terminal reported stolen"); err != nil {
		t.Fatal(err)
	}
	_, err := fsync.Renew(context.Background(), sess)
	var he *fsync.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusForbidden || he.Problem.Code != "revoked" || !strings.Contains(err.Error(), "terminal reported stolen") {
		t.Fatalf("revoked terminal renewing: %v", err)
	}
	if stored, err := fsync.LoadEnrolmentFrom(sess); err != nil || !bytes.Equal(stored.Cert, en.Cert) || !stored.Renewed.IsZero() {
		t.Fatalf("a refused renewal changed the vault (%v)", err)
	}
	if d, _ := srv.Store().Device(en.DeviceID); !bytes.Equal(d.Cert, en.Cert) || !d.Revoked {
		t.Fatalf("central's device after a refused renewal: %+v", d)
	}
}

// TestRenewOtherKey: a CSR for any key but the enrolled one is refused with 422 other-key
// and a reason; a request that is not a CSR gets 400.
func TestRenewOtherKey(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	_, en := enrolledTerminal(t, srv, url)
	// The terminal's own mutual-TLS client, as sync builds it.
	pool := x509.NewCertPool()
	pool.AddCert(srv.Keys().CA)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion: tls.VersionTLS13, RootCAs: pool,
		Certificates: []tls.Certificate{{Certificate: [][]byte{en.Cert}, PrivateKey: ed25519.PrivateKey(en.Key)}},
	}}}
	defer hc.CloseIdleConnections()
	post := func(csr []byte) fsync.Problem {
		t.Helper()
		body, _ := json.Marshal(fsync.RenewRequest{CSR: csr})
		resp, err := hc.Post(url+"/v1/renew", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p fsync.Problem
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Status != resp.StatusCode || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("answer %d %s: %+v %v", resp.StatusCode, resp.Header.Get("Content-Type"), p, err)
		}
		return p
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fieldscreen terminal"}}, other)
	if err != nil {
		t.Fatal(err)
	}
	if p := post(csr); p.Status != http.StatusUnprocessableEntity || p.Code != "other-key" || !strings.Contains(p.Detail, en.DeviceID) || !strings.Contains(p.Detail, "enrol") {
		t.Fatalf("CSR for another key: %+v", p)
	}
	if p := post([]byte("not a certificate request")); p.Status != http.StatusBadRequest || p.Code != "bad-csr" {
		t.Fatalf("garbage CSR: %+v", p)
	}
	if d, _ := srv.Store().Device(en.DeviceID); !bytes.Equal(d.Cert, en.Cert) || !d.Renewed.IsZero() {
		t.Fatal("a refused renewal changed central's device")
	}
	// Without a client certificate the endpoint is closed like every other one.
	bare := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool}}}
	defer bare.CloseIdleConnections()
	resp, err := bare.Post(url+"/v1/renew", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("renew without a client certificate: %d", resp.StatusCode)
	}
}

// TestRenewDue: due when less than 30 days are left, or when the stored certificate does
// not parse.
func TestRenewDue(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	issue := func(left time.Duration) []byte {
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "terminal"},
			NotBefore: now.Add(-300 * 24 * time.Hour), NotAfter: now.Add(left)}, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "terminal"}}, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for _, tc := range []struct {
		name string
		cert []byte
		due  bool
	}{
		{"a year left", issue(365 * 24 * time.Hour), false},
		{"31 days left", issue(31 * 24 * time.Hour), false},
		{"29 days left", issue(29 * 24 * time.Hour), true},
		{"expired", issue(-time.Hour), true},
		{"unreadable", []byte("not a certificate"), true},
	} {
		if got := fsync.RenewDue(&fsync.Enrolment{Cert: tc.cert}, now); got != tc.due {
			t.Errorf("%s: RenewDue %v, want %v", tc.name, got, tc.due)
		}
	}
}

// answerRewriter lets a test change central's JSON answer on its way out.
type answerRewriter struct {
	http.ResponseWriter
	buf  bytes.Buffer
	code int
}

func (a *answerRewriter) WriteHeader(code int)        { a.code = code }
func (a *answerRewriter) Write(b []byte) (int, error) { return a.buf.Write(b) }

// TestRenewRefusesChangedCentralKeys: a renewal answer naming another receipt key (a
// proxy or a rebuilt central) is refused with ErrRenewal and the current certificate is
// kept.
func TestRenewRefusesChangedCentralKeys(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v1/renew" {
				h.ServeHTTP(w, r)
				return
			}
			aw := &answerRewriter{ResponseWriter: w, code: http.StatusOK}
			h.ServeHTTP(aw, r)
			var er fsync.EnrollResponse
			json.Unmarshal(aw.buf.Bytes(), &er)
			er.ReceiptKey = make([]byte, ed25519.PublicKeySize)
			w.WriteHeader(aw.code)
			json.NewEncoder(w).Encode(er)
		})
	}})
	sess, en := enrolledTerminal(t, srv, url)
	if _, err := fsync.Renew(context.Background(), sess); !errors.Is(err, fsync.ErrRenewal) || !strings.Contains(err.Error(), "receipt key") {
		t.Fatalf("renewal with another receipt key: %v", err)
	}
	if stored, _ := fsync.LoadEnrolmentFrom(sess); !bytes.Equal(stored.Cert, en.Cert) || !bytes.Equal(stored.ReceiptKey, en.ReceiptKey) {
		t.Fatal("a refused renewal changed the vault")
	}
}
