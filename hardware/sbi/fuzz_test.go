package sbi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// signedResponse builds a valid one-finger RCAPTURE response for the seeds.
func signedResponse(t testing.TB) (*Device, []byte) {
	key, der := testKey(t)
	value, _ := EncodeFinger(testGray(), 2, 60, 500)
	bd := BioData{BioType: "Finger", BioSubType: FingerSubTypes[2], DeviceCode: "SER1", BioValue: b64.EncodeToString(value),
		TransactionID: "fs-1", Timestamp: time.Now().UTC().Format(TimeLayout), QualityScore: "60"}
	pb, _ := json.Marshal(bd)
	tok, _ := Sign(pb, key, der)
	h, _ := ChainHash(FirstHash, value)
	body, _ := json.Marshal(CaptureResponse{Biometrics: []BiometricItem{{SpecVersion: "1.0", Data: tok, Hash: h, Error: ErrorInfo{"0", "Success"}}}})
	d := &Device{ident: hardware.Identity{Driver: "sbi", Kind: hardware.Finger, Serial: "SER1", CertFingerprint: hardware.CertFingerprint(der)},
		skew: 5 * time.Minute, now: time.Now}
	return d, body
}

func TestVerifySignedResponse(t *testing.T) {
	d, body := signedResponse(t)
	var resp CaptureResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	c, head, err := d.verify(resp, hardware.Target{Kind: hardware.Finger, Slap: hardware.RightFour}, "fs-1", FirstHash)
	if err != nil {
		t.Fatal(err)
	}
	if head == FirstHash || len(c.Segments) != 1 || c.Segments[0].Finger != 2 || c.DeviceScore != 60 {
		t.Fatalf("capture %+v head %s", c.Segments, head)
	}
}

func FuzzCaptureResponse(f *testing.F) {
	d, body := signedResponse(f)
	f.Add(body)
	f.Add([]byte(`{"biometrics":[{"data":"a.b.c","hash":"00","error":{"errorCode":"0"}}]}`))
	f.Add([]byte(`{"biometrics":[{"error":{"errorCode":"111","errorInfo":"Device busy"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var resp CaptureResponse
		if json.Unmarshal(b, &resp) != nil {
			return
		}
		c, _, err := d.verify(resp, hardware.Target{Kind: hardware.Finger, Slap: hardware.RightFour}, "fs-1", FirstHash)
		if err == nil && c.Image == nil {
			t.Fatal("verified capture without an image")
		}
	})
}

func FuzzDeviceInfo(f *testing.F) {
	key, der := testKey(f)
	did, _ := json.Marshal(DigitalID{SerialNo: "SER1", Make: "m", Model: "x", Type: "Finger", DeviceSubType: "Slap"})
	didTok, _ := Sign(did, key, der)
	info, _ := json.Marshal(DeviceInfo{DeviceID: "1", DeviceStatus: "Ready", DigitalID: didTok, DeviceSubID: []string{"1", "2", "3"}, Firmware: "1"})
	tok, _ := Sign(info, key, der)
	f.Add(tok, "0")
	f.Add(b64.EncodeToString(info), "100")
	f.Fuzz(func(t *testing.T, s, code string) {
		dv, err := Driver{}.device(InfoItem{DeviceInfo: s, Error: ErrorInfo{ErrorCode: code}}, "http://127.0.0.1:4501/", nil)
		if err == nil && (dv.ident.Kind == "" || dv.base == "") {
			t.Fatal("device without kind or address")
		}
	})
}
