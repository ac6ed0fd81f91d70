package sync

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/vault"
)

// fuzzKey is a fixed Ed25519 key for the fuzz seeds (central's receipt key in the seeds).
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

func fuzzCA(f *testing.F) []byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz CA"}, IsCA: true,
		BasicConstraintsValid: true, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		f.Fatal(err)
	}
	return der
}

// FuzzParseToken: a printed enrolment token never panics the parser; an accepted one has a
// secret of at least 16 bytes and a CA certificate, and prints back to the same token.
func FuzzParseToken(f *testing.F) {
	ca := fuzzCA(f)
	good := FormatToken(bytes.Repeat([]byte{1}, 24), ca)
	f.Add(good)
	f.Add(" " + good + "\n")
	f.Add("fst1.AAAA.AAAA")
	f.Add("fst1." + good[5:20])
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			return
		}
		if len(tok.Secret) < 16 || !tok.CA.IsCA {
			t.Fatalf("accepted %q with secret %d bytes, CA %v", s, len(tok.Secret), tok.CA.IsCA)
		}
		if FormatToken(tok.Secret, tok.CA.Raw) != strings.TrimSpace(s) && !strings.Contains(s, "=") {
			// base64url without padding has one text per value, except for trailing bits
			// the decoder ignores; a round trip must still parse to the same values.
			again, err := ParseToken(FormatToken(tok.Secret, tok.CA.Raw))
			if err != nil || !bytes.Equal(again.Secret, tok.Secret) {
				t.Fatalf("token %q does not print back: %v", s, err)
			}
		}
	})
}

// FuzzOpenResultsPage: a results answer from central (any bytes) is applied only when it is
// signed by central's key and is about this terminal, its cursor, and results after it.
func FuzzOpenResultsPage(f *testing.F) {
	const dev = "devfuzz0000000001"
	page := ResultsPage{DeviceID: dev, After: 3, Next: 5, Results: []Result{{Seq: 4, PacketID: "p", Type: ResultValidated}, {Seq: 5, Type: ResultCheck, Outcome: "hit"}}}
	s, _ := SignPayload(DomainResults, page, fuzzKey)
	good, _ := json.Marshal(s)
	f.Add(good, uint64(3))
	f.Add(good, uint64(4))
	bad, _ := SignPayload(DomainResults, ResultsPage{DeviceID: dev, After: 3, Next: 4, Results: []Result{{Seq: 9}}}, fuzzKey)
	b2, _ := json.Marshal(bad)
	f.Add(b2, uint64(3))
	f.Add([]byte(`{"payload":{},"signature":""}`), uint64(0))
	f.Fuzz(func(t *testing.T, body []byte, cursor uint64) {
		s, err := decodeSigned(body)
		if err != nil {
			return
		}
		p, err := OpenResultsPage(s, fuzzKey.Public().(ed25519.PublicKey), dev, cursor)
		if err != nil {
			return
		}
		if !ed25519.Verify(fuzzKey.Public().(ed25519.PublicKey), append([]byte(DomainResults), s.Payload...), s.Signature) {
			t.Fatal("accepted a page central did not sign")
		}
		for _, r := range p.Results {
			if r.Seq <= cursor || r.Seq > p.Next {
				t.Fatalf("accepted result %d outside (%d, %d]", r.Seq, cursor, p.Next)
			}
		}
	})
}

// FuzzOpenConfig: a config answer is used only when central signed it, and a recipient it
// names is an age recipient.
func FuzzOpenConfig(f *testing.F) {
	id, _ := age.GenerateX25519Identity()
	for _, cfg := range []Config{{Version: "1", Data: json.RawMessage(`{"a":1}`), Recipient: id.Recipient().String()},
		{Version: "2", Data: json.RawMessage(`{}`), Recipient: "age1notarecipient"}} {
		s, _ := SignPayload(DomainConfig, cfg, fuzzKey)
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte(`{"payload":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := decodeSigned(body)
		if err != nil {
			return
		}
		cfg, err := OpenConfig(s, fuzzKey.Public().(ed25519.PublicKey))
		if err != nil {
			return
		}
		if cfg.Recipient != "" {
			if _, err := age.ParseX25519Recipient(cfg.Recipient); err != nil {
				t.Fatalf("accepted recipient %q", cfg.Recipient)
			}
		}
	})
}

// FuzzCheckSealedHeader: central's check of a sealed header before the receipt never
// panics and accepts only what opens to a packet of that terminal and ID.
func FuzzCheckSealedHeader(f *testing.F) {
	id, _ := age.GenerateX25519Identity()
	p := samplePacket()
	s, err := Seal(p, "devfuzz0000000001", id.Recipient(), fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s.Data)
	f.Add(s.Data[:len(s.Data)/2])
	f.Add([]byte("age-encryption.org/v1\n-> X25519 AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := CheckSealedHeader(bytes.NewReader(data), p.Header.PacketID, "devfuzz0000000001", id); err != nil {
			return
		}
		// Accepted: the header really opens and names that packet and terminal.
		if _, err := OpenStream(bytes.NewReader(data), p.Header.PacketID, "devfuzz0000000001", id); err != nil && !strings.Contains(err.Error(), "container") && !strings.Contains(err.Error(), "decrypt") {
			t.Fatalf("header accepted, stream refused unexpectedly: %v", err)
		}
	})
}

// FuzzVerifyExtension: central countersigns a checkpoint only when recomputing the chain
// from the proof reaches its head and passes through the countersigned one; nothing panics
// on sizes or heads an attacker picks.
func FuzzVerifyExtension(f *testing.F) {
	cts := [][]byte{[]byte("entry one"), []byte("entry two"), []byte("entry three")}
	var hs [4][32]byte
	for i, ct := range cts {
		hs[i+1] = vault.AuditChainHash(hs[i], uint64(i+1), ct)
	}
	enc := func(h [32]byte) string { return hex.EncodeToString(h[:]) }
	f.Add(uint64(1), enc(hs[1]), uint64(3), enc(hs[3]), uint64(1), enc(hs[1]), []byte("entry two\x00entry three"))
	f.Add(uint64(0), "", uint64(3), enc(hs[3]), uint64(0), "", []byte("entry one\x00entry two\x00entry three"))
	f.Add(uint64(2), enc(hs[2]), uint64(1<<63-1), enc(hs[3]), uint64(2), enc(hs[2]), []byte("entry three"))
	f.Add(uint64(2), enc(hs[2]), uint64(3), "ZZ", uint64(2), enc(hs[2]), []byte("entry three"))
	f.Fuzz(func(t *testing.T, prevSize uint64, prevHead string, size uint64, head string, from uint64, fromHead string, joined []byte) {
		ph, err := ParseHead(prevHead)
		if err != nil {
			ph = [32]byte{}
		}
		var entries [][]byte
		if len(joined) > 0 {
			entries = bytes.Split(joined, []byte{0})
		}
		cp := Checkpoint{DeviceID: "d", Size: size, Head: head}
		err = VerifyExtension(prevSize, ph, cp, CheckpointRequest{From: from, FromHead: fromHead, Entries: entries})
		if err != nil {
			return
		}
		// Accepted: the chain from fromHead over the entries reaches head, has size entries
		// after from, and passes through the countersigned state.
		h, _ := ParseHead(fromHead)
		if fromHead == "" {
			h = [32]byte{}
		}
		if from == prevSize && h != ph {
			t.Fatal("accepted a proof that starts away from the countersigned head")
		}
		for i, e := range entries {
			h = vault.AuditChainHash(h, from+uint64(i)+1, e)
			if from+uint64(i)+1 == prevSize && h != ph {
				t.Fatal("accepted a chain that does not pass through the countersigned head")
			}
		}
		if enc(h) != head || size != from+uint64(len(entries)) || size < prevSize || from > prevSize {
			t.Fatalf("accepted size %d head %s from %d (+%d) over countersigned %d", size, head, from, len(entries), prevSize)
		}
	})
}
