package central

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"
)

// Event is one line of central's security event log (JSON lines, events.jsonl in the data
// folder): what happened, to which terminal and packet (device IDs are hashes of terminal
// keys, packet IDs random), and for requests without a terminal certificate the client
// address. It never holds packet content or personal data: details are central's own codes
// and messages.
type Event struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Device string    `json:"device,omitempty"`
	Packet string    `json:"packet,omitempty"`
	Remote string    `json:"remote,omitempty"`
	Detail string    `json:"detail,omitempty"`
	// Dropped counts events left out before this one because events came faster than
	// the log accepts (a flood must not fill central's disk).
	Dropped int64 `json:"dropped,omitempty"`
}

// Event kinds.
const (
	EventAuthFailure   = "auth-failure"   // no, unknown or revoked client certificate; bad enrolment token
	EventRefused       = "refused"        // a packet, upload, checkpoint or renewal refused
	EventConflict      = "conflict"       // a packet ID sent again with other content
	EventInnerInvalid  = "inner-invalid"  // sealed content not a packet of its terminal
	EventRevoked       = "revoked"        // a terminal revoked by the operator
	EventRateLimited   = "rate-limited"   // a terminal or an enrolling address over its rate
	EventQuota         = "quota"          // a terminal over its upload quota
	EventAuditRollback = "audit-rollback" // a checkpoint that does not extend the countersigned one
	EventTLSError      = "tls-error"      // a TLS handshake that failed (probes, foreign certificates)
)

// eventLog writes events as JSON lines, at most eventRate a second (bursts of eventBurst);
// events beyond that are counted and the count goes with the next written event.
type eventLog struct {
	mu      gosync.Mutex
	w       io.Writer
	closer  io.Closer
	lim     *rate.Limiter
	dropped int64
	now     func() time.Time
}

const (
	eventRate  = 200
	eventBurst = 1000
	maxDetail  = 300
)

// openEventLog appends to dir/events.jsonl (0600) unless w is given.
func openEventLog(dir string, w io.Writer, now func() time.Time) (*eventLog, error) {
	l := &eventLog{w: w, lim: rate.NewLimiter(eventRate, eventBurst), now: now}
	if w == nil {
		f, err := os.OpenFile(filepath.Join(dir, "events.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		l.w, l.closer = f, f
	}
	return l, nil
}

func (l *eventLog) write(e Event) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.lim.Allow() {
		l.dropped++
		return
	}
	e.Time = l.now().UTC()
	if len(e.Detail) > maxDetail {
		e.Detail = e.Detail[:maxDetail] + "…"
	}
	e.Dropped, l.dropped = l.dropped, 0
	b, _ := json.Marshal(e)
	l.w.Write(append(b, '\n')) // a full disk must not stop intake; the operator sees it elsewhere
}

func (l *eventLog) close() error {
	if l == nil || l.closer == nil {
		return nil
	}
	return l.closer.Close()
}

// event records a security event about a request; the client address only for requests
// without a known terminal.
func (s *Server) event(r *http.Request, kind, device, detail string) {
	e := Event{Kind: kind, Device: device, Detail: detail}
	if r != nil {
		if device == "" {
			e.Remote = remoteIP(r.RemoteAddr)
		}
		if id := r.PathValue("id"); id != "" {
			e.Packet = id
		}
	}
	s.events.write(e)
}

func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// tlsErrors turns the HTTP server's error log (TLS handshake failures) into events.
type tlsErrors struct{ s *Server }

func (t tlsErrors) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	e := Event{Kind: EventTLSError, Detail: line}
	if rest, ok := strings.CutPrefix(line, "http: TLS handshake error from "); ok {
		addr, why, _ := strings.Cut(rest, ": ")
		e.Remote, e.Detail = remoteIP(addr), why
	}
	t.s.events.write(e)
	return len(p), nil
}
