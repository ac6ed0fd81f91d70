package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Test vectors pin the on-disk formats of docs/SECURITY.md: a change that makes old vaults
// unreadable fails here. Regenerate (only for a deliberate format change, with a new version
// byte) with: go test ./vault/ -run TestFormatVectors -update
var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

type hexBytes []byte

func (h hexBytes) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }
func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}

type vectors struct {
	Comment string `json:"comment"`
	Slot    struct {
		SlotKey    hexBytes `json:"slot_key"`
		Gen        uint32   `json:"gen"`
		Passphrase string   `json:"passphrase"`
		Slot       hexBytes `json:"slot"`
		Private    hexBytes `json:"private_key"`
	} `json:"slot"`
	EnvelopeV1 struct {
		Key       hexBytes `json:"key"`
		Path      string   `json:"path"`
		RecordKey hexBytes `json:"record_key"`
		Tag       byte     `json:"tag"`
		Value     hexBytes `json:"value"`
		Plaintext string   `json:"plaintext"`
	} `json:"envelope_v1"`
	EnvelopeV2 struct {
		Key          hexBytes `json:"key"`
		KeyVersion   uint32   `json:"key_version"`
		Prefix       hexBytes `json:"prefix"`
		Path         string   `json:"path"`
		RecordKey    hexBytes `json:"record_key"`
		Tag          byte     `json:"tag"`
		Pattern      string   `json:"plaintext_pattern"`
		PlaintextLen int      `json:"plaintext_len"`
		SHA256       hexBytes `json:"sha256_of_value"`
	} `json:"envelope_v2"`
	Box struct {
		RecipientPrivate hexBytes `json:"recipient_private"`
		Label            string   `json:"label"`
		AD               hexBytes `json:"ad"`
		Box              hexBytes `json:"box"`
		Plaintext        hexBytes `json:"plaintext"`
	} `json:"sealed_box"`
	Audit struct {
		Private hexBytes   `json:"audit_private"`
		Entries []hexBytes `json:"entries"`
		Plain   []string   `json:"plaintexts"`
	} `json:"audit_chain"`
	Counter struct {
		MACKey   hexBytes `json:"mac_key"`
		SlotKey  hexBytes `json:"slot_key"`
		Value    hexBytes `json:"value"`
		Failures int      `json:"failures"`
		LastNs   int64    `json:"last_unix_ns"`
	} `json:"counter"`
}

func patternBytes(p string, n int) []byte { return bytes.Repeat([]byte(p), n/len(p)+1)[:n] }

func makeVectors(t *testing.T) vectors {
	var v vectors
	v.Comment = "fieldscreen vault format vectors (docs/SECURITY.md part 2); hex unless named otherwise"
	priv, pub := keyPair()
	v.Slot.SlotKey, v.Slot.Gen, v.Slot.Passphrase = bytes.Repeat([]byte{0x5a}, 16), 2, "correct horse battery staple"
	v.Slot.Slot = newSlot(v.Slot.SlotKey, 2, Medic, priv, pub, []byte(v.Slot.Passphrase), *TestKDF()).encode()
	v.Slot.Private = priv

	e1 := &v.EnvelopeV1
	e1.Key, e1.Path, e1.RecordKey, e1.Tag, e1.Plaintext = randomBytes(32), "case/00112233445566778899aabbccddeeff", append([]byte{tagCore}, "summary"...), tagCore, `{"status":"open"}`
	e1.Value = sealRecord(e1.Key, 1, []byte(e1.Path), e1.RecordKey, e1.Tag, []byte(e1.Plaintext))

	e2 := &v.EnvelopeV2
	e2.Key, e2.KeyVersion, e2.Prefix = randomBytes(32), 3, randomBytes(chunkPrefixLen)
	e2.Path, e2.RecordKey, e2.Tag = "case/00112233445566778899aabbccddeeff", append([]byte{tagBiometric}, "finger-01"...), tagBiometric
	e2.Pattern, e2.PlaintextLen = "synthetic ridge pattern ", 2*chunkSize+1000
	sealed := sealChunked(e2.Key, e2.KeyVersion, e2.Prefix, recordAAD([]byte(e2.Path), e2.RecordKey, e2.Tag, envChunked, e2.KeyVersion), patternBytes(e2.Pattern, e2.PlaintextLen))
	sum := sha256.Sum256(sealed)
	e2.SHA256 = sum[:]

	bp, bpub := keyPair()
	v.Box.RecipientPrivate, v.Box.Label, v.Box.AD, v.Box.Plaintext = bp, "grant", grantAAD(v.Slot.SlotKey, tagHealth, 4), randomBytes(32)
	box, err := sealTo(bpub, v.Box.Label, v.Box.AD, v.Box.Plaintext)
	if err != nil {
		t.Fatal(err)
	}
	v.Box.Box = box

	ap, apub := keyPair()
	v.Audit.Private = ap
	var prev [32]byte
	for seq := uint64(1); seq <= 3; seq++ {
		pt := []byte(`{"at":"2026-06-12T08:00:0` + string(rune('0'+seq)) + `Z","user":"TESTPERSON OFFICER","role":"officer","action":"case.create"}`)
		b, err := sealTo(apub, "audit", aad("fieldscreen/audit/v1", seqKey(seq)), pt)
		if err != nil {
			t.Fatal(err)
		}
		r := auditRec{keyVer: 1, box: b}
		r.hash = chainHash(prev, seq, r.ciphertext())
		prev = r.hash
		v.Audit.Entries = append(v.Audit.Entries, r.encode())
		v.Audit.Plain = append(v.Audit.Plain, string(pt))
	}

	c := &v.Counter
	c.MACKey, c.SlotKey, c.Failures, c.LastNs = randomBytes(32), v.Slot.SlotKey, 4, time.Date(2026, 6, 12, 8, 0, 0, 0, time.UTC).UnixNano()
	c.Value = counter{failures: c.Failures, last: time.Unix(0, c.LastNs)}.encode(c.MACKey, c.SlotKey)
	return v
}

func TestFormatVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	if *update {
		b, err := json.MarshalIndent(makeVectors(t), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate with -update)", err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}

	s, err := parseSlot(v.Slot.Slot)
	if err != nil {
		t.Fatal(err)
	}
	if s.role != Medic || s.kdf != *TestKDF() {
		t.Fatalf("slot role %s params %+v", s.role, s.kdf)
	}
	kek := slotKEK([]byte(v.Slot.Passphrase), s)
	priv, err := openSym(kek, s.aad(slotRecKey(v.Slot.SlotKey, v.Slot.Gen)), s.wrapped)
	if err != nil || !bytes.Equal(priv, v.Slot.Private) {
		t.Fatalf("slot vector does not open to its private key: %v", err)
	}

	e1 := v.EnvelopeV1
	env, err := parseEnvelope(e1.Value)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := openRecord(e1.Key, env, []byte(e1.Path), e1.RecordKey, e1.Tag); err != nil || string(pt) != e1.Plaintext {
		t.Fatalf("envelope v1 vector: %q %v", pt, err)
	}

	e2 := v.EnvelopeV2
	plain := patternBytes(e2.Pattern, e2.PlaintextLen)
	sealed := sealChunked(e2.Key, e2.KeyVersion, e2.Prefix, recordAAD([]byte(e2.Path), e2.RecordKey, e2.Tag, envChunked, e2.KeyVersion), plain)
	if sum := sha256.Sum256(sealed); !bytes.Equal(sum[:], e2.SHA256) {
		t.Fatal("envelope v2 vector: sealing the same input gives other bytes")
	}
	env, err = parseEnvelope(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := openRecord(e2.Key, env, []byte(e2.Path), e2.RecordKey, e2.Tag); err != nil || !bytes.Equal(pt, plain) {
		t.Fatalf("envelope v2 vector does not open: %v", err)
	}

	if pt, err := openFrom(v.Box.RecipientPrivate, v.Box.Label, v.Box.AD, v.Box.Box); err != nil || !bytes.Equal(pt, v.Box.Plaintext) {
		t.Fatalf("sealed box vector: %v", err)
	}

	var prev [32]byte
	for i, raw := range v.Audit.Entries {
		seq := uint64(i + 1)
		r, err := parseAuditRec(raw)
		if err != nil {
			t.Fatal(err)
		}
		if h := chainHash(prev, seq, r.ciphertext()); h != r.hash {
			t.Fatalf("audit vector %d: chain hash differs", seq)
		}
		prev = r.hash
		pt, err := openFrom(v.Audit.Private, "audit", aad("fieldscreen/audit/v1", seqKey(seq)), r.box)
		if err != nil || string(pt) != v.Audit.Plain[i] {
			t.Fatalf("audit vector %d: %q %v", seq, pt, err)
		}
	}

	c := v.Counter
	got, ok := parseCounter(c.MACKey, c.SlotKey, c.Value)
	if !ok || got.failures != c.Failures || got.last.UnixNano() != c.LastNs {
		t.Fatalf("counter vector: %+v %v", got, ok)
	}
}
