package vault

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCreateOpenUnlockRecords(t *testing.T) {
	v, s := newTestVault(t, nil)
	dir := v.Dir()
	if s.User() != supName || s.Role() != Supervisor {
		t.Fatalf("session %q %q", s.User(), s.Role())
	}
	if fi, err := os.Stat(v.PacketDir()); err != nil || !fi.IsDir() {
		t.Fatalf("packet dir: %v", err)
	}
	summary := []byte(`{"status":"open","trigger":"5(1)(a)"}`)
	id := putCase(t, s, Core, "summary", summary)
	if !id.Valid() {
		t.Fatalf("case ID %q is not 32 lowercase hex", id)
	}
	if err := s.Update(func(tx *Tx) error {
		if err := tx.Put(Sync, "outbox", "pkt-0001", []byte("row one")); err != nil {
			return err
		}
		return tx.PutCase(id, Core, "person", []byte(`{"name":"TESTPERSON ALPHA"}`))
	}); err != nil {
		t.Fatal(err)
	}
	s.Lock()
	if !s.Locked() {
		t.Fatal("Locked() false after Lock")
	}
	wantErr(t, s.View(func(*Tx) error { return nil }), ErrLocked)
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	if err := func() error { _, err := Create(dir, "x", []byte("y"), testOptions(nil)); return err }(); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over an existing vault: %v, want ErrExists", err)
	}
	v2, err := Open(dir, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	names, err := v2.UserNames()
	if err != nil || len(names) != 1 || names[0] != supName {
		t.Fatalf("UserNames = %v, %v", names, err)
	}
	// The slot is chosen by a normalised name.
	s2, err := v2.Unlock("  testperson supervisor ", []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	err = s2.View(func(tx *Tx) error {
		got, err := tx.GetCase(id, Core, "summary")
		if err != nil || !bytes.Equal(got, summary) {
			t.Errorf("summary = %q, %v", got, err)
		}
		names, err := tx.CaseRecordNames(id, Core)
		if err != nil || len(names) != 2 || names[0] != "person" || names[1] != "summary" {
			t.Errorf("record names = %v, %v", names, err)
		}
		row, err := tx.Get(Sync, "outbox", "pkt-0001")
		if err != nil || string(row) != "row one" {
			t.Errorf("outbox row = %q, %v", row, err)
		}
		_, err = tx.GetCase(id, Core, "absent")
		wantErr(t, err, ErrNotFound)
		_, err = tx.Get(Sync, "outbox", "absent")
		wantErr(t, err, ErrNotFound)
		_, err = tx.GetCase(CaseID("00000000000000000000000000000000"), Core, "summary")
		wantErr(t, err, ErrNotFound)
		ids, err := tx.CaseIDs()
		if err != nil || len(ids) != 1 || ids[0] != id {
			t.Errorf("CaseIDs = %v, %v", ids, err)
		}
		sums, err := tx.Summaries("summary")
		if err != nil || !bytes.Equal(sums[id], summary) {
			t.Errorf("Summaries = %v, %v", sums, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Writes in a read-only transaction are refused, not panics.
	if err := s2.View(func(tx *Tx) error { return tx.PutCase(id, Core, "x", nil) }); err == nil {
		t.Fatal("PutCase in View succeeded")
	}
	// Update rolls back on error.
	sentinel := errors.New("stop")
	err = s2.Update(func(tx *Tx) error {
		if err := tx.PutCase(id, Core, "summary", []byte("changed")); err != nil {
			return err
		}
		return sentinel
	})
	wantErr(t, err, sentinel)
	if got, _ := getCase(s2, id, Core, "summary"); !bytes.Equal(got, summary) {
		t.Fatalf("rolled-back write is visible: %q", got)
	}
	// Delete and ForEach.
	if err := s2.Update(func(tx *Tx) error {
		if err := tx.Put(Sync, "outbox", "pkt-0002", []byte("row two")); err != nil {
			return err
		}
		if err := tx.Delete(Sync, "outbox", "pkt-0001"); err != nil {
			return err
		}
		return tx.DeleteCaseRecord(id, Core, "person")
	}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := s2.View(func(tx *Tx) error {
		return tx.ForEach(Sync, "outbox", func(k string, v []byte) error {
			keys = append(keys, k+"="+string(v))
			return nil
		})
	}); err != nil || len(keys) != 1 || keys[0] != "pkt-0002=row two" {
		t.Fatalf("ForEach = %v, %v", keys, err)
	}
	if _, err := getCase(s2, id, Core, "person"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted record: %v", err)
	}
}

func TestOpenMissingAndInUse(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "none"), testOptions(nil))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open missing: %v, want fs.ErrNotExist", err)
	}
	v, s := newTestVault(t, nil)
	s.Lock()
	o := testOptions(nil)
	o.LockTimeout = 100e6
	_, err = Open(v.Dir(), o)
	wantErr(t, err, ErrInUse)
}

func TestCorruptVaultIsReportedNotRecreated(t *testing.T) {
	cases := map[string]func(path string) error{
		"garbage": func(p string) error { return os.WriteFile(p, bytes.Repeat([]byte("not a vault "), 1000), 0o600) },
		"truncated": func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()/2)
		},
		"tiny":  func(p string) error { return os.Truncate(p, 100) },
		"empty": func(p string) error { return os.Truncate(p, 0) },
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			v, s := newTestVault(t, nil)
			for i := 0; i < 200; i++ { // grow the file beyond its first pages
				putCase(t, s, Core, "summary", bytes.Repeat([]byte{byte(i)}, 2000))
			}
			dir := v.Dir()
			v.Close()
			path := filepath.Join(dir, dbName)
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			_, err := Open(dir, testOptions(nil))
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Path != path {
				t.Fatalf("Open damaged vault: %v, want *CorruptError naming %s", err, path)
			}
			if !bytes.Contains([]byte(ce.Error()), []byte("restore")) {
				t.Fatalf("error does not say what to do: %v", ce)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatal("damaged vault file was changed")
			}
			if _, err := Create(dir, "x", []byte("y"), testOptions(nil)); !errors.Is(err, ErrExists) {
				t.Fatalf("Create over a damaged vault: %v, want ErrExists", err)
			}
		})
	}
}

func TestSlotsUnlockErrors(t *testing.T) {
	v, s := newTestVault(t, nil)
	_, err := v.Unlock(supName, []byte("wrong"))
	wantErr(t, err, ErrBadPassphrase)
	_, err = v.Unlock("TESTPERSON NOBODY", []byte(supPass))
	wantErr(t, err, ErrBadLogin)
	if err := s.AddUser(supName, Officer, []byte("x")); !errors.Is(err, ErrExists) {
		t.Fatalf("AddUser duplicate: %v", err)
	}
	if err := s.AddUser("TESTPERSON OTHER", Role("janitor"), []byte("x")); err == nil {
		t.Fatal("AddUser with an unknown role succeeded")
	}
}

func TestScaleKDF(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tests := []struct {
		name string
		d    time.Duration
		want KDFParams
	}{
		{"slow machine stays at the floor", ms(800), floorKDF},
		{"exactly on target", ms(500), floorKDF},
		{"twice as fast doubles memory", ms(250), KDFParams{Time: 3, MemoryKiB: 128 * 1024, Threads: 4}},
		{"very fast machine caps memory then adds passes", ms(50), KDFParams{Time: 8, MemoryKiB: 256 * 1024, Threads: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scaleKDF(floorKDF, tt.d, 500*time.Millisecond); got != tt.want {
				t.Fatalf("scaleKDF(%v) = %+v, want %+v", tt.d, got, tt.want)
			}
		})
	}
}

func TestCompactShrinksAndKeepsData(t *testing.T) {
	v, s := newTestVault(t, nil)
	var ids []CaseID
	for i := 0; i < 40; i++ {
		ids = append(ids, putCase(t, s, Core, "scan", bytes.Repeat([]byte{byte(i)}, 64<<10)))
	}
	if err := s.Update(func(tx *Tx) error {
		for _, id := range ids[:35] {
			if err := tx.PurgeCase(id); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(v.Dir(), dbName)
	before, _ := os.Stat(path)
	if err := v.Compact(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if after.Size() >= before.Size()/2 {
		t.Fatalf("compact: %d → %d bytes, want less than half", before.Size(), after.Size())
	}
	leftovers, _ := filepath.Glob(filepath.Join(v.Dir(), ".vault-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
	for i, id := range ids[35:] {
		got, err := getCase(s, id, Core, "scan")
		if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{byte(35 + i)}, 64<<10)) {
			t.Fatalf("case %d after compact: %v", 35+i, err)
		}
	}
	if err := v.Check(); err != nil {
		t.Fatalf("Check after compact: %v", err)
	}
	if rep, err := v.VerifyAudit(); err != nil {
		t.Fatalf("audit after compact: %v %v", rep, err)
	}
}

// TestTruncatedWithFirstMetaDamaged: bbolt falls back to the second meta page when the first is
// damaged; a truncated file must still be refused, not mapped and faulted on.
func TestTruncatedWithFirstMetaDamaged(t *testing.T) {
	v, s := newTestVault(t, nil)
	for i := 0; i < 200; i++ {
		putCase(t, s, Core, "summary", bytes.Repeat([]byte{byte(i)}, 2000))
	}
	dir, path, raw := closeAndRead(t, v, s)
	raw[16+20] ^= 0xff // inside meta page 0: its checksum fails
	if err := os.WriteFile(path, raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	var ce *CorruptError
	if _, err := Open(dir, testOptions(nil)); !errors.As(err, &ce) {
		t.Fatalf("Open: %v, want *CorruptError", err)
	}
}
