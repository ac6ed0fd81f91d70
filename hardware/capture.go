package hardware

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"sort"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
)

// FingerStatus is the outcome for one finger position.
type FingerStatus string

const (
	StatusCaptured    FingerStatus = "captured"
	StatusAmputated   FingerStatus = "amputated"            // known before capture
	StatusUnusable    FingerStatus = "temporarily-unusable" // bandaged, injured: known before capture
	StatusUnprintable FingerStatus = "unprintable"          // no ridges to capture
	StatusRefused     FingerStatus = "refused"              // the person refused
	StatusFailed      FingerStatus = "failed"               // the device never delivered it (see Reason)
)

// Plan is what to capture for one person, as the app derives it from the
// case (age, known exceptions). This package never sees the case itself.
type Plan struct {
	Slaps   []Slap // plain impressions to capture, e.g. RightFour, LeftFour, Thumbs
	Fingers []int  // single fingers (1-10) to capture one at a time
	// Exceptions are fingers known not to be capturable, with the reason; they
	// are skipped and reported with that status.
	Exceptions map[int]FingerStatus
	Threshold  int  // capture quality wanted, 0-100
	Retries    int  // extra attempts per slap or finger when below Threshold
	Face       bool // capture a face photo
}

// Validate reports a plan that cannot be run.
func (p Plan) Validate() error {
	for _, s := range p.Slaps {
		if s < RightFour || s > Thumbs {
			return fmt.Errorf("capture plan: unknown slap %d", s)
		}
	}
	for _, f := range p.Fingers {
		if f < 1 || f > 10 {
			return fmt.Errorf("capture plan: finger position %d, want 1-10", f)
		}
	}
	for f, st := range p.Exceptions {
		if f < 1 || f > 10 {
			return fmt.Errorf("capture plan: exception for finger %d, want 1-10", f)
		}
		switch st {
		case StatusAmputated, StatusUnusable, StatusUnprintable, StatusRefused:
		default:
			return fmt.Errorf("capture plan: exception %q for %s is not a known reason", st, FingerName(f))
		}
	}
	if p.Threshold < 0 || p.Threshold > 100 || p.Retries < 0 || p.Retries > 10 {
		return fmt.Errorf("capture plan: threshold %d (want 0-100), retries %d (want 0-10)", p.Threshold, p.Retries)
	}
	return nil
}

// FingerResult is the stored outcome for one finger.
type FingerResult struct {
	Finger      int          `json:"finger"`
	Status      FingerStatus `json:"status"`
	Slap        Slap         `json:"slap,omitempty"` // the slap it was cut from, NoSlap for a single capture
	PNG         []byte       `json:"png,omitempty"`  // lossless 8-bit grey image
	PPI         int          `json:"ppi,omitempty"`
	Quality     int          `json:"quality"`     // capture quality (biometrics/quality), -1 when not captured
	DeviceScore int          `json:"deviceScore"` // the device's own score, -1 when none
	Attempts    int          `json:"attempts"`
	// Reason says why a finger was accepted below threshold or not captured.
	Reason string    `json:"reason,omitempty"`
	Device Identity  `json:"device,omitempty"`
	At     time.Time `json:"at,omitempty"`
}

// Problem is one failed check on a captured image, with its message in both interface
// languages (the check may put measured values in it).
type Problem struct {
	Code string `json:"code"`
	EN   string `json:"en"`
	NL   string `json:"nl"`
}

// Text is the message in lang ("nl" or "en"; English when there is no Dutch text).
func (p Problem) Text(lang string) string {
	if lang == "nl" && p.NL != "" {
		return p.NL
	}
	return p.EN
}

// UnmarshalJSON also reads the plain English string that face captures stored before
// problems carried both languages.
func (p *Problem) UnmarshalJSON(b []byte) error {
	var old string
	if json.Unmarshal(b, &old) == nil {
		*p = Problem{EN: old}
		return nil
	}
	type plain Problem
	return json.Unmarshal(b, (*plain)(p))
}

// FaceResult is the stored face capture.
type FaceResult struct {
	PNG      []byte    `json:"png"`
	Problems []Problem `json:"problems,omitempty"` // from the face check hook, on the accepted image
	Attempts int       `json:"attempts"`
	Reason   string    `json:"reason,omitempty"`
	Device   Identity  `json:"device"`
	At       time.Time `json:"at"`
}

// Result is the outcome of a plan, ordered by finger position.
type Result struct {
	Fingers  []FingerResult `json:"fingers"`
	Face     *FaceResult    `json:"face,omitempty"`
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
}

// Finger returns the result for a position, or nil.
func (r *Result) Finger(pos int) *FingerResult {
	for i := range r.Fingers {
		if r.Fingers[i].Finger == pos {
			return &r.Fingers[i]
		}
	}
	return nil
}

// Event reports session progress to a UI.
type Event struct {
	Target  Target
	Attempt int
	Stage   Stage
	Score   int   // lowest finger score of the attempt, when scored
	Err     error // a failed attempt
	// Image is the attempt's image (slap, finger or face) when it ends without error, so
	// the capture screen can show what the device just took, large, while it runs. Shown
	// only: what is kept is the Result's best image.
	Image image.Image
}

// Session runs capture plans on paired devices.
type Session struct {
	Fingers Device // fingerprint scanner (needed when the plan has fingers)
	Face    Device // face camera (needed when the plan has a face)
	// Pairings are this terminal's pairings; every device and every capture's
	// reported identity must match one, or the session refuses.
	Pairings []Pairing
	// Score rates a fingerprint; nil = biometrics/quality.
	Score func(img image.Image, ppi int) (int, error)
	// FaceCheck is the hook for the face package's ICAO checks: it returns
	// problems ("eyes closed") or none. Nil = no checks.
	FaceCheck func(img image.Image) []Problem
	Events    func(Event) // optional; must not block
	Now       func() time.Time
}

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Session) score(img image.Image, ppi int) (int, error) {
	if s.Score != nil {
		return s.Score(img, ppi)
	}
	if ppi == 0 {
		ppi = 500
	}
	r, err := quality.Score(img, ppi)
	return r.Score, err
}

func (s *Session) event(e Event) {
	if s.Events != nil {
		s.Events(e)
	}
}

// Run captures the plan. Per slap or finger: capture, score, retry up to the
// budget, and keep the best image of each finger, with a recorded reason when
// it stays below threshold. It stops at once on cancellation or when a device
// is not paired or changed identity (returning what it has so far with the
// error); other device errors use up attempts and end as StatusFailed.
func (s *Session) Run(ctx context.Context, p Plan) (*Result, error) {
	res := &Result{Started: s.now()}
	if err := p.Validate(); err != nil {
		return res, err
	}
	for f, st := range p.Exceptions {
		res.Fingers = append(res.Fingers, FingerResult{Finger: f, Status: st, Quality: -1, DeviceScore: -1,
			Reason: "known before capture"})
	}
	if len(p.Slaps)+len(p.Fingers) > 0 {
		if err := s.checkDevice(s.Fingers, Finger); err != nil {
			return s.finish(res), err
		}
	}
	for _, sl := range p.Slaps {
		var want []int
		for _, f := range sl.Positions() {
			if _, known := p.Exceptions[f]; !known {
				want = append(want, f)
			}
		}
		if len(want) == 0 {
			continue
		}
		t := Target{Kind: Finger, Slap: sl}
		for f := range p.Exceptions {
			t.Skip = append(t.Skip, f)
		}
		sort.Ints(t.Skip)
		got, err := s.fingers(ctx, t, want, p)
		res.Fingers = append(res.Fingers, got...)
		if err != nil {
			return s.finish(res), err
		}
	}
	for _, f := range p.Fingers {
		if _, known := p.Exceptions[f]; known || res.Finger(f) != nil {
			continue
		}
		got, err := s.fingers(ctx, Target{Kind: Finger, Finger: f}, []int{f}, p)
		res.Fingers = append(res.Fingers, got...)
		if err != nil {
			return s.finish(res), err
		}
	}
	if p.Face {
		if err := s.checkDevice(s.Face, Face); err != nil {
			return s.finish(res), err
		}
		fr, err := s.face(ctx, p)
		res.Face = fr
		if err != nil {
			return s.finish(res), err
		}
	}
	return s.finish(res), nil
}

func (s *Session) finish(r *Result) *Result {
	sort.Slice(r.Fingers, func(i, j int) bool { return r.Fingers[i].Finger < r.Fingers[j].Finger })
	r.Finished = s.now()
	return r
}

func (s *Session) checkDevice(d Device, k Kind) error {
	if d == nil {
		return &Error{Code: CodeNotFound, Detail: fmt.Sprintf("no %s device chosen for this capture", k)}
	}
	return Check(s.Pairings, d.Identity())
}

// attempt makes one capture and checks the identity it reports against the
// pairings (a device may change identity mid-session, e.g. an SBI re-key).
func (s *Session) attempt(ctx context.Context, d Device, req Request, n int) (*Capture, error) {
	s.event(Event{Target: req.Target, Attempt: n, Stage: StageWaiting})
	c, err := d.Capture(ctx, req)
	if err == nil {
		err = Check(s.Pairings, c.Device)
	}
	if err != nil {
		s.event(Event{Target: req.Target, Attempt: n, Stage: StageDone, Err: err})
		return nil, err
	}
	return c, nil
}

// fatal errors end the whole plan instead of using up an attempt.
func fatal(err error) bool {
	var ic *IdentityChangedError
	return errors.Is(err, context.Canceled) || errors.Is(err, ErrNotPaired) || errors.As(err, &ic)
}

func (s *Session) fingers(ctx context.Context, t Target, want []int, p Plan) ([]FingerResult, error) {
	best := map[int]*FingerResult{}
	var lastErr error
	attempts := 0
	for attempt := 1; attempt <= 1+p.Retries; attempt++ {
		attempts = attempt
		c, err := s.attempt(ctx, s.Fingers, Request{Target: t, Threshold: p.Threshold}, attempt)
		if err != nil {
			if fatal(err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		low := 101
		for _, f := range want {
			img := c.Finger(f)
			if img == nil {
				continue
			}
			q, err := s.score(img, c.PPI)
			if err != nil {
				q = 0
			}
			low = min(low, q)
			if b := best[f]; b == nil || q > b.Quality {
				pngb, err := encodePNG(img)
				if err != nil {
					return nil, fmt.Errorf("store %s: %w", FingerName(f), err)
				}
				best[f] = &FingerResult{Finger: f, Status: StatusCaptured, Slap: t.Slap, PNG: pngb, PPI: c.PPI, Quality: q,
					DeviceScore: segmentScore(c), Device: c.Device, At: c.At}
			}
		}
		s.event(Event{Target: t, Attempt: attempt, Stage: StageDone, Score: low, Image: c.Image})
		if allAbove(best, want, p.Threshold) {
			break
		}
	}
	var out []FingerResult
	for _, f := range want {
		b := best[f]
		if b == nil {
			r := FingerResult{Finger: f, Status: StatusFailed, Quality: -1, DeviceScore: -1, Attempts: attempts}
			if lastErr != nil {
				r.Reason = fmt.Sprintf("no image after %d attempts: %v", attempts, lastErr)
			} else {
				r.Reason = fmt.Sprintf("the device did not deliver this finger in %d attempts", attempts)
			}
			out = append(out, r)
			continue
		}
		b.Attempts = attempts
		if b.Quality < p.Threshold {
			b.Reason = fmt.Sprintf("best effort: quality %d below threshold %d after %d attempts", b.Quality, p.Threshold, attempts)
		}
		out = append(out, *b)
	}
	return out, nil
}

func allAbove(best map[int]*FingerResult, want []int, th int) bool {
	for _, f := range want {
		if b := best[f]; b == nil || b.Quality < th {
			return false
		}
	}
	return true
}

func segmentScore(c *Capture) int {
	if c.DeviceScore < 0 || c.DeviceScore > 100 {
		return -1
	}
	return c.DeviceScore
}

// Finger cuts finger f out of a fingerprint capture: its segment for slaps,
// the whole image for a single finger; nil when the capture lacks it.
func (c *Capture) Finger(f int) *image.Gray {
	if c.Image == nil {
		return nil
	}
	r := c.Image.Bounds()
	if c.Target.Slap != NoSlap {
		found := false
		for _, s := range c.Segments {
			if s.Finger == f {
				r, found = s.Rect.Intersect(c.Image.Bounds()), true
			}
		}
		if !found || r.Empty() {
			return nil
		}
	}
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(g, g.Bounds(), c.Image, r.Min, draw.Src)
	return g
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (s *Session) face(ctx context.Context, p Plan) (*FaceResult, error) {
	t := Target{Kind: Face}
	var best *FaceResult
	var lastErr error
	for attempt := 1; attempt <= 1+p.Retries; attempt++ {
		c, err := s.attempt(ctx, s.Face, Request{Target: t}, attempt)
		if err != nil {
			if fatal(err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		var problems []Problem
		if s.FaceCheck != nil {
			problems = s.FaceCheck(c.Image)
		}
		if best == nil || len(problems) < len(best.Problems) {
			pngb, err := encodePNG(c.Image)
			if err != nil {
				return nil, fmt.Errorf("store face: %w", err)
			}
			best = &FaceResult{PNG: pngb, Problems: problems, Device: c.Device, At: c.At}
		}
		best.Attempts = attempt
		s.event(Event{Target: t, Attempt: attempt, Stage: StageDone, Image: c.Image})
		if len(problems) == 0 {
			return best, nil
		}
	}
	if best == nil {
		return nil, fmt.Errorf("face: no image after %d attempts: %w", 1+p.Retries, lastErr)
	}
	best.Reason = fmt.Sprintf("best effort after %d attempts: %d check(s) failed", best.Attempts, len(best.Problems))
	return best, nil
}
