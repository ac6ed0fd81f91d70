// Package devsimtest starts fieldscreen-devsim as a real process for tests
// (the SBI driver's, the CLI's and the benchmarks).
package devsimtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/fieldscreen-devsim once per test process into a temp dir.
func Binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "devsim-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fieldscreen-devsim")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/fieldscreen-devsim")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build fieldscreen-devsim: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// Sim is a running fieldscreen-devsim process.
type Sim struct {
	Port    int
	CertDir string
	tb      testing.TB
}

// Start runs fieldscreen-devsim on the first free port in 4501-4600 with its
// certificate in a temp dir, and stops it when the test ends.
func Start(tb testing.TB, args ...string) *Sim {
	tb.Helper()
	dir := tb.TempDir()
	cmd := exec.Command(Binary(tb), append([]string{"--port", "0", "--cert-dir", dir}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start fieldscreen-devsim: %v", err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	select {
	case l, ok := <-line:
		if !ok {
			tb.Fatalf("fieldscreen-devsim exited before listening: %s", stderr.String())
		}
		p, err := strconv.Atoi(l[strings.LastIndex(l, ":")+1:])
		if err != nil {
			tb.Fatalf("fieldscreen-devsim said %q", l)
		}
		return &Sim{Port: p, CertDir: dir, tb: tb}
	case <-time.After(20 * time.Second):
		tb.Fatalf("fieldscreen-devsim did not start: %s", stderr.String())
	}
	return nil
}

// Admin posts a control request (/admin/status etc.).
func (s *Sim) Admin(what string, body any) {
	s.tb.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/admin/%s", s.Port, what), "application/json", bytes.NewReader(b))
	if err != nil {
		s.tb.Fatalf("devsim admin %s: %v", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.tb.Fatalf("devsim admin %s: %s", what, resp.Status)
	}
}
