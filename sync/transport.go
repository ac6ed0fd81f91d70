package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

var b32 = base32.StdEncoding

// maxResponse bounds every response body read from central.
const maxResponse = 4 << 20

// HTTPError is a non-success answer from central, with its problem+json details.
type HTTPError struct {
	Status     int
	Problem    Problem
	RetryAfter time.Duration // from Retry-After, 0 if absent
}

func (e *HTTPError) Error() string {
	msg := e.Problem.Title
	if e.Problem.Detail != "" {
		msg += ": " + e.Problem.Detail
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("central answered %d: %s", e.Status, msg)
}

// Retryable reports whether the worker should try again later (transient server states);
// otherwise the answer is final and shown to the user.
func (e *HTTPError) Retryable() bool {
	switch {
	case e.Status == http.StatusRequestTimeout, e.Status == http.StatusTooEarly, e.Status == http.StatusTooManyRequests,
		e.Status == http.StatusConflict, e.Status >= 500:
		return true
	}
	return false
}

func problemError(status int, body []byte) *HTTPError {
	e := &HTTPError{Status: status}
	if json.Unmarshal(body, &e.Problem) != nil || e.Problem.Title == "" {
		e.Problem = Problem{Title: http.StatusText(status), Status: status}
	}
	return e
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// explainTransport turns TLS failures into a reason an operator can act on.
func explainTransport(err error) error {
	s := err.Error()
	switch {
	case errors.Is(err, ErrPinMismatch):
		return ErrPinMismatch
	case strings.Contains(s, "certificate required"), strings.Contains(s, "bad certificate"),
		strings.Contains(s, "unknown certificate authority") && strings.Contains(s, "remote error"):
		return fmt.Errorf("central refused this terminal's TLS certificate (%v): enrol the terminal again", err)
	case strings.Contains(s, "certificate signed by unknown authority"), strings.Contains(s, "x509:"):
		return fmt.Errorf("central's TLS certificate is not from the CA of the enrolment (%v): check the URL or the clock", err)
	}
	return err
}

// ReadLimited reads all of r but refuses more than max bytes, naming what it read and the
// limit: central's answers, a packet's plaintext, a file a courier brought to central.
func ReadLimited(r io.Reader, max int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s larger than the %d bytes allowed", what, max)
	}
	return b, nil
}

// newHTTPClient is the client for central at urls (CentralURLs; requests name the first,
// connections fail over to the others).
func newHTTPClient(conf *tls.Config, timeout time.Duration, urls []string) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		TLSClientConfig:     conf,
		TLSHandshakeTimeout: 10 * time.Second,
		DialContext:         newFailoverDialer(urls).DialContext,
		MaxIdleConnsPerHost: sendWindow, // one kept-alive connection per packet in flight
		IdleConnTimeout:     90 * time.Second,
	}}
}

// Client talks to central over mutual TLS. It never retries by itself: the Worker decides
// (resty's retry count is zero, and request bodies are []byte, never readers).
type Client struct {
	base string
	host string
	r    *resty.Client
	now  func() time.Time
}

// NewClient builds the mutual-TLS client from the enrolment.
func NewClient(e *Enrolment, timeout time.Duration) (*Client, error) {
	conf, err := e.tlsConfig()
	if err != nil {
		return nil, err
	}
	urls, err := CentralURLs(e.Central)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(urls[0])
	rc := resty.NewWithClient(newHTTPClient(conf, timeout, urls)).
		SetRetryCount(0).
		SetResponseBodyLimit(maxResponse).
		SetBaseURL(urls[0]).
		SetHeader("User-Agent", "fieldscreen-terminal/1")
	rc.SetLogger(quietLogger{}) // resty's logger never sees bodies (debug stays off), but keep it silent
	return &Client{base: urls[0], host: u.Host, r: rc, now: time.Now}, nil
}

// CloseIdle closes the connections kept alive to central (after a drain, so neither side
// holds a window's worth of idle TLS connections).
func (c *Client) CloseIdle() { c.r.GetClient().CloseIdleConnections() }

// Host names the circuit breaker's host.
func (c *Client) Host() string { return c.host }

func (c *Client) do(ctx context.Context, method, path string, hdr map[string]string, body []byte) (*resty.Response, error) {
	req := c.r.R().SetContext(ctx).SetHeaders(hdr)
	if body != nil {
		// A fresh *bytes.Reader per attempt: net/http sets Content-Length and GetBody from
		// it, so resty sends the caller's bytes without copying them (a []byte body is
		// copied three times in resty v2.17). resty never retries, so the reader is never
		// replayed half-consumed.
		req.SetBody(bytes.NewReader(body))
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return nil, explainTransport(err)
	}
	if resp.StatusCode() >= 300 {
		e := problemError(resp.StatusCode(), resp.Body())
		e.RetryAfter = parseRetryAfter(resp.Header().Get("Retry-After"), c.now())
		return resp, e
	}
	return resp, nil
}

// Time probes central: connectivity means this call succeeded.
func (c *Client) Time(ctx context.Context) (time.Time, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/time", nil, nil)
	if err != nil {
		return time.Time{}, err
	}
	var t TimeResponse
	if err := json.Unmarshal(resp.Body(), &t); err != nil {
		return time.Time{}, fmt.Errorf("central time: %w", err)
	}
	return t.Now, nil
}

func digestHeader(hexDigest string) (string, error) {
	d, err := hex.DecodeString(hexDigest)
	if err != nil || len(d) != 32 {
		return "", fmt.Errorf("outbox row has a malformed digest %q", hexDigest)
	}
	return "sha-256=:" + base64.StdEncoding.EncodeToString(d) + ":", nil
}

func packetHeaders(r *Row) (map[string]string, error) {
	dh, err := digestHeader(r.SHA256)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		HeaderDigest:    dh,
		HeaderSignature: base64.StdEncoding.EncodeToString(r.Signature),
		HeaderIdemKey:   r.PacketID,
		"Content-Type":  "application/octet-stream",
	}, nil
}

// PutPacket sends a whole sealed packet and returns the signed receipt.
func (c *Client) PutPacket(ctx context.Context, r *Row, data []byte) (Signed, error) {
	h, err := packetHeaders(r)
	if err != nil {
		return Signed{}, err
	}
	resp, err := c.do(ctx, http.MethodPut, "/v1/packets/"+r.PacketID, h, data)
	if err != nil {
		return Signed{}, err
	}
	return decodeSigned(resp.Body())
}

func decodeSigned(b []byte) (Signed, error) {
	var s Signed
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("central's signed answer is not valid JSON: %w", err)
	}
	return s, nil
}

// CreateUpload starts (or finds again: the packet ID is the idempotency key) a resumable
// upload and returns its URL path and the offset central already holds. If central already
// holds the whole packet it answers with the receipt instead (done is true).
func (c *Client) CreateUpload(ctx context.Context, r *Row) (loc string, off int64, rec Signed, done bool, err error) {
	h, err := packetHeaders(r)
	if err != nil {
		return "", 0, Signed{}, false, err
	}
	h[HeaderLength] = strconv.FormatInt(r.Size, 10)
	resp, err := c.do(ctx, http.MethodPost, "/v1/uploads", h, []byte{})
	if err != nil {
		return "", 0, Signed{}, false, err
	}
	if resp.StatusCode() == http.StatusOK {
		rec, err = decodeSigned(resp.Body())
		return "", 0, rec, true, err
	}
	loc = resp.Header().Get("Location")
	if !strings.HasPrefix(loc, "/v1/uploads/") {
		return "", 0, Signed{}, false, fmt.Errorf("central's upload location %q is not an upload path", loc)
	}
	off, err = strconv.ParseInt(resp.Header().Get(HeaderOffset), 10, 64)
	if err != nil {
		return "", 0, Signed{}, false, fmt.Errorf("central's upload offset: %w", err)
	}
	return loc, off, Signed{}, false, nil
}

// UploadOffset asks how much of an upload central holds (tus HEAD).
func (c *Client) UploadOffset(ctx context.Context, loc string) (int64, error) {
	resp, err := c.do(ctx, http.MethodHead, loc, nil, nil)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(resp.Header().Get(HeaderOffset), 10, 64)
}

// PatchChunk sends one chunk at offset. When the chunk completes the upload, central
// answers with the signed receipt (done is true).
func (c *Client) PatchChunk(ctx context.Context, loc string, off int64, chunk []byte) (next int64, rec Signed, done bool, err error) {
	sum := sha256.Sum256(chunk)
	h := map[string]string{
		HeaderOffset:   strconv.FormatInt(off, 10),
		HeaderChecksum: "sha256 " + base64.StdEncoding.EncodeToString(sum[:]),
		"Content-Type": "application/offset+octet-stream",
	}
	resp, err := c.do(ctx, http.MethodPatch, loc, h, chunk)
	if err != nil {
		return 0, Signed{}, false, err
	}
	next, err = strconv.ParseInt(resp.Header().Get(HeaderOffset), 10, 64)
	if err != nil {
		return 0, Signed{}, false, fmt.Errorf("central's upload offset: %w", err)
	}
	if resp.StatusCode() == http.StatusOK {
		rec, err = decodeSigned(resp.Body())
		return next, rec, true, err
	}
	return next, Signed{}, false, nil
}

// Results pulls status events after the cursor.
// With wait > 0 central holds the request up to that long (whole seconds) while it has
// nothing new and still processes packets of this terminal.
func (c *Client) Results(ctx context.Context, after uint64, wait time.Duration) (Signed, error) {
	path := "/v1/results?after=" + strconv.FormatUint(after, 10)
	if s := int(wait / time.Second); s > 0 {
		path += "&wait=" + strconv.Itoa(s)
	}
	resp, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return Signed{}, err
	}
	return decodeSigned(resp.Body())
}

// Config pulls signed reference data; notModified when the ETag still matches.
func (c *Client) Config(ctx context.Context, etag string) (s Signed, newTag string, notModified bool, err error) {
	h := map[string]string{}
	if etag != "" {
		h["If-None-Match"] = etag
	}
	resp, err := c.do(ctx, http.MethodGet, "/v1/config", h, nil)
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusNotModified {
			return Signed{}, etag, true, nil
		}
		return Signed{}, "", false, err
	}
	s, err = decodeSigned(resp.Body())
	return s, resp.Header().Get("ETag"), false, err
}

// Checkpoint asks central to countersign an audit checkpoint.
func (c *Client) Checkpoint(ctx context.Context, req CheckpointRequest) (Signed, error) {
	b, _ := json.Marshal(req)
	resp, err := c.do(ctx, http.MethodPost, "/v1/audit/checkpoints", map[string]string{"Content-Type": "application/json"}, b)
	if err != nil {
		return Signed{}, err
	}
	return decodeSigned(resp.Body())
}

// quietLogger drops resty's own log lines (warnings name URLs, which carry only packet IDs,
// but the terminal's logs stay ours).
type quietLogger struct{}

func (quietLogger) Errorf(string, ...interface{}) {}
func (quietLogger) Warnf(string, ...interface{})  {}
func (quietLogger) Debugf(string, ...interface{}) {}
