package sync

import (
	"context"
	"fmt"
	"time"
)

// settled is one finished attempt, reported back to the drain loop: the row as the attempt
// left it (attempts, backoff, upload progress) and its outcome.
type settled struct {
	row     Row
	outcome string
	err     error // only a failure that stops the drain (vault, context)
}

// drain sends every due packet with up to sendWindow attempts in flight: as one settles the
// next starts, in drain order. Only the drain loop touches rows and the in-flight set; each
// attempt works on its own copy of its row and reports back on done. Verified receipts are
// committed by the sending goroutines through one group commit (w.receipts), so a packet
// counts as delivered only after the vault transaction holding its receipt has committed.
func (w *Worker) drain(ctx context.Context, rep *Report) error {
	var (
		rows      []*Row
		byID      map[string]*Row
		readAt    time.Time
		mustRead  = true
		inflight  = map[string]*Row{} // the row each attempt started from
		inBytes   int64               // sealed bytes of the small packets in flight
		largeBusy bool
		// Buffered for every attempt that can be in flight, so a sender never blocks.
		done     = make(chan settled, sendWindow)
		firstErr error
	)
	read := func() error {
		var err error
		if rows, err = w.rows(); err != nil {
			return err
		}
		byID = make(map[string]*Row, len(rows))
		for _, r := range rows {
			byID[r.PacketID] = r
		}
		readAt, mustRead = time.Now(), false
		return nil
	}
	settle := func(s settled) {
		// Judge by the row as it started: an attempt may turn a packet into a resumable
		// upload (413 from central) without it having held the large slot.
		if w.large(inflight[s.row.PacketID]) {
			largeBusy, mustRead = false, true // urgent packets queued meanwhile go next
		} else {
			inBytes -= s.row.Size
		}
		delete(inflight, s.row.PacketID)
		if r := byID[s.row.PacketID]; r != nil { // rows may have been read again meanwhile
			*r = s.row
			r.State = s.outcome
		}
		switch s.outcome {
		case StateDelivered:
			rep.Delivered++
		case StateRefused:
			rep.Refused++
		}
		if s.err != nil && firstErr == nil {
			firstErr = s.err
		}
	}
	launch := func(r *Row) {
		inflight[r.PacketID] = r
		if w.large(r) {
			largeBusy = true // holds one chunk at a time, not the packet
		} else {
			inBytes += r.Size
		}
		row := *r
		go func() {
			outcome, v, err := w.send(ctx, &row)
			if err == nil && v != nil {
				if err = w.receipts.Do(v, w.markDelivered); err != nil {
					outcome = StatePending // not delivered: sent again later, central answers with the same receipt
				} else {
					err = w.removeDelivered(row.PacketID)
				}
			}
			done <- settled{row: row, outcome: outcome, err: err}
		}()
	}
	// skip passes over packets in flight and, for the one large upload, waits while a chunk
	// is in flight or a packet that sorts before it (an urgent one queued meanwhile) is still
	// being sent: on a slow link the urgent packet gets the bandwidth, not the next chunk.
	skip := func(r *Row) bool {
		if inflight[r.PacketID] != nil {
			return true
		}
		if !w.large(r) {
			return false
		}
		if largeBusy {
			return true
		}
		for _, x := range inflight {
			if less(x, r) {
				return true
			}
		}
		return false
	}
	// waitOne blocks until one attempt settles.
	waitOne := func() { settle(<-done) }

	for {
		for more := true; more; { // take in what has finished, without waiting
			select {
			case s := <-done:
				settle(s)
			default:
				more = false
			}
		}
		if firstErr == nil {
			firstErr = ctx.Err()
		}
		if firstErr != nil {
			for len(inflight) > 0 {
				waitOne()
			}
			return firstErr
		}
		if b := w.breaker(); b.State(w.opt.Now()) == "open" {
			if len(inflight) > 0 { // no new sends; let the ones in flight finish first
				waitOne()
				continue
			}
			d := b.OpenUntil.Sub(w.opt.Now())
			if d > w.opt.MaxWait {
				rep.Offline = fmt.Errorf("%w: circuit breaker open for %s after %d failures in a row", ErrUnreachable, w.c.Host(), b.Failures)
				return nil
			}
			if err := w.opt.Sleep(ctx, d); err != nil {
				return err
			}
			if err := w.probe(ctx); err != nil {
				rep.Offline = err
				return nil
			}
			continue
		}
		if mustRead || time.Since(readAt) > time.Second {
			if err := read(); err != nil {
				firstErr = err
				continue
			}
		}
		if len(inflight) >= sendWindow {
			waitOne()
			continue
		}
		now := w.opt.Now()
		next, wait := pick(rows, now, w.opt.ChunkSize, skip)
		if next == nil && len(inflight) > 0 {
			waitOne()
			continue
		}
		if next == nil { // re-read once before waiting: the app may have queued something
			if err := read(); err != nil {
				return err
			}
			next, wait = pick(rows, now, w.opt.ChunkSize, skip)
		}
		if next == nil {
			if wait < 0 || wait > w.opt.MaxWait {
				return nil
			}
			if err := w.opt.Sleep(ctx, wait); err != nil {
				return err
			}
			if b := w.breaker(); b.State(w.opt.Now()) != "closed" {
				if err := w.probe(ctx); err != nil {
					rep.Offline = err
					return nil
				}
			}
			continue
		}
		if !w.large(next) && len(inflight) > 0 && inBytes+next.Size > windowBytes {
			waitOne() // its bytes would not fit beside those in flight
			continue
		}
		launch(next)
	}
}
