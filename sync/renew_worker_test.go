package sync_test

import (
	"bytes"
	"context"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestDrainRenewsADueCertificate: when less than RenewBefore is left on the terminal's
// certificate (the worker's clock is 340 days after the enrolment), a drain renews it
// first and sends its packets with the new certificate; the vault keeps the new one.
func TestDrainRenewsADueCertificate(t *testing.T) {
	var (
		mu       gosync.Mutex
		putCerts [][]byte
	)
	c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
				mu.Lock()
				putCerts = append(putCerts, r.TLS.PeerCertificates[0].Raw)
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	}})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	enqueueCases(t, term, 2, "TESTPERSON MIKE", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON MIKE"}, nil)
	})
	later := time.Now().Add(340 * 24 * time.Hour)
	if !fsync.RenewDue(en, later) {
		t.Fatal("a one-year certificate must be due for renewal 340 days on")
	}
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, Now: func() time.Time { return later }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := w.RunOnce(context.Background())
	if err != nil || !rep.Renewed || rep.RenewErr != nil || rep.Delivered != 2 {
		t.Fatalf("drain %+v %v: want the certificate renewed and both packets delivered", rep, err)
	}
	stored, err := fsync.LoadEnrolmentFrom(term.s)
	if err != nil || bytes.Equal(stored.Cert, en.Cert) {
		t.Fatalf("the vault still holds the old certificate (%v)", err)
	}
	if fsync.RenewDue(stored, time.Now()) {
		t.Fatal("the renewed certificate is due at once")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(putCerts) != 2 {
		t.Fatalf("%d PUTs seen, want 2", len(putCerts))
	}
	for _, der := range putCerts {
		if !bytes.Equal(der, stored.Cert) {
			t.Fatal("a packet went with the old certificate after the renewal")
		}
	}
}
