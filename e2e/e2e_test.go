package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// bins holds the binaries TestMain builds: fieldscreenctl, fieldscreen-central and
// fieldscreen-devsim.
var bins = map[string]string{}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fieldscreen-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		for _, name := range []string{"fieldscreenctl", "fieldscreen-central", "fieldscreen-devsim"} {
			out := filepath.Join(dir, name)
			cmd := exec.Command("go", "build", "-o", out, "../cmd/"+name)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "e2e: build %s: %v\n%s", name, err, b)
				return 1
			}
			bins[name] = out
		}
		return m.Run()
	}()
	os.Exit(code)
}

// Synthetic staff of the scenario; passphrases meet app.MinPassphraseLen.
const (
	supPass = "e2e supervisor passphrase"
	tecPass = "e2e technician passphrase"
	offPass = "e2e officer passphrase 1"
)

// scenario runs the binaries against one vault and names the step in every failure.
type scenario struct {
	t     *testing.T
	vault string
}

// run executes a binary with the given extra environment and returns stdout, stderr and the
// exit code; a failure to start at all ends the test, naming the step.
func (sc *scenario) run(step, bin string, env []string, args ...string) (string, string, int) {
	sc.t.Helper()
	return sc.runIn(step, bin, env, "", args...)
}

// runIn is run with stdin; a bin that was not built (age) is looked up in PATH.
func (sc *scenario) runIn(step, bin string, env []string, stdin string, args ...string) (string, string, int) {
	sc.t.Helper()
	path, ok := bins[bin]
	if !ok {
		path = bin
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		sc.t.Fatalf("step %q: start %s: %v", step, bin, err)
	}
	return out.String(), errb.String(), code
}

// must runs a binary and fails the test with the step, the command and its stderr unless it
// exits 0.
func (sc *scenario) must(step, bin string, env []string, args ...string) string {
	sc.t.Helper()
	out, errs, code := sc.run(step, bin, env, args...)
	if code != 0 {
		sc.t.Fatalf("step %q: %s %s: exit %d\nstderr:\n%s\nstdout:\n%s", step, bin, strings.Join(args, " "), code, errs, out)
	}
	return out
}

// mustIn runs fieldscreenctl as the officer with stdin.
func (sc *scenario) mustIn(step, stdin string, args ...string) string {
	sc.t.Helper()
	all := append([]string{"--vault", sc.vault, "--user", "off1"}, args...)
	out, errs, code := sc.runIn(step, "fieldscreenctl", []string{"FIELDSCREEN_PASSPHRASE=" + offPass}, stdin, all...)
	if code != 0 {
		sc.t.Fatalf("step %q: fieldscreenctl %s: exit %d\nstderr:\n%s", step, strings.Join(args, " "), code, errs)
	}
	return out
}

// syncBuffer collects a process's stderr while the test may read it.
type syncBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ctl runs fieldscreenctl as user on the scenario's vault.
func (sc *scenario) ctl(step, user, pass string, args ...string) string {
	sc.t.Helper()
	all := append([]string{"--vault", sc.vault, "--user", user}, args...)
	return sc.must(step, "fieldscreenctl", []string{"FIELDSCREEN_PASSPHRASE=" + pass}, all...)
}

// serve starts a long-running binary, waits for its "listening on ADDR" line and returns
// ADDR and a function that stops the process with SIGTERM (also run when the test ends).
func (sc *scenario) serve(step, bin string, args ...string) (string, func()) {
	sc.t.Helper()
	cmd := exec.Command(bins[bin], args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		sc.t.Fatal(err)
	}
	var errb syncBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		sc.t.Fatalf("step %q: start %s: %v", step, bin, err)
	}
	var once gosync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		})
	}
	sc.t.Cleanup(stop)
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		l, _ := r.ReadString('\n')
		lines <- l
		for { // keep draining so the process never blocks on a full pipe
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	select {
	case l := <-lines:
		_, addr, ok := strings.Cut(strings.TrimSpace(l), "listening on ")
		if !ok {
			sc.t.Fatalf("step %q: %s did not start (first line %q)\nstderr:\n%s", step, bin, l, errb.String())
		}
		return addr, stop
	case <-time.After(20 * time.Second):
		sc.t.Fatalf("step %q: %s printed no address in 20 s\nstderr:\n%s", step, bin, errb.String())
	}
	return "", stop
}

// caseJSON is the part of an exported case the scenario checks.
type caseJSON struct {
	Identity struct {
		Surnames, GivenNames []string
	}
	SecurityChecks []struct {
		System, Status string
	}
	Biometrics struct {
		Fingers []struct{ Status string }
		Face    struct{ Status string }
	}
	Eurodac struct{ Reference string }
}

func (c caseJSON) name() string {
	return strings.Join(append(append([]string(nil), c.Identity.Surnames...), c.Identity.GivenNames...), " ")
}

func (sc *scenario) exportCase(step, id string) caseJSON {
	sc.t.Helper()
	out := sc.ctl(step, "off1", offPass, "case", "export", id)
	var c caseJSON
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		sc.t.Fatalf("step %q: case export %s is not JSON: %v\n%s", step, id, err, out)
	}
	return c
}

func (sc *scenario) status(step string) sync.Status {
	sc.t.Helper()
	out := sc.ctl(step, "off1", offPass, "sync", "status", "--json")
	var st sync.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		sc.t.Fatalf("step %q: sync status --json: %v\n%s", step, err, out)
	}
	return st
}

// TestScenario is the headless end-to-end run: central, device service and terminal as
// separate processes on loopback.
func TestScenario(t *testing.T) {
	if _, err := exec.LookPath("age"); err != nil {
		t.Fatal("the age command is missing: install the Debian package age (apt-get install age)")
	}
	const seed, cases = 21, 3
	watched := 1 // the demo person whose name central's watch list holds
	root := t.TempDir()
	sc := &scenario{t: t, vault: filepath.Join(root, "vault")}
	data := filepath.Join(root, "central")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	watch := filepath.Join(root, "watchlist.txt")
	if err := os.WriteFile(watch, []byte("# e2e watch list (synthetic): listed in SIS only\nSIS: "+app.DemoName(seed, watched)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// central and the SBI device service, as processes
	token := strings.TrimSpace(sc.must("central token", "fieldscreen-central", nil, "token", "create", "--data", data))
	url, stopCentral := sc.serve("central serve", "fieldscreen-central", "serve", "--data", data, "--listen", "127.0.0.1:0", "--watchlist", watch)
	devAddr, _ := sc.serve("devsim", "fieldscreen-devsim", "--port", "0")
	_, port, _ := strings.Cut(devAddr, ":")

	// the terminal: vault, staff, enrolment
	sc.must("vault init", "fieldscreenctl", []string{"FIELDSCREEN_PASSPHRASE=" + supPass}, "--vault", sc.vault, "vault", "init", "--user", "sup1")
	for _, u := range [][3]string{{"tec1", "technician", tecPass}, {"off1", "officer", offPass}} {
		sc.must("user add "+u[0], "fieldscreenctl", []string{"FIELDSCREEN_PASSPHRASE=" + supPass, "FIELDSCREEN_NEW_PASSPHRASE=" + u[2]},
			"--vault", sc.vault, "--user", "sup1", "user", "add", u[0], "--role", u[1])
	}
	if out := sc.ctl("enroll", "off1", offPass, "enroll", "--central", url, "--token", token); !strings.Contains(out, "enrolled") {
		t.Fatalf("step \"enroll\": output %q", out)
	}

	// the technician pairs the SBI scanner and camera of fieldscreen-devsim
	sbi := []string{"--drivers", "sbi", "--sbi-ports", port + "-" + port}
	var devs []struct {
		ID, Kind string
		Paired   bool
	}
	list := sc.ctl("device list (sbi)", "tec1", tecPass, append([]string{"device", "list", "--json"}, sbi...)...)
	if err := json.Unmarshal([]byte(list), &devs); err != nil || len(devs) < 2 {
		t.Fatalf("step \"device list (sbi)\": %d devices (%v)\n%s", len(devs), err, list)
	}
	sbiIDs := map[string]string{}
	for _, d := range devs {
		sc.ctl("device pair "+d.ID, "tec1", tecPass, append([]string{"device", "pair", d.ID, "--yes"}, sbi...)...)
		sbiIDs[d.Kind] = d.ID
	}
	if sbiIDs["finger"] == "" || sbiIDs["face"] == "" {
		t.Fatalf("step \"device pair\": devsim offered %v, want a finger scanner and a face camera", sbiIDs)
	}

	// one case captured on the SBI devices through the capture command
	in, err := json.Marshal(map[string]any{
		"trigger":  map[string]any{"reason": "ART5_1_A_IRREGULAR_CROSSING", "place": "E2E-BCP", "at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)},
		"identity": map[string]any{"surnames": []string{"TESTPERSON"}, "givenNames": []string{"SBI"}, "birthDate": "1990-02-03", "sex": "F"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sbiCase := strings.TrimSpace(sc.mustIn("case import", string(in), "case", "import"))
	capOut := sc.ctl("capture on devsim", "off1", offPass, append([]string{"capture", "--case", sbiCase, "--device", sbiIDs["finger"], "--face-device", sbiIDs["face"]}, sbi...)...)
	if n := strings.Count(capOut, " captured "); n < 11 {
		t.Errorf("step \"capture on devsim\": %d captures reported, want ten fingers and the face:\n%s", n, capOut)
	}
	if c := sc.exportCase("export the devsim case", sbiCase); c.Biometrics.Face.Status != "captured" || len(c.Biometrics.Fingers) < 10 {
		t.Errorf("step \"capture on devsim\": case has face %q and %d finger records", c.Biometrics.Face.Status, len(c.Biometrics.Fingers))
	}

	// demo cases: the sim devices are paired by --technician, captured and queued
	seedOut, seedErr, code := sc.run("demo seed", "fieldscreenctl",
		[]string{"FIELDSCREEN_PASSPHRASE=" + offPass, "FIELDSCREEN_TECH_PASSPHRASE=" + tecPass},
		"--vault", sc.vault, "--user", "off1", "demo", "seed", "--cases", fmt.Sprint(cases), "--seed", fmt.Sprint(seed), "--technician", "tec1")
	if code != 0 {
		if strings.Contains(seedErr, "WSQ") {
			t.Fatalf("step \"demo seed\": BLOCKED on app.encodeWSQ (app/wsq.go), Submit cannot build the Eurodac transaction\nstderr:\n%s", seedErr)
		}
		t.Fatalf("step \"demo seed\": exit %d\nstderr:\n%s", code, seedErr)
	}
	ids := strings.Fields(seedOut)
	if len(ids) != cases {
		t.Fatalf("step \"demo seed\": printed %q, want %d case IDs", seedOut, cases)
	}
	st := sc.status("sync status before")
	wantPackets := 2 * cases // a security check and a Eurodac transaction per case
	if st.Pending != wantPackets {
		t.Fatalf("step \"sync status before\": %d pending, want %d", st.Pending, wantPackets)
	}

	// drain: sync run --once until every result is back (central answers asynchronously)
	var watchedCase caseJSON
	for attempt := 1; ; attempt++ {
		sc.ctl(fmt.Sprintf("sync run --once #%d", attempt), "off1", offPass, "sync", "run", "--once")
		watchedCase = sc.exportCase("case export (watched)", ids[watched])
		if len(watchedCase.SecurityChecks) > 0 && watchedCase.SecurityChecks[0].Status != "pending" || attempt == 4 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	st = sc.status("sync status after")
	// central's stored packets: all of them, each opens with the age command (the export
	// needs the data folder, so central stops first)
	stopCentral()
	var cs central.Stats
	if out := sc.must("central stats", "fieldscreen-central", nil, "stats", "--data", data, "--json"); json.Unmarshal([]byte(out), &cs) != nil ||
		cs.Packets != wantPackets || cs.Devices != 1 || cs.Conflicts != 0 {
		t.Errorf("step \"central stats\": %+v from %q, want %d packets from 1 device, no conflicts", cs, out, wantPackets)
	}
	exp := filepath.Join(root, "export")
	sc.must("packets export", "fieldscreen-central", nil, "packets", "export", "--data", data, exp)
	files, _ := filepath.Glob(filepath.Join(exp, "*.age"))
	if len(files) != wantPackets {
		t.Fatalf("step \"packets export\": %d sealed packets at central, want %d", len(files), wantPackets)
	}
	kinds := map[string]int{}
	for _, f := range files {
		plain := sc.must("age -d "+filepath.Base(f), "age", nil, "-d", "-i", filepath.Join(data, "age-identity.txt"), f)
		p, err := sync.Unmarshal([]byte(plain))
		if err != nil || p.Header.DeviceID+"-"+p.Header.PacketID+".age" != filepath.Base(f) {
			t.Fatalf("step \"age -d\": %s does not hold its packet: %v", f, err)
		}
		kinds[p.Header.Kind]++
	}
	if kinds[sync.KindSecurityCheck] != cases || kinds[sync.KindEurodac] != cases {
		t.Errorf("step \"age -d\": packet kinds %v, want %d security checks and %d Eurodac transactions", kinds, cases, cases)
	}

	if st.Pending != 0 || st.Delivered != wantPackets || len(st.Refused) != 0 {
		t.Errorf("step \"sync status after\": pending %d, delivered %d (verified receipts), refused %v; want 0, %d, none", st.Pending, st.Delivered, st.Refused, wantPackets)
	}
	if len(watchedCase.SecurityChecks) > 0 && watchedCase.SecurityChecks[0].Status == "pending" && st.ResultsCursor > 0 {
		t.Fatalf("step \"results\": central's results were pulled (cursor %d) but not applied to the cases: "+
			"fieldscreenctl sync run builds its worker without app.ApplyResult (cmd/fieldscreenctl/sync.go, syncOptions)", st.ResultsCursor)
	}

	// results on the cases, per system: the watch-listed person is a hit in SIS and in no
	// other system, the others no hit anywhere
	for i, id := range ids {
		c := sc.exportCase("case export", id)
		if c.name() != app.DemoName(seed, i) {
			t.Errorf("case %d is %q, want the demo person %q", i, c.name(), app.DemoName(seed, i))
		}
		if len(c.SecurityChecks) == 0 {
			t.Errorf("step \"results\": case %d has no security checks", i)
		}
		for _, ch := range c.SecurityChecks {
			want := "no_hit"
			if i == watched && ch.System == "SIS" {
				want = "hit"
			}
			if ch.Status != want {
				t.Errorf("step \"results\": case %d (%s) check %s is %q, want %q", i, c.name(), ch.System, ch.Status, want)
			}
		}
	}
}
