// Package printtest runs a private CUPS scheduler for tests of printing (app and app/ui): the
// real spooler, in a temporary folder, with a queue whose backend keeps each job for the test.
package printtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CUPS is a private CUPS scheduler (Debian cups-daemon) run by the test in a temporary
// folder, listening on a Unix socket, with one raw queue whose backend copies each job to
// Out. It is the real spooler: lp talks IPP to it and it spools the job like any CUPS.
type CUPS struct {
	Dir, Out, Spool, Queue string
}

// Start runs cupsd in the foreground for the test and points lp and lpstat at it
// (CUPS_SERVER). cupsd needs root to start jobs, as CI and the dev machines run tests.
func Start(t testing.TB) *CUPS {
	t.Helper()
	cupsd, err := exec.LookPath("cupsd")
	if err != nil {
		if cupsd, err = exec.LookPath("/usr/sbin/cupsd"); err != nil {
			t.Fatal("cupsd is missing: install Debian cups-daemon and cups-client (make test does)")
		}
	}
	if _, err := exec.LookPath("lp"); err != nil {
		t.Fatal("lp is missing: install Debian cups-client (make test does)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("the CUPS test runs cupsd, which needs root (as in CI)")
	}
	// cupsd runs backends as user lp from a folder it can reach: not t.TempDir (0700)
	dir, err := os.MkdirTemp("", "fieldscreen-cups-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c := &CUPS{Dir: dir, Out: filepath.Join(dir, "out"), Spool: filepath.Join(dir, "spool"), Queue: "fs-test"}
	for _, d := range []string{c.Out, filepath.Join(c.Spool, "tmp"), filepath.Join(dir, "cache"), filepath.Join(dir, "state"), filepath.Join(dir, "logs"), filepath.Join(dir, "bin", "backend")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// the scheduler's helpers (cups-exec) from the package, the backend our own
	for _, sub := range []string{"daemon", "filter", "notifier"} {
		if _, err := os.Stat("/usr/lib/cups/" + sub); err == nil {
			os.Symlink("/usr/lib/cups/"+sub, filepath.Join(dir, "bin", sub))
		}
	}
	backend := fmt.Sprintf(`#!/bin/sh
# CUPS backend: without arguments, list the device; else copy the job ($6 or stdin)
if [ $# -eq 0 ]; then echo 'direct capture "Unknown" "test capture"'; exit 0; fi
if [ -n "$6" ]; then cat "$6" > %[1]s/job-$1.part; else cat > %[1]s/job-$1.part; fi
mv %[1]s/job-$1.part %[1]s/job-$1.pdf
`, c.Out)
	// mode 0700 and owned by root: cupsd runs it as root, so it can write Out
	if err := os.WriteFile(filepath.Join(dir, "bin", "backend", "capture"), []byte(backend), 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "cups.sock")
	conf := fmt.Sprintf("Listen %s\nLogLevel info\nPreserveJobFiles No\nPreserveJobHistory No\nWebInterface No\nBrowsing Off\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n", sock)
	files := fmt.Sprintf("ServerRoot %[1]s\nRequestRoot %[1]s/spool\nTempDir %[1]s/spool/tmp\nCacheDir %[1]s/cache\nStateDir %[1]s/state\nAccessLog %[1]s/logs/access_log\nErrorLog %[1]s/logs/error_log\nPageLog %[1]s/logs/page_log\nServerBin %[1]s/bin\nDataDir /usr/share/cups\n", dir)
	if err := os.WriteFile(filepath.Join(dir, "cupsd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cups-files.conf"), []byte(files), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cupsd, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	t.Setenv("CUPS_SERVER", sock)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "logs", "error_log"))
			t.Fatalf("cupsd did not listen: %s %s", stderr.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	lpadmin, err := exec.LookPath("lpadmin")
	if err != nil {
		lpadmin = "/usr/sbin/lpadmin" // root's tools, off some PATHs
	}
	// The socket file exists from bind(), a moment before cupsd accepts on it ("lpadmin: Bad
	// file descriptor" was seen under load), so the first request is retried until it lands.
	for {
		out, err := exec.Command(lpadmin, "-p", c.Queue, "-v", "capture:/test", "-E").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lpadmin: %v %s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c
}

// Job waits for the backend's copy of a job ("fs-test-3" → job-3.pdf).
func (c *CUPS) Job(t testing.TB, id string) []byte {
	t.Helper()
	n := id[strings.LastIndexByte(id, '-')+1:]
	p := filepath.Join(c.Out, "job-"+n+".pdf")
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b, err := os.ReadFile(p); err == nil {
			return b
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(c.Dir, "logs", "error_log"))
			t.Fatalf("job %s never reached the printer: %s", id, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SpoolFiles lists the job documents CUPS still holds (d<job>-<doc> files).
func (c *CUPS) SpoolFiles() []string {
	ds, _ := filepath.Glob(filepath.Join(c.Spool, "d*"))
	return ds
}
