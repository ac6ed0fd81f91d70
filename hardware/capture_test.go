package hardware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

// blurredUntil scripts a scanner whose captures of a target are blurred for
// the first n attempts (n < 0: always).
func blurredUntil(n map[string]int) func(hardware.Target, int) synth.Options {
	return func(t hardware.Target, attempt int) synth.Options {
		if k, ok := n[t.String()]; ok && (k < 0 || attempt <= k) {
			return badCapture
		}
		return synth.Options{}
	}
}

func pairAll(devs ...hardware.Device) []hardware.Pairing {
	var ps []hardware.Pairing
	for _, d := range devs {
		ps = append(ps, hardware.Pairing{ID: d.Identity().ID(), Identity: d.Identity()})
	}
	return ps
}

// badCapture is the defect of a scripted bad attempt: a blurred, faint print.
var badCapture = synth.Options{Blur: 4, Contrast: 0.7}

// separatingThreshold scores every slap finger clean and with badCapture and
// returns a threshold between the worst clean and the best bad finger, so the
// test follows the quality package's calibration instead of fixed numbers.
func separatingThreshold(t *testing.T, seed int64) int {
	t.Helper()
	worstClean, bestBad := 101, -1
	for _, defect := range []synth.Options{{}, badCapture} {
		d := sim.New(hardware.Finger, sim.Options{Seed: seed, Defects: func(hardware.Target, int) synth.Options { return defect }})
		for _, sl := range []hardware.Slap{hardware.RightFour, hardware.LeftFour, hardware.Thumbs} {
			c, err := d.Capture(context.Background(), hardware.Request{Target: hardware.Target{Kind: hardware.Finger, Slap: sl}})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range sl.Positions() {
				r, err := quality.Score(c.Finger(f), c.PPI)
				if err != nil {
					t.Fatal(err)
				}
				if defect == (synth.Options{}) {
					worstClean = min(worstClean, r.Score)
				} else {
					bestBad = max(bestBad, r.Score)
				}
			}
		}
	}
	if bestBad >= worstClean {
		t.Fatalf("the scripted defect no longer lowers quality below clean prints (best bad %d, worst clean %d)", bestBad, worstClean)
	}
	return (worstClean + bestBad + 1) / 2
}

func TestPlanAdultWithExceptions(t *testing.T) {
	threshold := separatingThreshold(t, 5)
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 5, Defects: blurredUntil(map[string]int{
		"slap right four": 1,  // bad once, then good
		"slap left four":  -1, // never good: best effort
	})})
	camera := sim.New(hardware.Face, sim.Options{Seed: 5})
	faceChecks := 0
	var events []hardware.Event
	s := &hardware.Session{Fingers: scanner, Face: camera, Pairings: pairAll(scanner, camera),
		Events: func(e hardware.Event) { events = append(events, e) },
	}
	s.FaceCheck = faceHook(&faceChecks)
	plan := hardware.Plan{
		Slaps:      []hardware.Slap{hardware.RightFour, hardware.LeftFour, hardware.Thumbs},
		Exceptions: map[int]hardware.FingerStatus{4: hardware.StatusAmputated, 6: hardware.StatusUnusable},
		Threshold:  threshold, Retries: 2, Face: true,
	}
	res, err := s.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Fingers) != 10 {
		t.Fatalf("%d finger results, want 10: %+v", len(res.Fingers), res.Fingers)
	}
	for _, tc := range []struct {
		finger   int
		status   hardware.FingerStatus
		attempts int
		below    bool
	}{
		{1, hardware.StatusCaptured, 1, false},
		{2, hardware.StatusCaptured, 2, false},
		{3, hardware.StatusCaptured, 2, false},
		{4, hardware.StatusAmputated, 0, false},
		{5, hardware.StatusCaptured, 2, false},
		{6, hardware.StatusUnusable, 0, false},
		{7, hardware.StatusCaptured, 3, true},
		{10, hardware.StatusCaptured, 3, true},
	} {
		f := res.Finger(tc.finger)
		if f.Status != tc.status || f.Attempts != tc.attempts {
			t.Errorf("%s: status %s attempts %d, want %s %d", hardware.FingerName(tc.finger), f.Status, f.Attempts, tc.status, tc.attempts)
		}
		if tc.status != hardware.StatusCaptured {
			if f.PNG != nil || f.Quality != -1 {
				t.Errorf("%s: exception has an image or a score", hardware.FingerName(tc.finger))
			}
			continue
		}
		if got := f.Quality < threshold; got != tc.below {
			t.Errorf("%s: quality %d, below threshold %v, want %v", hardware.FingerName(tc.finger), f.Quality, got, tc.below)
		}
		if tc.below != strings.Contains(f.Reason, "best effort") {
			t.Errorf("%s: reason %q", hardware.FingerName(tc.finger), f.Reason)
		}
		img, err := png.Decode(bytes.NewReader(f.PNG))
		if err != nil || img.Bounds().Dx() < 100 {
			t.Errorf("%s: stored PNG: %v", hardware.FingerName(tc.finger), err)
		}
		if f.Device.Serial != scanner.Identity().Serial || f.At.IsZero() {
			t.Errorf("%s: device %+v at %v", hardware.FingerName(tc.finger), f.Device, f.At)
		}
	}
	if res.Face == nil || res.Face.Attempts != 2 || len(res.Face.Problems) != 0 || faceChecks != 2 {
		t.Errorf("face: %+v after %d checks; want accepted on the 2nd attempt", res.Face, faceChecks)
	}
	if len(events) == 0 {
		t.Error("no progress events")
	}
	// every attempt that ends well shows its image (the capture screen's large view)
	done := 0
	for _, e := range events {
		if e.Stage == hardware.StageDone && e.Err == nil {
			done++
			if e.Image == nil || e.Image.Bounds().Dx() < 100 {
				t.Errorf("attempt %d at %+v ended without its image", e.Attempt, e.Target)
			}
		}
	}
	if done < 4 {
		t.Errorf("%d attempts ended well, want the three slaps and the face at least", done)
	}
}

// faceHook reports a problem on the first face and none afterwards.
func faceHook(n *int) func(img image.Image) []hardware.Problem {
	return func(img image.Image) []hardware.Problem {
		*n++
		if *n == 1 {
			return []hardware.Problem{{Code: "no_eyes", EN: "eyes not visible", NL: "ogen niet zichtbaar"}}
		}
		return nil
	}
}

// TestProblemLanguagesAndOldRecords: a problem speaks the interface language (English
// when it has no Dutch text), and face captures stored with plain English strings still
// read.
func TestProblemLanguagesAndOldRecords(t *testing.T) {
	p := hardware.Problem{Code: "roll", EN: "Head tilted", NL: "Hoofd gekanteld"}
	if p.Text("nl") != "Hoofd gekanteld" || p.Text("en") != "Head tilted" || (hardware.Problem{EN: "x"}).Text("nl") != "x" {
		t.Fatalf("texts: %q %q", p.Text("nl"), p.Text("en"))
	}
	var old hardware.FaceResult
	if err := json.Unmarshal([]byte(`{"png":null,"problems":["Eyes are 40 px apart"],"attempts":2}`), &old); err != nil {
		t.Fatal(err)
	}
	if len(old.Problems) != 1 || old.Problems[0].Text("nl") != "Eyes are 40 px apart" {
		t.Fatalf("old record: %+v", old.Problems)
	}
	b, _ := json.Marshal(hardware.FaceResult{Problems: []hardware.Problem{p}})
	var back hardware.FaceResult
	if err := json.Unmarshal(b, &back); err != nil || back.Problems[0] != p {
		t.Fatalf("round trip: %+v %v", back.Problems, err)
	}
}

func TestPlanMinorFromCaller(t *testing.T) {
	// The app decides what a minor gives (here: a child under the fingerprint
	// age gives a face only; an older minor has a lower threshold and no
	// retries). The session only follows the plan.
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 9})
	camera := sim.New(hardware.Face, sim.Options{Seed: 9})
	s := &hardware.Session{Fingers: scanner, Face: camera, Pairings: pairAll(camera)}
	res, err := s.Run(context.Background(), hardware.Plan{Face: true})
	if err != nil {
		t.Fatalf("face-only plan with only the camera paired: %v", err)
	}
	if len(res.Fingers) != 0 || res.Face == nil || res.Face.Device.Kind != hardware.Face {
		t.Fatalf("face-only plan: %d fingers, face %+v", len(res.Fingers), res.Face)
	}
	s.Pairings = pairAll(scanner, camera)
	res, err = s.Run(context.Background(), hardware.Plan{Fingers: []int{2, 7}, Threshold: 20,
		Exceptions: map[int]hardware.FingerStatus{7: hardware.StatusRefused}})
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Finger(2); f.Status != hardware.StatusCaptured || f.Attempts != 1 || f.Slap != hardware.NoSlap {
		t.Errorf("right index: %+v", f)
	}
	if f := res.Finger(7); f.Status != hardware.StatusRefused || f.PNG != nil {
		t.Errorf("left index refused: %+v", f)
	}
}

func TestSessionRefusesUnpairedAndChangedDevices(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 1})
	plan := hardware.Plan{Fingers: []int{1}}
	s := &hardware.Session{Fingers: scanner}
	if _, err := s.Run(context.Background(), plan); !errors.Is(err, hardware.ErrNotPaired) {
		t.Fatalf("unpaired scanner: got %v, want ErrNotPaired", err)
	}
	s.Pairings = pairAll(scanner)
	scanner.SetFirmware("sim-2.0")
	_, err := s.Run(context.Background(), plan)
	var ic *hardware.IdentityChangedError
	if !errors.As(err, &ic) || len(ic.Fields) != 1 || ic.Fields[0] != "firmware" {
		t.Fatalf("scanner with new firmware: got %v, want IdentityChangedError naming firmware", err)
	}
	if hardware.Sentence(err, "nl") == hardware.Sentence(err, "en") {
		t.Error("identity-changed sentence not translated")
	}
}

func TestSessionDeviceFailuresUseAttempts(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 1})
	scanner.Fail(hardware.ErrBusy, hardware.ErrBusy)
	s := &hardware.Session{Fingers: scanner, Pairings: pairAll(scanner)}
	res, err := s.Run(context.Background(), hardware.Plan{Fingers: []int{3}, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Finger(3); f.Status != hardware.StatusFailed || f.Attempts != 2 || !strings.Contains(f.Reason, "busy") {
		t.Fatalf("finger after two busy answers: %+v", f)
	}
	scanner.Fail(hardware.ErrBusy)
	res, err = s.Run(context.Background(), hardware.Plan{Fingers: []int{3}, Retries: 1})
	if err != nil || res.Finger(3).Status != hardware.StatusCaptured || res.Finger(3).Attempts != 2 {
		t.Fatalf("busy once then fine: %v %+v", err, res.Finger(3))
	}
}

func TestSessionCancel(t *testing.T) {
	scanner := sim.New(hardware.Finger, sim.Options{Seed: 1, Latency: 5 * time.Second})
	s := &hardware.Session{Fingers: scanner, Pairings: pairAll(scanner)}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	ctx2, cancel2 := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel2)
	_, err := s.Run(ctx2, hardware.Plan{Fingers: []int{1, 2, 3}, Retries: 3})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled plan: %v", err)
	}
}

func TestPlanValidate(t *testing.T) {
	for name, p := range map[string]hardware.Plan{
		"finger 11":      {Fingers: []int{11}},
		"bad slap":       {Slaps: []hardware.Slap{9}},
		"bad exception":  {Exceptions: map[int]hardware.FingerStatus{2: "lost"}},
		"threshold 101":  {Threshold: 101},
		"negative retry": {Retries: -1},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
