package central_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// eventBuf collects central's security event log.
type eventBuf struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (e *eventBuf) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.b.Write(p)
}

// events decodes every line; a line that is not an Event fails the test.
func (e *eventBuf) events(t *testing.T) []central.Event {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []central.Event
	for _, l := range strings.Split(strings.TrimSpace(e.b.String()), "\n") {
		if l == "" {
			continue
		}
		var ev central.Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Kind == "" || ev.Time.IsZero() {
			t.Fatalf("event log line %q: %v", l, err)
		}
		out = append(out, ev)
	}
	return out
}

func (e *eventBuf) count(t *testing.T, kind string) int {
	n := 0
	for _, ev := range e.events(t) {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// signedRow is the outer metadata a terminal sends for data under id.
func signedRow(en *fsync.Enrolment, id string, data []byte) *fsync.Row {
	sum := sha256.Sum256(data)
	sig := ed25519.Sign(ed25519.PrivateKey(en.Key), fsync.SignedMessage(id, en.DeviceID, sum))
	return &fsync.Row{PacketID: id, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Signature: sig}
}

// TestInnerInvalidRefusedBeforeReceipt reproduces issue 14 item 6: a packet whose outer
// signature is valid but whose sealed content is another terminal's packet, re-signed bytes
// or not age at all used to get 201 and a receipt. Central now opens the sealed header
// first and refuses (422 inner-invalid) with nothing stored, through PUT and uploads alike;
// the refusals are counted and logged as security events.
func TestInnerInvalidRefusedBeforeReceipt(t *testing.T) {
	ev := &eventBuf{}
	srv, url := centraltest.Start(t, central.Options{EventLog: ev, MaxPacket: 64 << 10})
	a := newUploadTerminal(t, srv, url)
	b := newUploadTerminal(t, srv, url)
	const id = "innerinvalid0000000001"
	theirs := sealedFor(t, srv, b.en, id, 0) // b's packet, re-signed by a
	otherID := sealedFor(t, srv, a.en, "innerinvalid0000000099", 0)
	big := sealedFor(t, srv, b.en, "innerinvalid0000000003", 100<<10)
	for _, tc := range []struct {
		name, id string
		data     []byte
		upload   bool
	}{
		{"another terminal's packet re-signed", id, theirs, false},
		{"header names another packet", "innerinvalid0000000002", otherID, false},
		{"not age at all", "innerinvalid0000000004", []byte("plain bytes of TESTPERSON PAPA"), false},
		{"another terminal's packet as an upload", "innerinvalid0000000003", big, true},
	} {
		r := signedRow(a.en, tc.id, tc.data)
		var err error
		if tc.upload {
			var loc string
			var done bool
			if loc, _, _, done, err = a.c.CreateUpload(context.Background(), r); err == nil && !done {
				_, _, _, err = a.c.PatchChunk(context.Background(), loc, 0, tc.data)
			}
		} else {
			_, err = a.c.PutPacket(context.Background(), r, tc.data)
		}
		var he *fsync.HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusUnprocessableEntity || he.Problem.Code != "inner-invalid" {
			t.Errorf("%s: %v, want 422 inner-invalid", tc.name, err)
			continue
		}
		if _, err := srv.Store().Packet(a.en.DeviceID, tc.id); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("%s: stored anyway (%v)", tc.name, err)
		}
	}
	if n, _ := srv.Store().Counter(central.CounterInnerInvalid); n != 4 {
		t.Errorf("innerInvalid counter %d, want 4", n)
	}
	if n := ev.count(t, central.EventInnerInvalid); n != 4 {
		t.Errorf("%d inner-invalid events, want 4", n)
	}
	if strings.Contains(ev.b.String(), "TESTPERSON") {
		t.Error("the event log holds packet content")
	}
	// The same ID still works for the terminal's own, valid packet.
	own := sealedFor(t, srv, a.en, id, 0)
	if _, err := a.c.PutPacket(context.Background(), signedRow(a.en, id, own), own); err != nil {
		t.Fatalf("valid packet after the refusal: %v", err)
	}
}

// TestBrokenLaterChunkIsQuarantined: a packet whose sealed header is fine but whose later
// ciphertext does not authenticate is receipted (central checked only the header before
// the receipt), then quarantined by the downstream: counted, logged, left out of packets
// export.
func TestBrokenLaterChunkIsQuarantined(t *testing.T) {
	ev := &eventBuf{}
	srv, url := centraltest.Start(t, central.Options{EventLog: ev})
	a := newUploadTerminal(t, srv, url)
	const bad, good = "quarantined00000000001", "quarantined00000000002"
	data := sealedFor(t, srv, a.en, bad, 200<<10)
	data[len(data)-1] ^= 1 // the last STREAM chunk's tag
	if _, err := a.c.PutPacket(context.Background(), signedRow(a.en, bad, data), data); err != nil {
		t.Fatalf("put: %v", err)
	}
	ok := sealedFor(t, srv, a.en, good, 0)
	if _, err := a.c.PutPacket(context.Background(), signedRow(a.en, good, ok), ok); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := srv.Store().Packet(a.en.DeviceID, bad)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Pending {
			if m.Quarantined == "" {
				t.Fatalf("answered but not quarantined: %+v", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the downstream never answered the packet")
		}
		time.Sleep(20 * time.Millisecond)
	}
	n, q, err := central.ExportDir(srv.Store(), t.TempDir())
	if err != nil || n != 1 || q != 1 {
		t.Fatalf("export: %d exported, %d left out, %v; want 1 and 1", n, q, err)
	}
	if n, _ := srv.Store().Counter(central.CounterInnerInvalid); n != 1 {
		t.Errorf("innerInvalid counter %d, want 1", n)
	}
	if n := ev.count(t, central.EventInnerInvalid); n != 1 {
		t.Errorf("%d inner-invalid events, want the quarantine", n)
	}
	st, _ := central.GetStats(srv.Store())
	if st.Quarantined != 1 {
		t.Errorf("stats %+v, want 1 quarantined", st)
	}
}

// rawConn is a mutual-TLS connection to central with the terminal's certificate, for
// requests the real client would never send.
func rawConn(t *testing.T, en *fsync.Enrolment, url string) *tls.Conn {
	t.Helper()
	ca, err := x509.ParseCertificate(en.CA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, ServerName: "127.0.0.1",
		Certificates: []tls.Certificate{{Certificate: [][]byte{en.Cert}, PrivateKey: ed25519.PrivateKey(en.Key)}}}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", strings.TrimPrefix(url, "https://"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// stalledPatch sends a PATCH whose body stops after a few bytes.
func stalledPatch(t *testing.T, c net.Conn, loc string, length int) {
	t.Helper()
	sum := sha256.Sum256(make([]byte, length))
	fmt.Fprintf(c, "PATCH %s HTTP/1.1\r\nHost: central\r\nContent-Type: application/offset+octet-stream\r\n"+
		"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nUpload-Checksum: sha256 %s\r\nContent-Length: %d\r\n\r\n0123456789",
		loc, base64.StdEncoding.EncodeToString(sum[:]), length)
}

// stalledUpload creates an upload and starts a PATCH of it whose body stops after a few
// bytes, on its own connection.
func stalledUpload(t *testing.T, srv *central.Server, url string) (*uploadTerminal, string, net.Conn) {
	u := newUploadTerminal(t, srv, url)
	data := sealedFor(t, srv, u.en, "stalledupload000001", 64<<10)
	loc, _, _, _, err := u.c.CreateUpload(context.Background(), signedRow(u.en, "stalledupload000001", data))
	if err != nil {
		t.Fatal(err)
	}
	c := rawConn(t, u.en, url)
	stalledPatch(t, c, loc, len(data))
	time.Sleep(100 * time.Millisecond) // let central start reading the body
	return u, loc, c
}

// TestSlowBodyHoldsNoLock reproduces issue 14 item 3: a PATCH whose body never arrives
// used to hold its per-ID lock (shared with enrolment, checkpoints and renewals) while it
// waited. Bodies are now read before any lock: the same upload answers a HEAD at once.
func TestSlowBodyHoldsNoLock(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{RequestTimeout: time.Minute})
	u, loc, _ := stalledUpload(t, srv, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if off, err := u.c.UploadOffset(ctx, loc); err != nil || off != 0 {
		t.Fatalf("HEAD while a PATCH of the same upload stalls: %d %v", off, err)
	}
}

// TestStalledBodyIsCutOff: central ends a request whose body does not arrive within its
// deadline (RequestTimeout plus the body's size at MinRate) instead of waiting for ever.
func TestStalledBodyIsCutOff(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{RequestTimeout: time.Second, MinRate: 1 << 30})
	_, _, c := stalledUpload(t, srv, url)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("stalled PATCH answered %d", resp.StatusCode)
		}
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("central kept the stalled PATCH open past its deadline")
	}
}

// TestConnectionCap: central serves at most MaxConns connections at once; another waits
// until one closes.
func TestConnectionCap(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{MaxConns: 2})
	u := newUploadTerminal(t, srv, url)
	u.c.CloseIdle()
	c1 := rawConn(t, u.en, url)
	rawConn(t, u.en, url) // the second connection, held open until the test ends
	third := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := u.c.Time(ctx)
		third <- err
	}()
	select {
	case err := <-third:
		t.Fatalf("a third connection was served while two were open: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	c1.Close()
	if err := <-third; err != nil {
		t.Fatalf("third request after a connection closed: %v", err)
	}
}

// TestEnrollRateLimitPerAddress: enrolment (no certificate, so no per-terminal limit) is
// limited per client address; the refusal is a security event.
func TestEnrollRateLimitPerAddress(t *testing.T) {
	ev := &eventBuf{}
	srv, url := centraltest.Start(t, central.Options{EventLog: ev, EnrollRate: 0.001, EnrollBurst: 2})
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t, srv)}}}
	var codes []int
	for i := 0; i < 3; i++ {
		resp, err := cl.Post(url+"/v1/enroll", "application/json", strings.NewReader(`{"token":"x","csr":""}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[403 403 429]" {
		t.Fatalf("enrolment answers %v, want two refusals then 429", codes)
	}
	if ev.count(t, central.EventRateLimited) != 1 || ev.count(t, central.EventAuthFailure) < 2 {
		t.Fatalf("events %+v", ev.events(t))
	}
}

func caPool(t *testing.T, srv *central.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Keys().CA)
	return pool
}

// TestUploadQuota: a terminal cannot hold more resumable uploads in progress than its
// quota, by count or by bytes; the refusal is retryable (429) and logged.
func TestUploadQuota(t *testing.T) {
	ev := &eventBuf{}
	srv, url := centraltest.Start(t, central.Options{EventLog: ev, MaxDeviceUploads: 2, MaxDeviceUploadBytes: 300 << 10})
	u := newUploadTerminal(t, srv, url)
	create := func(id string, size int) error {
		data := sealedFor(t, srv, u.en, id, size)
		_, _, _, _, err := u.c.CreateUpload(context.Background(), signedRow(u.en, id, data))
		return err
	}
	if err := create("quotaupload00000001", 100<<10); err != nil {
		t.Fatal(err)
	}
	var he *fsync.HTTPError
	if err := create("quotaupload00000002", 250<<10); !errors.As(err, &he) || he.Status != 429 || he.Problem.Code != "upload-quota" || !he.Retryable() {
		t.Fatalf("over the byte quota: %v", err)
	}
	if err := create("quotaupload00000003", 100<<10); err != nil {
		t.Fatal(err)
	}
	if err := create("quotaupload00000004", 10<<10); !errors.As(err, &he) || he.Problem.Code != "upload-quota" {
		t.Fatalf("over the count quota: %v", err)
	}
	if ev.count(t, central.EventQuota) != 2 {
		t.Fatalf("events %+v", ev.events(t))
	}
}

// TestHeaderLimitAndAuthEvents: oversized headers are refused (431); requests without a
// client certificate are refused and logged with the address only.
func TestHeaderLimitAndAuthEvents(t *testing.T) {
	ev := &eventBuf{}
	srv, url := centraltest.Start(t, central.Options{EventLog: ev, MaxHeaderBytes: 8 << 10})
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t, srv)}}}
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/time", nil)
	req.Header.Set("X-Filler", strings.Repeat("a", 64<<10))
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("64 KiB header: %d, want 431", resp.StatusCode)
	}
	resp, err = cl.Get(url + "/v1/time")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no certificate: %d", resp.StatusCode)
	}
	evs := ev.events(t)
	if len(evs) == 0 || evs[len(evs)-1].Kind != central.EventAuthFailure || evs[len(evs)-1].Remote != "127.0.0.1" || evs[len(evs)-1].Device != "" {
		t.Fatalf("events %+v", evs)
	}
}
