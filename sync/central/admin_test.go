package central

import (
	"bufio"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// processUmask reads the process umask from /proc/self/status without setting it (umask(2)
// can only be read by changing it).
func processUmask(t *testing.T) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Errorf("read the umask: %v", err)
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Errorf("no Umask line in /proc/self/status (Linux 4.7 or later shows it)")
	return ""
}

// TestListenAdminLeavesUmaskAlone: ListenAdmin set the process umask to 0177 around
// net.Listen, so a file another goroutine created meanwhile got 0600 instead of what the
// umask allows (and a wider umask would have widened it). A watcher reads the umask while
// the admin socket is opened again and again: it must never see it change, and the socket
// must still be 0600.
func TestListenAdminLeavesUmaskAlone(t *testing.T) {
	dir := t.TempDir()
	want := processUmask(t)
	var seen atomic.Value
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if u := processUmask(t); u != want {
				seen.Store(u)
			}
		}
	}()
	for i := 0; i < 300 && seen.Load() == nil; i++ {
		ln, err := ListenAdmin(dir)
		if err != nil {
			close(stop)
			<-done
			t.Fatal(err)
		}
		fi, err := os.Lstat(AdminSocket(dir))
		if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
			t.Errorf("admin socket: %v %v, want a socket 0600", fi.Mode(), err)
		}
		ln.Close()
		if _, err := os.Lstat(AdminSocket(dir)); !os.IsNotExist(err) {
			t.Errorf("admin socket left after Close: %v", err)
		}
	}
	close(stop)
	<-done
	if u := seen.Load(); u != nil {
		t.Fatalf("the process umask changed from %s to %s while the admin socket was opened", want, u)
	}
}
