package sync

import (
	"context"
	"net"
	"strings"
	"testing"
)

func TestCentralURLs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // joined with spaces; "" for an error
	}{
		{"https://a:8443", "https://a:8443"},
		{"https://a:8443/", "https://a:8443"},
		{" https://a:8443 , https://b:8443/ ", "https://a:8443 https://b:8443"},
		{"https://a:8443,,https://b", "https://a:8443 https://b"},
		{"http://a:8443", ""},
		{"https://a:8443,http://b", ""},
		{"https://a/v1", ""},
		{"https://a?x=1", ""},
		{"a:8443", ""},
		{"", ""},
		{" , ", ""},
	} {
		got, err := CentralURLs(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q: accepted as %v", tc.in, got)
			}
			continue
		}
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.in, got, err, tc.want)
		}
	}
}

func FuzzCentralURLs(f *testing.F) {
	for _, s := range []string{"https://a:8443", "https://a:8443,https://b:8443", "http://x", ",,,", "https://[::1]:8443/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		urls, err := CentralURLs(s)
		if err != nil {
			return
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, "https://") || strings.Contains(u, ",") {
				t.Fatalf("%q gave %q", s, u)
			}
			dialAddr(u) // never panics on an accepted URL
		}
	})
}

// TestFailoverDialer: connections to the first URL's address go to the first instance
// that accepts, and stay with it until it stops accepting.
func TestFailoverDialer(t *testing.T) {
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downAddr := down.Addr().String()
	down.Close() // refuses from now on
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	go func() {
		for {
			c, err := up.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	d := newFailoverDialer([]string{"https://" + downAddr, "https://" + up.Addr().String()})
	for i := 0; i < 2; i++ {
		c, err := d.DialContext(context.Background(), "tcp", downAddr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		if got := c.RemoteAddr().String(); got != up.Addr().String() {
			t.Fatalf("dial %d reached %s, want the live instance %s", i, got, up.Addr())
		}
		c.Close()
	}
	if d.good != 1 {
		t.Fatalf("the live instance is not remembered (good=%d)", d.good)
	}
	up.Close()
	if _, err := d.DialContext(context.Background(), "tcp", downAddr); err == nil || !strings.Contains(err.Error(), "no central instance reachable") {
		t.Fatalf("all down: %v", err)
	}
}
