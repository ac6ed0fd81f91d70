package vault

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

var fuzzKey = bytes.Repeat([]byte{7}, keySize)

// seedEnvelope is deterministic (zero nonce) so that every fuzz worker process agrees on it.
func seedEnvelope() []byte {
	aead, _ := chacha20poly1305.NewX(fuzzKey)
	out := append([]byte{formatVersion}, u32(3)...)
	nonce := make([]byte, nonceSize)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, []byte(`{"status":"open"}`), recordAAD([]byte("case/0123"), []byte{tagCore, 'x'}, tagCore, formatVersion, 3))
}

// seedChunked is a deterministic (fixed prefix) version 2 envelope of three chunks.
func seedChunked() []byte {
	return sealChunked(fuzzKey, 3, make([]byte, chunkPrefixLen), recordAAD([]byte("case/0123"), []byte{tagCore, 'x'}, tagCore, envChunked, 3), chunkedPlain)
}

var chunkedPlain = bytes.Repeat([]byte("fingerprint "), (2*chunkSize+100)/12)

// FuzzEnvelope feeds arbitrary bytes to the record decoder and opener: they must return a value
// only when it authenticates, and an error wrapping ErrIntegrity otherwise; never panic.
func FuzzEnvelope(f *testing.F) {
	valid := seedEnvelope()
	f.Add(valid)
	f.Add(valid[:envelopeMin])
	f.Add([]byte{})
	f.Add([]byte{formatVersion})
	f.Add(append([]byte{2}, valid[1:]...))
	chunked := seedChunked()
	f.Add(chunked)
	f.Add(chunked[:len(chunked)-chunkSize])
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := parseEnvelope(b)
		if err != nil {
			if len(b) >= envelopeMin && (b[0] == formatVersion || b[0] == envChunked) {
				t.Fatalf("well-formed envelope refused: %v", err)
			}
			return
		}
		pt, err := openRecord(fuzzKey, env, []byte("case/0123"), []byte{tagCore, 'x'}, tagCore)
		if err != nil {
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("open error %v does not wrap ErrIntegrity", err)
			}
			return
		}
		if !bytes.Equal(b, valid) && !bytes.Equal(b, chunked) {
			t.Fatalf("an altered envelope opened: %x", b[:min(len(b), 64)])
		}
		if string(pt) != `{"status":"open"}` && !bytes.Equal(pt, chunkedPlain) {
			t.Fatalf("opened to %q", pt[:min(len(pt), 64)])
		}
	})
}

func seedSlot() []byte {
	priv, pub := keyPair()
	return newSlot(bytes.Repeat([]byte{1}, 16), 1, Medic, priv, pub, []byte("pass"), *TestKDF()).encode()
}

// FuzzSlot feeds arbitrary bytes to the key slot parser: a slot it accepts has sane KDF
// parameters and a known role, and re-encodes to the same bytes.
func FuzzSlot(f *testing.F) {
	valid := seedSlot()
	f.Add(valid)
	f.Add(valid[:slotHeaderLen])
	f.Add([]byte{})
	huge := append([]byte(nil), valid...)
	huge[6], huge[7], huge[8], huge[9] = 0xff, 0xff, 0xff, 0xff // 4 TiB of memory
	f.Add(huge)
	badRole := append([]byte(nil), valid...)
	badRole[11] = 99
	f.Add(badRole)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSlot(b)
		if err != nil {
			return
		}
		if checkKDF(s.kdf) != nil || !s.role.Valid() {
			t.Fatalf("accepted slot with params %+v role %q", s.kdf, s.role)
		}
		if !bytes.Equal(s.encode(), b) {
			t.Fatalf("slot does not re-encode to its bytes")
		}
	})
}

// FuzzAuditEntry: the audit entry decoder and the sealed-box opener never panic, and only the
// genuine entry opens.
func FuzzAuditEntry(f *testing.F) {
	priv, pub := keyPair()
	box, err := sealTo(pub, "audit", aad("fieldscreen/audit/v1", seqKey(1)), []byte(`{"action":"lock"}`))
	if err != nil {
		f.Fatal(err)
	}
	r := auditRec{keyVer: 1, box: box}
	r.hash = chainHash([32]byte{}, 1, r.ciphertext())
	valid := r.encode()
	f.Add(valid)
	f.Add(valid[:auditHeader])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseAuditRec(b)
		if err != nil {
			return
		}
		if !bytes.Equal(r.encode(), b) {
			t.Fatal("audit entry does not re-encode to its bytes")
		}
		pt, err := openFrom(priv, "audit", aad("fieldscreen/audit/v1", seqKey(1)), r.box)
		// The key pair differs per fuzz worker process, so only the plaintext can be compared.
		if err == nil && string(pt) != `{"action":"lock"}` {
			t.Fatalf("altered audit box opened to %q", pt)
		}
	})
}

// FuzzCounter: only a counter with a valid MAC parses.
func FuzzCounter(f *testing.F) {
	sk := bytes.Repeat([]byte{2}, 16)
	valid := counter{failures: 3, last: testEpoch}.encode(fuzzKey, sk)
	f.Add(valid)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, ok := parseCounter(fuzzKey, sk, b)
		if ok && (!bytes.Equal(b, valid) || c.failures != 3) {
			t.Fatalf("forged counter accepted: %x", b)
		}
	})
}
