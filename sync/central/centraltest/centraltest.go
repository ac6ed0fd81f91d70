// Package centraltest runs the reference central server in-process for other packages'
// tests: real TLS on a loopback port, stopped when the test ends.
package centraltest

import (
	"context"
	"net"
	gosync "sync"
	"testing"

	"github.com/fieldscreen/fieldscreen/sync/central"
)

// Start opens a central with its data in a temporary folder, serves it on 127.0.0.1 and
// returns it with its https:// address.
func Start(t testing.TB, opt central.Options) (*central.Server, string) {
	t.Helper()
	srv, url, _ := Serve(t, t.TempDir(), "127.0.0.1:0", opt)
	return srv, url
}

// Serve opens central on dir and serves it on addr ("127.0.0.1:0": any free port) until
// stop is called or the test ends; serving the same dir and address again after stop is
// a restart of central, as its operator would do one.
func Serve(t testing.TB, dir, addr string, opt central.Options) (srv *central.Server, url string, stop func()) {
	t.Helper()
	srv, err := central.Open(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	stop = gosync.OnceFunc(func() { cancel(); <-done; srv.Close() })
	t.Cleanup(stop)
	return srv, "https://" + ln.Addr().String(), stop
}
