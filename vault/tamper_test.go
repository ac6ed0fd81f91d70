package vault

import (
	"bytes"
	"errors"
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// flipRaw flips one bit of a stored value with a bbolt read-write transaction on the raw
// bucket, the way an attacker with the file would.
func flipRaw(t *testing.T, v *Vault, bucketPath [][]byte, key []byte, pos int) {
	t.Helper()
	err := v.update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketPath[0])
		for _, p := range bucketPath[1:] {
			b = b.Bucket(p)
		}
		val := append([]byte(nil), b.Get(key)...)
		val[pos] ^= 0x04
		return b.Put(key, val)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rawLen(t *testing.T, v *Vault, bucketPath [][]byte, key []byte) int {
	var n int
	v.view(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketPath[0])
		for _, p := range bucketPath[1:] {
			b = b.Bucket(p)
		}
		n = len(b.Get(key))
		return nil
	})
	return n
}

func TestTamperAuditEntry(t *testing.T) {
	v, s := newTestVault(t, nil)
	putCase(t, s, Core, "summary", []byte("x"))
	s.Lock()
	rep, err := v.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	path := [][]byte{bAudit}
	for seq := uint64(1); seq <= rep.Entries; seq++ {
		n := rawLen(t, v, path, seqKey(seq))
		for _, pos := range []int{0, 1, 4, 5, 20, 36, 37, 38, 70, n / 2, n - 1} {
			flipRaw(t, v, path, seqKey(seq), pos)
			got, err := v.VerifyAudit()
			if !errors.Is(err, ErrIntegrity) || got.FirstBroken != seq {
				t.Fatalf("flip entry %d byte %d: report %v, err %v; want broken at %d", seq, pos, got, err, seq)
			}
			flipRaw(t, v, path, seqKey(seq), pos) // restore
		}
	}
	// Deleting an entry in the middle is a gap.
	if err := v.update(func(btx *bolt.Tx) error { return btx.Bucket(bAudit).Delete(seqKey(2)) }); err != nil {
		t.Fatal(err)
	}
	if got, err := v.VerifyAudit(); !errors.Is(err, ErrIntegrity) || got.FirstBroken != 2 {
		t.Fatalf("deleted entry: %v %v", got, err)
	}
}

func TestTamperCaseRecord(t *testing.T) {
	v, s := newTestVault(t, nil)
	secret := []byte(`{"name":"TESTPERSON ALPHA","doc":"X1234567"}`)
	id := putCase(t, s, Core, "person", secret)
	recPath := [][]byte{bCases, []byte(id), bCaseRec}
	keyPath := [][]byte{bCases, []byte(id), bCaseKey}
	for _, target := range []struct {
		name string
		path [][]byte
		key  []byte
	}{
		{"record", recPath, caseRecKey(tagCore, "person")},
		{"wrapped data key", keyPath, []byte{tagCore}},
	} {
		n := rawLen(t, v, target.path, target.key)
		for pos := 0; pos < n; pos++ {
			flipRaw(t, v, target.path, target.key, pos)
			got, err := getCase(s, id, Core, "person")
			if !errors.Is(err, ErrIntegrity) || got != nil {
				t.Fatalf("%s byte %d flipped: got %q, %v; want ErrIntegrity and no data", target.name, pos, got, err)
			}
			flipRaw(t, v, target.path, target.key, pos)
		}
	}
	if got, err := getCase(s, id, Core, "person"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("after restoring: %q %v", got, err)
	}
	// A record moved to another case or renamed does not open either (associated data).
	other := putCase(t, s, Core, "person", []byte("other"))
	if err := v.update(func(btx *bolt.Tx) error {
		src := btx.Bucket(bCases).Bucket([]byte(id)).Bucket(bCaseRec).Get(caseRecKey(tagCore, "person"))
		dst := btx.Bucket(bCases).Bucket([]byte(other)).Bucket(bCaseRec)
		if err := dst.Put(caseRecKey(tagCore, "person"), append([]byte(nil), src...)); err != nil {
			return err
		}
		return btx.Bucket(bCases).Bucket([]byte(id)).Bucket(bCaseRec).Put(caseRecKey(tagCore, "renamed"), append([]byte(nil), src...))
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := getCase(s, other, Core, "person"); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("record swapped between cases: %v", err)
	}
	if _, err := getCase(s, id, Core, "renamed"); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("renamed record: %v", err)
	}
}

// TestTamperRawFile flips a byte of a record's ciphertext in the file itself (bbolt has no
// page checksums, so the file still opens): the read fails with ErrIntegrity.
func TestTamperRawFile(t *testing.T) {
	v, s := newTestVault(t, nil)
	id := putCase(t, s, Core, "person", bytes.Repeat([]byte("TESTPERSON ALPHA "), 20))
	var stored []byte
	v.view(func(btx *bolt.Tx) error {
		stored = append(stored, btx.Bucket(bCases).Bucket([]byte(id)).Bucket(bCaseRec).Get(caseRecKey(tagCore, "person"))...)
		return nil
	})
	dir, path, raw := closeAndRead(t, v, s)
	at := bytes.Index(raw, stored[40:]) // a stretch of the ciphertext
	if at < 0 || bytes.Count(raw, stored[40:]) != 1 {
		t.Fatal("record ciphertext not found once in the file")
	}
	raw[at+10] ^= 0x80
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	v2, err := Open(dir, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	s2, err := v2.Unlock(supName, []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := getCase(s2, id, Core, "person"); !errors.Is(err, ErrIntegrity) || got != nil {
		t.Fatalf("raw flip: %q %v", got, err)
	}
}
