package vault

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	keySize   = 32
	nonceSize = chacha20poly1305.NonceSizeX // 24
	tagSize   = chacha20poly1305.Overhead   // 16
)

// KDFParams are Argon2id parameters; they are stored in each key slot.
type KDFParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// Floor parameters (RFC 9106 second recommendation): calibration never goes below these.
var floorKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

const (
	calibrateTarget = 500 * time.Millisecond
	maxCalMemoryKiB = 256 * 1024
)

// TestKDF returns cheap Argon2id parameters for TESTS ONLY: they make a passphrase trivial to
// brute-force. Never pass them in a build that stores real data.
func TestKDF() *KDFParams { return &KDFParams{Time: 1, MemoryKiB: 64, Threads: 1} }

func (p KDFParams) String() string {
	return fmt.Sprintf("argon2id t=%d m=%dMiB p=%d", p.Time, p.MemoryKiB/1024, p.Threads)
}

// kdfRuns counts Argon2id derivations, so tests can check that every unlock path does the
// same work without timing it.
var kdfRuns atomic.Uint64

func deriveKey(pass, salt []byte, p KDFParams) []byte {
	kdfRuns.Add(1)
	return argon2.IDKey(pass, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
}

// CalibrateKDF measures Argon2id on this machine and returns parameters that take about 0.5 s:
// memory grows first (up to 256 MiB), then passes; never below 64 MiB, t=3, p=4. It takes the
// median of three measurements at the floor, so one lucky (idle) or unlucky (busy) run on a
// shared machine does not set the parameters.
func CalibrateKDF() KDFParams {
	p := floorKDF
	salt := make([]byte, 16)
	measure := func(p KDFParams) time.Duration {
		start := time.Now()
		k := deriveKey([]byte("calibration"), salt, p)
		d := time.Since(start)
		clear(k)
		runtime.GC() // give the Argon2 memory back before the next derivation
		return d
	}
	runs := []time.Duration{measure(p), measure(p), measure(p)}
	sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
	return scaleKDF(p, runs[1], calibrateTarget)
}

// scaleKDF scales floor parameters p, measured at d, towards target.
func scaleKDF(p KDFParams, d, target time.Duration) KDFParams {
	if d <= 0 {
		return p
	}
	factor := float64(target) / float64(d)
	if factor <= 1 {
		return p
	}
	mem := float64(p.MemoryKiB) * factor
	if mem > maxCalMemoryKiB {
		mem = maxCalMemoryKiB
	}
	rest := factor * float64(p.MemoryKiB) / mem
	p.MemoryKiB = uint32(mem) &^ 1023 // whole MiB
	if t := uint32(float64(p.Time)*rest + 0.5); t > p.Time {
		p.Time = t
	}
	return p
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("vault: no system randomness: " + err.Error()) // crypto/rand never fails on supported OSes
	}
	return b
}

func subKey(secret []byte, info string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, info, keySize)
	if err != nil {
		panic("vault: hkdf: " + err.Error()) // only for lengths > 255*32, never here
	}
	return k
}

// sealSym encrypts pt under a 32-byte key: nonce(24) || ciphertext+tag.
func sealSym(key, aad, pt []byte) []byte {
	return sealSymTo(make([]byte, 0, nonceSize+len(pt)+tagSize), key, aad, pt)
}

// sealSymTo appends nonce || ciphertext+tag to dst (give it the capacity to avoid a copy).
func sealSymTo(dst, key, aad, pt []byte) []byte {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic("vault: bad key length") // keys are always 32 bytes, made here
	}
	nonce := randomBytes(nonceSize)
	dst = append(dst, nonce...)
	return aead.Seal(dst, nonce, pt, aad)
}

// openSym reverses sealSym; any failure is ErrIntegrity.
func openSym(key, aad, box []byte) ([]byte, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("key of %d bytes: %w", len(key), ErrIntegrity)
	}
	if len(box) < nonceSize+tagSize {
		return nil, fmt.Errorf("sealed value of %d bytes is too short: %w", len(box), ErrIntegrity)
	}
	aead, _ := chacha20poly1305.NewX(key)
	pt, err := aead.Open(nil, box[:nonceSize], box[nonceSize:], aad)
	if err != nil {
		return nil, ErrIntegrity
	}
	return pt, nil
}

// keyPair makes an X25519 key pair (private, public).
func keyPair() ([]byte, []byte) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		panic("vault: x25519 keygen: " + err.Error())
	}
	return k.Bytes(), k.PublicKey().Bytes()
}

func publicOf(priv []byte) ([]byte, error) {
	k, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return k.PublicKey().Bytes(), nil
}

const boxVersion = 1

// sealTo seals pt to an X25519 public key (anonymous sender, like age's X25519 stanza):
//
//	version(1)=1 || ephemeral public(32) || nonce(24) || ciphertext+tag
//	key = HKDF-SHA256(ikm = X25519(eph, pub), salt = eph || pub, info = "fieldscreen/seal/v1 " + label)
//
// label separates uses (grant, escrow, audit); aad binds the box to where it is stored.
func sealTo(pub []byte, label string, aad, pt []byte) ([]byte, error) {
	rp, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("recipient key: %w", err)
	}
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	shared, err := eph.ECDH(rp)
	if err != nil {
		return nil, fmt.Errorf("x25519: %w", err)
	}
	ephPub := eph.PublicKey().Bytes()
	key := boxKey(shared, ephPub, pub, label)
	defer clear(key)
	out := append([]byte{boxVersion}, ephPub...)
	return append(out, sealSym(key, aad, pt)...), nil
}

const boxOverhead = 1 + 32 + nonceSize + tagSize

// openFrom opens a sealTo box with the recipient's private key; any failure is ErrIntegrity.
func openFrom(priv []byte, label string, aad, box []byte) ([]byte, error) {
	if len(box) < boxOverhead || box[0] != boxVersion {
		return nil, fmt.Errorf("sealed box malformed: %w", ErrIntegrity)
	}
	k, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", ErrIntegrity)
	}
	ephPub := box[1:33]
	ep, err := ecdh.X25519().NewPublicKey(ephPub)
	if err != nil {
		return nil, fmt.Errorf("ephemeral key: %w", ErrIntegrity)
	}
	shared, err := k.ECDH(ep)
	if err != nil {
		return nil, fmt.Errorf("x25519: %w", ErrIntegrity)
	}
	key := boxKey(shared, ephPub, k.PublicKey().Bytes(), label)
	defer clear(key)
	return openSym(key, aad, box[33:])
}

// boxKey derives a sealed box's key from the X25519 shared secret, which it clears.
func boxKey(shared, ephPub, recipientPub []byte, label string) []byte {
	defer clear(shared)
	salt := append(append([]byte{}, ephPub...), recipientPub...)
	k, err := hkdf.Key(sha256.New, shared, salt, "fieldscreen/seal/v1 "+label, keySize)
	if err != nil {
		panic("vault: hkdf: " + err.Error()) // only for lengths > 255*32, never here
	}
	return k
}
