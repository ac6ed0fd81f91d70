package vault

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestBitFlipsNeverCrash (issue 14 item 8): three flipped bits in vault.db once made bbolt
// read outside its mmap and kill the process with SIGSEGV. Each of 200 copies of a vault gets
// three random bit flips (fixed seeds) and goes through what the app and `vault check` do:
// open, unlock, read every case, verify the audit chain, the full check and a compaction.
// Every call must return (a *CorruptError, ErrIntegrity or success); a crash kills this test.
func TestBitFlipsNeverCrash(t *testing.T) {
	v, sup := newTestVault(t, nil)
	off := addAndUnlock(t, v, sup, "TESTPERSON OFFICER", Officer)
	for i := 0; i < 30; i++ {
		putCase(t, off, Core, "form", make([]byte, 200+i*50))
	}
	off.Lock()
	sup.Lock()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(filepath.Join(v.Dir(), dbName))
	if err != nil {
		t.Fatal(err)
	}
	n := 200
	if testing.Short() {
		n = 40
	}
	outcomes := map[string]int{}
	for i := 0; i < n; i++ {
		rng := rand.New(rand.NewPCG(uint64(i), 14))
		b := append([]byte(nil), orig...)
		for f := 0; f < 3; f++ {
			switch i % 3 {
			case 0: // anywhere
				bit := rng.IntN(len(b) * 8)
				b[bit/8] ^= 1 << (bit % 8)
			case 1: // the first pages: meta, freelist, root buckets
				bit := rng.IntN(4 * 4096 * 8)
				b[bit/8] ^= 1 << (bit % 8)
			default: // a high bit of a page header or element field (page IDs, offsets, sizes):
				// what turns a flip into a read far outside the file
				page := 2 + rng.IntN(len(b)/4096-2)
				off := page*4096 + 8*rng.IntN(64) + 3 + rng.IntN(2)
				b[off] ^= 1 << rng.IntN(8)
			}
		}
		dir := filepath.Join(t.TempDir(), "vault")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dbName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		outcomes[exerciseDamaged(dir)]++
	}
	t.Logf("%d damaged copies: %v", n, outcomes)
}

// exerciseDamaged runs the reads a damaged vault meets and names how it ended.
func exerciseDamaged(dir string) string {
	v, err := Open(dir, testOptions(nil))
	if err != nil {
		return outcome("open", err)
	}
	defer v.Close()
	s, err := v.Unlock("TESTPERSON OFFICER", []byte("pass of TESTPERSON OFFICER"))
	if err == nil {
		err = s.View(func(tx *Tx) error {
			ids, err := tx.CaseIDs()
			if err != nil {
				return err
			}
			for _, id := range ids {
				if _, err := tx.GetCase(id, Core, "form"); err != nil {
					return err
				}
			}
			return nil
		})
		s.Lock()
	}
	if err != nil {
		return outcome("read", err)
	}
	if _, err := v.VerifyAudit(); err != nil {
		return outcome("audit", err)
	}
	if err := v.Check(); err != nil {
		return outcome("check", err)
	}
	if err := v.Compact(); err != nil {
		return outcome("compact", err)
	}
	return "intact"
}

func outcome(stage string, err error) string {
	var ce *CorruptError
	switch {
	case errors.As(err, &ce):
		return stage + ": corrupt"
	case errors.Is(err, ErrIntegrity):
		return stage + ": integrity"
	default:
		return stage + ": other"
	}
}
