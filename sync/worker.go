package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/fieldscreen/fieldscreen/vault"
)

// Defaults of the worker (DESIGN.md §6, storage-sync.md D2.6).
const (
	DefaultBaseBackoff = 2 * time.Second
	DefaultMaxBackoff  = 10 * time.Minute
	DefaultChunkSize   = 4 << 20 // bytes per PATCH; packets above this use resumable uploads
	DefaultGrace       = 72 * time.Hour
	breakerThreshold   = 5
	breakerCooldown    = 30 * time.Second
	// sendWindow is how many packets are in flight at once: as one finishes the next
	// starts, so central's and the vault's fsyncs overlap the transfer of the others and
	// their commits are shared. windowBytes bounds the sealed bytes held in memory for them
	// (a packet larger than that still goes, alone).
	sendWindow  = 16
	windowBytes = 16 << 20
)

// Options tune a Worker; zero values take the defaults. Tests inject Now, Sleep and Rand.
type Options struct {
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
	Rand        func() float64 // in [0,1): full jitter
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	ChunkSize   int
	Grace       time.Duration // purge a case's personal data this long after its last receipt
	Timeout     time.Duration // per request
	// MaxWait bounds how long RunOnce waits for a packet in backoff before returning.
	MaxWait time.Duration
	// ResultWait is how long RunOnce waits, after the drain, for results of packets that
	// central has stored but not yet answered (0: take what is there; the rest comes with
	// the next run).
	ResultWait time.Duration
	// Applier applies a result to the case it concerns, in the same transaction that
	// advances the results cursor (so each result is applied exactly once). May be nil.
	Applier func(tx *vault.Tx, r Result) error
	// Purgeable decides whether a case whose outbox rows are given may be purged at now:
	// the app's retention rule (app.PurgeCheck, which asks forms). Set, it is the only
	// rule PurgeDue applies; nil (a bare library worker) purges a case once every packet
	// has a verified receipt and Grace has passed since the last one.
	Purgeable func(tx *vault.Tx, id vault.CaseID, rows []*Row, now time.Time) (bool, error)
	// Prune deletes what the app's retention keeps beyond the cases (app.PruneOversight: the
	// monitoring summaries past their period), in its own transaction after PurgeDue's
	// purges, and returns how many records went. May be nil.
	Prune func(tx *vault.Tx, now time.Time) (int, error)
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.BaseBackoff == 0 {
		o.BaseBackoff = DefaultBaseBackoff
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.Timeout == 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxWait == 0 {
		o.MaxWait = DefaultMaxBackoff
	}
}

// Backoff is full jitter (AWS): a uniform wait in [0, min(max, base·2^(attempt-1))).
func Backoff(attempt int, base, max time.Duration, rnd func() float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	ceil := max
	if attempt < 31 {
		if c := base << (attempt - 1); c > 0 && c < max {
			ceil = c
		}
	}
	return time.Duration(rnd() * float64(ceil))
}

// Breaker is a circuit breaker for one host: it opens after breakerThreshold failures in
// a row and stays open for the cooldown, after which one probe may close it again.
type Breaker struct {
	Failures  int
	OpenUntil time.Time
}

// State is "closed", "open" or "half-open" at now.
func (b *Breaker) State(now time.Time) string {
	switch {
	case b.Failures < breakerThreshold:
		return "closed"
	case now.Before(b.OpenUntil):
		return "open"
	default:
		return "half-open"
	}
}

func (b *Breaker) failure(now time.Time) {
	b.Failures++
	if b.Failures >= breakerThreshold {
		b.OpenUntil = now.Add(breakerCooldown)
	}
}

func (b *Breaker) success() { *b = Breaker{} }

// Settings are the operator's sync settings, persisted in the vault's sync class.
type Settings struct {
	Paused         bool  `json:"paused"`
	BandwidthLimit int64 `json:"bandwidth_limit,omitempty"` // bytes per second, 0 = unlimited
}

// persisted status, for `sync status` when no worker is running.
type savedStatus struct {
	LastContact time.Time          `json:"last_contact,omitzero"`
	ClockOffset time.Duration      `json:"clock_offset"`
	Breakers    map[string]Breaker `json:"breakers"`
	// AwaitingResults is the pending count of central's last results page.
	AwaitingResults int `json:"awaiting_results,omitempty"`
}

// Worker drains the outbox to central. It owns every retry decision.
type Worker struct {
	v        *vault.Vault
	s        *vault.Session
	dir      string
	en       *Enrolment
	c        *Client
	opt      Options
	status   savedStatus
	limiter  *rate.Limiter
	buf      []byte       // one chunk, reused by the one large upload that runs at a time
	mu       gosync.Mutex // guards status (breakers) while small packets go in parallel
	receipts GroupCommit[*verified]
}

// hostOK records an answer from central; hostFailed a failed exchange.
func (w *Worker) hostOK() {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.status.Breakers[w.c.Host()]
	b.success()
	w.status.Breakers[w.c.Host()] = b
}

func (w *Worker) hostFailed(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.status.Breakers[w.c.Host()]
	b.failure(now)
	w.status.Breakers[w.c.Host()] = b
}

// NewWorker prepares a worker for the enrolled terminal.
func NewWorker(v *vault.Vault, s *vault.Session, opt Options) (*Worker, error) {
	opt.defaults()
	en, err := LoadEnrolmentFrom(s)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(en, opt.Timeout)
	if err != nil {
		return nil, err
	}
	c.now = opt.Now
	w := &Worker{v: v, s: s, dir: v.PacketDir(), en: en, c: c, opt: opt}
	_ = s.View(func(tx *vault.Tx) error {
		if b, err := tx.Get(vault.Sync, bucketTerminal, keyStatus); err == nil {
			_ = json.Unmarshal(b, &w.status)
		}
		return nil
	})
	if w.status.Breakers == nil {
		w.status.Breakers = map[string]Breaker{}
	}
	return w, nil
}

// Report summarises one drain.
type Report struct {
	Delivered int
	Refused   int
	Pending   int
	Paused    bool
	Offline   error // set when central could not be reached (probe failed or breaker open)
	Results   int
	Renewed   bool  // the terminal's certificate was renewed
	RenewErr  error // a due renewal failed; the drain went on with the current certificate
	// AuditRollback is set when the audit log no longer extends the checkpoint central
	// countersigned (a *vault.AuditRollbackError); packets are still sent.
	AuditRollback error
}

// ErrUnreachable is in the chain of every Report.Offline: central could not be reached (the
// probe failed, or the circuit breaker is open after failures in a row). The packets stay
// queued; the caller tells the user so rather than showing the transport's error.
var ErrUnreachable = errors.New("central unreachable")

// ErrPaused is returned by RunOnce while sync is paused.
var ErrPaused = errors.New("sync is paused: run fieldscreenctl sync resume")

func (w *Worker) breaker() *Breaker {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.status.Breakers[w.c.Host()]
	return &b
}

// probe checks connectivity through the breaker; it records last contact and clock offset.
func (w *Worker) probe(ctx context.Context) error {
	b := w.breaker()
	now := w.opt.Now()
	if b.State(now) == "open" {
		return fmt.Errorf("%w: circuit breaker open for %s until %s", ErrUnreachable, w.c.Host(), b.OpenUntil.UTC().Format(time.RFC3339))
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	t0 := w.opt.Now()
	st, err := w.c.Time(pctx)
	if err != nil {
		w.hostFailed(w.opt.Now())
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	t1 := w.opt.Now()
	w.hostOK()
	w.status.LastContact = t1.UTC()
	w.status.ClockOffset = st.Sub(t0.Add(t1.Sub(t0) / 2))
	return nil
}

// renewIfDue renews the terminal's certificate when less than RenewBefore is left, and
// sends the rest of the drain with the new one. A failure is reported, not fatal: the
// current certificate still works until it ends, and the next drain tries again.
func (w *Worker) renewIfDue(ctx context.Context, rep *Report) {
	if !RenewDue(w.en, w.opt.Now()) {
		return
	}
	en, err := Renew(ctx, w.s)
	if err == nil {
		var c *Client
		if c, err = NewClient(en, w.opt.Timeout); err == nil {
			c.now = w.opt.Now
			w.c.CloseIdle()
			w.en, w.c = en, c
			rep.Renewed = true
			return
		}
	}
	rep.RenewErr = err
}

func (w *Worker) saveStatus() error {
	b, _ := json.Marshal(w.status)
	return w.s.Update(func(tx *vault.Tx) error { return tx.Put(vault.Sync, bucketTerminal, keyStatus, b) })
}

// LoadSettings reads the persisted sync settings.
func LoadSettings(tx *vault.Tx) (Settings, error) {
	var st Settings
	b, err := tx.Get(vault.Sync, bucketTerminal, keySettings)
	if errors.Is(err, vault.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

// SaveSettings persists the sync settings (pause, bandwidth), read by every worker run.
func SaveSettings(tx *vault.Tx, st Settings) error {
	b, _ := json.Marshal(st)
	return tx.Put(vault.Sync, bucketTerminal, keySettings, b)
}

// RunOnce drains the outbox: it probes central, sends due packets in priority order (one
// large upload at a time, small urgent packets between its chunks), waits for packets in
// backoff up to MaxWait, then pulls results, config and the audit checkpoint, and purges
// cases whose grace period after receipt has passed.
func (w *Worker) RunOnce(ctx context.Context) (rep Report, err error) {
	defer w.c.CloseIdle()
	defer func() {
		if serr := w.saveStatus(); serr != nil && err == nil {
			err = serr
		}
	}()
	var st Settings
	if err := w.s.View(func(tx *vault.Tx) error { var e error; st, e = LoadSettings(tx); return e }); err != nil {
		return rep, err
	}
	if st.Paused {
		rep.Paused = true
		return rep, ErrPaused
	}
	if err := CheckAudit(w.v, w.s, w.opt.Now()); errors.Is(err, vault.ErrAuditRollback) {
		rep.AuditRollback = err
	} else if err != nil {
		return rep, fmt.Errorf("audit check: %w", err)
	}
	if st.BandwidthLimit > 0 {
		burst := int(min(st.BandwidthLimit, 256<<10))
		w.limiter = rate.NewLimiter(rate.Limit(st.BandwidthLimit), burst)
	} else {
		w.limiter = nil
	}
	if err := w.probe(ctx); err != nil {
		rep.Offline = err
		rep.Pending, _ = w.pendingCount()
		return rep, nil
	}
	w.renewIfDue(ctx, &rep)
	if err := w.drain(ctx, &rep); err != nil {
		return rep, err
	}
	rep.Pending, _ = w.pendingCount()
	if rep.Offline != nil {
		return rep, nil
	}
	err = w.paced(ctx, func() error {
		n, err := w.PullResults(ctx)
		rep.Results += n
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("pull results: %w", err)
	}
	if err := w.paced(ctx, func() error { return w.PullConfig(ctx) }); err != nil {
		return rep, fmt.Errorf("pull config: %w", err)
	}
	if rep.AuditRollback == nil { // a rolled-back log cannot be countersigned
		if err := w.paced(ctx, func() error { return w.Checkpoint(ctx) }); errors.Is(err, vault.ErrAuditRollback) {
			rep.AuditRollback = err
		} else if err != nil {
			return rep, fmt.Errorf("audit checkpoint: %w", err)
		}
	}
	if _, err := w.PurgeDue(); err != nil {
		return rep, fmt.Errorf("purge: %w", err)
	}
	return rep, nil
}

// paced runs one of the steps after the drain and, while central answers 429 (this
// terminal is over its request rate, typically right after a drain spent it), waits as
// Retry-After asks and tries again, for at most MaxWait in all. A rate limit is central
// asking for patience, not a failure of the sync.
func (w *Worker) paced(ctx context.Context, step func() error) error {
	var waited time.Duration
	for {
		err := step()
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusTooManyRequests {
			return err
		}
		d := max(he.RetryAfter, time.Second)
		if waited+d > w.opt.MaxWait {
			return err
		}
		if err := w.opt.Sleep(ctx, d); err != nil {
			return err
		}
		waited += d
	}
}

// Run drains, then waits and drains again until ctx ends.
func (w *Worker) Run(ctx context.Context, every time.Duration) error {
	for {
		if _, err := w.RunOnce(ctx); err != nil && !errors.Is(err, ErrPaused) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if err := w.opt.Sleep(ctx, every); err != nil {
			return err
		}
	}
}

func (w *Worker) rows() ([]*Row, error) {
	var rows []*Row
	err := w.s.View(func(tx *vault.Tx) error { var e error; rows, e = Rows(tx); return e })
	return rows, err
}

func (w *Worker) pendingCount() (int, error) {
	rows, err := w.rows()
	n := 0
	for _, r := range rows {
		if r.State == StatePending {
			n++
		}
	}
	return n, err
}

// large reports whether a packet goes as a resumable upload.
func (w *Worker) large(r *Row) bool { return r.Size > int64(w.opt.ChunkSize) || r.Chunked }

// pick chooses the next due packet in drain order, passing over rows skip rejects (those
// in flight). Only one large (chunked) upload runs at a time: the one in progress, or else
// the first due large packet; small packets that sort before it go between its chunks.
// When nothing is due it returns the wait until the earliest pending packet (or -1 when
// none is pending).
func pick(rows []*Row, now time.Time, chunk int, skip func(*Row) bool) (*Row, time.Duration) {
	inProgress := ""
	for _, r := range rows {
		if r.State == StatePending && r.UploadURL != "" {
			inProgress = r.PacketID
			break
		}
	}
	wait := time.Duration(-1)
	for _, r := range rows {
		if r.State != StatePending || (skip != nil && skip(r)) {
			continue
		}
		if r.NextAttempt.After(now) {
			if d := r.NextAttempt.Sub(now); wait < 0 || d < wait {
				wait = d
			}
			continue
		}
		if (r.Size > int64(chunk) || r.Chunked) && inProgress != "" && r.PacketID != inProgress {
			continue
		}
		return r, 0
	}
	return nil, wait
}

// verified is a packet whose receipt central sent and the terminal verified; it counts
// as delivered once markDelivered has committed it.
type verified struct {
	row     *Row
	rec     Signed
	receipt Receipt
}

// send makes one attempt for the row: a whole PUT, or one chunk of a resumable upload.
// A verified receipt comes back to be committed by the caller (StateDelivered with v set).
func (w *Worker) send(ctx context.Context, r *Row) (string, *verified, error) {
	var (
		rec  Signed
		done bool
		err  error
	)
	if w.large(r) {
		done, rec, err = w.uploadStep(ctx, r)
	} else {
		var data []byte
		data, err = os.ReadFile(PacketPath(w.dir, r.PacketID))
		if err != nil { // kept pending with the reason, retried later; never dropped
			st, ferr := w.failed(r, fmt.Errorf("%w (%w): it cannot be sent; report it", errSealedMissing, err))
			return st, nil, ferr
		}
		if err = w.throttle(ctx, len(data)); err == nil {
			rctx, cancel := context.WithTimeout(ctx, w.opt.Timeout)
			rec, err = w.c.PutPacket(rctx, r, data)
			cancel()
			done = err == nil
		}
	}
	if ctx.Err() != nil {
		return "", nil, ctx.Err()
	}
	if err == nil && done {
		var receipt Receipt
		if verr := w.checkReceipt(r, rec, &receipt); verr != nil {
			err = verr
		} else {
			return StateDelivered, &verified{row: r, rec: rec, receipt: receipt}, nil
		}
	}
	if err == nil { // a chunk went through; the upload continues
		w.hostOK()
		return StatePending, nil, nil
	}
	st, err := w.failed(r, err)
	return st, nil, err
}

// failed records a failed attempt: final refusals are kept with their reason; anything
// else is retried after full-jitter backoff or Retry-After, whichever is longer.
func (w *Worker) failed(r *Row, err error) (string, error) {
	now := w.opt.Now()
	r.Attempts++
	r.LastError = err.Error()
	r.Problem = problemOf(err)
	var he *HTTPError
	if errors.As(err, &he) && !he.Retryable() {
		if he.Status == http.StatusRequestEntityTooLarge && !r.Chunked {
			// central's limit is lower than ours: send it as a resumable upload next time.
			r.Chunked = true
		} else {
			r.State = StateRefused
		}
		w.hostOK() // central answered: the host is up
	} else {
		d := Backoff(r.Attempts, w.opt.BaseBackoff, w.opt.MaxBackoff, w.opt.Rand)
		if he != nil && he.RetryAfter > d {
			d = he.RetryAfter
		}
		r.NextAttempt = now.Add(d)
		w.hostFailed(now)
	}
	if uerr := w.s.Update(func(tx *vault.Tx) error {
		cur, gerr := getRow(tx, r.PacketID)
		if gerr != nil {
			return gerr
		}
		if cur.State != StatePending { // settled meanwhile (delivered or refused): keep that
			r.State = cur.State
			return nil
		}
		cur.Attempts, cur.LastError, cur.NextAttempt, cur.State, cur.Problem = r.Attempts, r.LastError, r.NextAttempt, r.State, r.Problem
		cur.UploadURL, cur.Offset, cur.Chunked = r.UploadURL, r.Offset, r.Chunked
		return putRow(tx, cur)
	}); uerr != nil {
		return "", uerr
	}
	return r.State, nil
}

// Problems a row can carry besides central's own codes (Row.Problem).
const (
	// ProblemSealedMissing: the sealed file of the packet is gone or unreadable.
	ProblemSealedMissing = "sealed-missing"
	// ProblemHTTP prefixes the status of an answer without a problem code ("http-502").
	ProblemHTTP = "http-"
)

var errSealedMissing = errors.New("sealed file missing or unreadable")

// problemOf names what a failed attempt ran into (Row.Problem): central's code when it
// answered, the local cause it knows, or "" when central was not reached.
func problemOf(err error) string {
	var he *HTTPError
	switch {
	case errors.As(err, &he) && he.Problem.Code != "":
		return he.Problem.Code
	case he != nil:
		if i := strings.LastIndexByte(he.Problem.Type, '/'); i >= 0 && i < len(he.Problem.Type)-1 {
			return he.Problem.Type[i+1:]
		}
		return ProblemHTTP + strconv.Itoa(he.Status)
	case errors.Is(err, errSealedMissing):
		return ProblemSealedMissing
	}
	return ""
}

// checkReceipt verifies central's signature and that the receipt is about exactly this
// packet: only then does the packet count as delivered.
func (w *Worker) checkReceipt(r *Row, rec Signed, out *Receipt) error {
	if _, err := rec.OpenAny(DomainReceipt, w.en.receiptKeys(), out); err != nil {
		return fmt.Errorf("receipt for %s: %w", r.PacketID, err)
	}
	if out.PacketID != r.PacketID || out.DeviceID != w.en.DeviceID || out.SHA256 != r.SHA256 || out.Size != r.Size {
		return fmt.Errorf("receipt for %s describes another packet", r.PacketID)
	}
	return nil
}

// markDelivered commits the verified receipts (nil entries are skipped) in one vault
// transaction: each outbox row turns delivered with its receipt and gets an audit entry.
// The caller removes the sealed copies (removeDelivered) only after that commit.
func (w *Worker) markDelivered(vs []*verified) error {
	n := 0
	for _, v := range vs {
		if v != nil {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	err := w.s.Update(func(tx *vault.Tx) error {
		for _, v := range vs {
			if v == nil {
				continue
			}
			cur, err := getRow(tx, v.row.PacketID)
			if err != nil {
				return err
			}
			if cur.State != StatePending {
				continue
			}
			raw, _ := json.Marshal(v.rec)
			cur.State, cur.Receipt, cur.DeliveredAt = StateDelivered, raw, w.opt.Now().UTC()
			cur.LastError, cur.UploadURL, cur.Offset = "", "", 0
			cur.Attempts++
			if err := putRow(tx, cur); err != nil {
				return err
			}
			if err := tx.Audit(vault.AuditEvent{Action: "case.transmit", Case: vault.CaseID(cur.CaseID), Class: vault.Sync,
				Detail: fmt.Sprintf("packet %s receipt seq %d", cur.PacketID, v.receipt.Seq)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.hostOK()
	return nil
}

// removeDelivered deletes the sealed copy of a packet whose receipt is committed: central
// holds it now. Done outside the group commit, so file deletion never delays a commit.
func (w *Worker) removeDelivered(id string) error {
	if err := os.Remove(PacketPath(w.dir, id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove delivered packet file %s: %w", id, err)
	}
	return nil
}

// throttle waits for n bytes of the bandwidth budget.
func (w *Worker) throttle(ctx context.Context, n int) error {
	if w.limiter == nil {
		return nil
	}
	for n > 0 {
		k := min(n, w.limiter.Burst())
		if err := w.limiter.WaitN(ctx, k); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// uploadStep advances a resumable upload by one chunk. The offset comes from central
// (creation or HEAD), so after a cut at most the chunk in flight is sent again.
func (w *Worker) uploadStep(ctx context.Context, r *Row) (bool, Signed, error) {
	rctx, cancel := context.WithTimeout(ctx, w.opt.Timeout)
	defer cancel()
	var off int64
	var err error
	if r.UploadURL != "" {
		off, err = w.c.UploadOffset(rctx, r.UploadURL)
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			// Completed (answer lost) or expired: creating again returns the receipt or a new upload.
			r.UploadURL, r.Offset = "", 0
		} else if err != nil {
			return false, Signed{}, err
		}
	}
	if r.UploadURL == "" {
		var rec Signed
		var done bool
		r.UploadURL, off, rec, done, err = w.c.CreateUpload(rctx, r)
		if err != nil || done {
			r.UploadURL = ""
			return done, rec, err
		}
	}
	if off < 0 || off > r.Size {
		return false, Signed{}, fmt.Errorf("central reports offset %d for a %d-byte packet", off, r.Size)
	}
	f, err := os.Open(PacketPath(w.dir, r.PacketID))
	if err != nil {
		return false, Signed{}, fmt.Errorf("packet %s: sealed file missing (%w)", r.PacketID, err)
	}
	defer f.Close()
	if cap(w.buf) < w.opt.ChunkSize {
		w.buf = make([]byte, w.opt.ChunkSize)
	}
	n := int(min(int64(w.opt.ChunkSize), r.Size-off))
	chunk := w.buf[:n]
	if _, err := f.ReadAt(chunk, off); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return false, Signed{}, fmt.Errorf("read packet %s at %d: %w", r.PacketID, off, err)
	}
	if err := w.throttle(ctx, n); err != nil {
		return false, Signed{}, err
	}
	next, rec, done, err := w.c.PatchChunk(rctx, r.UploadURL, off, chunk)
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusNotFound {
		// The upload is gone on central (expired, or completed with the answer lost):
		// start it again after the backoff; creating it answers with the receipt if
		// central holds the packet. Not a refusal, so the error is not an HTTPError.
		r.UploadURL, r.Offset = "", 0
		return false, Signed{}, fmt.Errorf("central no longer has the upload of packet %s (%v): it starts again", r.PacketID, he)
	}
	if err != nil {
		return false, Signed{}, err
	}
	if done {
		return true, rec, nil
	}
	// Progress is saved so status shows it; the authoritative offset stays central's.
	err = w.s.Update(func(tx *vault.Tx) error {
		cur, err := getRow(tx, r.PacketID)
		if err != nil {
			return err
		}
		cur.UploadURL, cur.Offset = r.UploadURL, next
		return putRow(tx, cur)
	})
	return false, Signed{}, err
}
