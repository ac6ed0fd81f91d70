package sync_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// addAuditEntries appends n entries to the terminal's audit log, as any session action does.
func addAuditEntries(t *testing.T, term *terminal, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := term.s.Update(func(tx *vault.Tx) error { return tx.Audit(vault.AuditEvent{Action: "test.action"}) }); err != nil {
			t.Fatal(err)
		}
	}
}

// reopen closes the terminal's vault and opens and unlocks it again from its folder.
func reopen(t *testing.T, term *terminal) {
	t.Helper()
	dir := term.v.Dir()
	term.s.Lock()
	term.v.Close()
	v, err := vault.Open(dir, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	s, err := v.Unlock("sup1", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	term.v, term.s = v, s
}

// backupVault copies the terminal's vault file aside, as a backup someone restores later.
func backupVault(t *testing.T, term *terminal) string {
	t.Helper()
	backup := filepath.Join(t.TempDir(), "vault.db")
	term.s.Lock()
	term.v.Close()
	copyFile(t, filepath.Join(term.v.Dir(), "vault.db"), backup)
	reopen(t, term)
	return backup
}

// restoreVault puts backup in place of the terminal's vault file and opens it again.
func restoreVault(t *testing.T, term *terminal, backup string) {
	t.Helper()
	term.s.Lock()
	term.v.Close()
	copyFile(t, backup, filepath.Join(term.v.Dir(), "vault.db"))
	reopen(t, term)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRestoredVaultIsARollback reproduces issue 14 item 1: a copy of vault.db taken after
// one sync is restored after a later sync, and gains more entries than central last
// countersigned before the next sync (login attempts add entries without a passphrase).
// Central used to countersign it because it was larger; now the checkpoint must prove it
// extends the countersigned chain, central refuses it, the terminal records and logs the
// rollback, shows it in sync status, and RunOnce reports it.
func TestRestoredVaultIsARollback(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	sync1 := func() fsync.Report {
		t.Helper()
		w, err := fsync.NewWorker(term.v, term.s, fsync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := sync1(); rep.AuditRollback != nil {
		t.Fatalf("first sync: %v", rep.AuditRollback)
	}
	backup := backupVault(t, term)
	addAuditEntries(t, term, 3)
	if rep := sync1(); rep.AuditRollback != nil {
		t.Fatalf("second sync: %v", rep.AuditRollback)
	}
	d, _ := c.srv.Store().Device(en.DeviceID)
	countersigned := d.Checkpoint.Size

	restoreVault(t, term, backup)
	addAuditEntries(t, term, 10) // now longer than what central countersigned
	if size, _, _ := term.v.AuditHead(); size <= countersigned {
		t.Fatalf("restored log has %d entries, the test needs more than %d", size, countersigned)
	}
	// The vault's own countersigned checkpoint is the older one: the local check passes,
	// only central can tell.
	if err := fsync.CheckAudit(term.v, term.s, time.Now()); err != nil {
		t.Fatalf("local check of a restored vault: %v", err)
	}
	rep := sync1()
	if !errors.Is(rep.AuditRollback, vault.ErrAuditRollback) {
		t.Fatalf("sync of a restored vault: rollback %v, want ErrAuditRollback", rep.AuditRollback)
	}
	if d, _ := c.srv.Store().Device(en.DeviceID); d.Checkpoint.Size != countersigned {
		t.Fatalf("central countersigned the restored log: size %d, was %d", d.Checkpoint.Size, countersigned)
	}
	var st fsync.Status
	term.s.View(func(tx *vault.Tx) error { st, _ = fsync.GetStatus(tx, time.Now()); return nil })
	if st.AuditRollback == nil || !strings.Contains(st.AuditRollback.Reason, "rolled back") {
		t.Fatalf("status %+v: want the rollback", st.AuditRollback)
	}
	// Every later sync reports it again, without another audit entry.
	if rep := sync1(); !errors.Is(rep.AuditRollback, vault.ErrAuditRollback) {
		t.Fatalf("second sync after the restore: %v", rep.AuditRollback)
	}
	if err := term.s.AddUser("aud1", vault.Auditor, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	aud, err := term.v.Unlock("aud1", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	ents, err := aud.AuditEntries(vault.AuditFilter{Action: "sync.audit-rollback"})
	if err != nil || len(ents) != 1 || !strings.Contains(ents[0].Detail, "rolled back") {
		t.Fatalf("audit entries of the rollback after two syncs: %+v %v, want 1", ents, err)
	}
}

// TestCheckpointValidation: central refuses checkpoints that are no chain state: a size of
// 2^63-1 or a head that is not hex (both were countersigned before and then blocked every
// later checkpoint), a proof that does not hash to the head; a good one is countersigned
// afterwards.
func TestCheckpointValidation(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	cl, _ := fsync.NewClient(en, 5*time.Second)
	send := func(cp fsync.Checkpoint, from uint64, entries [][]byte) error {
		raw, _ := json.Marshal(cp)
		_, err := cl.Checkpoint(context.Background(), fsync.CheckpointRequest{Checkpoint: raw, From: from, Entries: entries,
			Signature: ed25519.Sign(ed25519.PrivateKey(en.Key), append([]byte(fsync.DomainCheckpoint), raw...))})
		return err
	}
	_, cts, err := term.v.AuditLinks(0, 100, 1<<20)
	if err != nil || len(cts) == 0 {
		t.Fatalf("audit links %d %v", len(cts), err)
	}
	var h [32]byte
	for i, ct := range cts {
		h = vault.AuditChainHash(h, uint64(i+1), ct)
	}
	good := fsync.Checkpoint{DeviceID: en.DeviceID, Size: uint64(len(cts)), Head: hex.EncodeToString(h[:]), At: time.Now().UTC()}
	for _, tc := range []struct {
		name    string
		cp      fsync.Checkpoint
		entries [][]byte
		code    string
	}{
		{"size 2^63-1", fsync.Checkpoint{DeviceID: en.DeviceID, Size: math.MaxInt64, Head: good.Head}, cts, "bad-checkpoint"},
		{"head not hex", fsync.Checkpoint{DeviceID: en.DeviceID, Size: good.Size, Head: "zz" + good.Head[2:]}, cts, "bad-checkpoint"},
		{"head upper case", fsync.Checkpoint{DeviceID: en.DeviceID, Size: good.Size, Head: strings.ToUpper(good.Head)}, cts, "bad-checkpoint"},
		{"proof for another head", fsync.Checkpoint{DeviceID: en.DeviceID, Size: good.Size, Head: strings.Repeat("ab", 32)}, cts, "checkpoint-proof-invalid"},
		{"entries left out", fsync.Checkpoint{DeviceID: en.DeviceID, Size: good.Size, Head: good.Head}, cts[:len(cts)-1], "bad-checkpoint"},
	} {
		var he *fsync.HTTPError
		if err := send(tc.cp, 0, tc.entries); !errors.As(err, &he) || he.Problem.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if d, _ := c.srv.Store().Device(en.DeviceID); d.Checkpoint != nil {
		t.Fatalf("central stored a refused checkpoint: %+v", d.Checkpoint)
	}
	if err := send(good, 0, cts); err != nil {
		t.Fatalf("good checkpoint after the refused ones: %v", err)
	}
}

// TestCheckpointInSteps: a backlog longer than one request's limit is countersigned in
// several steps, each extending the one before.
func TestCheckpointInSteps(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	addAuditEntries(t, term, fsync.MaxCheckpointEntries+10)
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{})
	if err := w.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	size, head, _ := term.v.AuditHead()
	d, _ := c.srv.Store().Device(en.DeviceID)
	if d.Checkpoint.Size != size || d.Checkpoint.Head != hex.EncodeToString(head[:]) {
		t.Fatalf("central holds %d/%s, the log %d/%x", d.Checkpoint.Size, d.Checkpoint.Head, size, head)
	}
}

// TestLocalCheckFindsChainBehindItsCheckpoint: the terminal's own check (at unlock and
// before every sync) compares the chain with the countersigned checkpoint the vault holds.
// Here an older copy of vault.db is restored and the newest countersignature put back into
// it: the chain no longer reaches that checkpoint, CheckAudit says so, records it once and
// a sync reports it without asking central to countersign.
func TestLocalCheckFindsChainBehindItsCheckpoint(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	enrol(t, term, c, "")
	run := func() fsync.Report {
		t.Helper()
		w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{})
		rep, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	run()
	backup := backupVault(t, term)
	addAuditEntries(t, term, 20)
	run()
	var newest []byte
	term.s.View(func(tx *vault.Tx) error { newest, _ = tx.Get(vault.Sync, "terminal", "checkpoint"); return nil })
	if len(newest) == 0 {
		t.Fatal("no countersigned checkpoint stored")
	}
	restoreVault(t, term, backup)
	if err := term.s.Update(func(tx *vault.Tx) error { return tx.Put(vault.Sync, "terminal", "checkpoint", newest) }); err != nil {
		t.Fatal(err)
	}
	err := fsync.CheckAudit(term.v, term.s, time.Now())
	var re *vault.AuditRollbackError
	if !errors.As(err, &re) || re.Have >= re.Countersigned {
		t.Fatalf("local check: %v, want the chain short of its checkpoint", err)
	}
	rep := run()
	if !errors.Is(rep.AuditRollback, vault.ErrAuditRollback) {
		t.Fatalf("sync after the local finding: %v", rep.AuditRollback)
	}
	var st fsync.Status
	term.s.View(func(tx *vault.Tx) error { st, _ = fsync.GetStatus(tx, time.Now()); return nil })
	if st.AuditRollback == nil {
		t.Fatal("status does not show the rollback")
	}
}
