package central

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// TestAdminRevokeBody: the revoke request names its reason, which the terminal is shown and
// the security event log keeps. A body with a field central does not know (a typo such as
// "reson" used to revoke with an empty reason), without a reason, with a blank one or with
// data after the object is refused with 400 naming the field, and nothing is revoked.
func TestAdminRevokeBody(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Store: NewMemStore(), EventLog: &bytes.Buffer{}, Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const id = "devadminrevokebody00001"
	if err := s.store.PutDevice(Device{ID: id}); err != nil {
		t.Fatal(err)
	}
	h := s.AdminHandler()
	post := func(body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/admin/devices/"+id+"/revoke", strings.NewReader(body)))
		return w
	}
	for _, tc := range []struct{ body, names string }{
		{`{"reson":"reported stolen"}`, `"reson"`},
		{`{"reason":"reported stolen","force":true}`, `"force"`},
		{`{}`, `"reason" is required`},
		{`{"reason":""}`, `"reason" is required`},
		{`{"reason":" \t\n"}`, `"reason" is required`},
		{`{"reason":"reported stolen"} {"reason":"x"}`, "one JSON object"},
		{`{"reason":7}`, `field "reason"`},
	} {
		w := post(tc.body)
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != http.StatusBadRequest || !strings.Contains(e.Error, tc.names) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.body, w.Code, w.Body, tc.names)
		}
	}
	if d, err := s.store.Device(id); err != nil || d.Revoked {
		t.Fatalf("a refused request revoked the device: %+v %v", d, err)
	}
	if w := post(`{"reason":" reported stolen "}`); w.Code != http.StatusOK {
		t.Fatalf("a revoke with a reason: %d %s", w.Code, w.Body)
	}
	if d, err := s.store.Device(id); err != nil || !d.Revoked || d.RevokedReason != "reported stolen" {
		t.Fatalf("device after the revoke: %+v %v", d, err)
	}
}

// FuzzAdminRevokeBody: whatever the body, the handler answers 400 or revokes with a reason
// that is not blank; it never fails otherwise.
func FuzzAdminRevokeBody(f *testing.F) {
	s, d := fuzzServer(f)
	f.Add([]byte(`{"reason":"reported stolen"}`))
	f.Add([]byte(`{"reason":"  "}`))
	f.Add([]byte(`{"reason":"x","other":1}`))
	f.Add([]byte(`{`))
	h := s.AdminHandler()
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/admin/devices/"+d.ID+"/revoke", bytes.NewReader(body)))
		switch w.Code {
		case http.StatusBadRequest:
		case http.StatusOK:
			got, err := s.store.Device(d.ID)
			if err != nil || !got.Revoked || strings.TrimSpace(got.RevokedReason) == "" {
				t.Fatalf("revoked as %+v %v from %q", got, err, body)
			}
		default:
			t.Fatalf("answered %d: %s", w.Code, w.Body)
		}
	})
}
