package devsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	"github.com/fieldscreen/fieldscreen/hardware/sbi"
)

var sbiB64 = base64.RawURLEncoding

// slapFor maps an SBI finger deviceSubId to the synth slap: 1 left, 2 right, 3 thumbs.
func slapFor(subID string) (synth.SlapKind, bool) {
	switch subID {
	case "1":
		return synth.LeftFour, true
	case "2":
		return synth.RightFour, true
	case "3":
		return synth.Thumbs, true
	}
	return 0, false
}

type sample struct {
	subType string
	value   []byte
	score   int
}

// makeItems captures the requested modality and builds the signed, hash-chained items.
func (s *Service) makeItems(req sbi.CaptureRequest, bio sbi.BioRequest, fault string) ([]sbi.BiometricItem, error) {
	s.mu.Lock()
	seed, defect, forced, key, cert := s.seed, s.defect, s.score, s.key, s.cert
	s.mu.Unlock()
	var dev simDevice
	var samples []sample
	switch bio.Type {
	case "Finger":
		dev = devices[0]
		kind, ok := slapFor(bio.DeviceSubID)
		if !ok {
			return nil, fmt.Errorf("Requested number of biometrics not supported: deviceSubId %q", bio.DeviceSubID)
		}
		skip := map[int]bool{}
		for _, e := range bio.Exception {
			skip[sbi.FingerPosition(e)] = true
		}
		img, rects := synth.Slap(seed, kind, defect)
		for i, pos := range kind.Positions() {
			if skip[pos] || i >= len(rects) {
				continue
			}
			crop := image.NewGray(image.Rect(0, 0, rects[i].Dx(), rects[i].Dy()))
			draw.Draw(crop, crop.Bounds(), img, rects[i].Min, draw.Src)
			score := forced
			if score < 0 {
				q, err := quality.Score(crop, synth.PPI)
				if err == nil {
					score = q.Score
				} else {
					score = 0
				}
			}
			v, err := sbi.EncodeFinger(crop, pos, score, synth.PPI)
			if err != nil {
				return nil, err
			}
			samples = append(samples, sample{sbi.FingerSubTypes[pos], v, score})
		}
	case "Face":
		dev = devices[1]
		v, err := sbi.EncodeFace(synth.Face(seed, 480, 640))
		if err != nil {
			return nil, err
		}
		score := forced
		if score < 0 {
			score = 90
		}
		samples = append(samples, sample{"", v, score})
	default:
		return nil, fmt.Errorf("Requested number of biometrics not supported: type %q", bio.Type)
	}
	did, err := sbi.Sign(s.digitalID(dev), key, cert)
	if err != nil {
		return nil, err
	}
	prev := bio.PreviousHash
	if prev == "" {
		prev = sbi.FirstHash
	}
	now := time.Now().UTC()
	if fault == FaultClockSkew {
		now = now.Add(-10 * time.Minute)
	}
	txn := req.TransactionID
	if fault == FaultWrongTransaction {
		txn = "DEVSIM-OTHER-TXN"
	}
	var items []sbi.BiometricItem
	for _, sm := range samples {
		data := sbi.BioData{DigitalID: did, BioType: bio.Type, BioSubType: sm.subType, DeviceCode: dev.serial,
			DeviceServiceVersion: Firmware, Purpose: "Registration", Env: req.Env, BioValue: sbiB64.EncodeToString(sm.value),
			TransactionID: txn, Timestamp: now.Format(sbi.TimeLayout), RequestedScore: bio.RequestedScore,
			QualityScore: strconv.Itoa(sm.score)}
		pb, _ := json.Marshal(data)
		tok, err := sbi.Sign(pb, key, cert)
		if err != nil {
			return nil, err
		}
		if fault == FaultBadSignature {
			tok = tok[:len(tok)-8] + flip(tok[len(tok)-8:])
		}
		h, err := sbi.ChainHash(prev, sm.value)
		if err != nil {
			return nil, fmt.Errorf("previousHash is not hex")
		}
		prev = h
		if fault == FaultBadHash {
			h = sbi.FirstHash
		}
		items = append(items, sbi.BiometricItem{SpecVersion: "1.0", Data: tok, Hash: h, Error: okInfo()})
	}
	return items, nil
}

// flip changes base64url characters so the signature bytes differ.
func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

// stream sends JPEG preview frames as multipart/x-mixed-replace until the
// client goes away or the timeout (ms, default 5 min) ends.
func (s *Service) stream(w http.ResponseWriter, r *http.Request) {
	var req sbi.StreamRequest
	json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
	s.mu.Lock()
	status, seed, fps := s.status, s.seed, s.fps
	s.mu.Unlock()
	var img image.Image
	switch req.DeviceID {
	case FingerDeviceID:
		kind, ok := slapFor(req.DeviceSubID)
		if !ok {
			kind = synth.RightFour
		}
		img, _ = synth.Slap(seed, kind, synth.Options{})
	case FaceDeviceID:
		img = synth.Face(seed, 480, 640)
	default:
		writeJSON(w, sbi.ErrorInfo{ErrorCode: "202", ErrorInfo: "No Device Connected"})
		return
	}
	if code, info := statusError(status); code != "" {
		writeJSON(w, sbi.ErrorInfo{ErrorCode: code, ErrorInfo: info})
		return
	}
	var jb bytes.Buffer
	jpeg.Encode(&jb, img, &jpeg.Options{Quality: 75})
	frame := jb.Bytes()
	timeout := 5 * time.Minute
	if ms, err := strconv.Atoi(req.Timeout); err == nil && ms > 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	mw := multipart.NewWriter(w)
	mw.SetBoundary("BoundaryString")
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=BoundaryString")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	end := time.After(timeout)
	tick := time.NewTicker(time.Second / time.Duration(fps))
	defer tick.Stop()
	for {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", "image/jpeg")
		h.Set("Content-Length", strconv.Itoa(len(frame)))
		pw, err := mw.CreatePart(h)
		if err != nil {
			return
		}
		if _, err := pw.Write(frame); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-end:
			mw.Close()
			return
		case <-tick.C:
		}
	}
}

// Control is the body of the /admin endpoints (all optional).
type Control struct {
	Status  string   `json:"status,omitempty"`  // Ready, Busy, Not Ready, Not Registered
	Score   *int     `json:"score,omitempty"`   // forced quality score; -1 = computed
	DelayMS *int     `json:"delayMs,omitempty"` // capture latency
	Seed    *int64   `json:"seed,omitempty"`    // biometric profile: the synthetic person
	Blur    *float64 `json:"blur,omitempty"`    // profile defects
	Noise   *float64 `json:"noise,omitempty"`
	Fault   *string  `json:"fault,omitempty"` // one of the Fault constants; "" clears
}

func (s *Service) admin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "admin endpoints take POST", http.StatusMethodNotAllowed)
		return
	}
	var c Control
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&c); err != nil {
		http.Error(w, "admin: body is not JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.Apply(r.URL.Path, c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]string{"result": "ok"})
}

// Apply changes the simulator's state as the /admin/<what> endpoint would.
func (s *Service) Apply(path string, c Control) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch path {
	case "/admin/status":
		switch c.Status {
		case "Ready", "Busy", "Not Ready", "Not Registered":
			s.status = c.Status
		default:
			return fmt.Errorf("admin status %q: want Ready, Busy, Not Ready or Not Registered", c.Status)
		}
	case "/admin/score":
		if c.Score == nil || *c.Score < -1 || *c.Score > 100 {
			return fmt.Errorf("admin score: want score -1..100")
		}
		s.score = *c.Score
	case "/admin/delay":
		if c.DelayMS == nil || *c.DelayMS < 0 {
			return fmt.Errorf("admin delay: want delayMs >= 0")
		}
		s.delay = time.Duration(*c.DelayMS) * time.Millisecond
	case "/admin/profile":
		if c.Seed != nil {
			s.seed = *c.Seed
		}
		if c.Blur != nil {
			s.defect.Blur = *c.Blur
		}
		if c.Noise != nil {
			s.defect.Noise = *c.Noise
		}
	case "/admin/fault":
		if c.Fault == nil {
			return fmt.Errorf("admin fault: want fault")
		}
		switch *c.Fault {
		case FaultNone, FaultBadSignature, FaultWrongTransaction, FaultClockSkew, FaultBadHash:
			s.fault = *c.Fault
		case FaultChangedCert, FaultExpiredCert:
			key, cert, err := newKey()
			if *c.Fault == FaultExpiredCert {
				key, cert, err = newKeyValid(time.Now().Add(-60*24*time.Hour), time.Now().Add(-24*time.Hour))
			}
			if err != nil {
				return err
			}
			s.key, s.cert = key, cert
		default:
			return fmt.Errorf("admin fault %q: unknown", *c.Fault)
		}
	default:
		return fmt.Errorf("admin endpoint %s: unknown (status, score, delay, profile, fault)", path)
	}
	return nil
}
