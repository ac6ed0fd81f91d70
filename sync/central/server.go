// Package central is the reference implementation of fieldscreen's central intake server:
// enrolment (its own CA issues terminal certificates), the packet endpoints with
// idempotent storage and signed receipts, tus-style resumable uploads, results, config and
// audit checkpoints (docs/api/openapi.yaml). A simulated downstream opens each packet with
// central's age identity and answers security checks from a watch-list file and Eurodac
// registrations with a reference number, so the loop closes in tests and demos.
//
// It is a reference and test server, not a production intake system: one process, one
// bbolt file, no clustering.
package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Options configure a Server; zero values take the defaults.
type Options struct {
	Hosts     []string // extra names/IPs for the server certificate
	Watchlist []string // entries (names, document numbers) that give a check hit; "SYSTEM: entry" in one system only
	// Unavailable names systems the simulated downstream cannot reach: their checks answer
	// "not-possible" with a reason (how a terminal's handling of an error is tested).
	Unavailable []string
	MaxPacket   int64      // PUT limit; larger packets must use uploads (default 4 MiB)
	MaxUpload   int64      // resumable upload limit (default 1 GiB)
	MaxChunk    int64      // PATCH body limit (default 8 MiB)
	Rate        rate.Limit // requests per second per device (default 50)
	Burst       int        // default 100
	// UploadTTL: resumable uploads untouched this long are removed (default 24 h, sweep.go).
	UploadTTL time.Duration
	Now       func() time.Time // clock for receipts
	Store     Store            // nil: BoltStore in the data folder
	// Wrap, when set, wraps the API handler (tests inject HTTP faults with it).
	Wrap func(http.Handler) http.Handler
	// Logf reports operator-facing problems (never personal data); default: log.Printf.
	Logf func(format string, args ...any)
	// EventLog receives the security event log (JSON lines, events.go); nil: events.jsonl
	// in the data folder.
	EventLog io.Writer

	// Limits against clients that stall or flood central (docs/SECURITY.md).
	RequestTimeout time.Duration // read and write deadline of a request (default 2 min)
	MinRate        int64         // bytes/s a body must at least arrive at: big bodies get RequestTimeout + size/MinRate (default 16 KiB/s)
	IdleTimeout    time.Duration // keep-alive connections idle this long are closed (default 2 min)
	MaxHeaderBytes int           // default 64 KiB
	MaxConns       int           // connections served at once (default 256)
	MaxBodyMemory  int64         // request bodies held in memory at once (default 256 MiB)
	EnrollRate     rate.Limit    // enrolment requests per second per client address (default 0.2)
	EnrollBurst    int           // default 5
	// Per-terminal quotas of resumable uploads in progress (default 16 uploads, 4 GiB).
	MaxDeviceUploads     int
	MaxDeviceUploadBytes int64
}

// maxResultsWait bounds GET /v1/results?wait=.
const maxResultsWait = 30 * time.Second

// Server is central. It is safe for concurrent use.
type Server struct {
	dir     string
	keys    *Keys
	store   Store
	opt     Options
	locks   [64]gosync.Mutex // per packet ID stripe: check-then-store is atomic per ID
	limMu   gosync.Mutex
	limits  map[string]*rate.Limiter
	config  fsync.Signed
	etag    string
	ds      downstreamQueue
	events  *eventLog
	bodies  *byteBudget  // request bodies held in memory (MaxBodyMemory)
	enrol   *addrLimiter // enrolment requests per client address
	parts   uploadParts  // bytes of uploads in progress (parts.go)
	metrics *metrics     // metrics.go
}

// Open opens (or initialises) central's data folder.
func Open(dir string, opt Options) (*Server, error) {
	if opt.MaxPacket == 0 {
		opt.MaxPacket = fsync.DefaultChunkSize
	}
	if opt.MaxUpload == 0 {
		opt.MaxUpload = 1 << 30
	}
	if opt.MaxChunk == 0 {
		opt.MaxChunk = 8 << 20
	}
	if opt.Rate == 0 {
		opt.Rate, opt.Burst = 50, 100
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.UploadTTL == 0 {
		opt.UploadTTL = DefaultUploadTTL
	}
	if opt.UploadTTL < 0 {
		return nil, fmt.Errorf("upload lifetime %s: must be positive", opt.UploadTTL)
	}
	if opt.Logf == nil {
		opt.Logf = log.Printf
	}
	opt.limitDefaults()
	keys, err := LoadOrCreateKeys(dir, opt.Hosts)
	if err != nil {
		return nil, fmt.Errorf("central keys in %s: %w", dir, err)
	}
	st := opt.Store
	if st == nil {
		if st, err = OpenBolt(dir); err != nil {
			return nil, err
		}
	}
	events, err := openEventLog(dir, opt.EventLog, opt.Now)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("central security event log: %w", err)
	}
	s := &Server{dir: dir, keys: keys, store: st, opt: opt, limits: map[string]*rate.Limiter{}, events: events,
		bodies: newByteBudget(opt.MaxBodyMemory), enrol: newAddrLimiter(opt.EnrollRate, opt.EnrollBurst)}
	if err := s.initParts(); err != nil {
		st.Close()
		return nil, err
	}
	s.initMetrics()
	if err := s.loadConfig(); err != nil {
		st.Close()
		return nil, err
	}
	if err := s.initDownstream(); err != nil {
		st.Close()
		return nil, fmt.Errorf("central downstream queue: %w", err)
	}
	return s, nil
}

// limitDefaults fills the zero limits with their defaults.
func (o *Options) limitDefaults() {
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 2 * time.Minute
	}
	if o.MinRate == 0 {
		o.MinRate = 16 << 10
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.MaxHeaderBytes == 0 {
		o.MaxHeaderBytes = 64 << 10
	}
	if o.MaxConns == 0 {
		o.MaxConns = 256
	}
	if o.MaxBodyMemory == 0 {
		o.MaxBodyMemory = 256 << 20
	}
	if o.EnrollRate == 0 {
		o.EnrollRate, o.EnrollBurst = 0.2, 5
	}
	if o.MaxDeviceUploads == 0 {
		o.MaxDeviceUploads = 16
	}
	if o.MaxDeviceUploadBytes == 0 {
		o.MaxDeviceUploadBytes = 4 << 30
	}
}

// Close closes the store and the event log.
func (s *Server) Close() error { return errors.Join(s.store.Close(), s.events.close()) }

// Store exposes the storage (for tools: stats, export).
func (s *Server) Store() Store { return s.store }

// Dir is central's data folder.
func (s *Server) Dir() string { return s.dir }

// Keys exposes central's keys (tests pin and decrypt with them).
func (s *Server) Keys() *Keys { return s.keys }

// loadConfig reads config.json from the data folder (opaque JSON for terminals) or uses a
// small default, and signs it once; the ETag is its hash.
func (s *Server) loadConfig() error {
	data := json.RawMessage(`{"thresholds":{"face_match":0.6},"revocations":[]}`)
	if b, err := os.ReadFile(filepath.Join(s.dir, "config.json")); err == nil {
		if !json.Valid(b) {
			return fmt.Errorf("%s: not valid JSON", filepath.Join(s.dir, "config.json"))
		}
		// The data protection contacts are printed on every terminal's leaflet (Eurodac
		// Art 42(1)(a)): a typo must stop central here, not reach paper.
		if _, err := forms.ParseDataProtection(b); err != nil {
			return fmt.Errorf("%s: %w: fix \"dataProtection\" (see docs/sync.md)", filepath.Join(s.dir, "config.json"), err)
		}
		data = b
	}
	recipient := s.keys.Identity.Recipient().String()
	cfg := fsync.Config{Data: data, Recipient: recipient, ServerPin: fsync.SPKIPin(s.keys.Server.Leaf),
		NextServerPin: s.keys.NextServerPin, NextReceiptKey: []byte(s.keys.NextReceiptKey)}
	// A new recipient, TLS key or receipt key (current or announced) is a new version.
	h := sha256.New()
	for _, part := range [][]byte{[]byte(recipient), []byte(cfg.ServerPin), []byte(cfg.NextServerPin), cfg.NextReceiptKey, s.keys.ReceiptKey.Public().(ed25519.PublicKey)} {
		h.Write(part)
		h.Write([]byte{0})
	}
	h.Write(data)
	cfg.Version = hex.EncodeToString(h.Sum(nil)[:8])
	signed, err := fsync.SignPayload(fsync.DomainConfig, cfg, s.keys.ReceiptKey)
	if err != nil {
		return err
	}
	s.config, s.etag = signed, `"`+cfg.Version+`"`
	return nil
}

// TLSConfig is TLS 1.3 with client certificates verified against central's CA when given
// (enrolment comes without one; every other endpoint requires one).
func (s *Server) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.keys.CA)
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{s.keys.Server},
		ClientCAs:    pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
	}
}

// Serve serves HTTPS on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	h := s.Handler()
	if s.opt.Wrap != nil {
		h = s.opt.Wrap(h)
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Every request has read and write deadlines; handlers of big bodies extend them
		// by the body's size at MinRate (bodyDeadline), never without bound.
		ReadTimeout:    s.opt.RequestTimeout,
		WriteTimeout:   s.opt.RequestTimeout,
		IdleTimeout:    s.opt.IdleTimeout,
		MaxHeaderBytes: s.opt.MaxHeaderBytes,
		ErrorLog:       log.New(tlsErrors{s}, "", 0), // handshake failures become security events
		// Requests end with the server: a results request held for ?wait= returns at once
		// when central stops instead of outliving the store.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	tl := tls.NewListener(newLimitListener(ln, s.opt.MaxConns), s.TLSConfig())
	dctx, stopBackground := context.WithCancel(ctx)
	dsDone, sweepDone := make(chan struct{}), make(chan struct{})
	go func() { s.runDownstream(dctx); close(dsDone) }()
	go func() { s.runSweeps(dctx); close(sweepDone) }()
	defer func() { stopBackground(); <-dsDone; <-sweepDone }()
	return serveUntil(ctx, hs, tl)
}

// serveUntil serves hs on ln until ctx ends, then shuts it down, giving requests in flight
// up to 5 s. An error of Serve other than that shutdown is returned.
func serveUntil(ctx context.Context, hs *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// Handler routes the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enroll", s.enroll)
	mux.HandleFunc("GET /v1/time", s.device(s.timeH))
	mux.HandleFunc("PUT /v1/packets/{id}", s.timeReceipts(s.device(s.putPacket)))
	mux.HandleFunc("POST /v1/uploads", s.device(s.createUpload))
	mux.HandleFunc("HEAD /v1/uploads/{id}", s.device(s.headUpload))
	mux.HandleFunc("PATCH /v1/uploads/{id}", s.timeReceipts(s.device(s.patchUpload)))
	mux.HandleFunc("GET /v1/results", s.device(s.results))
	mux.HandleFunc("GET /v1/config", s.device(s.configH))
	mux.HandleFunc("POST /v1/audit/checkpoints", s.device(s.checkpoint))
	mux.HandleFunc("POST /v1/renew", s.device(s.renew))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusNotFound, "not-found", "no such endpoint", r.Method+" "+r.URL.Path)
	})
	return mux
}

// problem writes an RFC 9457 problem+json answer.
func problem(w http.ResponseWriter, status int, code, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(fsync.Problem{Type: "https://fieldscreen.invalid/problems/" + code, Title: title, Status: status, Detail: detail, Code: code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// device authenticates the terminal by its client certificate, refuses revoked terminals
// and applies the per-device rate limit.
func (s *Server) device(h func(http.ResponseWriter, *http.Request, Device)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
			s.event(r, EventAuthFailure, "", "no client certificate")
			problem(w, http.StatusUnauthorized, "no-client-certificate", "client certificate required", "enrol the terminal first (fieldscreenctl enroll)")
			return
		}
		id := fsync.DeviceIDFromSPKI(r.TLS.PeerCertificates[0].RawSubjectPublicKeyInfo)
		d, err := s.store.Device(id)
		if errors.Is(err, ErrNotFound) {
			s.event(r, EventAuthFailure, "", "certificate of no enrolled terminal "+id)
			problem(w, http.StatusForbidden, "unknown-device", "unknown terminal", "this certificate belongs to no enrolled terminal: enrol again")
			return
		}
		if err != nil {
			problem(w, http.StatusInternalServerError, "store", "central storage error", "try again later")
			return
		}
		if d.Revoked {
			s.event(r, EventAuthFailure, id, "revoked terminal")
			problem(w, http.StatusForbidden, "revoked", "terminal revoked", "central revoked this terminal ("+d.RevokedReason+"): contact the central operator")
			return
		}
		if !s.limiter(id).Allow() {
			s.event(r, EventRateLimited, id, r.Method+" "+r.URL.Path)
			s.metrics.rateLimited.WithLabelValues("device").Inc()
			w.Header().Set("Retry-After", "1")
			problem(w, http.StatusTooManyRequests, "rate-limited", "too many requests", "slow down and retry after the Retry-After delay")
			return
		}
		h(w, r, d)
	}
}

func (s *Server) limiter(id string) *rate.Limiter {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	l := s.limits[id]
	if l == nil {
		l = rate.NewLimiter(s.opt.Rate, s.opt.Burst)
		s.limits[id] = l
	}
	return l
}

// CreateToken makes a one-time enrolment token valid for DefaultTokenTTL.
func (s *Server) CreateToken() (string, error) {
	tok, _, err := s.CreateTokenTTL(DefaultTokenTTL)
	return tok, err
}

// CreateTokenTTL makes a one-time enrolment token usable for ttl and returns it with its
// expiry. Only the hash of its secret is stored.
func (s *Server) CreateTokenTTL(ttl time.Duration) (token string, expires time.Time, err error) {
	if ttl <= 0 {
		return "", time.Time{}, fmt.Errorf("token lifetime %s: must be positive (for example 24h)", ttl)
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return "", time.Time{}, err
	}
	now := s.opt.Now().UTC()
	expires = now.Add(ttl)
	if err := s.store.AddToken(sha256.Sum256(secret), now, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("store token: %w", err)
	}
	return fsync.FormatToken(secret, s.keys.CA.Raw), expires, nil
}

// RevokeDevice marks a terminal revoked: it can no longer send or pull anything.
func (s *Server) RevokeDevice(id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fmt.Errorf("device %s: %w", id, ErrNoRevokeReason)
	}
	unlock := s.lock("device/" + id) // not lost to a concurrent checkpoint or renewal
	defer unlock()
	d, err := s.store.Device(id)
	if err != nil {
		return fmt.Errorf("device %s: %w", id, err)
	}
	d.Revoked, d.RevokedReason = true, reason
	if err := s.store.PutDevice(d); err != nil {
		return err
	}
	s.events.write(Event{Kind: EventRevoked, Device: id, Detail: reason})
	return nil
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	if !s.enrol.allow(remoteIP(r.RemoteAddr), time.Now()) {
		s.event(r, EventRateLimited, "", "POST /v1/enroll")
		s.metrics.rateLimited.WithLabelValues("enrolment").Inc()
		w.Header().Set("Retry-After", strconv.Itoa(int(max(1, 1/float64(s.opt.EnrollRate)))))
		problem(w, http.StatusTooManyRequests, "rate-limited", "too many enrolment requests from this address", "wait and try again")
		return
	}
	var req fsync.EnrollRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		problem(w, http.StatusBadRequest, "bad-request", "enrolment request is not valid JSON", err.Error())
		return
	}
	secret, err := base64.RawURLEncoding.DecodeString(req.Token)
	if err != nil {
		s.event(r, EventAuthFailure, "", "enrolment token not base64url")
		problem(w, http.StatusForbidden, "unknown-token", "unknown enrolment token", ErrUnknownToken.Error())
		return
	}
	pub, id, ok := readCSR(w, req.CSR)
	if !ok {
		return
	}
	// The device ID comes from the key: enrolling a known key again must not undo a
	// revocation or drop the audit checkpoint.
	unlock := s.lock("device/" + id)
	defer unlock()
	known, err := s.store.Device(id)
	switch {
	case err == nil && known.Revoked:
		s.event(r, EventAuthFailure, "", "revoked terminal "+id+" enrolling again")
		problem(w, http.StatusForbidden, "revoked", "terminal revoked",
			"central revoked this terminal ("+known.RevokedReason+"): a revoked terminal cannot enrol again with the same key; contact the central operator")
		return
	case err != nil && !errors.Is(err, ErrNotFound):
		problem(w, http.StatusInternalServerError, "store", "central could not read its terminals", "try again later")
		return
	}
	if err := s.store.UseToken(sha256.Sum256(secret), s.opt.Now()); err != nil {
		s.event(r, EventAuthFailure, "", "enrolment token refused: "+tokenCode(err))
		switch {
		case errors.Is(err, ErrTokenUsed):
			problem(w, http.StatusForbidden, "token-used", "enrolment refused", err.Error())
		case errors.Is(err, ErrTokenExpired):
			problem(w, http.StatusForbidden, "token-expired", "enrolment token expired", err.Error())
		case errors.Is(err, ErrUnknownToken):
			problem(w, http.StatusForbidden, "unknown-token", "enrolment refused", err.Error())
		default:
			problem(w, http.StatusInternalServerError, "store", "central could not check the enrolment token", "try again later")
		}
		return
	}
	now := s.opt.Now()
	der, err := s.issueCert(id, pub, now)
	if err != nil {
		problem(w, http.StatusInternalServerError, "issue", "could not issue the certificate", "")
		return
	}
	d := Device{ID: id, PublicKey: pub, Cert: der, Enrolled: now.UTC()}
	if known.ID == id { // enrolled before (an answer lost on the way): keep its history
		d = known
		d.Cert = der
	}
	if err := s.store.PutDevice(d); err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not store the terminal", "")
		return
	}
	writeJSON(w, http.StatusOK, s.issued(id, der, now))
}

func (s *Server) timeH(w http.ResponseWriter, r *http.Request, _ Device) {
	writeJSON(w, http.StatusOK, fsync.TimeResponse{Now: s.opt.Now().UTC()})
}

// parseDigest reads "sha-256=:BASE64:" (RFC 9530).
func parseDigest(v string) (string, bool) {
	for _, part := range strings.Split(v, ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(alg, "sha-256") {
			continue
		}
		val = strings.Trim(val, ":")
		b, err := base64.StdEncoding.DecodeString(val)
		if err != nil || len(b) != 32 {
			return "", false
		}
		return hex.EncodeToString(b), true
	}
	return "", false
}

// packetClaim is the signed outer metadata of a packet from its headers.
type packetClaim struct {
	id, digest string
	sig        []byte
}

func (s *Server) readClaim(w http.ResponseWriter, r *http.Request, id string, d Device) (packetClaim, bool) {
	if !fsync.ValidID(id) {
		problem(w, http.StatusBadRequest, "bad-id", "invalid packet ID", "want 16-64 lowercase letters and digits")
		return packetClaim{}, false
	}
	digest, ok := parseDigest(r.Header.Get(fsync.HeaderDigest))
	if !ok {
		s.event(r, EventRefused, d.ID, "malformed Content-Digest")
		problem(w, http.StatusBadRequest, "bad-digest", "missing or malformed Content-Digest", "send Content-Digest: sha-256=:BASE64:")
		return packetClaim{}, false
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(fsync.HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		s.event(r, EventRefused, d.ID, "malformed Packet-Signature")
		problem(w, http.StatusBadRequest, "bad-signature", "missing or malformed Packet-Signature", "")
		return packetClaim{}, false
	}
	var dg [32]byte
	hex.Decode(dg[:], []byte(digest))
	if !ed25519.Verify(ed25519.PublicKey(d.PublicKey), fsync.SignedMessage(id, d.ID, dg), sig) {
		s.event(r, EventRefused, d.ID, "packet signature does not verify")
		problem(w, http.StatusUnprocessableEntity, "signature-invalid", "packet signature does not verify", "the packet was altered or signed by another terminal")
		return packetClaim{}, false
	}
	return packetClaim{id: id, digest: digest, sig: sig}, true
}

func (s *Server) lock(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &s.locks[h.Sum32()%uint32(len(s.locks))]
	m.Lock()
	return m.Unlock
}

// replay answers a packet ID the terminal already stored: the same receipt for the same
// digest, 422 for another digest (the packet ID is the terminal's idempotency key for life;
// packets of other terminals live under their own keys and never collide).
func (s *Server) replay(w http.ResponseWriter, old PacketMeta, digest string) {
	if old.SHA256 != digest {
		s.store.Incr(CounterConflicts, 1)
		s.metrics.conflicts.Inc()
		s.events.write(Event{Kind: EventConflict, Device: old.DeviceID, Packet: old.PacketID, Detail: "packet ID sent again with another digest"})
		problem(w, http.StatusUnprocessableEntity, "digest-conflict", "packet ID already used for other content",
			"central holds packet "+old.PacketID+" with another digest; a changed packet needs a new ID")
		return
	}
	s.store.Incr(CounterDuplicates, 1)
	s.metrics.duplicates.Inc()
	writeJSON(w, http.StatusOK, old.Receipt)
}

func (s *Server) putPacket(w http.ResponseWriter, r *http.Request, d Device) {
	id := r.PathValue("id")
	c, ok := s.readClaim(w, r, id, d)
	if !ok {
		return
	}
	if r.ContentLength > s.opt.MaxPacket {
		problem(w, http.StatusRequestEntityTooLarge, "too-large", "packet too large for PUT", fmt.Sprintf("packets over %d bytes use POST /v1/uploads", s.opt.MaxPacket))
		return
	}
	// The body is read before any lock is taken, within a deadline and a memory budget.
	n := r.ContentLength
	if n < 0 {
		n = s.opt.MaxPacket
	}
	release, err := s.bodies.take(r.Context(), n)
	if err != nil {
		return // the terminal went away or central is stopping
	}
	defer release()
	s.bodyDeadline(w, n)
	body, err := readBody(http.MaxBytesReader(w, r.Body, s.opt.MaxPacket), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem(w, http.StatusRequestEntityTooLarge, "too-large", "packet too large for PUT", fmt.Sprintf("packets over %d bytes use POST /v1/uploads", s.opt.MaxPacket))
			return
		}
		problem(w, http.StatusBadRequest, "read", "could not read the packet", err.Error())
		return
	}
	// The body is checked against Content-Digest by the store, which hashes it while
	// writing it (one SHA-256 pass per packet, not two); a mismatch is refused below with
	// nothing stored and no receipt.
	s.store1(w, d, c, int64(len(body)), bytes.NewReader(body), "upload")
}

// store1 stores a verified packet idempotently and answers with its receipt; new packets
// join the downstream queue in the same commit (queue.go).
func (s *Server) store1(w http.ResponseWriter, d Device, c packetClaim, size int64, data io.ReadSeeker, source string) {
	unlock := s.lock(packetKey(d.ID, c.id))
	defer unlock()
	if old, err := s.store.Packet(d.ID, c.id); err == nil {
		s.replay(w, old, c.digest)
		return
	}
	if !s.checkSealed(w, d, c, data, false) {
		return
	}
	stored, created, err := s.storeNew(d, c, size, data, source)
	if errors.Is(err, fsync.ErrBadDigest) {
		problem(w, http.StatusBadRequest, "digest-mismatch", "body does not match Content-Digest", "the packet was damaged in transit: send it again")
		return
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "central could not store the packet", "retry later")
		return
	}
	if !created {
		s.replay(w, stored, c.digest)
		return
	}
	writeJSON(w, http.StatusCreated, stored.Receipt)
}

// storeNew stores a packet whose claim has been verified, with a signed receipt, and puts
// it in the downstream queue in the same commit (created=false: the ID was stored already
// and stored is what central holds). The caller holds the packet ID's lock.
func (s *Server) storeNew(d Device, c packetClaim, size int64, data io.Reader, source string) (stored PacketMeta, created bool, err error) {
	meta := PacketMeta{PacketID: c.id, DeviceID: d.ID, SHA256: c.digest, Size: size, Signature: c.sig,
		ReceivedAt: s.opt.Now().UTC(), Source: source, Pending: true}
	stored, created, err = s.store.PutPacket(meta, data, func(seq uint64) (fsync.Signed, error) {
		return fsync.SignPayload(fsync.DomainReceipt, fsync.Receipt{PacketID: c.id, DeviceID: d.ID, SHA256: c.digest,
			Size: size, ReceivedAt: meta.ReceivedAt, Seq: seq, Status: "received"}, s.keys.ReceiptKey)
	})
	if err == nil && created {
		s.ds.queued(d.ID)
		s.metrics.received.Inc()
		s.metrics.bytes.Add(float64(size))
	}
	return stored, created, err
}

// Stats are central's counters (fieldscreen-central stats).
type Stats struct {
	Packets            int   `json:"packets"`
	Bytes              int64 `json:"bytes"`
	DuplicatesRejected int64 `json:"duplicatesRejected"`
	Conflicts          int64 `json:"conflicts"`
	Devices            int   `json:"devices"`
	Revoked            int   `json:"revoked"`
	UploadsExpired     int64 `json:"uploadsExpired"`
	// InnerInvalid counts packets refused or quarantined because their sealed content is
	// not a packet of their terminal; Quarantined is how many of them central holds.
	InnerInvalid int64 `json:"innerInvalid"`
	Quarantined  int   `json:"quarantined"`
}

// GetStats counts packets, devices, rejected duplicates and expired uploads.
func GetStats(st Store) (Stats, error) {
	var out Stats
	if err := st.Packets(func(m PacketMeta) error {
		out.Packets++
		out.Bytes += m.Size
		if m.Quarantined != "" {
			out.Quarantined++
		}
		return nil
	}); err != nil {
		return out, err
	}
	if err := st.Devices(func(d Device) error {
		out.Devices++
		if d.Revoked {
			out.Revoked++
		}
		return nil
	}); err != nil {
		return out, err
	}
	var err error
	if out.DuplicatesRejected, err = st.Counter(CounterDuplicates); err != nil {
		return out, err
	}
	if out.Conflicts, err = st.Counter(CounterConflicts); err != nil {
		return out, err
	}
	if out.UploadsExpired, err = st.Counter(CounterUploadsExpired); err != nil {
		return out, err
	}
	out.InnerInvalid, err = st.Counter(CounterInnerInvalid)
	return out, err
}

func (s *Server) results(w http.ResponseWriter, r *http.Request, d Device) {
	after, err := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
	if r.URL.Query().Get("after") == "" {
		after, err = 0, nil
	}
	if err != nil {
		problem(w, http.StatusBadRequest, "bad-cursor", "after must be a result sequence number", "")
		return
	}
	var wait time.Duration
	if v := r.URL.Query().Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problem(w, http.StatusBadRequest, "bad-wait", "wait must be a number of seconds", "")
			return
		}
		wait = min(time.Duration(n)*time.Second, maxResultsWait)
	}
	rs, pending, err := s.awaitResults(r.Context(), d.ID, after, wait)
	if errors.Is(err, context.Canceled) {
		return // the terminal went away or central is stopping
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read results", "")
		return
	}
	page := fsync.ResultsPage{DeviceID: d.ID, After: after, Results: rs, Next: after, Pending: pending}
	if len(rs) > 0 {
		page.Next = rs[len(rs)-1].Seq
	}
	if page.Results == nil {
		page.Results = []fsync.Result{}
	}
	signed, _ := fsync.SignPayload(fsync.DomainResults, page, s.keys.ReceiptKey)
	writeJSON(w, http.StatusOK, signed)
}

// awaitResults returns the device's results after the cursor and how many of its packets
// the downstream still holds. With wait it holds on while there is nothing new and such
// packets remain, so the terminal hears of results as soon as they exist.
func (s *Server) awaitResults(ctx context.Context, deviceID string, after uint64, wait time.Duration) ([]fsync.Result, int, error) {
	deadline := time.Now().Add(wait)
	shared, _ := s.store.(QueueTaker)
	for {
		pending, changed := s.ds.state(deviceID) // before reading, so no answer is missed
		var poll <-chan time.Time
		if shared != nil { // another instance may answer: count in the store, look again soon
			n, err := shared.PendingCount(deviceID)
			if err != nil {
				return nil, 0, err
			}
			pending, poll = n, time.After(sharedPoll)
		}
		rs, err := s.store.Results(deviceID, after, 500)
		left := time.Until(deadline)
		if err != nil || len(rs) > 0 || pending == 0 || left <= 0 {
			return rs, pending, err
		}
		t := time.NewTimer(left)
		select {
		case <-changed:
		case <-poll:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		if ctx.Err() != nil {
			return nil, pending, ctx.Err()
		}
	}
}

func (s *Server) configH(w http.ResponseWriter, r *http.Request, _ Device) {
	w.Header().Set("ETag", s.etag)
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, s.config)
}

// maxAuditSize is more entries than any terminal's audit log can hold (2^40): a stored
// checkpoint beyond it was countersigned without a proof by an older central.
const maxAuditSize = 1 << 40

// checkpoint countersigns an audit checkpoint only when its proof shows that it extends the
// last countersigned one (fsync.VerifyExtension): a rolled-back vault that gained entries
// since is refused whatever its size, and a size or head that is not a real chain state
// (2^63-1, non-hex) is refused before it could block later checkpoints.
func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request, d Device) {
	var req fsync.CheckpointRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, fsync.MaxCheckpointBody)).Decode(&req); err != nil {
		problem(w, http.StatusBadRequest, "bad-request", "checkpoint is not valid JSON", err.Error())
		return
	}
	if !ed25519.Verify(ed25519.PublicKey(d.PublicKey), append([]byte(fsync.DomainCheckpoint), req.Checkpoint...), req.Signature) {
		s.event(r, "checkpoint-refused", d.ID, "signature-invalid")
		problem(w, http.StatusUnprocessableEntity, "signature-invalid", "checkpoint signature does not verify", "")
		return
	}
	var cp fsync.Checkpoint
	if err := json.Unmarshal(req.Checkpoint, &cp); err != nil || cp.DeviceID != d.ID {
		problem(w, http.StatusBadRequest, "bad-request", "checkpoint is malformed or for another terminal", "")
		return
	}
	unlock := s.lock("device/" + d.ID)
	defer unlock()
	d, err := s.store.Device(d.ID)
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read the terminal", "")
		return
	}
	var prevSize uint64
	var prevHead [32]byte
	if prev := d.Checkpoint; prev != nil {
		if h, err := fsync.ParseHead(prev.Head); err == nil && prev.Size <= maxAuditSize {
			prevSize, prevHead = prev.Size, h
		} else {
			// Countersigned by a central that checked neither heads nor sizes (2^63-1 was
			// accepted once): no chain state to extend, so only a proof of the whole chain
			// from its first entry is accepted.
			s.opt.Logf("central: terminal %s: stored checkpoint is no chain state (size %d); asking for the whole chain", d.ID, prev.Size)
		}
	}
	switch err := fsync.VerifyExtension(prevSize, prevHead, cp, req); {
	case err == nil:
	case errors.Is(err, vault.ErrAuditRollback):
		s.event(r, "audit-rollback", d.ID, err.Error())
		problem(w, http.StatusConflict, fsync.ProblemAuditRollback, "audit log rolled back or truncated",
			fmt.Sprintf("central countersigned %d entries; the terminal's log no longer extends them (%d entries now): investigate before syncing", prevSize, cp.Size))
		return
	case errors.As(err, new(*fsync.CheckpointBaseError)):
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		json.NewEncoder(w).Encode(fsync.Problem{Type: "https://fieldscreen.invalid/problems/" + fsync.ProblemCheckpointBase, Status: http.StatusConflict,
			Title: "checkpoint proof starts after central's last countersigned entry", Detail: err.Error(), Code: fsync.ProblemCheckpointBase, AuditSize: &prevSize})
		return
	case errors.Is(err, fsync.ErrCheckpointProof):
		s.event(r, "checkpoint-refused", d.ID, "proof-invalid")
		problem(w, http.StatusUnprocessableEntity, "checkpoint-proof-invalid", "checkpoint proof does not lead to its head", "the entries sent do not hash to the checkpoint's head")
		return
	default:
		s.event(r, "checkpoint-refused", d.ID, "malformed")
		problem(w, http.StatusBadRequest, "bad-checkpoint", "checkpoint is malformed", err.Error())
		return
	}
	d.Checkpoint = &cp
	if err := s.store.PutDevice(d); err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not store the checkpoint", "")
		return
	}
	signed, _ := fsync.SignPayload(fsync.DomainCheckpoint, cp, s.keys.ReceiptKey)
	writeJSON(w, http.StatusOK, signed)
}

// readBody reads a body into one buffer sized by Content-Length when it is known (no
// regrowth copies for megabyte packets).
func readBody(r io.Reader, n int64) ([]byte, error) {
	if n <= 0 {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, n+1))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// tokenCode names a token refusal without the token.
func tokenCode(err error) string {
	switch {
	case errors.Is(err, ErrTokenUsed):
		return "used"
	case errors.Is(err, ErrTokenExpired):
		return "expired"
	case errors.Is(err, ErrUnknownToken):
		return "unknown"
	}
	return "store error"
}

// bodyDeadline gives a request with an n-byte body RequestTimeout plus n at MinRate to
// arrive and be answered: slow clients are cut off, slow links with big packets are not.
func (s *Server) bodyDeadline(w http.ResponseWriter, n int64) {
	d := s.opt.RequestTimeout + time.Duration(n/max(s.opt.MinRate, 1))*time.Second
	rc := http.NewResponseController(w)
	now := time.Now()
	rc.SetReadDeadline(now.Add(d))
	rc.SetWriteDeadline(now.Add(d + s.opt.RequestTimeout))
}

// checkSealed refuses, before any receipt, a packet whose sealed header is not a packet of
// this terminal under this ID (fsync.CheckSealedHeader), and rewinds data for storing.
// digestChecked is false when the body's digest has not been checked yet: a failing header is then
// hashed too, so a packet damaged in transit gets digest-mismatch (send again), not a final
// refusal.
func (s *Server) checkSealed(w http.ResponseWriter, d Device, c packetClaim, data io.ReadSeeker, digestChecked bool) bool {
	err := fsync.CheckSealedHeader(data, c.id, d.ID, s.keys.AgeIdentities()...)
	if _, serr := data.Seek(0, io.SeekStart); serr != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read the packet", "retry later")
		return false
	}
	if err == nil {
		return true
	}
	if !digestChecked {
		h := sha256.New()
		_, herr := io.Copy(h, data)
		data.Seek(0, io.SeekStart)
		if herr != nil || hex.EncodeToString(h.Sum(nil)) != c.digest {
			problem(w, http.StatusBadRequest, "digest-mismatch", "body does not match Content-Digest", "the packet was damaged in transit: send it again")
			return false
		}
	}
	reason := "sealed content is not a packet container"
	if errors.Is(err, fsync.ErrMismatch) {
		reason = "sealed header names another packet or terminal"
	}
	s.store.Incr(CounterInnerInvalid, 1)
	s.events.write(Event{Kind: EventInnerInvalid, Device: d.ID, Packet: c.id, Detail: reason})
	problem(w, http.StatusUnprocessableEntity, "inner-invalid", "sealed packet content is invalid",
		reason+": the terminal signed content that is not its packet; nothing was stored")
	return false
}
