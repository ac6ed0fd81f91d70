package sync

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Wire types of the central API (docs/api/openapi.yaml). Central (sync/central) uses the same
// types, so the two sides cannot drift apart silently.

// HTTP header names of the packet endpoints.
const (
	HeaderDigest    = "Content-Digest"   // "sha-256=:BASE64:" (RFC 9530)
	HeaderSignature = "Packet-Signature" // base64 Ed25519 signature (SignedMessage)
	HeaderOffset    = "Upload-Offset"
	HeaderLength    = "Upload-Length"
	HeaderChecksum  = "Upload-Checksum" // "sha256 BASE64" of the chunk (tus checksum extension)
	HeaderIdemKey   = "Idempotency-Key"
)

// EnrollRequest is the body of POST /v1/enroll.
type EnrollRequest struct {
	Token string `json:"token"`
	CSR   []byte `json:"csr"` // DER PKCS#10, Ed25519 key
}

// EnrollResponse is central's answer to a successful enrolment.
type EnrollResponse struct {
	DeviceID    string `json:"device_id"`
	Certificate []byte `json:"certificate"` // DER, issued by central's CA
	CA          []byte `json:"ca"`          // DER of central's CA certificate
	ServerPin   string `json:"server_pin"`  // hex SHA-256 of central's TLS public key (SPKI)
	Recipient   string `json:"recipient"`   // age X25519 recipient for packets
	ReceiptKey  []byte `json:"receipt_key"` // Ed25519 public key signing receipts, results, config
	ServerTime  string `json:"server_time"` // RFC 3339
}

// TimeResponse is the body of GET /v1/time.
type TimeResponse struct {
	Now time.Time `json:"now"`
}

// Receipt says that central durably stored a packet.
type Receipt struct {
	PacketID   string    `json:"packet_id"`
	DeviceID   string    `json:"device_id"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	ReceivedAt time.Time `json:"received_at"`
	Seq        uint64    `json:"seq"`
	Status     string    `json:"status"`
}

// Signed wraps a payload with central's Ed25519 signature over the payload's exact bytes.
type Signed struct {
	Payload   json.RawMessage `json:"payload"`
	Signature []byte          `json:"signature"`
}

// Domain separation strings for central's signatures.
const (
	DomainReceipt    = "fieldscreen-receipt/v1\n"
	DomainResults    = "fieldscreen-results/v1\n"
	DomainConfig     = "fieldscreen-config/v1\n"
	DomainCheckpoint = "fieldscreen-checkpoint/v1\n"
)

// SignPayload signs v's JSON encoding under a domain string.
func SignPayload(domain string, v any, key ed25519.PrivateKey) (Signed, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Payload: b, Signature: ed25519.Sign(key, append([]byte(domain), b...))}, nil
}

// ErrUnsigned marks a response whose signature does not verify with central's key.
var ErrUnsigned = errors.New("central's signature does not verify")

// OpenAny is Open with any of keys (central's current receipt key and, during a rotation,
// the announced next one); it returns the index of the key that signed.
func (s Signed) OpenAny(domain string, keys [][]byte, v any) (int, error) {
	for i, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(k), append([]byte(domain), s.Payload...), s.Signature) {
			if err := json.Unmarshal(s.Payload, v); err != nil {
				return i, fmt.Errorf("decode signed payload: %w", err)
			}
			return i, nil
		}
	}
	return -1, ErrUnsigned
}

// Open verifies the signature and decodes the payload into v.
func (s Signed) Open(domain string, pub ed25519.PublicKey, v any) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, append([]byte(domain), s.Payload...), s.Signature) {
		return ErrUnsigned
	}
	if err := json.Unmarshal(s.Payload, v); err != nil {
		return fmt.Errorf("decode signed payload: %w", err)
	}
	return nil
}

// Result event types.
const (
	ResultValidated = "validated"
	ResultCheck     = "check"    // Outcome "hit" | "no-hit" | "not-possible" (Reason set), per System
	ResultEurodac   = "eurodac"  // Reference set
	ResultRejected  = "rejected" // Reason set
)

// Check outcomes of a ResultCheck. Anything else a terminal reads as not possible, never as
// no hit.
const (
	OutcomeHit         = "hit"
	OutcomeNoHit       = "no-hit"
	OutcomeNotPossible = "not-possible"
)

// Result is one status event about a packet, from central's downstream.
type Result struct {
	Seq      uint64 `json:"seq"`
	PacketID string `json:"packet_id"`
	CaseID   string `json:"case_id,omitempty"`
	Type     string `json:"type"`
	// System names the system a check result answers for (SIS, VIS, …); empty on results
	// from a central before per-system answers, which answered the whole query at once.
	System    string    `json:"system,omitempty"`
	Outcome   string    `json:"outcome,omitempty"`
	Reference string    `json:"reference,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// ResultsPage is the signed payload of GET /v1/results.
type ResultsPage struct {
	DeviceID string   `json:"device_id"`
	After    uint64   `json:"after"`
	Results  []Result `json:"results"`
	Next     uint64   `json:"next"` // cursor for the next call
	// Pending counts this terminal's stored packets that central's downstream has not
	// answered yet: their results come later (the terminal may ask again with wait).
	Pending int `json:"pending"`
}

// Config is the signed reference data of GET /v1/config; Data is opaque JSON for the app.
type Config struct {
	Version string          `json:"version"`
	Data    json.RawMessage `json:"data"`
	// Recipient is central's current age recipient: after central rotates its packet key,
	// terminals seal new packets to it (packets sealed to an older one still open).
	Recipient string `json:"recipient,omitempty"`
	// ServerPin is the TLS pin central presents now. NextServerPin and NextReceiptKey
	// announce keys central will switch to (`fieldscreen-central keys rotate-tls` /
	// `rotate-receipt`, then `keys activate`): terminals accept them from then on.
	ServerPin      string `json:"server_pin,omitempty"`
	NextServerPin  string `json:"next_server_pin,omitempty"`
	NextReceiptKey []byte `json:"next_receipt_key,omitempty"`
}

// Checkpoint is a terminal's audit log head, sent to central to countersign.
type Checkpoint struct {
	DeviceID string    `json:"device_id"`
	Size     uint64    `json:"size"`
	Head     string    `json:"head"` // hex hash of the last audit entry
	At       time.Time `json:"at"`
}

// CheckpointRequest carries the checkpoint, the terminal's signature over it, and the
// proof that it extends central's last countersigned checkpoint: the audit chain's hash
// after entry From and the ciphertexts of entries From+1 … Checkpoint.Size, over which
// central recomputes the chain (docs/SECURITY.md "Audit checkpoints").
type CheckpointRequest struct {
	Checkpoint json.RawMessage `json:"checkpoint"`
	Signature  []byte          `json:"signature"` // terminal Ed25519 over DomainCheckpoint+checkpoint
	From       uint64          `json:"from"`
	FromHead   string          `json:"from_head,omitempty"` // hex h_From; empty or zeros for From 0
	Entries    [][]byte        `json:"entries,omitempty"`
}

// Problem is an RFC 9457 problem+json body.
type Problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code,omitempty"` // stable machine code, e.g. "revoked", "digest-conflict"
	// AuditSize is central's last countersigned audit size, with code "checkpoint-base":
	// the terminal sends its proof again from there.
	AuditSize *uint64 `json:"audit_size,omitempty"`
}
