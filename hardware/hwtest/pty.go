package hwtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// PtyPair makes two linked pseudo-terminals with socat and returns their paths: a serial
// reader's driver opens one, the test writes what the reader's firmware would send to the
// other. socat is a test dependency (Makefile TEST_PKGS): its absence fails, never skips.
func PtyPair(t testing.TB) (a, b string) {
	t.Helper()
	if _, err := exec.LookPath("socat"); err != nil {
		t.Fatal("socat is missing: install the Debian package socat (the serial tests need a pseudo-terminal pair)")
	}
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	cmd := exec.Command("socat", "pty,raw,echo=0,link="+a, "pty,raw,echo=0,link="+b)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start socat: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 200; i++ {
		_, ea := os.Stat(a)
		_, eb := os.Stat(b)
		if ea == nil && eb == nil {
			return a, b
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("socat did not create the pseudo-terminals")
	return
}
