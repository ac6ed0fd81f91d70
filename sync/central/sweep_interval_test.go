package central

import (
	"testing"
	"time"
)

// TestSweepInterval: hourly, and at least four sweeps per upload lifetime.
func TestSweepInterval(t *testing.T) {
	for _, tc := range []struct{ ttl, want time.Duration }{
		{DefaultUploadTTL, time.Hour},
		{4 * time.Hour, time.Hour},
		{time.Hour, 15 * time.Minute},
		{2 * time.Second, time.Second}, // never a busy loop
	} {
		s := &Server{opt: Options{UploadTTL: tc.ttl}}
		if got := s.sweepInterval(); got != tc.want {
			t.Errorf("UploadTTL %s: sweep every %s, want %s", tc.ttl, got, tc.want)
		}
	}
}
