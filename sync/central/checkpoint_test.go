package central

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestLegacyImpossibleCheckpointDoesNotBlock: a checkpoint an older central countersigned
// without any check (size 2^63-1, or a non-hex head) no longer blocks the terminal: central
// asks for the whole chain once and countersigns it.
func TestLegacyImpossibleCheckpointDoesNotBlock(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Store: NewMemStore(), EventLog: io.Discard, Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pub := fuzzDevKey.Public().(ed25519.PublicKey)
	spki, _ := x509.MarshalPKIXPublicKey(pub)
	cts := [][]byte{[]byte("sealed entry 1"), []byte("sealed entry 2")}
	var h [32]byte
	for i, ct := range cts {
		h = vault.AuditChainHash(h, uint64(i+1), ct)
	}
	for _, legacy := range []fsync.Checkpoint{{Size: 1<<63 - 1, Head: hex.EncodeToString(h[:])}, {Size: 1, Head: "not hex"}} {
		d := Device{ID: fsync.DeviceIDFromSPKI(spki), PublicKey: pub, Checkpoint: &legacy}
		legacy.DeviceID = d.ID
		if err := s.store.PutDevice(d); err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(fsync.Checkpoint{DeviceID: d.ID, Size: 2, Head: hex.EncodeToString(h[:])})
		body, _ := json.Marshal(fsync.CheckpointRequest{Checkpoint: raw, Signature: ed25519.Sign(fuzzDevKey, append([]byte(fsync.DomainCheckpoint), raw...)), Entries: cts})
		w := httptest.NewRecorder()
		s.checkpoint(w, httptest.NewRequest(http.MethodPost, "/v1/audit/checkpoints", bytes.NewReader(body)), d)
		if w.Code != http.StatusOK {
			t.Fatalf("legacy %+v: %d %s", legacy, w.Code, w.Body)
		}
		if got, _ := s.store.Device(d.ID); got.Checkpoint.Size != 2 {
			t.Fatalf("stored %+v", got.Checkpoint)
		}
	}
}
