package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// On-disk formats. docs/SECURITY.md is the specification; keep the two in step. Every value
// starts with a format version byte so an algorithm change is a new version, and old values still
// read.

const formatVersion = 1

// ---- associated data -------------------------------------------------------------------------

// aad builds associated data: a label, then each part length-prefixed (uint32 BE), so no two
// different part lists give the same bytes.
func aad(label string, parts ...[]byte) []byte {
	n := len(label)
	for _, p := range parts {
		n += 4 + len(p)
	}
	out := make([]byte, 0, n)
	out = append(out, label...)
	for _, p := range parts {
		out = binary.BigEndian.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
	}
	return out
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// ---- key slot ----------------------------------------------------------------------------------

// slot is one user's key slot:
//
//	0      version = 1
//	1      kdf = 1 (Argon2id)
//	2..5   time (passes), uint32 BE
//	6..9   memory KiB, uint32 BE
//	10     threads
//	11     role tag
//	12..27 salt (16)
//	28..59 user X25519 public key (32)
//	60..   sealSym(KEK, aad, user X25519 private key): nonce(24) || ct(32+16)
//
// KEK = HKDF-SHA256(Argon2id(passphrase, salt, params), info "fieldscreen/slot/v1");
// aad = aad("fieldscreen/slot/v1", slotKey, bytes 0..59), so the parameters, role and public key
// are authenticated by the passphrase.
type slot struct {
	kdf     KDFParams
	role    Role
	salt    []byte
	pub     []byte
	wrapped []byte
}

const (
	slotHeaderLen = 60
	slotLen       = slotHeaderLen + nonceSize + keySize + tagSize
	kdfArgon2id   = 1
)

func (s *slot) header() []byte {
	h := make([]byte, 0, slotHeaderLen)
	h = append(h, formatVersion, kdfArgon2id)
	h = binary.BigEndian.AppendUint32(h, s.kdf.Time)
	h = binary.BigEndian.AppendUint32(h, s.kdf.MemoryKiB)
	h = append(h, s.kdf.Threads, roleTags[s.role])
	h = append(h, s.salt...)
	return append(h, s.pub...)
}

func (s *slot) encode() []byte { return append(s.header(), s.wrapped...) }

// checkKDF refuses parameters that are absurd (a damaged or hostile slot must not make unlock
// allocate gigabytes or spin for hours).
func checkKDF(p KDFParams) error {
	switch {
	case p.Threads == 0 || p.Threads > 64:
		return fmt.Errorf("argon2id threads %d out of range 1..64", p.Threads)
	case p.Time == 0 || p.Time > 64:
		return fmt.Errorf("argon2id time %d out of range 1..64", p.Time)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 4<<20:
		return fmt.Errorf("argon2id memory %d KiB out of range (8*threads .. 4 GiB)", p.MemoryKiB)
	}
	return nil
}

func parseSlot(b []byte) (*slot, error) {
	if len(b) != slotLen {
		return nil, fmt.Errorf("key slot is %d bytes, want %d", len(b), slotLen)
	}
	if b[0] != formatVersion {
		return nil, fmt.Errorf("key slot format version %d is not supported (this build reads %d)", b[0], formatVersion)
	}
	if b[1] != kdfArgon2id {
		return nil, fmt.Errorf("key slot KDF %d is not supported", b[1])
	}
	s := &slot{kdf: KDFParams{
		Time:      binary.BigEndian.Uint32(b[2:6]),
		MemoryKiB: binary.BigEndian.Uint32(b[6:10]),
		Threads:   b[10],
	}}
	if err := checkKDF(s.kdf); err != nil {
		return nil, fmt.Errorf("key slot: %w", err)
	}
	r, ok := roleFromTag(b[11])
	if !ok {
		return nil, fmt.Errorf("key slot role tag %d unknown", b[11])
	}
	s.role = r
	s.salt = append([]byte(nil), b[12:28]...)
	s.pub = append([]byte(nil), b[28:60]...)
	s.wrapped = append([]byte(nil), b[60:]...)
	return s, nil
}

func slotKEK(pass []byte, s *slot) []byte {
	u := deriveKey(pass, s.salt, s.kdf)
	defer clear(u)
	return subKey(u, "fieldscreen/slot/v1")
}

func (s *slot) aad(key []byte) []byte { return aad("fieldscreen/slot/v1", key, s.header()) }

// ---- record envelope ----------------------------------------------------------------------------

// envelope is every encrypted record value. Version 1 (values under chunkThreshold):
//
//	0     version = 1 (XChaCha20-Poly1305)
//	1..4  key version, uint32 BE (class key version for terminal records, 1 for case data keys)
//	5..   nonce(24) || ciphertext+tag
//
// Version 2 is the chunked form of large values (chunked.go).
// aad = aad("fieldscreen/rec/v1", bucket path, record key, class tag || version byte, key version).
type envelope struct {
	version byte
	keyVer  uint32
	box     []byte // everything after the key version
}

const envelopeMin = 5 + nonceSize + tagSize

func parseEnvelope(b []byte) (envelope, error) {
	if len(b) < 5 {
		return envelope{}, fmt.Errorf("record of %d bytes is shorter than its 5-byte header", len(b))
	}
	env := envelope{version: b[0], keyVer: binary.BigEndian.Uint32(b[1:5]), box: b[5:]}
	switch {
	case env.version == formatVersion && len(b) < envelopeMin:
		return envelope{}, fmt.Errorf("record of %d bytes is shorter than the %d-byte minimum", len(b), envelopeMin)
	case env.version == envChunked && len(b) < chunkedHeader+tagSize+1:
		return envelope{}, fmt.Errorf("chunked record of %d bytes is too short", len(b))
	case env.version != formatVersion && env.version != envChunked:
		return envelope{}, fmt.Errorf("record format version %d is not supported", b[0])
	}
	return env, nil
}

func recordAAD(path, key []byte, tag, version byte, keyVer uint32) []byte {
	return aad("fieldscreen/rec/v1", path, key, []byte{tag, version}, u32(keyVer))
}

func sealRecord(k []byte, keyVer uint32, path, key []byte, tag byte, pt []byte) []byte {
	if len(pt) >= chunkThreshold {
		return sealChunked(k, keyVer, randomBytes(chunkPrefixLen), recordAAD(path, key, tag, envChunked, keyVer), pt)
	}
	// One allocation of the final size.
	out := make([]byte, 5, 5+nonceSize+len(pt)+tagSize)
	out[0] = formatVersion
	binary.BigEndian.PutUint32(out[1:5], keyVer)
	return sealSymTo(out, k, recordAAD(path, key, tag, formatVersion, keyVer), pt)
}

// openRecord opens an envelope stored at path/key; any failure is ErrIntegrity.
func openRecord(k []byte, env envelope, path, key []byte, tag byte) ([]byte, error) {
	ad := recordAAD(path, key, tag, env.version, env.keyVer)
	if env.version == envChunked {
		return openChunked(k, ad, env.box)
	}
	return openSym(k, ad, env.box)
}

// ---- wrapped per-case data key -----------------------------------------------------------------

// A case data key (DEK) is stored as an envelope whose key version names the class key version
// that wraps it: aad = aad("fieldscreen/dek/v1", case ID, class tag, version byte, class key version).
func dekAAD(id CaseID, tag byte, ver uint32) []byte {
	return aad("fieldscreen/dek/v1", []byte(id), []byte{tag, formatVersion}, u32(ver))
}

// ---- audit entry -------------------------------------------------------------------------------

// An audit entry value:
//
//	0      version = 1
//	1..4   audit key version, uint32 BE
//	5..36  chain hash h_n (32)
//	37..   sealTo(audit public key[version], "audit", aad("fieldscreen/audit/v1", seq), JSON)
//
// ciphertext_n = the value without the hash (bytes 0..4 || 37..);
// h_n = SHA-256("audit/v1" || h_{n-1} || seq uint64 BE || ciphertext_n), h_0 = 32 zero bytes.
type auditRec struct {
	keyVer uint32
	hash   [32]byte
	box    []byte
}

const auditHeader = 37

func parseAuditRec(b []byte) (auditRec, error) {
	if len(b) < auditHeader+boxOverhead {
		return auditRec{}, fmt.Errorf("audit entry of %d bytes is too short", len(b))
	}
	if b[0] != formatVersion {
		return auditRec{}, fmt.Errorf("audit entry format version %d is not supported", b[0])
	}
	r := auditRec{keyVer: binary.BigEndian.Uint32(b[1:5]), box: b[auditHeader:]}
	copy(r.hash[:], b[5:37])
	return r, nil
}

func (r auditRec) ciphertext() []byte {
	c := []byte{formatVersion}
	c = binary.BigEndian.AppendUint32(c, r.keyVer)
	return append(c, r.box...)
}

func (r auditRec) encode() []byte {
	c := []byte{formatVersion}
	c = binary.BigEndian.AppendUint32(c, r.keyVer)
	c = append(c, r.hash[:]...)
	return append(c, r.box...)
}

func chainHash(prev [32]byte, seq uint64, ciphertext []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("audit/v1"))
	h.Write(prev[:])
	h.Write(binary.BigEndian.AppendUint64(nil, seq))
	h.Write(ciphertext)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ---- failed-unlock counter --------------------------------------------------------------------

// counter value: version(1) || failures uint32 || last failure unix ns int64 || HMAC-SHA256(32)
// over "fieldscreen/unlock/v1" || slot key || bytes 0..12, keyed by HKDF(terminal secret, "counter").
type counter struct {
	failures int
	last     time.Time
}

const counterLen = 1 + 4 + 8 + 32

func (c counter) encode(macKey, slotKey []byte) []byte {
	b := []byte{formatVersion}
	b = binary.BigEndian.AppendUint32(b, uint32(c.failures))
	b = binary.BigEndian.AppendUint64(b, uint64(c.last.UnixNano()))
	return append(b, counterMAC(macKey, slotKey, b)...)
}

func counterMAC(macKey, slotKey, body []byte) []byte {
	m := hmac.New(sha256.New, macKey)
	m.Write(aad("fieldscreen/unlock/v1", slotKey, body))
	return m.Sum(nil)
}

// parseCounter returns ok=false when the record is malformed or its MAC does not verify.
func parseCounter(macKey, slotKey, b []byte) (counter, bool) {
	if len(b) != counterLen || b[0] != formatVersion {
		return counter{}, false
	}
	if !hmac.Equal(counterMAC(macKey, slotKey, b[:13]), b[13:]) {
		return counter{}, false
	}
	return counter{
		failures: int(binary.BigEndian.Uint32(b[1:5])),
		last:     time.Unix(0, int64(binary.BigEndian.Uint64(b[5:13]))),
	}, true
}

// ---- tombstone ---------------------------------------------------------------------------------

// tombstone value: version(1) || purged-at unix ns int64 BE. It holds no personal data.
func encodeTombstone(at time.Time) []byte {
	return binary.BigEndian.AppendUint64([]byte{formatVersion}, uint64(at.UnixNano()))
}

func parseTombstone(b []byte) (time.Time, error) {
	if len(b) != 9 || b[0] != formatVersion {
		return time.Time{}, fmt.Errorf("tombstone malformed: %w", ErrIntegrity)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b[1:]))).UTC(), nil
}
