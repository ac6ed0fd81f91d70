package sync_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestRotatedTLSAndReceiptKeys: central's operator rotates the TLS and receipt keys while
// a terminal keeps queueing packets. The next keys are announced in the signed config
// (signed by the current receipt key); the terminal stores them with the config, and
// after `keys activate` central presents the new TLS key and signs with the new receipt
// key: the packets queued before and after the switch are delivered once each, every
// receipt verifies, nothing is refused, and the terminal moves to the new keys. A terminal
// that never pulled the announcement refuses the new TLS key (the pin still protects it).
func TestRotatedTLSAndReceiptKeys(t *testing.T) {
	c := startCentral(t, central.Options{})
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	late := newTerminal(t) // enrolled, but never syncs before the switch
	enrol(t, late, c, "")
	oldPin, oldReceipt := en.ServerPin, en.ReceiptKey

	var results []fsync.Result
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 20 * time.Second,
		Applier: func(tx *vault.Tx, r fsync.Result) error { results = append(results, r); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewCheckPacket(string(id), []string{"TESTPERSON ROMEO"}, nil)
	}
	var sent []string
	drain := func(step string, n int) {
		t.Helper()
		sent = append(sent, enqueueCases(t, term, n, "TESTPERSON ROMEO", mk)...)
		rep, err := w.RunOnce(context.Background())
		if err != nil || rep.Delivered != n || rep.Refused != 0 || rep.Pending != 0 {
			t.Fatalf("%s: drain %+v %v", step, rep, err)
		}
	}
	drain("before the rotation", 2)

	c.stop()
	nextReceipt, nextPin := announceNextKeys(t, c)
	if _, err := central.RotateTLSKey(c.dir); !errors.Is(err, central.ErrRotationPending) {
		t.Fatalf("a second rotation before activation: %v", err)
	}
	if _, err := central.ActivateKeys(c.dir, time.Hour, time.Now()); err == nil {
		t.Fatal("activation of keys announced seconds ago passed the one-hour minimum")
	}
	c = c.restart(t, central.Options{})
	if got := fsync.SPKIPin(c.srv.Keys().Server.Leaf); got != oldPin {
		t.Fatal("central switched TLS key at announcement")
	}
	drain("announcement", 2)
	stored, err := fsync.LoadEnrolmentFrom(term.s)
	if err != nil {
		t.Fatal(err)
	}
	if stored.NextServerPin != nextPin || !bytes.Equal(stored.NextReceiptKey, nextReceipt) || stored.ServerPin != oldPin {
		t.Fatalf("terminal after the announcement: pin %s next %s, next receipt key %x", stored.ServerPin, stored.NextServerPin, stored.NextReceiptKey)
	}
	// Queued while central switches: delivered after it.
	sent = append(sent, enqueueCases(t, term, 3, "TESTPERSON ROMEO", mk)...)

	c.stop()
	acts, err := central.ActivateKeys(c.dir, 0, time.Now())
	if err != nil || len(acts) != 2 {
		t.Fatalf("activate: %+v %v", acts, err)
	}
	c = c.restart(t, central.Options{})
	if got := fsync.SPKIPin(c.srv.Keys().Server.Leaf); got != nextPin {
		t.Fatalf("central presents pin %s after activation, want %s", got, nextPin)
	}
	if !bytes.Equal(c.srv.Keys().ReceiptKey.Public().(ed25519.PublicKey), nextReceipt) {
		t.Fatal("central signs with the old receipt key after activation")
	}
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 3 || rep.Refused != 0 {
		t.Fatalf("drain across the switch: %+v %v", rep, err)
	}
	stored, err = fsync.LoadEnrolmentFrom(term.s)
	if err != nil {
		t.Fatal(err)
	}
	if stored.ServerPin != nextPin || stored.NextServerPin != "" || !bytes.Equal(stored.ReceiptKey, nextReceipt) ||
		len(stored.NextReceiptKey) != 0 || len(stored.PastReceiptKeys) != 1 || !bytes.Equal(stored.PastReceiptKeys[0], oldReceipt) {
		t.Fatalf("terminal after the switch: pin %s (next %q), receipt key %x (next %x, past %d)",
			stored.ServerPin, stored.NextServerPin, stored.ReceiptKey, stored.NextReceiptKey, len(stored.PastReceiptKeys))
	}
	// A new worker (the next start of the app) runs on the new keys alone.
	w, err = fsync.NewWorker(term.v, term.s, fsync.Options{MaxWait: time.Millisecond, ResultWait: 20 * time.Second,
		Applier: func(tx *vault.Tx, r fsync.Result) error { results = append(results, r); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	drain("after the switch", 1)
	if err := fsync.CheckAudit(term.v, term.s, time.Now()); err != nil {
		t.Fatalf("the checkpoint countersigned by the old receipt key no longer verifies: %v", err)
	}

	perPacket := map[string]int{}
	for _, r := range results {
		if r.Type == fsync.ResultRejected {
			t.Fatalf("central rejected a packet: %s", r.Reason)
		}
		perPacket[r.PacketID]++
	}
	for _, id := range sent {
		if perPacket[id] != 2 { // validated + check, once each
			t.Fatalf("packet %s has %d results, want 2 (all: %v)", id, perPacket[id], perPacket)
		}
	}
	if n, _, err := central.ExportDir(c.srv.Store(), t.TempDir()); err != nil || n != len(sent) {
		t.Fatalf("central holds %d packets, want %d (%v)", n, len(sent), err)
	}

	wl, err := fsync.NewWorker(late.v, late.s, fsync.Options{MaxWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	lrep, err := wl.RunOnce(context.Background())
	if err != nil || !errors.Is(lrep.Offline, fsync.ErrPinMismatch) {
		t.Fatalf("a terminal that missed the announcement, after the switch: %+v %v; want central refused for its TLS pin", lrep, err)
	}
}

// TestKeySwitchMidUpload: central switches to its announced TLS and receipt keys while a
// terminal is in the middle of a chunked upload. The connection is cut after central stored
// a chunk; during the worker's backoff the operator activates the keys and restarts central.
// The same drain resumes the upload over the new TLS key, and the final receipt, signed by
// the new receipt key, is accepted: the packet is delivered once, nothing refused.
func TestKeySwitchMidUpload(t *testing.T) {
	const chunk = 64 << 10
	var patches atomic.Int64
	opt := central.Options{Wrap: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPatch || patches.Add(1) != 3 {
				h.ServeHTTP(w, r)
				return
			}
			h.ServeHTTP(discard{}, r)
			panic(http.ErrAbortHandler) // stored, but the answer is lost
		})
	}}
	c := startCentral(t, opt)
	term := newTerminal(t)
	en := enrol(t, term, c, "")
	c.stop()
	nextReceipt, nextPin := announceNextKeys(t, c)
	c = c.restart(t, opt)

	switched := false
	clk := &fakeClock{now: time.Now()}
	sleep := func(ctx context.Context, d time.Duration) error {
		if !switched && patches.Load() >= 3 {
			switched = true
			c.stop()
			if _, err := central.ActivateKeys(c.dir, 0, time.Now()); err != nil {
				return err
			}
			c = c.restart(t, opt)
		}
		return clk.Sleep(ctx, d)
	}
	w, err := fsync.NewWorker(term.v, term.s, fsync.Options{Now: clk.Now, Sleep: sleep, ChunkSize: chunk, MaxWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// The announcement reaches the terminal with the config of a first, empty drain.
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids := enqueueCases(t, term, 1, "TESTPERSON SIERRA", func(i int, id vault.CaseID) *fsync.Packet {
		return fsync.NewEurodacPacket(string(id), time.Now(), make([]byte, 10*chunk), nil)
	})
	rep, err := w.RunOnce(context.Background())
	if err != nil || rep.Delivered != 1 || rep.Refused != 0 {
		r := rows(t, term)[ids[0]]
		t.Fatalf("drain across the switch: %+v %v; row %s %s", rep, err, r.State, r.LastError)
	}
	if !switched {
		t.Fatal("central did not switch keys during the upload")
	}
	if got := fsync.SPKIPin(c.srv.Keys().Server.Leaf); got != nextPin ||
		!bytes.Equal(c.srv.Keys().ReceiptKey.Public().(ed25519.PublicKey), nextReceipt) {
		t.Fatal("central did not take the announced keys")
	}
	if m, err := c.srv.Store().Packet(en.DeviceID, ids[0]); err != nil || m.Size != rows(t, term)[ids[0]].Size {
		t.Fatalf("stored %+v %v", m, err)
	}
}

// announceNextKeys rotates the stopped central's receipt and TLS keys: the next ones are
// announced in its signed config, not yet used.
func announceNextKeys(t *testing.T, c *centralProc) (nextReceipt ed25519.PublicKey, nextPin string) {
	t.Helper()
	nextReceipt, err := central.RotateReceiptKey(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	nextPin, err = central.RotateTLSKey(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	return nextReceipt, nextPin
}
