package vault

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"
)

// Benchmarks run the vault beside plain bbolt storing the same bytes with the same durability
// (one Update, so one commit with fsync, per save), interleaved in the same loop so both see the
// same disk and CPU load, and report the ratio. Results: docs/bench/vault.md.

func plainBolt(b *testing.B) *bolt.DB {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "plain.db"), 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func benchSave(b *testing.B, c Class, size int) {
	v, sup := newTestVault(b, nil)
	s := sup
	if c == Biometric {
		s = addAndUnlock(b, v, sup, "TESTPERSON OFFICER", Officer)
	}
	db := plainBolt(b)
	value := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	var vaultTime, plainTime time.Duration
	b.SetBytes(int64(size))
	b.ResetTimer()
	saveVault := func() {
		err := s.Update(func(tx *Tx) error {
			id, err := tx.NewCase()
			if err != nil {
				return err
			}
			return tx.PutCase(id, c, "record", value)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	savePlain := func() {
		err := db.Update(func(btx *bolt.Tx) error {
			// The same layout without the crypto: a bucket per case holding the record.
			bk, err := btx.CreateBucketIfNotExists([]byte("cases"))
			if err != nil {
				return err
			}
			cb, err := bk.CreateBucket(randomBytes(16))
			if err != nil {
				return err
			}
			return cb.Put([]byte("record"), value)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	timed := func(fn func()) time.Duration {
		t0 := time.Now()
		fn()
		return time.Since(t0)
	}
	for i := 0; i < b.N; i++ {
		// Alternate the order: the second save of a pair pays for the disk still flushing the first.
		if i%2 == 0 {
			vaultTime += timed(saveVault)
			plainTime += timed(savePlain)
		} else {
			plainTime += timed(savePlain)
			vaultTime += timed(saveVault)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(vaultTime.Nanoseconds())/float64(b.N), "vault-ns/op")
	b.ReportMetric(float64(plainTime.Nanoseconds())/float64(b.N), "bbolt-ns/op")
	b.ReportMetric(float64(vaultTime)/float64(plainTime), "ratio")
}

// BenchmarkSaveCase64KiB: one ~64 KiB core record saved durably, vs plain bbolt.
func BenchmarkSaveCase64KiB(b *testing.B) { benchSave(b, Core, 64<<10) }

// BenchmarkSaveBiometric4MiB: one 4 MiB biometric record saved durably, vs plain bbolt.
func BenchmarkSaveBiometric4MiB(b *testing.B) { benchSave(b, Biometric, 4<<20) }

// BenchmarkUnlockCalibrated: Unlock with the parameters calibrated on this machine, beside the
// bare Argon2id derivation with the same parameters.
func BenchmarkUnlockCalibrated(b *testing.B) {
	p := CalibrateKDF()
	dir := filepath.Join(b.TempDir(), "vault")
	v, err := Create(dir, supName, []byte(supPass), Options{KDF: &p})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	salt := randomBytes(16)
	var unlockTime, kdfTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		s, err := v.Unlock(supName, []byte(supPass))
		t1 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		s.wipe()
		k := argon2.IDKey([]byte(supPass), salt, p.Time, p.MemoryKiB, p.Threads, 32)
		t2 := time.Now()
		clear(k)
		unlockTime += t1.Sub(t0)
		kdfTime += t2.Sub(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(unlockTime.Milliseconds())/float64(b.N), "unlock-ms/op")
	b.ReportMetric(float64(kdfTime.Milliseconds())/float64(b.N), "argon2-ms/op")
	b.ReportMetric(float64(unlockTime)/float64(kdfTime), "ratio")
	b.ReportMetric(float64(p.MemoryKiB/1024), "MiB")
	b.ReportMetric(float64(p.Time), "passes")
	b.ReportMetric(float64(p.Threads), "threads")
}

// BenchmarkOpenListSummaries10k: open a vault of 10,000 cases and, with an unlocked session,
// read every case's ~300-byte summary; beside plain bbolt opening a file with the same 10,000
// values and reading them all.
func BenchmarkOpenListSummaries10k(b *testing.B) {
	const n = 10000
	v, sup := newTestVault(b, nil)
	dir := v.Dir()
	db := plainBolt(b)
	summary := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"status":"open","trigger":"5(1)(a)","place":"BCP-%05d","opened":"2026-06-12T08:00:00Z","deadline_screening":"2026-06-19T08:00:00Z","deadline_eurodac":"2026-06-15T08:00:00Z","sync":"queued","biometrics":"10/10","health":"done","vulnerability":"none","form":"draft","referral":"","pad":"%0120d"}`, i, i))
	}
	for start := 0; start < n; start += 1000 {
		err := sup.Update(func(tx *Tx) error {
			for i := start; i < start+1000; i++ {
				id, err := tx.NewCase()
				if err != nil {
					return err
				}
				if err := tx.PutCase(id, Core, "summary", summary(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		err = db.Update(func(btx *bolt.Tx) error {
			bk, err := btx.CreateBucketIfNotExists([]byte("cases"))
			if err != nil {
				return err
			}
			for i := start; i < start+1000; i++ {
				if err := bk.Put(randomBytes(16), summary(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	plainPath := db.Path()
	sup.Lock()
	v.Close()
	db.Close()
	opt := testOptions(nil)
	var vaultTime, plainTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		v, err := Open(dir, opt) // unlocking (one Argon2id) is measured in BenchmarkUnlockCalibrated
		if err != nil {
			b.Fatal(err)
		}
		s, err := v.Unlock(supName, []byte(supPass))
		if err != nil {
			b.Fatal(err)
		}
		v.Close()
		b.StartTimer()
		t0 := time.Now()
		v2, err := Open(dir, opt)
		if err != nil {
			b.Fatal(err)
		}
		s.v = v2 // the unlocked session's keys, on a freshly opened file
		var got map[CaseID][]byte
		err = s.View(func(tx *Tx) error {
			var err error
			got, err = tx.Summaries("summary")
			return err
		})
		t1 := time.Now()
		if err != nil || len(got) != n {
			b.Fatalf("summaries: %d, %v", len(got), err)
		}
		pdb, err := bolt.Open(plainPath, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
		if err != nil {
			b.Fatal(err)
		}
		count := 0
		err = pdb.View(func(btx *bolt.Tx) error {
			return btx.Bucket([]byte("cases")).ForEach(func(k, v []byte) error {
				count += len(bytes.Clone(v)) / len(v)
				return nil
			})
		})
		t2 := time.Now()
		if err != nil || count != n {
			b.Fatalf("plain: %d %v", count, err)
		}
		b.StopTimer()
		s.wipe()
		v2.Close()
		pdb.Close()
		b.StartTimer()
		vaultTime += t1.Sub(t0)
		plainTime += t2.Sub(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(vaultTime.Microseconds())/1000/float64(b.N), "vault-ms/op")
	b.ReportMetric(float64(plainTime.Microseconds())/1000/float64(b.N), "bbolt-ms/op")
	b.ReportMetric(float64(vaultTime)/float64(plainTime), "ratio")
}

// BenchmarkSaveHardening is the A/B of issue 14's cost on a save as the app makes it (a new
// case, one record and its audit entry, one durable commit), on a vault of 12 users:
//   - hardened: Session.Update with Tx.Audit as it is now (fault guard, counter binding
//     checked before and sealed after the append);
//   - before: the same transaction through bbolt directly with the pre-issue-14 append
//     (appendEntry: no binding, no guard).
//
// Both run interleaved in one loop on the same file; the ratio is hardened/before. The
// -nosync variants turn bbolt's fsync off (never done by the vault itself) to show the CPU
// share alone, the worst case for the ratio.
func BenchmarkSaveHardening(b *testing.B) {
	for _, tc := range []struct {
		size   int
		noSync bool // CPU only: the hardening's share without the fsyncs that dominate a save
	}{{1 << 10, false}, {64 << 10, false}, {1 << 10, true}, {64 << 10, true}} {
		size := tc.size
		name := fmt.Sprintf("%dKiB", size>>10)
		if tc.noSync {
			name += "-nosync"
		}
		b.Run(name, func(b *testing.B) {
			v, sup := newTestVault(b, nil)
			v.db.NoSync = tc.noSync
			for i := 0; i < 10; i++ {
				if err := sup.AddUser(fmt.Sprintf("TESTPERSON USER %d", i), Registrar, []byte("pass of a registrar")); err != nil {
					b.Fatal(err)
				}
			}
			s := addAndUnlock(b, v, sup, "TESTPERSON OFFICER", Officer)
			value := bytes.Repeat([]byte("0123456789abcdef"), size/16)
			save := func(tx *Tx) (CaseID, error) {
				id, err := tx.NewCase()
				if err != nil {
					return "", err
				}
				return id, tx.PutCase(id, Core, "record", value)
			}
			hardened := func() {
				err := s.Update(func(tx *Tx) error {
					id, err := save(tx)
					if err != nil {
						return err
					}
					return tx.Audit(AuditEvent{Action: "case.create", Case: id, Class: Core})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			before := func() {
				s.mu.RLock()
				defer s.mu.RUnlock()
				err := v.db.Update(func(btx *bolt.Tx) error {
					tx := &Tx{s: s, btx: btx, now: v.opt.now()}
					id, err := save(tx)
					if err != nil {
						return err
					}
					return appendEntry(btx, tx.now, actor{s.user, s.role}, AuditEvent{Action: "case.create", Case: id, Class: Core})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			reseal := func() {
				if err := v.db.Update(func(btx *bolt.Tx) error { return sealBind(btx, v.ctrKey, counterDigest(btx)) }); err != nil {
					b.Fatal(err)
				}
			}
			var hTime, bTime time.Duration
			timed := func(fn func()) time.Duration {
				t0 := time.Now()
				fn()
				return time.Since(t0)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			untimedReseal := func() {
				b.StopTimer()
				reseal() // the old path leaves the binding behind the chain: bind it again
				b.StartTimer()
			}
			// every timed save follows the same untimed commit, so neither side inherits the
			// other's disk flush
			for i := 0; i < b.N; i++ {
				if i%2 == 0 {
					untimedReseal()
					hTime += timed(hardened)
					untimedReseal()
					bTime += timed(before)
				} else {
					untimedReseal()
					bTime += timed(before)
					untimedReseal()
					hTime += timed(hardened)
				}
			}
			b.StopTimer()
			v.view(func(btx *bolt.Tx) error {
				// a tamper response would have set every counter to tamperedFailures
				if c, ok := v.readCounter(btx, s.slotKey); !ok || c.failures != 0 {
					b.Fatal("the binding broke during the benchmark: the hardened saves paid for a tamper response")
				}
				return nil
			})
			b.ReportMetric(float64(hTime.Nanoseconds())/float64(b.N), "hardened-ns/op")
			b.ReportMetric(float64(bTime.Nanoseconds())/float64(b.N), "before-ns/op")
			b.ReportMetric(float64(hTime)/float64(bTime), "ratio")
		})
	}
}
