package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

func TestRefusesPortsOutsideTheSBIRange(t *testing.T) {
	for _, p := range []string{"80", "4500", "4601"} {
		var out, errb bytes.Buffer
		if code := run([]string{"--port", p}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "outside the SBI range") {
			t.Errorf("port %s: exit %d, stderr %q", p, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--bogus"}, &out, &errb); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
}

func TestListenIsLoopbackOnly(t *testing.T) {
	ln, err := listen(0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a := ln.Addr().(*net.TCPAddr)
	if !a.IP.IsLoopback() || a.Port < 4501 || a.Port > 4600 {
		t.Fatalf("listening on %v", a)
	}
	// A second listener takes the next free port instead of failing.
	ln2, err := listen(0)
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	if ln2.Addr().(*net.TCPAddr).Port == a.Port {
		t.Fatal("two listeners on one port")
	}
}
