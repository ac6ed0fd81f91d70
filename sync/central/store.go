package central

import (
	"errors"
	"io"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// Store is central's durable state. The embedded default is BoltStore (one bbolt file plus
// a folder of sealed packets); MemStore serves tests. Every implementation must pass the
// shared conformance suite in sync/central/storetest.
type Store interface {
	// Packets are keyed by (device ID, packet ID): a packet ID is the idempotency key of one
	// terminal, so another terminal can never take a victim's packet ID (which courier media
	// show) and turn the victim's packet into a conflict.

	// PutPacket stores a packet unless the device already stored one under its ID. receipt
	// is called once, inside the storing transaction, with the packet's sequence number and
	// must return the signed receipt to keep; a packet with meta.Pending joins the
	// downstream queue in that transaction. If (meta.DeviceID, meta.PacketID) exists,
	// PutPacket stores nothing and returns the existing metadata with created=false (the
	// caller compares digests).
	PutPacket(meta PacketMeta, data io.Reader, receipt func(seq uint64) (fsync.Signed, error)) (stored PacketMeta, created bool, err error)
	// Packet returns the metadata of a device's stored packet, or ErrNotFound.
	Packet(deviceID, packetID string) (PacketMeta, error)
	// OpenPacket opens the stored sealed bytes (exactly as received).
	OpenPacket(deviceID, packetID string) (io.ReadCloser, error)
	// Packets calls fn for every stored packet in (device ID, packet ID) order.
	Packets(fn func(PacketMeta) error) error
	// Quarantine marks a stored packet whose sealed content central's downstream could not
	// open or that names another packet or terminal: it keeps its receipt (the terminal
	// signed exactly these bytes) but is never exported as a normal packet. Marking again
	// keeps the first reason; an unknown packet gives ErrNotFound.
	Quarantine(deviceID, packetID, reason string) error

	// The downstream queue. A packet stored with Pending set waits here, durably and in
	// arrival order, until CompleteDownstream appends its results and clears the mark in one
	// transaction: a crash never loses or doubles a packet's results.
	// PendingDownstream calls fn for every waiting packet, outside any transaction.
	PendingDownstream(fn func(PacketMeta) error) error
	// CompleteDownstream records the downstream's results for a stored packet, each with
	// the device's next result sequence number; a packet that no longer waits is left as it
	// is (nil), an unknown one gives ErrNotFound.
	CompleteDownstream(deviceID, packetID string, results []fsync.Result) error

	// AddToken records a one-time enrolment token by the hash of its secret, usable until
	// expires.
	AddToken(hash [32]byte, created, expires time.Time) error
	// UseToken consumes a token at time now: ErrUnknownToken, ErrTokenUsed or a
	// *TokenExpiredError (errors.Is ErrTokenExpired) when it cannot be used; an expired
	// token is not consumed. A token stored without an expiry (before tokens expired)
	// expires DefaultTokenTTL after its creation.
	UseToken(hash [32]byte, now time.Time) error

	PutDevice(d Device) error
	Device(id string) (Device, error) // ErrNotFound
	Devices(fn func(Device) error) error

	// Results returns up to limit results of the device with Seq > after, in order.
	Results(deviceID string, after uint64, limit int) ([]fsync.Result, error)

	// Uploads in progress (tus-style). Data is kept by the server in files; the store
	// keeps the metadata.
	PutUpload(u Upload) error
	Upload(deviceID, packetID string) (Upload, error) // ErrNotFound
	DeleteUpload(deviceID, packetID string) error
	// Uploads calls fn for every upload in progress (the sweep of abandoned uploads),
	// outside any transaction.
	Uploads(fn func(Upload) error) error

	// Incr adds n to a named counter; Counter reads it.
	Incr(name string, n int64) error
	Counter(name string) (int64, error)

	Close() error
}

// PacketMeta is what central keeps about a packet besides its bytes.
type PacketMeta struct {
	PacketID   string       `json:"packet_id"`
	DeviceID   string       `json:"device_id"`
	SHA256     string       `json:"sha256"` // hex
	Size       int64        `json:"size"`
	Signature  []byte       `json:"signature"`
	ReceivedAt time.Time    `json:"received_at"`
	Seq        uint64       `json:"seq"`
	Source     string       `json:"source"` // "upload" or "import"
	Receipt    fsync.Signed `json:"receipt"`
	// Pending marks a packet the downstream has not answered yet (see PendingDownstream).
	Pending bool `json:"pending,omitempty"`
	// Quarantined says why the sealed content is invalid (see Store.Quarantine); empty
	// for a normal packet.
	Quarantined string `json:"quarantined,omitempty"`
}

// Device is an enrolled terminal.
type Device struct {
	ID            string            `json:"id"`
	PublicKey     []byte            `json:"public_key"` // Ed25519, from the enrolment CSR
	Cert          []byte            `json:"cert"`
	Enrolled      time.Time         `json:"enrolled"`
	Renewed       time.Time         `json:"renewed,omitzero"` // last certificate renewal (Cert is the renewed one)
	Revoked       bool              `json:"revoked"`
	RevokedReason string            `json:"revoked_reason,omitempty"`
	Checkpoint    *fsync.Checkpoint `json:"checkpoint,omitempty"` // last countersigned audit head
}

// Upload is a resumable upload in progress.
type Upload struct {
	DeviceID  string    `json:"device_id"`
	PacketID  string    `json:"packet_id"`
	Length    int64     `json:"length"`
	SHA256    string    `json:"sha256"`
	Signature []byte    `json:"signature"`
	Created   time.Time `json:"created"`
}

// Store errors callers decide on.
var (
	ErrNotFound     = errors.New("not found")
	ErrUnknownToken = errors.New("unknown enrolment token: ask the central operator for a new one (fieldscreen-central token create)")
	ErrTokenUsed    = errors.New("enrolment token already used: ask the central operator for a new one")
	ErrTokenExpired = errors.New("enrolment token expired: ask the central operator for a new one")
)

// DefaultTokenTTL is how long an enrolment token can be used unless its creator chose
// otherwise (fieldscreen-central token create --ttl).
const DefaultTokenTTL = 24 * time.Hour

// TokenExpiredError is UseToken's answer for a token used after its expiry; it matches
// ErrTokenExpired with errors.Is.
type TokenExpiredError struct{ Expired time.Time }

func (e *TokenExpiredError) Error() string {
	return "enrolment token expired at " + e.Expired.UTC().Format(time.RFC3339) +
		": ask the central operator for a new one (fieldscreen-central token create)"
}

func (e *TokenExpiredError) Is(target error) bool { return target == ErrTokenExpired }

// packetKey is a stored packet's key: device and packet ID are both ValidID (letters and
// digits), so the slash keeps them apart and keys sort by device, then packet ID.
func packetKey(deviceID, packetID string) string { return deviceID + "/" + packetID }

// tokenExpiry is when a token stored at created with expires (zero for tokens stored
// before tokens expired) stops being usable.
func tokenExpiry(created, expires time.Time) time.Time {
	if expires.IsZero() {
		return created.Add(DefaultTokenTTL)
	}
	return expires
}

// Counter names.
const (
	CounterDuplicates = "duplicatesRejected" // re-sent packets answered with the stored receipt
	CounterConflicts  = "conflicts"          // same packet ID with another digest (422)
	// CounterUploadsExpired counts resumable uploads removed after UploadTTL untouched.
	CounterUploadsExpired = "uploadsExpired"
	// CounterInnerInvalid counts packets with a valid outer signature whose sealed content
	// is not a packet of that terminal: refused before the receipt or quarantined after.
	CounterInnerInvalid = "innerInvalid"
)
