package sbi

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Wire types of SBI 1.0 (MOSIP). Field names follow the specification.

// ErrorInfo is the error object in every SBI response.
type ErrorInfo struct {
	ErrorCode string `json:"errorCode"`
	ErrorInfo string `json:"errorInfo"`
}

// Discovered is one element of the MOSIPDISC response.
type Discovered struct {
	DeviceID       string    `json:"deviceId"`
	DeviceStatus   string    `json:"deviceStatus"`
	Certification  string    `json:"certification"`
	ServiceVersion string    `json:"serviceVersion"`
	DeviceSubID    []string  `json:"deviceSubId"`
	CallbackID     string    `json:"callbackId"`
	DigitalID      string    `json:"digitalId"`
	DeviceCode     string    `json:"deviceCode"`
	SpecVersion    []string  `json:"specVersion"`
	Purpose        string    `json:"purpose"`
	Error          ErrorInfo `json:"error"`
}

// InfoItem is one element of the MOSIPDINFO response.
type InfoItem struct {
	DeviceInfo string    `json:"deviceInfo"`
	Error      ErrorInfo `json:"error"`
}

// DeviceInfo is the signed deviceInfo payload.
type DeviceInfo struct {
	DeviceStatus   string   `json:"deviceStatus"`
	DeviceID       string   `json:"deviceId"`
	Firmware       string   `json:"firmware"`
	Certification  string   `json:"certification"`
	ServiceVersion string   `json:"serviceVersion"`
	DeviceSubID    []string `json:"deviceSubId"`
	CallbackID     string   `json:"callbackId"`
	DigitalID      string   `json:"digitalId"`
	DeviceCode     string   `json:"deviceCode"`
	Env            string   `json:"env"`
	Purpose        string   `json:"purpose"`
	SpecVersion    []string `json:"specVersion"`
}

// DigitalID is the digitalId payload.
type DigitalID struct {
	SerialNo         string `json:"serialNo"`
	Make             string `json:"make"`
	Model            string `json:"model"`
	Type             string `json:"type"`
	DeviceSubType    string `json:"deviceSubType"`
	DeviceProvider   string `json:"deviceProvider"`
	DeviceProviderID string `json:"deviceProviderId"`
	DateTime         string `json:"dateTime"`
}

// CaptureRequest is the RCAPTURE request body.
type CaptureRequest struct {
	Env           string            `json:"env"`
	Purpose       string            `json:"purpose"`
	SpecVersion   string            `json:"specVersion"`
	Timeout       string            `json:"timeout"`
	CaptureTime   string            `json:"captureTime"`
	TransactionID string            `json:"transactionId"`
	Bio           []BioRequest      `json:"bio"`
	CustomOpts    map[string]string `json:"customOpts,omitempty"`
}

// BioRequest is one bio element of a capture request.
type BioRequest struct {
	Type           string   `json:"type"`
	Count          string   `json:"count"`
	BioSubType     []string `json:"bioSubType,omitempty"`
	Exception      []string `json:"exception,omitempty"`
	RequestedScore string   `json:"requestedScore"`
	DeviceID       string   `json:"deviceId"`
	DeviceSubID    string   `json:"deviceSubId"`
	PreviousHash   string   `json:"previousHash"`
}

// CaptureResponse is the RCAPTURE response body.
type CaptureResponse struct {
	Biometrics []BiometricItem `json:"biometrics"`
}

// BiometricItem is one captured biometric.
type BiometricItem struct {
	SpecVersion string    `json:"specVersion"`
	Data        string    `json:"data"`
	Hash        string    `json:"hash"`
	Error       ErrorInfo `json:"error"`
}

// BioData is the signed data payload of a biometric.
type BioData struct {
	DigitalID            string `json:"digitalId"`
	BioType              string `json:"bioType"`
	BioSubType           string `json:"bioSubType"`
	DeviceCode           string `json:"deviceCode"`
	DeviceServiceVersion string `json:"deviceServiceVersion"`
	Purpose              string `json:"purpose"`
	Env                  string `json:"env"`
	BioValue             string `json:"bioValue"`
	TransactionID        string `json:"transactionId"`
	Timestamp            string `json:"timestamp"`
	RequestedScore       string `json:"requestedScore"`
	QualityScore         string `json:"qualityScore"`
}

// StreamRequest is the STREAM request body.
type StreamRequest struct {
	DeviceID    string `json:"deviceId"`
	DeviceSubID string `json:"deviceSubId"`
	Timeout     string `json:"timeout,omitempty"`
}

// TimeLayout is the SBI timestamp format (ISO 8601 UTC).
const TimeLayout = "2006-01-02T15:04:05Z"

// FirstHash is the previousHash of the first capture of a registration: SHA-256 of nothing.
var FirstHash = func() string { h := sha256.Sum256(nil); return strings.ToUpper(hex.EncodeToString(h[:])) }()

// ChainHash is the capture hash: upper-hex SHA-256(prevHashBytes ‖ SHA-256(bioValue)),
// with prevHashBytes the hex-decoded previous hash, as MockMDS computes it.
func ChainHash(prev string, bioValue []byte) (string, error) {
	pb, err := hex.DecodeString(prev)
	if err != nil {
		return "", err
	}
	bh := sha256.Sum256(bioValue)
	h := sha256.Sum256(append(pb, bh[:]...))
	return strings.ToUpper(hex.EncodeToString(h[:])), nil
}

// FingerSubTypes maps ANSI/NIST positions 1-10 to SBI bioSubType names.
var FingerSubTypes = [11]string{"UNKNOWN", "Right Thumb", "Right IndexFinger", "Right MiddleFinger", "Right RingFinger",
	"Right LittleFinger", "Left Thumb", "Left IndexFinger", "Left MiddleFinger", "Left RingFinger", "Left LittleFinger"}

// FingerPosition is the inverse of FingerSubTypes; 0 when unknown.
func FingerPosition(subType string) int {
	for i, s := range FingerSubTypes {
		if i > 0 && strings.EqualFold(s, subType) {
			return i
		}
	}
	return 0
}
