// Package devsim is a MOSIP SBI 1.0 device service simulator: a fingerprint
// slap scanner and a face camera on 127.0.0.1, signing with its own device
// certificate, with MockMDS-style control endpoints (status, forced quality
// score, delay, biometric profile) plus fault injection (bad signature,
// changed certificate, wrong transaction ID, clock skew). The command
// fieldscreen-devsim serves it; tests start that command as a real process.
//
// It is a test and demo tool: it implements what the sbi driver needs, not
// every corner of the specification (no auth CAPTURE, no encrypted bioValue).
package devsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/synth"
	"github.com/fieldscreen/fieldscreen/hardware/sbi"
)

// Faults the simulator can inject.
const (
	FaultNone             = ""
	FaultBadSignature     = "bad-signature"     // capture data signatures do not verify
	FaultChangedCert      = "changed-cert"      // the service re-keys with a new certificate
	FaultWrongTransaction = "wrong-transaction" // capture data carries another transactionId
	FaultClockSkew        = "clock-skew"        // capture timestamps 10 minutes off
	FaultBadHash          = "bad-hash"          // capture hash does not follow the chain
	FaultExpiredCert      = "expired-cert"      // the service re-keys with a certificate that has expired
)

// Device IDs and serial numbers of the two simulated devices.
const (
	FingerDeviceID = "1"
	FaceDeviceID   = "2"
	FingerSerial   = "FSDEVSIM0001F"
	FaceSerial     = "FSDEVSIM0002C"
	Firmware       = "devsim-1.0.0"
)

// Service is one simulated SBI device service.
type Service struct {
	port int

	mu     sync.Mutex
	key    *rsa.PrivateKey
	cert   []byte
	status string // Ready, Busy, Not Ready, Not Registered
	score  int    // forced quality score; -1 = computed
	delay  time.Duration
	seed   int64
	defect synth.Options
	fault  string
	fps    int

	infoVerb string

	capturing sync.Mutex
}

// Options configure a Service.
type Options struct {
	Port    int    // the port it will be reached on (for callbackId)
	CertDir string // load key.pem/cert.pem from here, or create them there; "" = fresh key in memory
	Seed    int64  // the synthetic person
	// InfoVerb, when set, is the only device-info verb answered ("MOSIPINFO" or
	// "MOSIPDINFO"): services differ in the spelling and clients must cope.
	InfoVerb string
	FPS      int // preview frames per second; default 15
}

// New makes a service with its device key and certificate.
func New(opt Options) (*Service, error) {
	s := &Service{port: opt.Port, status: "Ready", score: -1, seed: opt.Seed, fps: opt.FPS, infoVerb: opt.InfoVerb}
	if s.fps <= 0 {
		s.fps = 15
	}
	var err error
	if opt.CertDir != "" {
		s.key, s.cert, err = loadOrCreateKey(opt.CertDir)
	} else {
		s.key, s.cert, err = newKey()
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// CertDER returns the current device certificate.
func (s *Service) CertDER() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cert
}

func newKey() (*rsa.PrivateKey, []byte, error) {
	return newKeyValid(time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour))
}

// newKeyValid makes a device key with a self-signed certificate valid in [from, to].
func newKeyValid(from, to time.Time) (*rsa.PrivateKey, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("device key: %w", err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "fieldscreen-devsim device key", Organization: []string{"fieldscreen test devices"}},
		NotBefore:    from,
		NotAfter:     to,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("device certificate: %w", err)
	}
	return key, der, nil
}

func loadOrCreateKey(dir string) (*rsa.PrivateKey, []byte, error) {
	kp, cp := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	kb, kerr := os.ReadFile(kp)
	cb, cerr := os.ReadFile(cp)
	if kerr == nil && cerr == nil {
		kblk, _ := pem.Decode(kb)
		cblk, _ := pem.Decode(cb)
		if kblk == nil || cblk == nil {
			return nil, nil, fmt.Errorf("cert dir %s: key.pem or cert.pem is not PEM: delete both to make new ones", dir)
		}
		key, err := x509.ParsePKCS1PrivateKey(kblk.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("cert dir %s: key.pem: %w", dir, err)
		}
		return key, cblk.Bytes, nil
	}
	key, der, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("cert dir: %w", err)
	}
	if err := os.WriteFile(kp, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return nil, nil, fmt.Errorf("cert dir: %w", err)
	}
	if err := os.WriteFile(cp, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, nil, fmt.Errorf("cert dir: %w", err)
	}
	return key, der, nil
}

// ServeHTTP dispatches SBI verbs and the /admin control endpoints.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "OPTIONS, RCAPTURE, CAPTURE, MOSIPDINFO, MOSIPINFO, MOSIPDISC, STREAM, GET, POST")
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		s.admin(w, r)
		return
	}
	switch r.Method {
	case "OPTIONS":
		w.WriteHeader(http.StatusOK)
	case "MOSIPDISC":
		s.discover(w, r)
	case "MOSIPDINFO", "MOSIPINFO":
		if s.infoVerb != "" && r.Method != s.infoVerb {
			http.Error(w, "method not supported by this SBI service", http.StatusMethodNotAllowed)
			return
		}
		s.info(w, r)
	case "RCAPTURE":
		s.capture(w, r)
	case "STREAM":
		s.stream(w, r)
	default:
		http.Error(w, "method not supported by this SBI service", http.StatusMethodNotAllowed)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func okInfo() sbi.ErrorInfo { return sbi.ErrorInfo{ErrorCode: "0", ErrorInfo: "Success"} }

type simDevice struct {
	id, serial, typ, subType, model string
	subIDs                          []string
}

var devices = []simDevice{
	{FingerDeviceID, FingerSerial, "Finger", "Slap", "DEVSIM-SLAP-442", []string{"1", "2", "3"}},
	{FaceDeviceID, FaceSerial, "Face", "Full face", "DEVSIM-FACE-1", []string{"0"}},
}

func (s *Service) digitalID(d simDevice) []byte {
	b, _ := json.Marshal(sbi.DigitalID{SerialNo: d.serial, Make: "fieldscreen", Model: d.model, Type: d.typ,
		DeviceSubType: d.subType, DeviceProvider: "fieldscreen test devices", DeviceProviderID: "fieldscreen.devsim",
		DateTime: time.Now().UTC().Format(sbi.TimeLayout)})
	return b
}

func (s *Service) callback() string { return fmt.Sprintf("http://127.0.0.1:%d/", s.port) }

func (s *Service) discover(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Type string `json:"type"`
	}
	json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
	s.mu.Lock()
	status := s.status
	s.mu.Unlock()
	out := []sbi.Discovered{}
	for _, d := range devices {
		if req.Type != "" && req.Type != "Biometric Device" && !strings.EqualFold(req.Type, d.typ) {
			continue
		}
		purpose := "Registration"
		if status == "Not Registered" {
			purpose = ""
		}
		out = append(out, sbi.Discovered{DeviceID: d.id, DeviceStatus: status, Certification: "L0", ServiceVersion: Firmware,
			DeviceSubID: d.subIDs, CallbackID: s.callback(), DigitalID: b64(s.digitalID(d)), DeviceCode: d.serial,
			SpecVersion: []string{"1.0"}, Purpose: purpose, Error: okInfo()})
	}
	writeJSON(w, out)
}

func b64(b []byte) string { return sbiB64.EncodeToString(b) }

func (s *Service) info(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status, key, cert := s.status, s.key, s.cert
	s.mu.Unlock()
	var out []sbi.InfoItem
	for _, d := range devices {
		did, err := sbi.Sign(s.digitalID(d), key, cert)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		info := sbi.DeviceInfo{DeviceStatus: status, DeviceID: d.id, Firmware: Firmware, Certification: "L0",
			ServiceVersion: Firmware, DeviceSubID: d.subIDs, CallbackID: s.callback(), DigitalID: did,
			DeviceCode: d.serial, Env: "Developer", Purpose: "Registration", SpecVersion: []string{"1.0"}}
		pb, _ := json.Marshal(info)
		if status == "Not Registered" {
			info.Purpose = ""
			pb, _ = json.Marshal(info)
			out = append(out, sbi.InfoItem{DeviceInfo: b64(pb), Error: sbi.ErrorInfo{ErrorCode: "100", ErrorInfo: "Device not registered"}})
			continue
		}
		tok, err := sbi.Sign(pb, key, cert)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		out = append(out, sbi.InfoItem{DeviceInfo: tok, Error: okInfo()})
	}
	writeJSON(w, out)
}

func errorResponse(w http.ResponseWriter, code, info string) {
	writeJSON(w, sbi.CaptureResponse{Biometrics: []sbi.BiometricItem{{SpecVersion: "1.0", Error: sbi.ErrorInfo{ErrorCode: code, ErrorInfo: info}}}})
}

// statusError is the SBI error for a status other than Ready, or "".
func statusError(status string) (string, string) {
	switch status {
	case "Busy":
		return "111", "Device busy"
	case "Not Ready":
		return "110", "Device not ready"
	case "Not Registered":
		return "100", "Device not registered"
	}
	return "", ""
}

func (s *Service) capture(w http.ResponseWriter, r *http.Request) {
	var req sbi.CaptureRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Bio) != 1 {
		errorResponse(w, "102", "Technical error: request is not a capture request with one bio element")
		return
	}
	if l := len(req.TransactionID); l < 4 || l > 50 || strings.Trim(req.TransactionID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
		errorResponse(w, "112", "Invalid transaction ID")
		return
	}
	s.mu.Lock()
	status, delay, fault := s.status, s.delay, s.fault
	s.mu.Unlock()
	if code, info := statusError(status); code != "" {
		errorResponse(w, code, info)
		return
	}
	if !s.capturing.TryLock() {
		errorResponse(w, "111", "Device busy")
		return
	}
	defer s.capturing.Unlock()
	bio := req.Bio[0]
	// A slow device: the client's own deadline decides when to give up.
	if delay > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(delay):
		}
	}
	items, err := s.makeItems(req, bio, fault)
	if err != nil {
		errorResponse(w, "109", err.Error())
		return
	}
	writeJSON(w, sbi.CaptureResponse{Biometrics: items})
}
