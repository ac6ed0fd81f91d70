package central

import (
	"io"
	"testing"
	"time"
)

// TestSweepTakesTheUploadsLock: the sweep of an abandoned upload holds the same lock as
// POST, HEAD and PATCH of that upload (keyed by device and packet), so it never removes an
// upload a request is working on.
func TestSweepTakesTheUploadsLock(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Store: NewMemStore(), EventLog: io.Discard, Logf: func(string, ...any) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const dev, pkt = "devsweeplock000001", "sweeplockpacket01"
	unlock := s.lock(packetKey(dev, pkt)) // what a PATCH of this upload holds
	done := make(chan struct{})
	go func() {
		s.expireUpload(dev, pkt, time.Now())
		close(done)
	}()
	select {
	case <-done:
		unlock()
		t.Fatal("the sweep ran while a request of the same upload held its lock")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	<-done
}
