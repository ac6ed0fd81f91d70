// Package sbi is the driver for MOSIP SBI 1.0 device services: biometric
// devices whose vendor service listens on 127.0.0.1 ports 4501-4600 and
// answers MOSIPDISC, MOSIPDINFO, RCAPTURE and STREAM with JSON, signing with
// JWS RS256 (x5c). The driver verifies every signature, the transaction ID,
// the device clock and the capture hash chain, and reports the signing
// certificate's fingerprint in the identity so pairing can pin it.
//
// It speaks the registration profile only (RCAPTURE, unencrypted ISO
// images); auth CAPTURE is not needed on a screening terminal.
package sbi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// Driver discovers SBI device services on loopback ports.
type Driver struct {
	From, To    int           // port range; zero = 4501-4600
	PortTimeout time.Duration // per-port discovery timeout; zero = 400 ms
	Client      *http.Client  // nil = a client without proxies
	App         string        // EXT header; default "fieldscreen"
	// Skew is the largest accepted difference between device and terminal
	// clocks in capture timestamps; zero = 5 minutes (as the MOSIP client).
	Skew time.Duration
}

// Name is "sbi".
func (Driver) Name() string { return "sbi" }

func (d Driver) client() *http.Client {
	if d.Client != nil {
		return d.Client
	}
	return loopback
}

// loopback is the client for SBI calls: never a proxy (SBI is loopback only
// and a proxy would see biometric images), few idle connections, shared so
// repeated discoveries do not pile up transports.
var loopback = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}}

// Discover probes every port in parallel with MOSIPDISC, then asks each
// responding service for its signed MOSIPDINFO. Ports that refuse or time out
// are skipped silently (that is the normal case); a service that answers with
// garbage or a bad signature is reported in the error beside the good devices.
func (d Driver) Discover(ctx context.Context) ([]hardware.Device, error) {
	from, to := d.From, d.To
	if from == 0 {
		from, to = 4501, 4600
	}
	pt := d.PortTimeout
	if pt == 0 {
		pt = 400 * time.Millisecond
	}
	type res struct {
		devs []*Device
		err  error
	}
	ch := make(chan res, to-from+1)
	c := d.client()
	// at most maxProbes ports at once: each probe may hold up to two bounded answers
	// (maxInfoAnswer), so a scan's memory stays bounded whatever listens on the ports
	sem := make(chan struct{}, maxProbes)
	for p := from; p <= to; p++ {
		go func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				ch <- res{}
				return
			}
			pctx, cancel := context.WithTimeout(ctx, pt)
			defer cancel()
			var disc []Discovered
			if err := call(pctx, c, d.app(), fmt.Sprintf("http://127.0.0.1:%d/device", p), "MOSIPDISC", map[string]string{"type": "Biometric Device"}, &disc, maxInfoAnswer); err != nil {
				ch <- res{}
				return
			}
			ictx, cancel2 := context.WithTimeout(ctx, 10*pt)
			defer cancel2()
			devs, err := d.open(ictx, c, p)
			ch <- res{devs, err}
		}()
	}
	var out []hardware.Device
	var errs []error
	for p := from; p <= to; p++ {
		r := <-ch
		for _, dv := range r.devs {
			out = append(out, dv)
		}
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	return out, errors.Join(errs...)
}

func (d Driver) app() string {
	if d.App == "" {
		return "fieldscreen"
	}
	return d.App
}

// Open reads the device info of the service on one port (no discovery scan).
func (d Driver) Open(ctx context.Context, port int) ([]*Device, error) {
	return d.open(ctx, d.client(), port)
}

func (d Driver) open(ctx context.Context, c *http.Client, port int) ([]*Device, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	var items []InfoItem
	// The reference clients send MOSIPDINFO, the schema document says MOSIPINFO:
	// try the common spelling, then the other when the service refuses the verb.
	err := call(ctx, c, d.app(), base+"info", "MOSIPDINFO", nil, &items, maxInfoAnswer)
	var he *httpStatusError
	if errors.As(err, &he) && (he.code == http.StatusMethodNotAllowed || he.code == http.StatusNotImplemented || he.code == http.StatusNotFound) {
		err = call(ctx, c, d.app(), base+"info", "MOSIPINFO", nil, &items, maxInfoAnswer)
	}
	if err != nil {
		return nil, fmt.Errorf("sbi service on port %d: device info: %w", port, err)
	}
	var devs []*Device
	var errs []error
	for _, it := range items {
		dv, err := d.device(it, base, c)
		if err != nil {
			errs = append(errs, fmt.Errorf("sbi service on port %d: %w", port, err))
			continue
		}
		devs = append(devs, dv)
	}
	return devs, errors.Join(errs...)
}

// device builds a Device from one info item, verifying its signatures.
func (d Driver) device(it InfoItem, base string, c *http.Client) (*Device, error) {
	dv := &Device{client: c, app: d.app(), skew: d.Skew, prevHash: FirstHash, now: time.Now}
	if dv.skew == 0 {
		dv.skew = 5 * time.Minute
	}
	var info DeviceInfo
	registered := it.Error.ErrorCode != "100"
	var certFP string
	if registered {
		payload, cert, err := Verify(it.DeviceInfo)
		if err != nil {
			return nil, hardware.Errorf(hardware.CodeIntegrity, "", "device info: %w", err)
		}
		if err := json.Unmarshal(payload, &info); err != nil {
			return nil, hardware.Errorf(hardware.CodeProtocol, "", "device info payload: %w", err)
		}
		certFP = hardware.CertFingerprint(cert.Raw)
	} else {
		payload, err := UnsignedPayload(it.DeviceInfo)
		if err != nil {
			return nil, hardware.Errorf(hardware.CodeProtocol, "", "unregistered device info: %w", err)
		}
		if err := json.Unmarshal(payload, &info); err != nil {
			return nil, hardware.Errorf(hardware.CodeProtocol, "", "unregistered device info payload: %w", err)
		}
		info.DeviceStatus = "Not Registered"
	}
	var did DigitalID
	var dp []byte
	var err error
	if registered {
		p, dcert, verr := Verify(info.DigitalID)
		if verr != nil {
			return nil, hardware.Errorf(hardware.CodeIntegrity, "", "digital id: %w", verr)
		}
		// L0 devices sign the digital ID with the device key itself.
		if hardware.CertFingerprint(dcert.Raw) != certFP {
			return nil, hardware.Errorf(hardware.CodeIntegrity, "", "digital id signed by another certificate than the device info")
		}
		dp = p
	} else if dp, err = UnsignedPayload(info.DigitalID); err != nil {
		return nil, hardware.Errorf(hardware.CodeProtocol, "", "digital id: %w", err)
	}
	if err := json.Unmarshal(dp, &did); err != nil {
		return nil, hardware.Errorf(hardware.CodeProtocol, "", "digital id payload: %w", err)
	}
	kind := map[string]hardware.Kind{"Finger": hardware.Finger, "Face": hardware.Face}[did.Type]
	if kind == "" {
		return nil, hardware.Errorf(hardware.CodeUnsupported, "", "device type %q (fieldscreen uses Finger and Face)", did.Type)
	}
	if info.CallbackID != "" {
		cb, err := CallbackBase(info.CallbackID)
		if err != nil {
			return nil, hardware.Errorf(hardware.CodeProtocol, "", "device info: %w", err)
		}
		base = cb
	}
	dv.base, dv.deviceID, dv.subIDs, dv.status, dv.subType = base, info.DeviceID, info.DeviceSubID, info.DeviceStatus, did.DeviceSubType
	dv.ident = hardware.Identity{Driver: "sbi", Kind: kind, Make: did.Make, Model: did.Model, Serial: did.SerialNo,
		Firmware: info.Firmware, CertFingerprint: certFP}
	return dv, nil
}

// Device is one SBI device (one deviceId of a service).
type Device struct {
	client   *http.Client
	app      string
	base     string
	deviceID string
	subIDs   []string
	subType  string
	status   string
	skew     time.Duration
	now      func() time.Time

	ident hardware.Identity
	busy  hardware.Guard

	mu       sync.Mutex
	prevHash string
}

// Identity is the identity read from the signed device info.
func (d *Device) Identity() hardware.Identity { return d.ident }

// Status is the deviceStatus from the device info ("Ready", "Busy", ...).
func (d *Device) Status() string { return d.status }

// Base is the service's callback URL (http://127.0.0.1:PORT/).
func (d *Device) Base() string { return d.base }

// NewChain starts a new capture hash chain (one per registration / case).
func (d *Device) NewChain() {
	d.mu.Lock()
	d.prevHash = FirstHash
	d.mu.Unlock()
}

// subID maps a target to the SBI deviceSubId: slaps 1 (left), 2 (right), 3 (thumbs); face 0.
func (d *Device) subID(t hardware.Target) (string, bool) {
	want := ""
	switch {
	case t.Kind == hardware.Face && d.ident.Kind == hardware.Face:
		want = "0"
	case t.Kind == hardware.Finger && d.ident.Kind == hardware.Finger:
		want = map[hardware.Slap]string{hardware.LeftFour: "1", hardware.RightFour: "2", hardware.Thumbs: "3"}[t.Slap]
	}
	if want == "" {
		return "", false
	}
	for _, s := range d.subIDs {
		if s == want {
			return want, true
		}
	}
	return "", false
}

// Supports: slaps on slap scanners (single fingers are not addressed by SBI
// slap devices), faces on face cameras.
func (d *Device) Supports(t hardware.Target) bool {
	_, ok := d.subID(t)
	return ok && t.Validate() == nil
}

// Close does nothing: SBI calls are stateless HTTP.
func (d *Device) Close() error { return nil }

func newTransactionID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "fs-" + hex.EncodeToString(b)
}

// Capture sends RCAPTURE and verifies the answer: every data signature by
// the certificate of the identity (a new certificate is an identity change),
// the transaction ID, the timestamp within Skew, and the hash chain.
func (d *Device) Capture(ctx context.Context, req hardware.Request) (*hardware.Capture, error) {
	id := d.ident.ID()
	release, err := d.busy.Begin(d, req.Target)
	if err != nil {
		return nil, err
	}
	defer release()
	sub, _ := d.subID(req.Target)
	timeout := 30 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	d.mu.Lock()
	prev := d.prevHash
	d.mu.Unlock()
	txn := newTransactionID()
	bio := BioRequest{DeviceID: d.deviceID, DeviceSubID: sub, PreviousHash: prev, RequestedScore: strconv.Itoa(req.Threshold)}
	if req.Target.Kind == hardware.Face {
		bio.Type, bio.Count = "Face", "1"
	} else {
		bio.Type = "Finger"
		n := 0
		skip := map[int]bool{}
		for _, f := range req.Target.Skip {
			skip[f] = true
			if f >= 1 && f <= 10 {
				bio.Exception = append(bio.Exception, FingerSubTypes[f])
			}
		}
		for _, p := range req.Target.Slap.Positions() {
			if !skip[p] {
				n++
				bio.BioSubType = append(bio.BioSubType, FingerSubTypes[p])
			}
		}
		bio.Count = strconv.Itoa(n)
	}
	creq := CaptureRequest{Env: "Developer", Purpose: "Registration", SpecVersion: "1.0", Timeout: strconv.FormatInt(timeout.Milliseconds(), 10),
		CaptureTime: time.Now().UTC().Format(TimeLayout), TransactionID: txn, Bio: []BioRequest{bio}}
	req.Report(hardware.StageCapturing)
	var resp CaptureResponse
	if err := call(ctx, d.client, d.app, d.base+"capture", "RCAPTURE", creq, &resp, maxCaptureAnswer); err != nil {
		if ctx.Err() != nil {
			return nil, hardware.ContextError(ctx, id)
		}
		return nil, d.transportError(err)
	}
	req.Report(hardware.StageVerifying)
	c, last, err := d.verify(resp, req.Target, txn, prev)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.prevHash = last
	d.mu.Unlock()
	req.Report(hardware.StageDone)
	return c, nil
}

func (d *Device) transportError(err error) error {
	var ee *hardware.Error
	if errors.As(err, &ee) {
		ee.Device = d.ident.ID()
		return ee
	}
	return hardware.Errorf(hardware.CodeNotFound, d.ident.ID(), "service at %s: %w", d.base, err)
}

// verify checks a capture response and assembles the capture; it returns the new chain head.
func (d *Device) verify(resp CaptureResponse, t hardware.Target, txn, prev string) (*hardware.Capture, string, error) {
	id := d.ident.ID()
	if len(resp.Biometrics) == 0 {
		return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "capture response has no biometrics")
	}
	c := &hardware.Capture{Target: t, Device: d.ident, At: d.now().UTC(), DeviceScore: 101, PPI: 500}
	var tokens []string
	var parts []*ISOFinger
	for i, it := range resp.Biometrics {
		if it.Error.ErrorCode != "0" && it.Error.ErrorCode != "" {
			return nil, "", ErrorFromCode(it.Error.ErrorCode, it.Error.ErrorInfo, id)
		}
		payload, cert, err := Verify(it.Data)
		if err != nil {
			return nil, "", hardware.Errorf(hardware.CodeIntegrity, id, "biometric %d: %w", i+1, err)
		}
		if now := d.now(); now.After(cert.NotAfter) || now.Before(cert.NotBefore) {
			return nil, "", hardware.Errorf(hardware.CodeNotReady, id, "device certificate valid %s to %s, not now: the device must renew its key (SBI 107)",
				cert.NotBefore.UTC().Format(TimeLayout), cert.NotAfter.UTC().Format(TimeLayout))
		}
		if fp := hardware.CertFingerprint(cert.Raw); fp != d.ident.CertFingerprint {
			now := d.ident
			now.CertFingerprint = fp
			return nil, "", &hardware.IdentityChangedError{Device: id, Fields: []string{"certificate"}, Paired: d.ident, Now: now}
		}
		var bd BioData
		if err := json.Unmarshal(payload, &bd); err != nil {
			return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "biometric %d payload: %w", i+1, err)
		}
		if bd.TransactionID != txn {
			return nil, "", hardware.Errorf(hardware.CodeIntegrity, id, "biometric %d answers transaction %q, not ours", i+1, bd.TransactionID)
		}
		ts, err := time.Parse(TimeLayout, bd.Timestamp)
		if err != nil {
			return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "biometric %d timestamp %q: %w", i+1, bd.Timestamp, err)
		}
		if skew := ts.Sub(d.now()); skew > d.skew || skew < -d.skew {
			return nil, "", hardware.Errorf(hardware.CodeIntegrity, id, "device clock is %v off the terminal clock (allowed %v): sync the device time", skew.Round(time.Second), d.skew)
		}
		if bd.DeviceCode != d.ident.Serial {
			return nil, "", hardware.Errorf(hardware.CodeIntegrity, id, "biometric %d from device %q", i+1, bd.DeviceCode)
		}
		value, err := UnsignedPayload(bd.BioValue)
		if err != nil {
			return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "biometric %d bioValue: %w", i+1, err)
		}
		h, err := ChainHash(prev, value)
		if err != nil || !strings.EqualFold(h, it.Hash) {
			return nil, "", hardware.Errorf(hardware.CodeIntegrity, id, "biometric %d breaks the capture hash chain", i+1)
		}
		prev = h
		score, err := strconv.Atoi(bd.QualityScore)
		if err != nil || score < 0 || score > 100 {
			return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "biometric %d quality score %q", i+1, bd.QualityScore)
		}
		c.DeviceScore = min(c.DeviceScore, score)
		tokens = append(tokens, it.Data)
		if t.Kind == hardware.Face {
			img, err := DecodeFace(value)
			if err != nil {
				return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "face: %w", err)
			}
			c.Image, c.PPI = img, 0
			continue
		}
		f, err := DecodeFinger(value)
		if err != nil {
			return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "biometric %d: %w", i+1, err)
		}
		if p := FingerPosition(bd.BioSubType); p != f.Position {
			return nil, "", hardware.Errorf(hardware.CodeProtocol, id, "biometric %d says %q but the image is finger %d", i+1, bd.BioSubType, f.Position)
		}
		c.PPI = f.PPI
		parts = append(parts, f)
	}
	if t.Kind == hardware.Finger {
		c.Image, c.Segments = compose(parts)
	}
	c.Evidence, _ = json.Marshal(tokens)
	return c, prev, nil
}

// compose lays segmented finger images side by side into one slap image.
func compose(parts []*ISOFinger) (*image.Gray, []hardware.Segment) {
	w, h := 0, 0
	for _, p := range parts {
		w += p.Image.Rect.Dx()
		h = max(h, p.Image.Rect.Dy())
	}
	img := image.NewGray(image.Rect(0, 0, max(w, 1), max(h, 1)))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	var segs []hardware.Segment
	x := 0
	for _, p := range parts {
		r := image.Rect(x, 0, x+p.Image.Rect.Dx(), p.Image.Rect.Dy())
		draw.Draw(img, r, p.Image, p.Image.Rect.Min, draw.Src)
		segs = append(segs, hardware.Segment{Finger: p.Position, Rect: r})
		x = r.Max.X
	}
	return img, segs
}

// ErrorFromCode maps an SBI error code to a typed error.
func ErrorFromCode(code, info, device string) error {
	c := hardware.CodeCaptureFailed
	switch code {
	case "100", "104", "107", "108", "110":
		c = hardware.CodeNotReady
	case "103":
		c = hardware.CodeIntegrity
	case "106", "202":
		c = hardware.CodeNotFound
	case "109":
		c = hardware.CodeUnsupported
	case "111":
		c = hardware.CodeBusy
	case "112":
		c = hardware.CodeProtocol
	}
	return hardware.Errorf(c, device, "sbi error %s: %s", code, info)
}

// Preview opens the STREAM and decodes its JPEG parts into frames until ctx ends.
func (d *Device) Preview(ctx context.Context, t hardware.Target) (<-chan hardware.Frame, error) {
	id := d.ident.ID()
	sub, ok := d.subID(t)
	if !ok {
		return nil, hardware.Errorf(hardware.CodeUnsupported, id, "no preview for %s", t)
	}
	body, _ := json.Marshal(StreamRequest{DeviceID: d.deviceID, DeviceSubID: sub})
	hreq, err := http.NewRequestWithContext(ctx, "STREAM", d.base+"stream", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("EXT", d.app)
	resp, err := d.client.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, hardware.ContextError(ctx, id)
		}
		return nil, d.transportError(err)
	}
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		defer resp.Body.Close()
		var e ErrorInfo
		if json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&e) == nil && e.ErrorCode != "" {
			return nil, ErrorFromCode(e.ErrorCode, e.ErrorInfo, id)
		}
		return nil, hardware.Errorf(hardware.CodeProtocol, id, "stream content type %q is not multipart", resp.Header.Get("Content-Type"))
	}
	ch := make(chan hardware.Frame, 2)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		streamFrames(ctx, resp.Body, params["boundary"], ch)
	}()
	return ch, nil
}

// streamFrames reads the STREAM's multipart body and sends each JPEG part as a frame until
// the body ends, a part is not an acceptable frame (DecodeFrame), or ctx ends.
func streamFrames(ctx context.Context, body io.Reader, boundary string, ch chan<- hardware.Frame) {
	mr := multipart.NewReader(body, strings.TrimPrefix(boundary, "--"))
	for seq := 1; ; seq++ {
		p, err := mr.NextPart()
		if err != nil {
			return
		}
		img, err := DecodeFrame(p)
		if err != nil {
			return
		}
		select {
		case ch <- hardware.Frame{Image: img, Seq: seq, At: time.Now()}:
		case <-ctx.Done():
			return
		}
	}
}

// Bounds on what a local SBI service can make the terminal hold (issue 14): any process on
// the laptop can listen on the SBI ports, so its answers are not trusted for size.
const (
	maxProbes        = 8       // ports probed at once by Discover
	maxInfoAnswer    = 1 << 20 // MOSIPDISC and MOSIPDINFO answers
	maxCaptureAnswer = 64 << 20
	maxFrameBytes    = 8 << 20 // one STREAM part (a JPEG preview frame)
	maxFrameSide     = 4096    // preview frames are VGA to a few megapixels
	maxFramePixels   = 16 << 20
)

// CallbackBase checks a device's callbackId and returns the base URL to call it at. It must
// be plain http on the loopback address (127.0.0.1 or ::1) with a port, and carry no user
// information, query or fragment: "http://127.0.0.1:4591@127.0.0.2:9999/" names the host
// 127.0.0.2, which a prefix check took for loopback.
func CallbackBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("callbackId %.80q is not a URL: %w", raw, err)
	}
	switch {
	case u.Scheme != "http":
		return "", fmt.Errorf("callbackId %.80q: scheme %q, want http on this computer", raw, u.Scheme)
	case u.User != nil:
		return "", fmt.Errorf("callbackId %.80q carries user information: refused", raw)
	case u.Hostname() != "127.0.0.1" && u.Hostname() != "::1":
		return "", fmt.Errorf("callbackId %.80q names host %q: SBI services are reached on 127.0.0.1 or ::1 only", raw, u.Hostname())
	case u.Port() == "":
		return "", fmt.Errorf("callbackId %.80q has no port", raw)
	case u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", fmt.Errorf("callbackId %.80q has a query or fragment: refused", raw)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return "", fmt.Errorf("callbackId %.80q: port %q out of range", raw, u.Port())
	}
	return (&url.URL{Scheme: "http", Host: u.Host, Path: strings.TrimSuffix(u.EscapedPath(), "/") + "/"}).String(), nil
}

// DecodeFrame decodes one JPEG preview frame of at most maxFrameBytes, after checking the
// dimensions its header claims (image.DecodeConfig): a small file that claims a huge image
// would otherwise make the decoder allocate for the claim.
func DecodeFrame(r io.Reader) (image.Image, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFrameBytes+1))
	if err != nil {
		return nil, fmt.Errorf("preview frame: %w", err)
	}
	if len(b) > maxFrameBytes {
		return nil, fmt.Errorf("preview frame larger than %d MiB: refused", maxFrameBytes>>20)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("preview frame is not a JPEG: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxFrameSide || cfg.Height > maxFrameSide || cfg.Width*cfg.Height > maxFramePixels {
		return nil, fmt.Errorf("preview frame claims %d×%d pixels: refused (at most %d a side)", cfg.Width, cfg.Height, maxFrameSide)
	}
	return jpeg.Decode(bytes.NewReader(b))
}

// call sends one SBI request with a custom method and decodes the JSON answer, of at most
// limit bytes.
func call(ctx context.Context, c *http.Client, app, url, method string, body, out any, limit int64) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("EXT", app)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return hardware.Errorf(hardware.CodeProtocol, "", "%s %s: %w", method, url, &httpStatusError{resp.StatusCode, resp.Status})
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return err
	}
	if int64(len(b)) > limit {
		return hardware.Errorf(hardware.CodeProtocol, "", "%s answer is larger than %d KiB: refused", method, limit>>10)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return hardware.Errorf(hardware.CodeProtocol, "", "%s answer is not the expected JSON: %w", method, err)
	}
	return nil
}

// httpStatusError is a non-200 answer.
type httpStatusError struct {
	code   int
	status string
}

func (e *httpStatusError) Error() string { return "HTTP " + e.status }

var _ hardware.Device = (*Device)(nil)
