package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

var (
	syncBinsOnce gosync.Once
	syncBinDir   string
	syncBinErr   error
)

// ctlBin is the fieldscreenctl binary built once for every test that runs it as a process.
func ctlBin(t *testing.T) string {
	ctl, _ := syncBins(t)
	return ctl
}

// syncBins builds fieldscreenctl and fieldscreen-central once per test binary run.
func syncBins(t *testing.T) (ctl, central string) {
	t.Helper()
	syncBinsOnce.Do(func() {
		syncBinDir, syncBinErr = os.MkdirTemp("", "fieldscreen-syncbins-")
		if syncBinErr != nil {
			return
		}
		for _, b := range [][2]string{{"fieldscreenctl", "."}, {"fieldscreen-central", "../fieldscreen-central"}} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(syncBinDir, b[0]), b[1])
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				syncBinErr = fmt.Errorf("build %s: %v\n%s", b[0], err, out)
				return
			}
		}
	})
	if syncBinErr != nil {
		t.Fatal(syncBinErr)
	}
	return filepath.Join(syncBinDir, "fieldscreenctl"), filepath.Join(syncBinDir, "fieldscreen-central")
}

// realCentral runs fieldscreen-central serve as a process and returns its URL, a fresh
// enrolment token, its data folder and a stop function.
func realCentral(t *testing.T, bin string) (url, token, data string, stop func()) {
	t.Helper()
	data = t.TempDir()
	out, err := exec.Command(bin, "token", "create", "--data", data).Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token = strings.TrimSpace(string(out))
	url, stop = serveCentral(t, bin, data, "127.0.0.1:0")
	return url, token, data, stop
}

// serveCentral starts `fieldscreen-central serve` on listen and waits for its address.
func serveCentral(t *testing.T, bin, data, listen string) (url string, stop func()) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", data, "--listen", listen)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("central did not start: %v", err)
	}
	_, url, _ = strings.Cut(strings.TrimSpace(line), "listening on ")
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	return url, stop
}

// enqueueN adds n cases with one security-check packet each, as the officer.
func enqueueN(t *testing.T, dir string, n, pad int) {
	t.Helper()
	asOfficer(t, dir, func(v *vault.Vault, s *vault.Session) {
		for i := 0; i < n; i++ {
			err := s.Update(func(tx *vault.Tx) error {
				id, err := tx.NewCase()
				if err != nil {
					return err
				}
				p := sync.NewCheckPacket(string(id), []string{"TESTPERSON KILO"}, []string{fmt.Sprintf("X%07d", i)})
				p.Files = []sync.File{{Name: "padding.bin", Data: bytes.Repeat([]byte{byte(i)}, pad)}}
				_, err = sync.Enqueue(tx, v.PacketDir(), p, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func syncStatus(t *testing.T, dir string) sync.Status {
	t.Helper()
	out := mustCtl(t, dir, "off1", offPass, "", "sync", "status", "--json")
	var st sync.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	return st
}

// TestSyncKill: the terminal's sync process is killed with SIGKILL 50 times at random
// moments while it drains; in the end central holds exactly one copy of every packet, the
// terminal shows all as delivered, and every stored packet opens with the age command.
func TestSyncKill(t *testing.T) {
	ctlBin, centralBin := syncBins(t)
	url, token, data, stop := realCentral(t, centralBin)
	dir := newVault(t)
	if out := mustCtl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", token); !strings.Contains(out, "enrolled") {
		t.Fatalf("enroll: %s", out)
	}
	const n = 200
	enqueueN(t, dir, n, 16<<10)
	if st := syncStatus(t, dir); st.Pending != n || st.PendingBytes < n*16<<10 {
		t.Fatalf("before: %+v", st)
	}
	env := append(os.Environ(), "FIELDSCREEN_PASSPHRASE="+offPass)
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for kills < 50 {
		cmd := exec.Command(ctlBin, "--vault", dir, "--user", "off1", "sync", "run", "--once")
		cmd.Env = env
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.IntN(100)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			kills++
		} else if err != nil && !strings.Contains(errb.String(), "still pending") {
			t.Fatalf("sync run exited on its own with %v: %s", err, errb.String())
		}
	}
	mid := syncStatus(t, dir)
	t.Logf("after %d kills: %d of %d delivered", kills, mid.Delivered, n)
	if mid.Delivered == n {
		t.Log("the queue drained before the last kill; kills still hit every phase before that")
	}
	// Finish the drain with a real process, exit 0 means nothing is pending.
	cmd := exec.Command(ctlBin, "--vault", dir, "--user", "off1", "sync", "run", "--once")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final sync run: %v\n%s", err, out)
	}
	st := syncStatus(t, dir)
	if st.Pending != 0 || st.Delivered != n || len(st.Refused) != 0 || st.LastContact == nil || st.Breaker != "closed" {
		t.Fatalf("terminal status after drain: %+v", st)
	}
	stop()
	out, err := exec.Command(centralBin, "stats", "--data", data, "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var cs struct {
		Packets            int `json:"packets"`
		DuplicatesRejected int `json:"duplicatesRejected"`
		Devices            int `json:"devices"`
	}
	json.Unmarshal(out, &cs)
	t.Logf("central: %s", out)
	if cs.Packets != n || cs.Devices != 1 {
		t.Fatalf("central holds %d packets from %d devices, want %d from 1", cs.Packets, cs.Devices, n)
	}
	exp := t.TempDir()
	if out, err := exec.Command(centralBin, "packets", "export", "--data", data, exp).CombinedOutput(); err != nil {
		t.Fatalf("packets export: %v %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(exp, "*.age"))
	if len(files) != n {
		t.Fatalf("exported %d files, want %d", len(files), n)
	}
	if _, err := exec.LookPath("age"); err != nil {
		t.Fatal("the age command is missing: install the Debian package age")
	}
	for _, f := range files {
		plain, err := exec.Command("age", "-d", "-i", filepath.Join(data, "age-identity.txt"), f).Output()
		if err != nil {
			t.Fatalf("age -d %s: %v", f, err)
		}
		p, err := sync.Unmarshal(plain)
		if err != nil || p.Header.DeviceID+"-"+p.Header.PacketID+".age" != filepath.Base(f) || p.Header.DeviceID != st.DeviceID {
			t.Fatalf("packet %s: %v (header %+v, terminal %s)", f, err, p, st.DeviceID)
		}
	}
}

// TestSyncCommands: pause/resume persist, a paused terminal refuses to drain, export
// writes sealed packets and metadata for a courier, and central imports them (once).
func TestSyncCommands(t *testing.T) {
	_, centralBin := syncBins(t)
	url, token, data, stop := realCentral(t, centralBin)
	dir := newVault(t)
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", "fst1.AAAAAAAAAAAAAAAAAAAAAA."+strings.Split(token, ".")[2]); code == 0 || !strings.Contains(errs, "unknown enrolment token") {
		t.Fatalf("unknown token: exit %d %q", code, errs)
	}
	mustCtl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", token)
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "enroll", "--central", url, "--token", token); code == 0 || !strings.Contains(errs, "already used") {
		t.Fatalf("reused token: exit %d %q", code, errs)
	}
	enqueueN(t, dir, 3, 100)
	var raw map[string]any
	json.Unmarshal([]byte(mustCtl(t, dir, "off1", offPass, "", "sync", "status", "--json")), &raw)
	for _, k := range []string{"pending", "pendingBytes", "oldestUrgentAgeSeconds", "lastContact", "breaker"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("sync status --json lacks %q: %v", k, raw)
		}
	}
	if raw["pending"] != 3.0 || raw["breaker"] != "closed" || raw["lastContact"] != nil {
		t.Errorf("status before any sync: %v", raw)
	}
	mustCtl(t, dir, "off1", offPass, "", "sync", "pause")
	if !syncStatus(t, dir).Paused {
		t.Fatal("pause did not persist")
	}
	if _, errs, code := ctl(t, dir, "off1", offPass, "", "sync", "run", "--once"); code == 0 || !strings.Contains(errs, "paused") {
		t.Fatalf("paused run: exit %d %q", code, errs)
	}
	mustCtl(t, dir, "off1", offPass, "", "sync", "limit", "1000000")
	mustCtl(t, dir, "off1", offPass, "", "sync", "resume")
	if st := syncStatus(t, dir); st.Paused || st.BandwidthLimit != 1000000 || st.Pending != 3 {
		t.Fatalf("status %+v", st)
	}
	media := t.TempDir()
	if out := mustCtl(t, dir, "off1", offPass, "", "sync", "export", "--to", media); !strings.Contains(out, "exported 3") {
		t.Fatalf("export: %s", out)
	}
	stop()
	for i, want := range []string{"imported 3, duplicates 0", "imported 0, duplicates 3"} {
		out, err := exec.Command(centralBin, "packets", "import", "--data", data, media).CombinedOutput()
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("import %d: %v %s", i, err, out)
		}
	}
	// The terminal then syncs: central answers with the stored receipts, nothing is stored twice.
	serveCentral(t, centralBin, data, strings.TrimPrefix(url, "https://"))
	mustCtl(t, dir, "off1", offPass, "", "sync", "run", "--once")
	if st := syncStatus(t, dir); st.Delivered != 3 || st.Pending != 0 {
		t.Fatalf("after import and sync: %+v", st)
	}
}
