package sync

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
)

// Kinds of packet. The kind decides the legal priority (see PriorityFor) and what central's
// downstream does with the packet.
const (
	KindEurodac       = "eurodac-registration" // Eurodac (EU) 2024/1358: 72 h legal clock
	KindSecurityCheck = "security-check"       // screening security checks (names, documents)
	KindScreeningForm = "screening-form"       // the screening form (Art. 17 Screening Regulation)
	KindAudit         = "audit"                // audit material
	KindTelemetry     = "telemetry"
)

// Priorities: lower drains first. P0 is Eurodac (legal deadline), P3 is telemetry.
const (
	P0 = 0
	P1 = 1
	P2 = 2
	P3 = 3
)

// PriorityFor returns the default priority of a kind.
func PriorityFor(kind string) int {
	switch kind {
	case KindEurodac:
		return P0
	case KindSecurityCheck, KindScreeningForm:
		return P1
	case KindAudit:
		return P2
	default:
		return P3
	}
}

// Header is the canonical JSON header of a packet: the first part of the container.
// Central checks that PacketID and DeviceID equal the outer (signed) metadata, so a packet
// cannot be re-attributed to another terminal or replayed under another ID.
type Header struct {
	Version  int       `json:"version"`
	PacketID string    `json:"packet_id"`
	Kind     string    `json:"kind"`
	CaseID   string    `json:"case_id"`
	DeviceID string    `json:"device_id"`
	Created  time.Time `json:"created"`
	Deadline time.Time `json:"deadline,omitzero"`
	// DeadlineFrom is when the legal clock behind Deadline started (both from forms, set by
	// the app when it queues the packet).
	DeadlineFrom time.Time `json:"deadline_from,omitzero"`
	Priority     int       `json:"priority"`
	PrevPacketID string    `json:"prev_packet_id,omitempty"`
}

// File is an attachment carried in the container, such as an ANSI/NIST transaction.
type File struct {
	Name string
	Data []byte
}

// Packet is the plaintext of a sealed packet: header, a JSON body and attached files.
type Packet struct {
	Header Header
	Body   json.RawMessage // canonical JSON (the caller's payload, e.g. the check query)
	Files  []File
	// Variant is the app's word for what the packet is within its kind (a Eurodac update,
	// a form's addendum), kept on the outbox row for the terminal's own screens; it is
	// never sealed or sent.
	Variant string
}

// Container format constants (docs/sync.md "Container").
const (
	containerMagic  = "FSPKT1\n"
	partHeader      = "header.json"
	partBody        = "body.json"
	filePrefix      = "files/"
	maxPartName     = 255
	maxParts        = 1024
	packetVersion   = 1
	signatureDomain = "fieldscreen-packet/v1\n"
)

// ErrContainer marks a malformed container (bad magic, lengths, names).
var ErrContainer = errors.New("malformed packet container")

var idPattern = regexp.MustCompile(`^[0-9a-z]{16,64}$`)

// ValidID reports whether s can be a packet or device ID: 16–64 lowercase letters and
// digits. IDs appear in URLs and file names, so nothing else is accepted.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// NewPacketID returns a fresh packet ID: 48 bits of milliseconds (so IDs sort by creation)
// and 80 random bits, 32 lowercase hex digits. It is the packet's idempotency key for life.
func NewPacketID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	if _, err := rand.Read(b[6:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported systems
	}
	return hex.EncodeToString(b[:])
}

// canonicalJSON re-encodes JSON with object keys sorted and no insignificant space, so
// equal content gives equal bytes.
func canonicalJSON(raw []byte) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("packet body is not JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("packet body has data after the JSON value")
	}
	// encoding/json sorts map keys and keeps json.Number verbatim.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Marshal writes the plaintext container: magic, then parts of
// (uint16 name length, name, uint64 data length, data), header first, body second, then the
// files in name order.
func (p *Packet) Marshal() ([]byte, error) {
	if !ValidID(p.Header.PacketID) {
		return nil, fmt.Errorf("packet ID %q: want 16-64 lowercase letters and digits", p.Header.PacketID)
	}
	p.Header.Version = packetVersion
	hdr, err := json.Marshal(p.Header)
	if err != nil {
		return nil, fmt.Errorf("encode packet header: %w", err)
	}
	body, err := canonicalJSON(p.Body)
	if err != nil {
		return nil, err
	}
	files := append([]File(nil), p.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	size := len(containerMagic) + len(hdr) + len(body) + 20
	for i, f := range files {
		if err := checkFileName(f.Name); err != nil {
			return nil, err
		}
		if i > 0 && files[i-1].Name == f.Name {
			return nil, fmt.Errorf("packet attachment %q appears twice", f.Name)
		}
		size += len(f.Data) + len(f.Name) + len(filePrefix) + 10
	}
	if len(files)+2 > maxParts {
		return nil, fmt.Errorf("packet has %d attachments, at most %d allowed", len(files), maxParts-2)
	}
	out := make([]byte, 0, size)
	out = append(out, containerMagic...)
	out = appendPart(out, partHeader, hdr)
	out = appendPart(out, partBody, body)
	for _, f := range files {
		out = appendPart(out, filePrefix+f.Name, f.Data)
	}
	return out, nil
}

func checkFileName(n string) error {
	if n == "" || len(n)+len(filePrefix) > maxPartName || strings.ContainsAny(n, "/\\\x00") || n == "." || n == ".." {
		return fmt.Errorf("packet attachment name %q: want 1-%d characters without slashes", n, maxPartName-len(filePrefix))
	}
	return nil
}

func appendPart(out []byte, name string, data []byte) []byte {
	out = binary.BigEndian.AppendUint16(out, uint16(len(name)))
	out = append(out, name...)
	out = binary.BigEndian.AppendUint64(out, uint64(len(data)))
	return append(out, data...)
}

// Unmarshal parses a plaintext container. It never panics and never allocates more than
// the input's size, whatever the lengths claim.
func Unmarshal(b []byte) (*Packet, error) {
	if !bytes.HasPrefix(b, []byte(containerMagic)) {
		return nil, fmt.Errorf("%w: missing FSPKT1 magic", ErrContainer)
	}
	rest := b[len(containerMagic):]
	var p Packet
	seen := map[string]bool{}
	for n := 0; len(rest) > 0; n++ {
		if n >= maxParts {
			return nil, fmt.Errorf("%w: more than %d parts", ErrContainer, maxParts)
		}
		if len(rest) < 2 {
			return nil, fmt.Errorf("%w: part %d: truncated name length", ErrContainer, n)
		}
		nl := int(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
		if nl == 0 || nl > maxPartName || nl > len(rest) {
			return nil, fmt.Errorf("%w: part %d: bad name length %d", ErrContainer, n, nl)
		}
		name := string(rest[:nl])
		rest = rest[nl:]
		if len(rest) < 8 {
			return nil, fmt.Errorf("%w: part %d: truncated data length", ErrContainer, n)
		}
		dl := binary.BigEndian.Uint64(rest)
		rest = rest[8:]
		if dl > uint64(len(rest)) {
			return nil, fmt.Errorf("%w: part %d (%s): data length %d beyond the end", ErrContainer, n, safeName(name), dl)
		}
		data := rest[:dl]
		rest = rest[dl:]
		if seen[name] {
			return nil, fmt.Errorf("%w: part %s appears twice", ErrContainer, safeName(name))
		}
		seen[name] = true
		switch {
		case n == 0:
			if name != partHeader {
				return nil, fmt.Errorf("%w: first part must be %s", ErrContainer, partHeader)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p.Header); err != nil {
				return nil, fmt.Errorf("%w: header: %v", ErrContainer, err)
			}
			if p.Header.Version != packetVersion {
				return nil, fmt.Errorf("%w: header version %d, want %d", ErrContainer, p.Header.Version, packetVersion)
			}
			if !ValidID(p.Header.PacketID) {
				return nil, fmt.Errorf("%w: header packet ID is not valid", ErrContainer)
			}
		case n == 1:
			if name != partBody {
				return nil, fmt.Errorf("%w: second part must be %s", ErrContainer, partBody)
			}
			if !json.Valid(data) {
				return nil, fmt.Errorf("%w: body is not JSON", ErrContainer)
			}
			p.Body = json.RawMessage(data)
		default:
			fn, ok := strings.CutPrefix(name, filePrefix)
			if !ok || checkFileName(fn) != nil {
				return nil, fmt.Errorf("%w: part %d: bad attachment name", ErrContainer, n)
			}
			p.Files = append(p.Files, File{Name: fn, Data: data})
		}
	}
	if p.Body == nil {
		return nil, fmt.Errorf("%w: missing %s", ErrContainer, partBody)
	}
	return &p, nil
}

// safeName keeps attacker-controlled part names short and printable in errors.
func safeName(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return fmt.Sprintf("%q", s)
}

// Sealed is a packet encrypted to central, with the outer metadata the terminal signs.
type Sealed struct {
	PacketID  string
	DeviceID  string
	SHA256    [32]byte // of Data
	Signature []byte   // Ed25519 over SignedMessage(PacketID, DeviceID, SHA256)
	Data      []byte   // the age file (binary format), what `age -d` reads
}

// SignedMessage is the exact byte string the terminal's Ed25519 key signs.
func SignedMessage(packetID, deviceID string, digest [32]byte) []byte {
	return []byte(signatureDomain + packetID + "\n" + deviceID + "\n" + hex.EncodeToString(digest[:]))
}

// Seal encrypts p to central's age recipient and signs it with the terminal's key. The
// header's device ID is set from deviceID.
func Seal(p *Packet, deviceID string, recipient age.Recipient, key ed25519.PrivateKey) (*Sealed, error) {
	p.Header.DeviceID = deviceID
	plain, err := p.Marshal()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(plain) + len(plain)/65536*16 + 512)
	w, err := age.Encrypt(&buf, recipient)
	if err != nil {
		return nil, fmt.Errorf("seal packet %s: %w", p.Header.PacketID, err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("seal packet %s: %w", p.Header.PacketID, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal packet %s: %w", p.Header.PacketID, err)
	}
	s := &Sealed{PacketID: p.Header.PacketID, DeviceID: deviceID, Data: buf.Bytes()}
	s.SHA256 = sha256.Sum256(s.Data)
	s.Signature = ed25519.Sign(key, SignedMessage(s.PacketID, deviceID, s.SHA256))
	return s, nil
}

// Errors from Verify and Open that callers decide on.
var (
	ErrBadSignature = errors.New("packet signature does not verify")
	ErrBadDigest    = errors.New("packet digest does not match its bytes")
	ErrMismatch     = errors.New("packet header does not match its signed metadata")
)

// Verify checks the digest and the terminal's signature (no decryption needed).
func Verify(packetID, deviceID string, data []byte, digest [32]byte, sig []byte, pub ed25519.PublicKey) error {
	if sha256.Sum256(data) != digest {
		return ErrBadDigest
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, SignedMessage(packetID, deviceID, digest), sig) {
		return ErrBadSignature
	}
	return nil
}

// Open decrypts a sealed packet with central's identity, parses the container and checks
// that the inner IDs match the outer ones. maxPlain bounds the plaintext read.
func Open(data []byte, packetID, deviceID string, id age.Identity, maxPlain int64) (*Packet, error) {
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		return nil, fmt.Errorf("decrypt packet: %w", err)
	}
	plain, err := ReadLimited(r, maxPlain, "packet plaintext")
	if err != nil {
		return nil, fmt.Errorf("decrypt packet: %w", err)
	}
	p, err := Unmarshal(plain)
	if err != nil {
		return nil, err
	}
	if p.Header.PacketID != packetID || p.Header.DeviceID != deviceID {
		return nil, ErrMismatch
	}
	return p, nil
}

// OpenStream decrypts a sealed packet from r and returns its header and body, checking
// every attachment's framing and the whole ciphertext's authenticity while discarding the
// attachment bytes, so central validates a 64 MiB packet in constant memory. Any of ids
// may open it (central keeps its earlier identities after a rotation).
func OpenStream(r io.Reader, packetID, deviceID string, ids ...age.Identity) (*Packet, error) {
	pr, err := age.Decrypt(r, ids...)
	if err != nil {
		return nil, fmt.Errorf("decrypt packet: %w", err)
	}
	p, err := readStream(pr)
	if err != nil {
		return nil, err
	}
	if p.Header.PacketID != packetID || p.Header.DeviceID != deviceID {
		return nil, ErrMismatch
	}
	return p, nil
}

// readStream parses a plaintext container from r, keeping header and body and reading past
// the attachments. It accepts exactly what Unmarshal accepts (FuzzReadStream checks that).
func readStream(r io.Reader) (*Packet, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic := make([]byte, len(containerMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != containerMagic {
		return nil, fmt.Errorf("%w: missing FSPKT1 magic", ErrContainer)
	}
	var head bytes.Buffer
	head.Write(magic)
	var p *Packet
	seen := map[string]bool{}
	for n := 0; ; n++ {
		var nl [2]byte
		if _, err := io.ReadFull(br, nl[:]); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%w: part %d: %v", ErrContainer, n, err)
		}
		l := int(binary.BigEndian.Uint16(nl[:]))
		if l == 0 || l > maxPartName || n >= maxParts {
			return nil, fmt.Errorf("%w: part %d: bad name length %d", ErrContainer, n, l)
		}
		name := make([]byte, l)
		var dl [8]byte
		if _, err := io.ReadFull(br, name); err != nil {
			return nil, fmt.Errorf("%w: part %d: %v", ErrContainer, n, err)
		}
		if _, err := io.ReadFull(br, dl[:]); err != nil {
			return nil, fmt.Errorf("%w: part %d: %v", ErrContainer, n, err)
		}
		size := binary.BigEndian.Uint64(dl[:])
		if n < 2 { // header and body: small, kept and parsed together below
			if size > 16<<20 {
				return nil, fmt.Errorf("%w: part %d larger than 16 MiB", ErrContainer, n)
			}
			head.Write(nl[:])
			head.Write(name)
			head.Write(dl[:])
			// Copy, not make(size): a lying length costs no memory beyond the real bytes.
			if m, err := io.CopyN(&head, br, int64(size)); err != nil || uint64(m) != size {
				return nil, fmt.Errorf("%w: part %d: data length %d beyond the end", ErrContainer, n, size)
			}
			if n == 1 {
				var err error
				if p, err = Unmarshal(head.Bytes()); err != nil {
					return nil, err
				}
			}
			continue
		}
		fn, ok := strings.CutPrefix(string(name), filePrefix)
		if !ok || checkFileName(fn) != nil || seen[fn] {
			return nil, fmt.Errorf("%w: part %d: bad or repeated attachment name", ErrContainer, n)
		}
		seen[fn] = true
		if m, err := io.CopyN(io.Discard, br, int64(size)); err != nil || uint64(m) != size {
			return nil, fmt.Errorf("%w: part %d: truncated (%v)", ErrContainer, n, err)
		}
	}
	if p == nil {
		var err error
		if p, err = Unmarshal(head.Bytes()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CheckSealedHeader decrypts only the beginning of a sealed packet (age's first 64 KiB
// chunk, authenticated) and checks that it is a packet container whose header names
// packetID and deviceID. Central runs it before it signs a receipt, so a packet whose outer
// signature is valid but whose sealed content is another terminal's packet, re-signed
// bytes or not age at all is refused instead of receipted; the whole ciphertext is still
// authenticated by the downstream (OpenStream), which quarantines what fails later.
func CheckSealedHeader(r io.Reader, packetID, deviceID string, ids ...age.Identity) error {
	pr, err := age.Decrypt(r, ids...)
	if err != nil {
		return fmt.Errorf("%w: does not decrypt with central's key: %v", ErrContainer, err)
	}
	br := bufio.NewReaderSize(pr, 4096)
	magic := make([]byte, len(containerMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != containerMagic {
		return fmt.Errorf("%w: missing FSPKT1 magic", ErrContainer)
	}
	var nl [2]byte
	if _, err := io.ReadFull(br, nl[:]); err != nil {
		return fmt.Errorf("%w: truncated header part", ErrContainer)
	}
	l := int(binary.BigEndian.Uint16(nl[:]))
	if l != len(partHeader) {
		return fmt.Errorf("%w: first part must be %s", ErrContainer, partHeader)
	}
	name := make([]byte, l)
	var dl [8]byte
	if _, err := io.ReadFull(br, name); err != nil || string(name) != partHeader {
		return fmt.Errorf("%w: first part must be %s", ErrContainer, partHeader)
	}
	if _, err := io.ReadFull(br, dl[:]); err != nil {
		return fmt.Errorf("%w: truncated header part", ErrContainer)
	}
	size := binary.BigEndian.Uint64(dl[:])
	if size > 64<<10 {
		return fmt.Errorf("%w: header part of %d bytes", ErrContainer, size)
	}
	hdr := make([]byte, size)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return fmt.Errorf("%w: truncated header part", ErrContainer)
	}
	var h Header
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return fmt.Errorf("%w: header: %v", ErrContainer, err)
	}
	if h.Version != packetVersion {
		return fmt.Errorf("%w: header version %d, want %d", ErrContainer, h.Version, packetVersion)
	}
	if h.PacketID != packetID || h.DeviceID != deviceID {
		return ErrMismatch
	}
	return nil
}
