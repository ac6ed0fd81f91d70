package central

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
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
	if _, shared := s.store.(QueueTaker); shared {
		return nil // counted in the store (awaitResults), whichever instance stored them
	}
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

// QueueTaker is implemented by stores that several central instances share
// (PostgresStore). AnswerNext takes the oldest waiting packet that no other instance holds,
// asks answer for its results (and a quarantine reason, empty for a valid packet) and
// records them in the same transaction, so each packet is answered by one instance, once;
// it reports false when no packet is free. PendingCount counts a device's waiting packets
// whichever instance stored them.
type QueueTaker interface {
	AnswerNext(answer func(PacketMeta) (results []fsync.Result, quarantine string, err error)) (bool, error)
	PendingCount(deviceID string) (int, error)
}

// sharedPoll is how often an instance sharing its store looks for work and answers it
// did not see happen: packets stored by another instance (or left by one that died) and
// results recorded by another instance for a terminal waiting here.
const sharedPoll = 500 * time.Millisecond

// takeDownstream answers waiting packets one by one from a shared store until none is
// free; it reports whether one failed (it stays queued).
func (s *Server) takeDownstream(ctx context.Context, t QueueTaker) (failed bool) {
	for ctx.Err() == nil {
		var dev string
		quarantined := false
		took, err := t.AnswerNext(func(m PacketMeta) ([]fsync.Result, string, error) {
			dev = m.DeviceID
			results, invalid, err := s.answerOf(m)
			if invalid != "" && m.Quarantined != "" {
				invalid = "" // marked before: keep the first reason
			}
			quarantined = invalid != ""
			return results, invalid, err
		})
		if err != nil {
			s.opt.Logf("downstream: %v (kept queued, retrying in %s)", err, downstreamRetry)
			return true
		}
		if !took {
			return false
		}
		if quarantined {
			s.store.Incr(CounterInnerInvalid, 1)
		}
		s.ds.answered(dev)
	}
	return false
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
		} else if _, shared := s.store.(QueueTaker); shared {
			retry = time.After(sharedPoll)
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
	if t, ok := s.store.(QueueTaker); ok {
		return s.takeDownstream(ctx, t)
	}
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

// answerOf asks the downstream about a stored packet: its results and, for sealed content
// that is not a packet of its terminal, why (to quarantine it).
func (s *Server) answerOf(m PacketMeta) ([]fsync.Result, string, error) {
	rc, err := s.store.OpenPacket(m.DeviceID, m.PacketID)
	if err != nil {
		return nil, "", fmt.Errorf("open stored packet %s: %w", m.PacketID, err)
	}
	defer rc.Close()
	results, invalid := s.downstream(rc, m.PacketID, m.DeviceID)
	return results, invalid, nil
}

func (s *Server) answer(m PacketMeta) error {
	results, invalid, err := s.answerOf(m)
	if err != nil {
		return err
	}
	if invalid != "" && m.Quarantined == "" {
		// Marked before the results: a crash in between answers the packet again, and
		// marking twice keeps the first reason.
		if err := s.store.Quarantine(m.DeviceID, m.PacketID, invalid); err != nil {
			return fmt.Errorf("quarantine packet %s: %w", m.PacketID, err)
		}
		s.store.Incr(CounterInnerInvalid, 1)
		s.events.write(Event{Kind: EventInnerInvalid, Device: m.DeviceID, Packet: m.PacketID, Detail: "quarantined: " + invalid})
	}
	if err := s.store.CompleteDownstream(m.DeviceID, m.PacketID, results); err != nil {
		return fmt.Errorf("record results of packet %s: %w", m.PacketID, err)
	}
	s.ds.answered(m.DeviceID)
	return nil
}
