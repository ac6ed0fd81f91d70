package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central/pgtest"
	"github.com/fieldscreen/fieldscreen/vault"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce gosync.Once
	binPath string
	binErr  error
	binDir  string
)

// centralBinary builds fieldscreen-central once for the package's process tests.
func centralBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "fieldscreen-central-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "fieldscreen-central")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// instance is one fieldscreen-central serve process.
type instance struct {
	cmd     *exec.Cmd
	url     string
	metrics string // http://ADDR/metrics
	log     *bytes.Buffer
}

// startInstances starts n serve processes at once on one database and keys folder and
// waits until each listens.
func startInstances(t testing.TB, n int, store, keys string, env ...string) []*instance {
	t.Helper()
	bin := centralBinary(t)
	out := make([]*instance, n)
	for i := range out {
		cmd := exec.Command(bin, "serve", "--store", store, "--keys", keys, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), env...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		in := &instance{cmd: cmd, log: &bytes.Buffer{}}
		cmd.Stderr = &lockedWriter{w: in.log}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		out[i] = in
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if u, ok := strings.CutPrefix(sc.Text(), "metrics on "); ok {
					in.metrics = u
				}
				if u, ok := strings.CutPrefix(sc.Text(), "fieldscreen-central listening on "); ok {
					in.url = u
					close(ready(in))
				}
			}
		}()
	}
	for i, in := range out {
		select {
		case <-ready(in):
		case <-time.After(60 * time.Second):
			t.Fatalf("instance %d did not start: %s", i, in.log)
		}
	}
	return out
}

var readyChans gosync.Map

func ready(in *instance) chan struct{} {
	c, _ := readyChans.LoadOrStore(in, make(chan struct{}))
	return c.(chan struct{})
}

type lockedWriter struct {
	mu gosync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// runBin runs an operator command of the built binary and returns its stdout.
func runBin(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(centralBinary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("fieldscreen-central %s: %v: %s", args[0], err, errb.String())
	}
	return out.String()
}

// term is a terminal: a vault with an unlocked session.
type term struct {
	v *vault.Vault
	s *vault.Session
}

func newTerm(t testing.TB) *term {
	t.Helper()
	v, err := vault.Create(filepath.Join(t.TempDir(), "vault"), "sup1", []byte("correct horse battery staple"), vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Unlock("sup1", []byte("correct horse battery staple"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Lock(); v.Close() })
	return &term{v, s}
}

// enqueueChecks makes n cases of synthetic people, each with one security-check packet.
func (tm *term) enqueueChecks(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		err := tm.s.Update(func(tx *vault.Tx) error {
			id, err := tx.NewCase()
			if err != nil {
				return err
			}
			row, err := fsync.Enqueue(tx, tm.v.PacketDir(), fsync.NewCheckPacket(string(id), []string{fmt.Sprintf("TESTPERSON %d", i)}, nil), time.Now())
			if err != nil {
				return err
			}
			ids = append(ids, row.PacketID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// TestTwoInstancesOnePostgres: two central processes serve one PostgreSQL database; four
// terminals, each given both URLs, drain 400 packets; the instance they all use is killed
// (SIGKILL) mid-drain and they fail over to the other. Each packet is then stored once
// with one receipt (the one its terminal holds), numbered without gaps, answered once by
// whichever instance's downstream took it, and each result reaches its terminal once.
// Then, with a new instance beside the survivor, the operator revokes a terminal while
// both serve.
func TestTwoInstancesOnePostgres(t *testing.T) {
	store := pgtest.URL(t)
	keys := filepath.Join(t.TempDir(), "keys")
	if out := runBin(t, "migrate", "--store", store); !strings.Contains(out, "schema version 0 →") {
		t.Fatalf("migrate: %q", out)
	}
	ins := startInstances(t, 2, store, keys) // started together on an empty keys folder
	setting := ins[0].url + "," + ins[1].url

	const terminals, perTerminal = 4, 100
	terms := make([]*term, terminals)
	devices := make([]string, terminals)
	ids := make([][]string, terminals)
	for i := range terms {
		terms[i] = newTerm(t)
		tok := strings.TrimSpace(runBin(t, "token", "create", "--store", store, "--keys", keys)) // while both serve
		en, err := fsync.Enrol(context.Background(), terms[i].s, setting, tok)
		if err != nil {
			t.Fatalf("enrol terminal %d: %v", i, err)
		}
		devices[i] = en.DeviceID
		ids[i] = terms[i].enqueueChecks(t, perTerminal)
	}

	db, err := pgx.Connect(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	count := func(q string) int {
		var n int
		if err := db.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Kill the first instance once a quarter of the packets are in.
	killed := make(chan int, 1)
	go func() {
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var n int
			if db2, err := pgx.Connect(context.Background(), store); err == nil {
				db2.QueryRow(context.Background(), `SELECT count(*) FROM packets`).Scan(&n)
				db2.Close(context.Background())
			}
			if n >= terminals*perTerminal/4 {
				ins[0].cmd.Process.Signal(syscall.SIGKILL)
				killed <- n
				return
			}
		}
		killed <- -1
	}()

	type tally struct {
		mu      gosync.Mutex
		applied map[string]int // packet ID/result type → times applied
	}
	tallies := make([]*tally, terminals)
	var wg gosync.WaitGroup
	errs := make(chan error, terminals)
	for i, tm := range terms {
		tl := &tally{applied: map[string]int{}}
		tallies[i] = tl
		wg.Add(1)
		go func() {
			defer wg.Done()
			var skew atomic.Int64 // jumps over the circuit breaker's cooldown between rounds
			now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
			w, err := fsync.NewWorker(tm.v, tm.s, fsync.Options{Now: now, BaseBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
				MaxWait: 2 * time.Second, ResultWait: 2 * time.Second, Timeout: 20 * time.Second,
				Applier: func(tx *vault.Tx, r fsync.Result) error {
					tl.mu.Lock()
					tl.applied[r.PacketID+"/"+r.Type]++
					tl.mu.Unlock()
					return nil
				}})
			if err != nil {
				errs <- err
				return
			}
			for deadline := time.Now().Add(4 * time.Minute); ; {
				w.RunOnce(context.Background())
				tl.mu.Lock()
				done := len(tl.applied) == 2*perTerminal
				tl.mu.Unlock()
				if done {
					return
				}
				if time.Now().After(deadline) {
					errs <- fmt.Errorf("terminal %s: %d results applied after 4 minutes, want %d", tm.v.PacketDir(), len(tl.applied), 2*perTerminal)
					return
				}
				skew.Add(int64(31 * time.Second))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := <-killed; n < 0 {
		t.Fatal("the drain ended before the first instance was killed")
	} else {
		t.Logf("instance 1 killed with %d packets stored", n)
	}
	if t.Failed() {
		t.Fatalf("surviving instance's log:\n%s", ins[1].log)
	}

	// One copy of each packet, numbered 1…400 without gaps, none left for the downstream.
	total := terminals * perTerminal
	if n := count(`SELECT count(*) FROM packets`); n != total {
		t.Fatalf("%d packets stored, want %d", n, total)
	}
	if n := count(`SELECT max(seq) FROM packets`); n != total {
		t.Fatalf("highest packet number %d for %d packets: gaps or doubles", n, total)
	}
	if n := count(`SELECT count(*) FROM packets WHERE pending`); n != 0 {
		t.Fatalf("%d packets still wait for the downstream", n)
	}
	// Each packet answered once: two results (validated, check) per packet, numbered per
	// device 1…200 without gaps.
	if n := count(`SELECT count(*) FROM (SELECT result->>'packet_id' FROM results GROUP BY 1 HAVING count(*) <> 2) x`); n != 0 {
		t.Fatalf("%d packets answered other than once", n)
	}
	if n := count(`SELECT count(*) FROM (SELECT device_id FROM results GROUP BY 1 HAVING count(*) <> 200 OR max(seq) <> 200) x`); n != 0 {
		t.Fatalf("%d devices whose results are not numbered 1…200", n)
	}
	// One receipt each: the terminal holds the receipt central stored for the packet.
	for i, tm := range terms {
		var rows []*fsync.Row
		if err := tm.s.View(func(tx *vault.Tx) error { var err error; rows, err = fsync.Rows(tx); return err }); err != nil {
			t.Fatal(err)
		}
		held := map[string][]byte{}
		for _, r := range rows {
			if r.State != fsync.StateDelivered {
				t.Fatalf("terminal %d: packet %s is %s (%s)", i, r.PacketID, r.State, r.LastError)
			}
			var s fsync.Signed
			if err := json.Unmarshal(r.Receipt, &s); err != nil {
				t.Fatalf("terminal %d: packet %s: receipt %v", i, r.PacketID, err)
			}
			held[r.PacketID] = s.Payload
		}
		for _, id := range ids[i] {
			var stored []byte
			if err := db.QueryRow(context.Background(), `SELECT receipt FROM packets WHERE device_id = $1 AND packet_id = $2`, devices[i], id).Scan(&stored); err != nil {
				t.Fatalf("terminal %d: packet %s not stored: %v", i, id, err)
			}
			var s fsync.Signed
			json.Unmarshal(stored, &s)
			if !bytes.Equal(s.Payload, held[id]) {
				t.Fatalf("terminal %d: packet %s: the terminal holds another receipt than central stored", i, id)
			}
		}
		for k, n := range tallies[i].applied {
			if n != 1 {
				t.Fatalf("terminal %d: result %s applied %d times", i, k, n)
			}
		}
	}

	// A new instance beside the survivor; the operator revokes a terminal while both serve,
	// and both refuse it.
	again := startInstances(t, 1, store, keys)
	runBin(t, "device", "revoke", "--store", store, "--keys", keys, devices[3], "--reason", "test revocation")
	for _, u := range []string{ins[1].url, again[0].url} {
		en, err := fsync.LoadEnrolmentFrom(terms[3].s)
		if err != nil {
			t.Fatal(err)
		}
		en.Central = u
		c, err := fsync.NewClient(en, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var he *fsync.HTTPError
		if _, err := c.Time(context.Background()); !errors.As(err, &he) || he.Problem.Code != "revoked" {
			t.Fatalf("revoked terminal at %s: %v, want 403 revoked", u, err)
		}
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(runBin(t, "stats", "--json", "--store", store, "--keys", keys)), &st); err != nil || st["packets"] != float64(total) || st["revoked"] != 1.0 {
		t.Fatalf("stats while serving: %v %v", st, err)
	}

	// The survivor's metrics: what it stored itself, receipt latencies, the shared queue.
	m := get(t, ins[1].metrics)
	for _, want := range []string{"fieldscreen_central_downstream_queue_depth 0", "fieldscreen_central_receipt_seconds_count ", `fieldscreen_central_rate_limited_total{limit="device"}`} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics lack %q:\n%s", want, m)
		}
	}
	if v := metricValue(m, "fieldscreen_central_packets_received_total"); v <= 0 || v >= float64(total) {
		t.Fatalf("survivor stored %v packets itself, want some but not all %d", v, total)
	}
	ready := strings.TrimSuffix(ins[1].metrics, "metrics") + "readyz"
	if body := get(t, ready); !strings.Contains(body, "ready") {
		t.Fatalf("readyz: %q", body)
	}
	// A newer binary migrates the database: the running instances stop being ready, and
	// serve refuses to start on it.
	if _, err := db.Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (1000, 'from a newer binary')`); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(ready); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a newer schema: %v %v, want 503", resp, err)
	}
	cmd := exec.Command(centralBinary(t), "serve", "--store", store, "--keys", keys, "--listen", "127.0.0.1:0")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "newer than this fieldscreen-central") {
		t.Fatalf("serve on a newer schema: %v %s", err, out)
	}
}

func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return string(b)
}

// metricValue reads an unlabelled sample from Prometheus text (-1 when absent).
func metricValue(text, name string) float64 {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}
