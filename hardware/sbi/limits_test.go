package sbi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// TestCallbackBase (issue 14 item 4): the callbackId must name the loopback host. A prefix
// check took "http://127.0.0.1:4591@127.0.0.2:9999/" (host 127.0.0.2) for loopback.
func TestCallbackBase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://127.0.0.1:4591/", "http://127.0.0.1:4591/"},
		{"http://127.0.0.1:4591", "http://127.0.0.1:4591/"},
		{"http://[::1]:4591/sbi", "http://[::1]:4591/sbi/"},
		{"http://127.0.0.1:4591@127.0.0.2:9999/", ""},
		{"http://user:pw@127.0.0.1:4591/", ""},
		{"http://127.0.0.2:4591/", ""},
		{"http://127.0.0.1.example:80/", ""},
		{"http://localhost:4591/", ""},
		{"https://127.0.0.1:4591/", ""},
		{"http://127.0.0.1/", ""},
		{"http://127.0.0.1:99999/", ""},
		{"http://127.0.0.1:4591/?next=http://x/", ""},
		{"http://127.0.0.1:4591/#frag", ""},
		{"127.0.0.1:4591", ""},
	} {
		got, err := CallbackBase(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q accepted as %q", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
	// through device(): the hostile callback refuses the device instead of redirecting it
	info, _ := json.Marshal(DeviceInfo{DeviceID: "1", DeviceStatus: "Ready", CallbackID: "http://127.0.0.1:4591@127.0.0.2:9999/",
		DigitalID: b64.EncodeToString([]byte(`{"type":"Finger","serialNo":"S1"}`))})
	it := InfoItem{DeviceInfo: b64.EncodeToString(info), Error: ErrorInfo{ErrorCode: "100"}}
	if dv, err := (Driver{}).device(it, "http://127.0.0.1:4591/", http.DefaultClient); err == nil {
		t.Fatalf("a device with a callback to another host was accepted (base %s)", dv.Base())
	}
}

// countingTransport answers every request with a refusal after a pause, counting how many
// were in flight at once.
type countingTransport struct {
	mu       sync.Mutex
	now, max int
}

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.now++
	if c.now > c.max {
		c.max = c.now
	}
	c.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	c.mu.Lock()
	c.now--
	c.mu.Unlock()
	return nil, errors.New("connection refused")
}

// TestDiscoverBoundsConcurrency (issue 14 item 4): the scan of 100 ports probes at most
// maxProbes at once; it used to open all 100 together, each allowed a 64 MiB answer.
func TestDiscoverBoundsConcurrency(t *testing.T) {
	ct := &countingTransport{}
	devs, err := Driver{Client: &http.Client{Transport: ct}}.Discover(context.Background())
	if len(devs) != 0 || err != nil {
		t.Fatalf("discover: %v %v", devs, err)
	}
	if ct.max > 8 || ct.max == 0 { // maxProbes
		t.Fatalf("%d probes at once, want at most 8", ct.max)
	}
}

// TestOversizedAnswersRefused (issue 14 item 4): a local process answering discovery or
// device info with more than maxInfoAnswer gets a clear refusal, not a 64 MiB read.
func TestOversizedAnswersRefused(t *testing.T) {
	big := `[{"deviceInfo":"` + strings.Repeat("A", 2<<20) + `","error":{"errorCode":"100"}}]`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(big))
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	if _, err := (Driver{}).Open(context.Background(), port); err == nil || !strings.Contains(err.Error(), "larger than 1024 KiB") {
		t.Fatalf("a 2 MiB device info answer: %v", err)
	}
	if _, err := (Driver{From: port, To: port}).Discover(context.Background()); err != nil {
		t.Fatalf("a 2 MiB discovery answer must be skipped like a silent port: %v", err)
	}
}

// bombJPEG is a small valid JPEG whose header claims w×h pixels.
func bombJPEG(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	i := bytes.Index(b, []byte{0xff, 0xc0}) // SOF0: length u16, precision u8, height u16, width u16
	if i < 0 {
		t.Fatal("no SOF0 in the encoded JPEG")
	}
	b[i+5], b[i+6], b[i+7], b[i+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
	return b
}

// TestDecodeFrameChecksDimensionsFirst (issue 14 item 4): a 700-byte frame claiming
// 8000×8000 pixels is refused from its header, before the decoder allocates for it.
func TestDecodeFrameChecksDimensionsFirst(t *testing.T) {
	bomb := bombJPEG(t, 8000, 8000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := DecodeFrame(bytes.NewReader(bomb))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "8000×8000") {
		t.Fatalf("bomb frame: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("refusing a %d-byte frame allocated %d MiB", len(bomb), alloc>>20)
	}
	img, err := DecodeFrame(bytes.NewReader(bombJPEG(t, 16, 16)))
	if err != nil || img.Bounds().Dx() != 16 {
		t.Fatalf("a good frame: %v", err)
	}
}

// streamBody is a STREAM multipart body with the given JPEG parts.
func streamBody(parts ...[]byte) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		fmt.Fprintf(&b, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(p))
		b.Write(p)
		b.WriteString("\r\n")
	}
	b.WriteString("--frame--\r\n")
	return b.Bytes()
}

// FuzzStreamFrames: the STREAM multipart reader never panics, and every frame it passes on
// is within the size bounds.
func FuzzStreamFrames(f *testing.F) {
	good := bombJPEG(f, 16, 16)
	f.Add(streamBody(good, good))
	f.Add(streamBody(good, bombJPEG(f, 8000, 8000), good))
	f.Add(streamBody([]byte("not a jpeg")))
	f.Add([]byte("--frame\r\n\r\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		ch := make(chan hardware.Frame, 64)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			defer close(ch)
			streamFrames(ctx, bytes.NewReader(body), "frame", ch)
		}()
		for fr := range ch {
			if b := fr.Image.Bounds(); b.Dx() > maxFrameSide || b.Dy() > maxFrameSide {
				t.Fatalf("frame of %v passed", b)
			}
		}
	})
}
