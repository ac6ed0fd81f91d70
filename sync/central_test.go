package sync_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestConfigETagAndCheckpoint: the second drain asks for config with If-None-Match and gets
// 304; central countersigns growing audit checkpoints and refuses a rolled-back one.
func TestConfigETagAndCheckpoint(t *testing.T) {
	var notModified atomic.Int32
	c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/config" && r.Header.Get("If-None-Match") != "" {
				notModified.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{})
	for i := 0; i < 2; i++ {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if notModified.Load() != 1 {
		t.Fatalf("conditional config requests: %d, want 1", notModified.Load())
	}
	d, err := c.srv.Store().Device(en.DeviceID)
	if err != nil || d.Checkpoint == nil || d.Checkpoint.Size == 0 {
		t.Fatalf("central's checkpoint %+v %v", d.Checkpoint, err)
	}
	cl, _ := fsync.NewClient(en, 5*time.Second)
	cp := *d.Checkpoint
	cp.Size--
	raw, _ := json.Marshal(cp)
	_, err = cl.Checkpoint(context.Background(), fsync.CheckpointRequest{Checkpoint: raw, From: cp.Size,
		Signature: ed25519.Sign(ed25519.PrivateKey(en.Key), append([]byte(fsync.DomainCheckpoint), raw...))})
	var he *fsync.HTTPError
	if !errors.As(err, &he) || he.Problem.Code != "audit-rollback" {
		t.Fatalf("rolled-back checkpoint: %v", err)
	}
	// A checkpoint signed by someone else is refused.
	cp.Size += 5
	raw, _ = json.Marshal(cp)
	_, err = cl.Checkpoint(context.Background(), fsync.CheckpointRequest{Checkpoint: raw, Signature: make([]byte, 64)})
	if !errors.As(err, &he) || he.Status != 422 {
		t.Fatalf("forged checkpoint: %v", err)
	}
}

// TestRateLimit: a device over its rate gets 429 with Retry-After, and the worker treats
// it as a retry, not a refusal.
func TestRateLimit(t *testing.T) {
	c := startCentral(t, central.Options{Rate: 0.001, Burst: 2})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	cl, _ := fsync.NewClient(en, 5*time.Second)
	var last error
	for i := 0; i < 3; i++ {
		_, last = cl.Time(context.Background())
	}
	var he *fsync.HTTPError
	if !errors.As(last, &he) || he.Status != 429 || he.RetryAfter < time.Second || !he.Retryable() {
		t.Fatalf("third request: %v", last)
	}
	enqueueCases(t, term, 1, "TESTPERSON JULIET", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), nil, nil)
	})
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Refused != 0 || rep.Pending != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// TestRateLimitAfterDrain: a drain that spends the terminal's request rate is followed by
// the results, config and checkpoint requests; their 429s are waited out (Retry-After, up
// to MaxWait), so a sync that delivered everything does not end in an error (seen in the
// CLI's kill test as "pull results: central answered 429").
func TestRateLimitAfterDrain(t *testing.T) {
	c := startCentral(t, central.Options{Rate: 2, Burst: 3})
	term := newTerminal(t)
	enrol(t, term, c, "")
	enqueueCases(t, term, 8, "TESTPERSON MIKE", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), nil, nil)
	})
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Minute})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Refused != 0 || rep.Pending != 0 || rep.Delivered != 8 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// forgeWriter replaces the receipt's signature on its way out.
type forgeWriter struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (f *forgeWriter) Write(b []byte) (int, error) { return f.buf.Write(b) }

// TestForgedReceiptNotDelivered: a receipt whose signature does not verify with the key
// from enrolment (a forging proxy) does not count: the packet stays pending with the reason.
func TestForgedReceiptNotDelivered(t *testing.T) {
	var forge atomic.Bool
	forge.Store(true)
	c := startCentral(t, central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut || !forge.Load() {
				h.ServeHTTP(w, r)
				return
			}
			fw := &forgeWriter{ResponseWriter: w}
			h.ServeHTTP(fw, r)
			var s fsync.Signed
			json.Unmarshal(fw.buf.Bytes(), &s)
			s.Signature[0] ^= 0xff
			json.NewEncoder(w).Encode(s)
		})
	}})
	term := newTerminal(t)
	enrol(t, term, c, "")
	ids := enqueueCases(t, term, 1, "TESTPERSON LIMA", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), nil, nil)
	})
	w, _ := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond})
	rep, err := w.RunOnce(context.Background())
	r := rows(t, term)[ids[0]]
	if err != nil || rep.Delivered != 0 || r.State != fsync.StatePending || !strings.Contains(r.LastError, "signature does not verify") {
		t.Fatalf("%+v %v; row %s %q", rep, err, r.State, r.LastError)
	}
	// With honest answers the retry gets central's stored receipt.
	forge.Store(false)
	clk := time.Now().Add(time.Hour)
	w, _ = fsync.NewWorker(term.v, term.s, fsync.Options{Now: func() time.Time { return clk }})
	if rep, err := w.RunOnce(context.Background()); err != nil || rep.Delivered != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
}
