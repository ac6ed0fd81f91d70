package devsim

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestControlRejectsBadValues(t *testing.T) {
	s, err := New(Options{Port: 4501})
	if err != nil {
		t.Fatal(err)
	}
	bad, big, neg, unknown := 101, -2, -5, "melt"
	for _, tc := range []struct {
		path string
		c    Control
		want string
	}{
		{"/admin/status", Control{Status: "Asleep"}, "want Ready"},
		{"/admin/score", Control{Score: &bad}, "score"},
		{"/admin/score", Control{Score: &big}, "score"},
		{"/admin/delay", Control{DelayMS: &neg}, "delayMs"},
		{"/admin/fault", Control{Fault: &unknown}, "unknown"},
		{"/admin/reboot", Control{}, "unknown"},
	} {
		if err := s.Apply(tc.path, tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: %v, want an error with %q", tc.path, tc.c, err, tc.want)
		}
	}
	old := s.CertDER()
	changed := FaultChangedCert
	if err := s.Apply("/admin/fault", Control{Fault: &changed}); err != nil {
		t.Fatal(err)
	}
	if string(s.CertDER()) == string(old) {
		t.Error("changed-cert kept the certificate")
	}
}

func TestHTTPSurface(t *testing.T) {
	s, err := New(Options{Port: 4501, InfoVerb: "MOSIPINFO"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"GET", "/admin/status", "", http.StatusMethodNotAllowed},
		{"POST", "/admin/status", "{not json", http.StatusBadRequest},
		{"POST", "/admin/status", `{"status":"Busy"}`, http.StatusOK},
		{"DELETE", "/capture", "", http.StatusMethodNotAllowed},
		{"MOSIPDINFO", "/info", "", http.StatusMethodNotAllowed},
		{"MOSIPINFO", "/info", "", http.StatusOK},
		{"OPTIONS", "/capture", "", http.StatusOK},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)))
		if rec.Code != tc.code {
			t.Errorf("%s %s: HTTP %d, want %d", tc.method, tc.path, rec.Code, tc.code)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("RCAPTURE", "/capture", strings.NewReader(`{"transactionId":"x!","bio":[{"type":"Finger"}]}`)))
	if !strings.Contains(rec.Body.String(), `"errorCode":"112"`) {
		t.Errorf("bad transaction ID: %s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("RCAPTURE", "/capture", strings.NewReader(`{"transactionId":"abcd-1","bio":[{"type":"Finger","deviceSubId":"2"}]}`)))
	if !strings.Contains(rec.Body.String(), `"errorCode":"111"`) {
		t.Errorf("capture while Busy: %s", rec.Body.String())
	}
}
