package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/vault"
)

// Enrolment is the terminal's identity with central, stored in the vault's sync class
// (encrypted; the private key never leaves the vault unencrypted).
type Enrolment struct {
	Central  string `json:"central"` // base URL, https://host:port; several instances separated by commas (failover.go)
	DeviceID string `json:"device_id"`
	// Key is the Ed25519 private key (TLS client key, packet and checkpoint signatures). It
	// is stored apart, in the vault's signing class, which only the roles that send to
	// central hold; in this record only before issue 14 (SeparateKey moves it). Nil when the
	// signed-in role does not hold it; zeroed when the session locks.
	Key        []byte `json:"key,omitempty"`
	Cert       []byte `json:"cert"`        // DER client certificate from central's CA
	CA         []byte `json:"ca"`          // DER of central's CA certificate (the only trusted root)
	ServerPin  string `json:"server_pin"`  // hex SHA-256 of central's TLS SPKI
	Recipient  string `json:"recipient"`   // central's age recipient
	ReceiptKey []byte `json:"receipt_key"` // central's Ed25519 key for receipts, results, config
	// NextServerPin and NextReceiptKey are the keys central announced in its signed config
	// ahead of a rotation (docs/sync.md "Rotating central's keys"): until central switches,
	// the terminal accepts the current key and the announced one.
	NextServerPin  string `json:"next_server_pin,omitempty"`
	NextReceiptKey []byte `json:"next_receipt_key,omitempty"`
	// PastReceiptKeys are receipt keys central used before a rotation, kept only to check
	// what the terminal stored signed by them (the countersigned audit checkpoint).
	PastReceiptKeys [][]byte  `json:"past_receipt_keys,omitempty"`
	Enrolled        time.Time `json:"enrolled"`
	Renewed         time.Time `json:"renewed,omitzero"` // last certificate renewal (Cert is the renewed one)

	key       ed25519.PrivateKey
	legacyKey bool // Key came from the sync-class record (before issue 14)
	recipient age.Recipient
}

// ErrNoTerminalKey: the signed-in role does not hold the terminal's key (vault class
// signing), so it cannot send to central, sign a packet or a checkpoint.
var ErrNoTerminalKey = errors.New("the signed-in user's role does not hold the terminal's key: sending to central needs an officer, registrar, medic or supervisor signed in")

// keyTerminal is the terminal's Ed25519 private key in the signing class.
const keyTerminal = "key"

// LoadEnrolment reads the enrolment from the vault, or ErrNotEnrolled. The key is read from
// the signing class when the session's role holds it (else Key stays nil and whatever
// needs it answers ErrNoTerminalKey); the copy is zeroed when the session locks.
func LoadEnrolment(tx *vault.Tx) (*Enrolment, error) {
	b, err := tx.Get(vault.Sync, bucketTerminal, keyEnrolment)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("read enrolment: %w", err)
	}
	var e Enrolment
	err = json.Unmarshal(b, &e)
	clear(b) // a record from before issue 14 holds the key
	if err != nil {
		return nil, fmt.Errorf("decode enrolment: %w", err)
	}
	switch {
	case len(e.Key) == ed25519.PrivateKeySize: // not yet moved (SeparateKey)
		e.legacyKey = true
	case len(e.Key) != 0:
		return nil, errors.New("enrolment holds no valid device key: enrol again")
	case tx.Can(vault.Signing, false):
		k, err := tx.Get(vault.Signing, bucketTerminal, keyTerminal)
		if errors.Is(err, vault.ErrNotFound) {
			return nil, errors.New("the terminal's key is missing from the vault: enrol again")
		}
		if err != nil {
			return nil, fmt.Errorf("read the terminal's key: %w", err)
		}
		if len(k) != ed25519.PrivateKeySize {
			clear(k)
			return nil, errors.New("the terminal's key in the vault is not an Ed25519 key: enrol again")
		}
		e.Key = k
	}
	if e.Key != nil {
		e.key = ed25519.PrivateKey(e.Key) // the same bytes: Wipe zeroes both
		tx.OnLock(e.Wipe)
	}
	r, err := age.ParseX25519Recipient(e.Recipient)
	if err != nil {
		return nil, fmt.Errorf("enrolment's central recipient: %w", err)
	}
	e.recipient = r
	return &e, nil
}

// Wipe zeroes the enrolment's copy of the terminal's key (LoadEnrolment registers it to run
// when the session locks; short-lived callers may run it sooner).
func (e *Enrolment) Wipe() {
	clear(e.Key)
	e.Key, e.key = nil, nil
}

// signer is the terminal's key, or ErrNoTerminalKey.
func (e *Enrolment) signer() (ed25519.PrivateKey, error) {
	if len(e.key) != ed25519.PrivateKeySize {
		return nil, ErrNoTerminalKey
	}
	return e.key, nil
}

// storeEnrolment writes the enrolment to the sync class and its key to the signing class.
func storeEnrolment(tx *vault.Tx, e *Enrolment) error {
	k, err := e.signer()
	if err != nil {
		return err
	}
	if err := tx.Put(vault.Signing, bucketTerminal, keyTerminal, k); err != nil {
		return fmt.Errorf("store the terminal's key: %w", err)
	}
	rec := *e
	rec.legacyKey = false
	return putEnrolmentRecord(tx, &rec)
}

// putEnrolmentRecord writes the sync-class record: without the key, unless the key still
// lives only there (a legacy record rewritten by a role that cannot move it).
func putEnrolmentRecord(tx *vault.Tx, e *Enrolment) error {
	rec := *e
	if !e.legacyKey {
		rec.Key = nil
	}
	b, err := json.Marshal(&rec)
	if err != nil {
		return err
	}
	defer clear(b)
	return tx.Put(vault.Sync, bucketTerminal, keyEnrolment, b)
}

// SeparateKey moves the terminal's key of an enrolment stored before issue 14 out of the
// sync class (every role but auditor and monitor held it) into the signing class. It does
// nothing when there is no enrolment, the key has moved already, or the session's role does
// not hold the signing class (the next unlock by one that does moves it). app runs it at
// every unlock.
func SeparateKey(s *vault.Session) error {
	if !s.Role().Can(vault.Signing, true) {
		return nil
	}
	legacy := false
	if err := s.View(func(tx *vault.Tx) error {
		e, err := LoadEnrolment(tx)
		if err == nil {
			legacy = e.legacyKey
			e.Wipe()
		}
		return nil
	}); err != nil || !legacy {
		return err // the usual case: nothing to move, no write
	}
	return s.Update(func(tx *vault.Tx) error {
		if !tx.Can(vault.Signing, true) {
			return nil
		}
		b, err := tx.Get(vault.Sync, bucketTerminal, keyEnrolment)
		if errors.Is(err, vault.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var raw struct {
			Key []byte `json:"key"`
		}
		err = json.Unmarshal(b, &raw)
		clear(b)
		if err != nil || len(raw.Key) == 0 {
			clear(raw.Key)
			return nil
		}
		clear(raw.Key)
		e, err := LoadEnrolment(tx)
		if err != nil {
			return err
		}
		if err := storeEnrolment(tx, e); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: "sync.key-moved", Class: vault.Signing, Detail: "terminal key moved from the sync class to the signing class"})
	})
}

// SPKIPin returns the hex SHA-256 of a certificate's public key (SubjectPublicKeyInfo).
func SPKIPin(cert *x509.Certificate) string {
	h := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(h[:])
}

// DeviceIDFromSPKI derives a device ID from a public key: lowercase base32 of the first
// 20 bytes of SHA-256(SPKI), Syncthing style, so both sides compute it independently.
func DeviceIDFromSPKI(spki []byte) string {
	h := sha256.Sum256(spki)
	return strings.ToLower(strings.TrimRight(b32.EncodeToString(h[:20]), "="))
}

// Token is a parsed enrolment token: the one-time secret and central's CA certificate, so
// the terminal can authenticate central on its very first connection.
type Token struct {
	Secret []byte
	CA     *x509.Certificate
}

const tokenPrefix = "fst1."

// FormatToken builds the printable token "fst1.<secret>.<CA DER>" (base64url).
func FormatToken(secret, caDER []byte) string {
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(secret) + "." + base64.RawURLEncoding.EncodeToString(caDER)
}

// ErrBadToken marks a token that is not in the printed format at all.
var ErrBadToken = errors.New("enrolment token is malformed: copy the whole token printed by fieldscreen-central token create")

// ParseToken parses a printed token.
func ParseToken(s string) (*Token, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), tokenPrefix)
	if !ok {
		return nil, ErrBadToken
	}
	sec, ca, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ErrBadToken
	}
	secret, err := base64.RawURLEncoding.DecodeString(sec)
	if err != nil || len(secret) < 16 {
		return nil, ErrBadToken
	}
	der, err := base64.RawURLEncoding.DecodeString(ca)
	if err != nil {
		return nil, ErrBadToken
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil || !cert.IsCA {
		return nil, fmt.Errorf("%w (its CA certificate does not parse)", ErrBadToken)
	}
	return &Token{Secret: secret, CA: cert}, nil
}

// Refusals of an enrolment token, told apart by central's problem code so a caller (the
// first-run screen, fieldscreenctl enroll) can ask for a new token. The error's message is
// central's own detail, which tells the operator what to do.
var (
	ErrTokenUnknown = errors.New("central does not know this enrolment token")
	ErrTokenUsed    = errors.New("this enrolment token was already used")
	ErrTokenExpired = errors.New("this enrolment token has expired")
)

// tokenError is an enrolment refused because of its token: both the sentinel (ErrToken…)
// and central's *HTTPError are in its chain.
type tokenError struct {
	kind error
	http *HTTPError
}

func (e *tokenError) Error() string {
	if e.http.Problem.Detail == "" { // a central that gives no advice: add ours
		return e.kind.Error() + ": ask the central operator for a new one (" + e.http.Error() + ")"
	}
	return e.http.Error()
}

func (e *tokenError) Unwrap() []error { return []error{e.kind, e.http} }

// enrolRefusal maps central's problem codes for tokens to the sentinels above.
func enrolRefusal(he *HTTPError) error {
	kinds := map[string]error{"unknown-token": ErrTokenUnknown, "token-used": ErrTokenUsed, "token-expired": ErrTokenExpired}
	if k, ok := kinds[he.Problem.Code]; ok && he.Status == http.StatusForbidden {
		return &tokenError{kind: k, http: he}
	}
	return he
}

// Enrol registers this terminal with central: it makes a new Ed25519 key, sends a CSR with
// the one-time token, and stores the returned certificate, pins and keys in the vault.
// The TLS connection trusts only the CA carried in the token.
func Enrol(ctx context.Context, s *vault.Session, centralURL, token string) (*Enrolment, error) {
	tok, err := ParseToken(token)
	if err != nil {
		return nil, err
	}
	urls, err := CentralURLs(centralURL)
	if err != nil {
		return nil, err
	}
	centralURL = strings.Join(urls, ",")
	if !s.Role().Can(vault.Signing, true) {
		return nil, fmt.Errorf("enrol: %w", ErrNoTerminalKey) // before the one-time token is spent
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fieldscreen terminal"}}, priv)
	if err != nil {
		return nil, fmt.Errorf("make certificate request: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(tok.CA)
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool}
	c := newHTTPClient(tlsConf, 30*time.Second, urls)
	defer c.CloseIdleConnections()
	resp, raw, err := postJSON(ctx, c, urls[0]+"/v1/enroll", EnrollRequest{Token: base64.RawURLEncoding.EncodeToString(tok.Secret), CSR: csr})
	var he *HTTPError
	if errors.As(err, &he) {
		return nil, fmt.Errorf("enrol with %s: %w", centralURL, enrolRefusal(he))
	}
	if err != nil {
		return nil, fmt.Errorf("enrol with %s: %w", centralURL, err)
	}
	er, _, err := readIssued(raw, pub, tok.CA)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if _, err := age.ParseX25519Recipient(er.Recipient); err != nil {
		return nil, fmt.Errorf("enrol: central's packet recipient: %w", err)
	}
	if len(er.ReceiptKey) != ed25519.PublicKeySize {
		return nil, errors.New("enrol: central's receipt key is not an Ed25519 key")
	}
	if _, err := hex.DecodeString(er.ServerPin); err != nil || len(er.ServerPin) != 64 {
		return nil, errors.New("enrol: central's server pin is not a SHA-256")
	}
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 || SPKIPin(resp.TLS.PeerCertificates[0]) != er.ServerPin {
		return nil, errors.New("enrol: central's pin does not match the key it presented")
	}
	e := &Enrolment{
		Central: centralURL, DeviceID: er.DeviceID, Key: priv, Cert: er.Certificate, CA: er.CA,
		ServerPin: er.ServerPin, Recipient: er.Recipient, ReceiptKey: er.ReceiptKey, Enrolled: time.Now().UTC(),
	}
	e.key = priv
	defer clear(priv)
	err = s.Update(func(tx *vault.Tx) error {
		if err := storeEnrolment(tx, e); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: "sync.enrol", Class: vault.Sync, Detail: "device " + e.DeviceID})
	})
	if err != nil {
		return nil, fmt.Errorf("store enrolment: %w", err)
	}
	return LoadEnrolmentFrom(s)
}

// postJSON posts v as JSON and returns central's answer (at most 1 MiB); an answer other
// than 200 is an *HTTPError with central's problem details.
func postJSON(ctx context.Context, c *http.Client, url string, v any) (*http.Response, []byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("central URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, explainTransport(err)
	}
	defer resp.Body.Close()
	raw, err := ReadLimited(resp.Body, 1<<20, "answer")
	if err != nil {
		return nil, nil, fmt.Errorf("read central's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp, raw, problemError(resp.StatusCode, raw)
	}
	return resp, raw, nil
}

// readIssued decodes central's answer to an enrolment or a renewal and checks that the
// certificate is for pub, issued by ca (the CA the terminal already trusts), and that the
// device ID is the one derived from pub.
func readIssued(raw []byte, pub ed25519.PublicKey, ca *x509.Certificate) (EnrollResponse, *x509.Certificate, error) {
	var er EnrollResponse
	if err := json.Unmarshal(raw, &er); err != nil {
		return er, nil, fmt.Errorf("central's answer is not valid JSON: %w", err)
	}
	cert, err := x509.ParseCertificate(er.Certificate)
	if err != nil {
		return er, nil, fmt.Errorf("central's certificate: %w", err)
	}
	if cp, ok := cert.PublicKey.(ed25519.PublicKey); !ok || !cp.Equal(pub) {
		return er, nil, errors.New("central issued a certificate for another key")
	}
	if !bytes.Equal(er.CA, ca.Raw) {
		return er, nil, errors.New("central answered with a CA other than the one this terminal trusts")
	}
	if err := cert.CheckSignatureFrom(ca); err != nil {
		return er, nil, fmt.Errorf("central's certificate is not signed by its CA: %w", err)
	}
	if er.DeviceID != DeviceIDFromSPKI(cert.RawSubjectPublicKeyInfo) {
		return er, nil, errors.New("central's device ID does not match the certificate")
	}
	return er, cert, nil
}

// RenewRequest is the body of POST /v1/renew: a certificate request signed by the key the
// terminal enrolled with.
type RenewRequest struct {
	CSR []byte `json:"csr"` // DER PKCS#10, the enrolled Ed25519 key
}

// RenewBefore is how long before its certificate ends a terminal renews it.
const RenewBefore = 30 * 24 * time.Hour

// RenewDue reports whether the terminal should renew its certificate at now: less than
// RenewBefore is left (or the stored certificate does not parse, which a renewal
// replaces). Central issues certificates for one year.
func RenewDue(en *Enrolment, now time.Time) bool {
	cert, err := x509.ParseCertificate(en.Cert)
	return err != nil || cert.NotAfter.Sub(now) < RenewBefore
}

// ErrRenewal marks a renewal answer that does not fit the enrolment (another device, pin,
// recipient or receipt key, or a certificate that ends before the current one); the
// current certificate is kept.
var ErrRenewal = errors.New("central's renewal does not match this terminal's enrolment")

// Renew asks central, over mutual TLS with the current certificate, for a fresh
// certificate for the terminal's enrolled key, checks it like an enrolment, and stores it
// in the vault in one transaction (audited sync.renew). Until that commit the current
// certificate stays in place, so a failed or cut renewal changes nothing. A revoked
// terminal gets central's 403 (*HTTPError). It must run before the current certificate
// expires: central's TLS refuses an expired one, and then only a new enrolment helps.
func Renew(ctx context.Context, s *vault.Session) (*Enrolment, error) {
	en, err := LoadEnrolmentFrom(s)
	if err != nil {
		return nil, err
	}
	key, err := en.signer()
	if err != nil {
		return nil, fmt.Errorf("renew: %w", err)
	}
	ca, err := x509.ParseCertificate(en.CA)
	if err != nil {
		return nil, fmt.Errorf("enrolment's CA certificate: %w", err)
	}
	old, err := x509.ParseCertificate(en.Cert)
	if err != nil {
		old = &x509.Certificate{} // unreadable: any valid certificate is better
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fieldscreen terminal"}}, key)
	if err != nil {
		return nil, fmt.Errorf("make certificate request: %w", err)
	}
	conf, err := en.tlsConfig()
	if err != nil {
		return nil, err
	}
	urls, err := CentralURLs(en.Central)
	if err != nil {
		return nil, err
	}
	c := newHTTPClient(conf, 30*time.Second, urls)
	defer c.CloseIdleConnections()
	_, raw, err := postJSON(ctx, c, urls[0]+"/v1/renew", RenewRequest{CSR: csr})
	if err != nil {
		return nil, fmt.Errorf("renew the certificate with %s: %w", en.Central, err)
	}
	er, cert, err := readIssued(raw, key.Public().(ed25519.PublicKey), ca)
	switch {
	case err != nil:
		return nil, fmt.Errorf("renew: %w", err)
	case er.DeviceID != en.DeviceID:
		return nil, fmt.Errorf("%w: certificate for device %s, this terminal is %s", ErrRenewal, er.DeviceID, en.DeviceID)
	case !isRecipient(er.Recipient):
		return nil, fmt.Errorf("%w: central's packet recipient %q is not an age X25519 recipient", ErrRenewal, er.Recipient)
	case !en.knownPin(er.ServerPin) || !en.knownReceiptKey(er.ReceiptKey):
		return nil, fmt.Errorf("%w: central names other keys than at enrolment (TLS pin or receipt key): enrol again if central's keys really changed", ErrRenewal)
	case cert.NotAfter.Before(old.NotAfter):
		return nil, fmt.Errorf("%w: the new certificate ends %s, before the current one (%s): check central's clock", ErrRenewal,
			cert.NotAfter.UTC().Format(time.RFC3339), old.NotAfter.UTC().Format(time.RFC3339))
	}
	err = s.Update(func(tx *vault.Tx) error {
		cur, err := LoadEnrolment(tx)
		if err != nil {
			return err
		}
		if cur.DeviceID != en.DeviceID || !bytes.Equal(cur.key, key) {
			return errors.New("the terminal enrolled again while renewing: nothing changed")
		}
		cur.Cert, cur.Renewed = er.Certificate, time.Now().UTC()
		if err := storeEnrolment(tx, cur); err != nil {
			return err
		}
		if err := tx.Audit(vault.AuditEvent{Action: "sync.renew", Class: vault.Sync,
			Detail: "device " + cur.DeviceID + ", certificate valid until " + cert.NotAfter.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
		// A rotated packet key comes over the pinned channel too.
		return adoptRecipient(tx, er.Recipient, "certificate renewal")
	})
	if err != nil {
		return nil, fmt.Errorf("store the renewed certificate: %w", err)
	}
	return LoadEnrolmentFrom(s)
}

// LoadEnrolmentFrom reads the enrolment in its own read transaction.
func LoadEnrolmentFrom(s *vault.Session) (*Enrolment, error) {
	var e *Enrolment
	err := s.View(func(tx *vault.Tx) error {
		var err error
		e, err = LoadEnrolment(tx)
		return err
	})
	return e, err
}

// tlsConfig is the mutual-TLS configuration for talking to central after enrolment:
// TLS 1.3, the client certificate, central's CA as the only root, and central's key
// pinned on top of the chain check.
func (e *Enrolment) tlsConfig() (*tls.Config, error) {
	key, err := e.signer()
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(e.CA)
	if err != nil {
		return nil, fmt.Errorf("enrolment's CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	pins := []string{e.ServerPin}
	if e.NextServerPin != "" {
		pins = append(pins, e.NextServerPin) // announced in the signed config: central may switch any time
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		RootCAs:      pool,
		Certificates: []tls.Certificate{{Certificate: [][]byte{e.Cert}, PrivateKey: key}},
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !slices.Contains(pins, SPKIPin(cs.PeerCertificates[0])) {
				return ErrPinMismatch
			}
			return nil
		},
	}, nil
}

// ErrPinMismatch means the server's key is not the one pinned at enrolment.
var ErrPinMismatch = errors.New("central's TLS key does not match the key pinned at enrolment (possible interception): check the central URL or enrol again")

// knownPin reports whether pin is central's current TLS pin or the announced next one.
func (e *Enrolment) knownPin(pin string) bool {
	return pin == e.ServerPin || (e.NextServerPin != "" && pin == e.NextServerPin)
}

// knownReceiptKey reports whether k is central's current receipt key or the announced next.
func (e *Enrolment) knownReceiptKey(k []byte) bool {
	return bytes.Equal(k, e.ReceiptKey) || (len(e.NextReceiptKey) > 0 && bytes.Equal(k, e.NextReceiptKey))
}

// receiptKeys are the keys central's live answers may be signed with: the current one and,
// during a rotation, the announced next one.
func (e *Enrolment) receiptKeys() [][]byte {
	if len(e.NextReceiptKey) == 0 {
		return [][]byte{e.ReceiptKey}
	}
	return [][]byte{e.ReceiptKey, e.NextReceiptKey}
}

func isRecipient(s string) bool {
	_, err := age.ParseX25519Recipient(s)
	return err == nil
}
