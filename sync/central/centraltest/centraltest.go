// Package centraltest runs the reference central server in-process for other packages'
// tests: real TLS on a loopback port, stopped when the test ends.
package centraltest

import (
	"context"
	"net"
	"testing"

	"github.com/fieldscreen/fieldscreen/sync/central"
)

// Start opens a central with its data in a temporary folder, serves it on 127.0.0.1 and
// returns it with its https:// address.
func Start(t testing.TB, opt central.Options) (*central.Server, string) {
	t.Helper()
	srv, err := central.Open(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	return srv, "https://" + ln.Addr().String()
}
