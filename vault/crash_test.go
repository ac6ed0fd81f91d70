package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	crashChildEnv   = "FIELDSCREEN_VAULT_CRASH_CHILD"
	crashCompactEnv = "FIELDSCREEN_VAULT_CRASH_COMPACT" // the child also compacts after every other save
)

func crashPayload(id CaseID) []byte {
	return bytes.Repeat([]byte("summary of "+string(id)+";"), 40)
}

// crashChild saves cases in a loop and prints each ID after Update has returned (so after the
// commit and its fsync). It never stops by itself.
func crashChild(dir string) error {
	v, err := Open(dir, testOptions(nil))
	if err != nil {
		return err
	}
	s, err := v.Unlock(supName, []byte(supPass))
	if err != nil {
		return err
	}
	compact := os.Getenv(crashCompactEnv) != ""
	for n := 0; ; n++ {
		if compact && n%2 == 1 {
			if err := v.Compact(); err != nil {
				return err
			}
		}
		var id CaseID
		err := s.Update(func(tx *Tx) error {
			var err error
			if id, err = tx.NewCase(); err != nil {
				return err
			}
			if err := tx.PutCase(id, Core, "summary", crashPayload(id)); err != nil {
				return err
			}
			if err := tx.Put(Sync, "outbox", string(id), []byte("row "+id)); err != nil {
				return err
			}
			return tx.Audit(AuditEvent{Action: "case.create", Case: id})
		})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(os.Stdout, id); err != nil {
			return err
		}
	}
}

// TestCrashKill kills a saving child process with SIGKILL at random moments, 50 times; the vault
// must open every time, its audit chain must verify, and every case whose save returned before
// the kill must read back intact.
func TestCrashKill(t *testing.T) { crashKill(t, 50, false) }

// TestCrashKillDuringCompact does the same with a child that also compacts the vault after every
// other save, so kills land inside Compact (copy, fsync, rename, reopen) too.
func TestCrashKillDuringCompact(t *testing.T) { crashKill(t, 20, true) }

// childVault creates a closed vault for a child process and returns its dir and the command
// that starts a saving child on it.
func childVault(t *testing.T) (string, func(compact bool) *exec.Cmd) {
	return childVaultIn(t, filepath.Join(t.TempDir(), "vault"))
}

// childVaultIn is childVault with the vault in dir.
func childVaultIn(t *testing.T, dir string) (string, func(compact bool) *exec.Cmd) {
	t.Helper()
	v, err := Create(dir, supName, []byte(supPass), testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return dir, func(compact bool) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		if compact {
			cmd.Env = append(cmd.Env, crashCompactEnv+"=1")
		}
		return cmd
	}
}

func crashKill(t *testing.T, rounds int, compact bool) {
	dir, child := childVault(t)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	var saved []CaseID
	inCompact := 0
	for round := 0; round < rounds; round++ {
		cmd := child(compact)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string, 1)
		go func() {
			var got []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				got = append(got, sc.Text())
			}
			lines <- got
		}()
		time.Sleep(time.Duration(20+rng.IntN(120)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		got := <-lines
		werr := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: child ended by itself (%v): %s", round, werr, stderr.String())
		}
		for _, l := range got {
			id := CaseID(strings.TrimSpace(l))
			if !id.Valid() {
				t.Fatalf("round %d: child printed %q", round, l)
			}
			saved = append(saved, id)
		}

		if temps, _ := filepath.Glob(filepath.Join(dir, ".vault-compact-*")); len(temps) > 0 {
			inCompact++ // the kill landed inside Compact
		}
		v, err := Open(dir, testOptions(nil))
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		if rep, err := v.VerifyAudit(); err != nil {
			t.Fatalf("round %d: audit after kill: %v (%v)", round, err, rep)
		}
		s, err := v.Unlock(supName, []byte(supPass))
		if err != nil {
			t.Fatalf("round %d: unlock after kill: %v", round, err)
		}
		err = s.View(func(tx *Tx) error {
			for _, id := range saved {
				got, err := tx.GetCase(id, Core, "summary")
				if err != nil {
					return fmt.Errorf("case %s: %w", id, err)
				}
				if !bytes.Equal(got, crashPayload(id)) {
					return fmt.Errorf("case %s: content differs", id)
				}
				row, err := tx.Get(Sync, "outbox", string(id))
				if err != nil || string(row) != "row "+string(id) {
					return fmt.Errorf("outbox row %s: %q %v", id, row, err)
				}
			}
			return nil
		})
		s.Lock()
		v.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if len(saved) < rounds {
		t.Fatalf("only %d saves returned in %d rounds: the test did not exercise saving", len(saved), rounds)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".vault-*")); len(leftovers) != 0 {
		t.Fatalf("temporary files left after reopening: %v", leftovers)
	}
	t.Logf("%d saved cases survived %d kills (%d of them inside Compact)", len(saved), rounds, inCompact)
}

// TestOpenInUseByOtherProcess: while another process has the vault open, Open fails with
// ErrInUse after the lock timeout instead of waiting forever or opening a second writer.
//
// make test also runs it as a Windows binary under wine (scripts/windows-smoke.sh), where
// the lock is LockFileEx and the path a Windows one; its temporary folder is made by hand
// because wine cannot run the Go runtime's RemoveAll that t.TempDir's cleanup uses.
func TestOpenInUseByOtherProcess(t *testing.T) {
	tmp, err := os.MkdirTemp("", "fieldscreen-lock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) }) // best effort: see above
	dir, child := childVaultIn(t, filepath.Join(tmp, "vault"))
	cmd := child(false)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	sc := bufio.NewScanner(out)
	if !sc.Scan() { // the child has the vault open once it has saved a case
		t.Fatal("child saved nothing")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	o := testOptions(nil)
	o.LockTimeout = 200 * time.Millisecond
	start := time.Now()
	_, err = Open(dir, o)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("Open while another process holds the vault: %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), "vault in use") {
		t.Fatalf("error does not say the vault is in use: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Open did not give up after its lock timeout")
	}
}
