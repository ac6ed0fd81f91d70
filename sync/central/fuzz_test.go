package central

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Fuzz targets of central's handlers: whatever a client sends, no handler panics, and what
// it accepts meets the checks the handler promises.

var fuzzDevKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))

// fuzzServer is a central on a temporary folder with an in-memory store and one enrolled
// terminal (fuzzDevKey), for handler fuzzing.
func fuzzServer(f *testing.F) (*Server, Device) {
	s, err := Open(f.TempDir(), Options{Store: NewMemStore(), EventLog: io.Discard, EnrollRate: rate.Inf, Logf: func(string, ...any) {}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	pub := fuzzDevKey.Public().(ed25519.PublicKey)
	spki, _ := x509.MarshalPKIXPublicKey(pub)
	d := Device{ID: fsync.DeviceIDFromSPKI(spki), PublicKey: pub, Enrolled: time.Now()}
	if err := s.store.PutDevice(d); err != nil {
		f.Fatal(err)
	}
	return s, d
}

func csrFor(f *testing.F, key ed25519.PrivateKey) []byte {
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		f.Fatal(err)
	}
	return der
}

// FuzzParseDigest: a Content-Digest header is accepted only as a SHA-256 of 32 bytes,
// returned as 64 lowercase hex digits.
func FuzzParseDigest(f *testing.F) {
	sum := sha256.Sum256([]byte("x"))
	f.Add("sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":")
	f.Add("sha-512=:AAAA:, SHA-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":")
	f.Add("sha-256=:AAAA:")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseDigest(v)
		if ok && (len(d) != 64 || strings.Trim(d, "0123456789abcdef") != "") {
			t.Fatalf("digest %q from %q", d, v)
		}
	})
}

// FuzzReadClaim: a packet's header claims (ID, digest, signature) are accepted only when
// the terminal's key signed exactly that ID and digest.
func FuzzReadClaim(f *testing.F) {
	s := &Server{}
	pub := fuzzDevKey.Public().(ed25519.PublicKey)
	d := Device{ID: "devfuzz0000000001", PublicKey: pub}
	sum := sha256.Sum256([]byte("sealed"))
	sig := ed25519.Sign(fuzzDevKey, fsync.SignedMessage("fuzzpacket000001", d.ID, sum))
	f.Add("fuzzpacket000001", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":", base64.StdEncoding.EncodeToString(sig))
	f.Add("fuzzpacket000002", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":", base64.StdEncoding.EncodeToString(sig))
	f.Add("../../etc", "sha-256=::", "")
	f.Fuzz(func(t *testing.T, id, digest, signature string) {
		r := httptest.NewRequest(http.MethodPut, "/v1/packets/x", nil)
		r.Header.Set(fsync.HeaderDigest, digest)
		r.Header.Set(fsync.HeaderSignature, signature)
		w := httptest.NewRecorder()
		c, ok := s.readClaim(w, r, id, d)
		if !ok {
			if w.Code < 400 {
				t.Fatalf("refused claim answered %d", w.Code)
			}
			return
		}
		var dg [32]byte
		hex.Decode(dg[:], []byte(c.digest))
		if !fsync.ValidID(c.id) || !ed25519.Verify(pub, fsync.SignedMessage(c.id, d.ID, dg), c.sig) {
			t.Fatalf("accepted claim %+v", c)
		}
	})
}

// FuzzEnrollBody: enrolment bodies without a valid token never enrol anything and never
// make central fail.
func FuzzEnrollBody(f *testing.F) {
	s, _ := fuzzServer(f)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	good, _ := json.Marshal(fsync.EnrollRequest{Token: base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 24)), CSR: csrFor(f, other)})
	f.Add(good)
	f.Add([]byte(`{"token":"!!","csr":"AAAA"}`))
	f.Add([]byte(`{`))
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/enroll", bytes.NewReader(body)))
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("enrolment without a known token answered %d: %s", w.Code, w.Body)
		}
	})
}

// FuzzRenewBody: a renewal certifies only the terminal's own key.
func FuzzRenewBody(f *testing.F) {
	s, d := fuzzServer(f)
	good, _ := json.Marshal(fsync.RenewRequest{CSR: csrFor(f, fuzzDevKey)})
	f.Add(good)
	other, _ := json.Marshal(fsync.RenewRequest{CSR: csrFor(f, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)))})
	f.Add(other)
	f.Add([]byte(`{"csr":"AAAA"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		s.renew(w, httptest.NewRequest(http.MethodPost, "/v1/renew", bytes.NewReader(body)), d)
		if w.Code >= 500 {
			t.Fatalf("renewal answered %d: %s", w.Code, w.Body)
		}
		if w.Code != http.StatusOK {
			return
		}
		var resp fsync.EnrollResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(resp.Certificate)
		if err != nil || !ed25519.PublicKey(d.PublicKey).Equal(cert.PublicKey) {
			t.Fatalf("renewal certified another key: %v", err)
		}
	})
}

// FuzzCheckpointBody: a checkpoint is countersigned only when signed by the terminal and
// proven to extend the last countersigned one; sizes and heads are never stored unchecked.
func FuzzCheckpointBody(f *testing.F) {
	s, d := fuzzServer(f)
	cts := [][]byte{[]byte("sealed entry 1"), []byte("sealed entry 2")}
	var h [32]byte
	for i, ct := range cts {
		h = vault.AuditChainHash(h, uint64(i+1), ct)
	}
	for _, cp := range []fsync.Checkpoint{
		{DeviceID: d.ID, Size: 2, Head: hex.EncodeToString(h[:])},
		{DeviceID: d.ID, Size: 1<<63 - 1, Head: hex.EncodeToString(h[:])},
		{DeviceID: d.ID, Size: 2, Head: "not hex"},
	} {
		raw, _ := json.Marshal(cp)
		b, _ := json.Marshal(fsync.CheckpointRequest{Checkpoint: raw, Signature: ed25519.Sign(fuzzDevKey, append([]byte(fsync.DomainCheckpoint), raw...)), Entries: cts})
		f.Add(b)
	}
	f.Add([]byte(`{"checkpoint":{},"signature":"AAAA"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		before, _ := s.store.Device(d.ID)
		w := httptest.NewRecorder()
		s.checkpoint(w, httptest.NewRequest(http.MethodPost, "/v1/audit/checkpoints", bytes.NewReader(body)), d)
		if w.Code >= 500 {
			t.Fatalf("checkpoint answered %d: %s", w.Code, w.Body)
		}
		if w.Code != http.StatusOK {
			return
		}
		after, _ := s.store.Device(d.ID)
		cp := after.Checkpoint
		if _, err := fsync.ParseHead(cp.Head); err != nil {
			t.Fatalf("stored head %q", cp.Head)
		}
		if before.Checkpoint != nil && cp.Size < before.Checkpoint.Size {
			t.Fatalf("countersigned %d after %d", cp.Size, before.Checkpoint.Size)
		}
		if cp.Size > 1<<20 {
			t.Fatalf("countersigned a size no proof in one body can reach: %d", cp.Size)
		}
	})
}

// FuzzParseImportMeta: courier metadata is accepted only with valid IDs, digest, size and
// signature length.
func FuzzParseImportMeta(f *testing.F) {
	const id = "importmeta00000001"
	ok := `{"packet_id":"importmeta00000001","device_id":"dev0000000000000001","sha256":"` + strings.Repeat("ab", 32) + `","size":10,"signature":"` + strings.Repeat("A", 86) + `=="}`
	f.Add([]byte(ok), int64(100))
	f.Add([]byte(strings.Replace(ok, `"size":10`, `"size":-5`, 1)), int64(100))
	f.Add([]byte(`{"packet_id":"../x"}`), int64(1))
	f.Fuzz(func(t *testing.T, b []byte, max int64) {
		m, err := ParseImportMeta(b, id, max)
		if err != nil {
			return
		}
		if m.PacketID != id || !fsync.ValidID(m.DeviceID) || m.Size <= 0 || m.Size > max || len(m.Signature) != ed25519.SignatureSize || len(m.SHA256) != 64 {
			t.Fatalf("accepted %+v", m)
		}
	})
}
