// Command fieldscreen-devsim is a stand-alone MOSIP SBI 1.0 device service
// (a fingerprint slap scanner and a face camera) for tests and demos. It
// listens on 127.0.0.1 only, signs with its own device certificate and takes
// control requests on /admin/{status,score,delay,profile,fault}; see
// docs/devices.md. It holds no real person's data.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware/sbi/devsim"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fieldscreen-devsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", 4501, "port on 127.0.0.1 (4501-4600); 0 = the first free one in that range")
	certDir := fs.String("cert-dir", "", "directory with key.pem and cert.pem (created if missing); empty = a new key each start")
	seed := fs.Int64("seed", 1, "synthetic person (biometric profile)")
	fps := fs.Int("fps", 15, "preview frames per second")
	infoVerb := fs.String("info-verb", "", "answer only this device-info verb (MOSIPINFO or MOSIPDINFO); empty = both")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ln, err := listen(*port)
	if err != nil {
		fmt.Fprintf(stderr, "fieldscreen-devsim: %v\n", err)
		return 1
	}
	p := ln.Addr().(*net.TCPAddr).Port
	svc, err := devsim.New(devsim.Options{Port: p, CertDir: *certDir, Seed: *seed, FPS: *fps, InfoVerb: *infoVerb})
	if err != nil {
		fmt.Fprintf(stderr, "fieldscreen-devsim: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: svc, ReadHeaderTimeout: 5 * time.Second}
	// The first stdout line tells a parent process (tests, scripts) where we are.
	fmt.Fprintf(stdout, "listening on 127.0.0.1:%d\n", p)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "fieldscreen-devsim: %v\n", err)
		return 1
	}
	return 0
}

// listen binds 127.0.0.1 (never all interfaces: SBI is loopback only).
func listen(port int) (net.Listener, error) {
	if port != 0 {
		if port < 4501 || port > 4600 {
			return nil, fmt.Errorf("port %d is outside the SBI range 4501-4600", port)
		}
		return net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	}
	for p := 4501; p <= 4600; p++ {
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			return ln, nil
		}
	}
	return nil, errors.New("no free port in 4501-4600: stop another device service")
}
