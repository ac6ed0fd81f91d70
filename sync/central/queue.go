package central

import (
	"context"
	"fmt"
	gosync "sync"
	"time"
)

// The downstream runs after the receipt: a packet is stored (and its receipt signed) with
// Pending set, which puts it in the store's durable downstream queue in the same
// transaction; runDownstream opens it from storage, asks the simulated downstream and
// records the results, clearing the mark in one transaction. A receipt therefore means
// "stored durably", results follow, and a crash in between only delays them: the queue is
// read again when central serves next. Terminals ask for results with ?wait= to be told
// as soon as they exist.

// downstreamQueue tracks, in memory, how many packets of each terminal still wait, so
// GET /v1/results can report it and wait for it; the durable queue is in the store.
type downstreamQueue struct {
	mu gosync.Mutex
	// pending: device ID → packets waiting. queued adds one and answered takes one away
	// in whichever order they happen (the runner can answer a packet before the request
	// that stored it has called queued), so a count may dip below zero for a moment.
	pending map[string]int
	changed chan struct{} // closed and replaced whenever a packet is answered
	wake    chan struct{} // buffered (1): a packet was queued
}

func (s *Server) initDownstream() error {
	q := &s.ds
	q.pending, q.changed, q.wake = map[string]int{}, make(chan struct{}), make(chan struct{}, 1)
	return s.store.PendingDownstream(func(m PacketMeta) error {
		q.pending[m.DeviceID]++
		return nil
	})
}

// queued notes a newly stored packet and wakes the runner.
func (q *downstreamQueue) queued(deviceID string) {
	q.mu.Lock()
	q.pending[deviceID]++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *downstreamQueue) answered(deviceID string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending[deviceID]--
	close(q.changed)
	q.changed = make(chan struct{})
}

// state returns how many packets of the device wait and a channel closed at the next
// change, read together so a waiter never misses an answer.
func (q *downstreamQueue) state(deviceID string) (int, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return max(q.pending[deviceID], 0), q.changed
}

// downstreamRetry is how soon a packet whose downstream failed (unreadable storage) is
// tried again.
const downstreamRetry = 5 * time.Second

// runDownstream answers queued packets until ctx ends.
func (s *Server) runDownstream(ctx context.Context) {
	for {
		var retry <-chan time.Time
		if s.drainDownstream(ctx) {
			retry = time.After(downstreamRetry)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.ds.wake:
		case <-retry:
		}
	}
}

// drainDownstream answers every packet waiting now, in arrival order; it reports whether
// any had to stay queued.
func (s *Server) drainDownstream(ctx context.Context) (failed bool) {
	var waiting []PacketMeta
	if err := s.store.PendingDownstream(func(m PacketMeta) error { waiting = append(waiting, m); return nil }); err != nil {
		s.opt.Logf("downstream: read the queue: %v (retrying in %s)", err, downstreamRetry)
		return true
	}
	for _, m := range waiting {
		if ctx.Err() != nil {
			return false
		}
		if err := s.answer(m); err != nil {
			s.opt.Logf("downstream: %v (kept queued, retrying in %s)", err, downstreamRetry)
			failed = true
		}
	}
	return failed
}

func (s *Server) answer(m PacketMeta) error {
	rc, err := s.store.OpenPacket(m.DeviceID, m.PacketID)
	if err != nil {
		return fmt.Errorf("open stored packet %s: %w", m.PacketID, err)
	}
	results, invalid := s.downstream(rc, m.PacketID, m.DeviceID)
	rc.Close()
	if invalid != "" && m.Quarantined == "" {
		// Marked before the results: a crash in between answers the packet again, and
		// marking twice keeps the first reason.
		if err := s.store.Quarantine(m.DeviceID, m.PacketID, invalid); err != nil {
			return fmt.Errorf("quarantine packet %s: %w", m.PacketID, err)
		}
		s.store.Incr(CounterInnerInvalid, 1)
	}
	if err := s.store.CompleteDownstream(m.DeviceID, m.PacketID, results); err != nil {
		return fmt.Errorf("record results of packet %s: %w", m.PacketID, err)
	}
	s.ds.answered(m.DeviceID)
	return nil
}
