package sync

import gosync "sync"

// GroupCommit lets callers that arrive while a commit is running share the next one, so
// their fsyncs are paid once per batch instead of once per caller. Nobody waits for a
// timer: the first caller to find the committer idle commits everything queued so far, so a
// lone caller commits at once. No caller returns before the commit that holds its item has
// returned. The terminal commits receipts with it; central commits stored packets.
type GroupCommit[T any] struct {
	mu    gosync.Mutex // guards queue
	queue []*groupItem[T]
	run   gosync.Mutex // held by the caller committing a batch
}

type groupItem[T any] struct {
	v    T
	done bool // set under run by the caller that committed it
	err  error
}

// Do queues v and returns once a commit holding it has returned; the error is that
// commit's. commit gets the whole batch in arrival order and runs under the group's lock,
// one batch at a time.
func (g *GroupCommit[T]) Do(v T, commit func([]T) error) error {
	it := &groupItem[T]{v: v}
	g.mu.Lock()
	g.queue = append(g.queue, it)
	g.mu.Unlock()
	g.run.Lock()
	defer g.run.Unlock()
	if it.done { // an earlier committer took it along
		return it.err
	}
	g.mu.Lock()
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()
	vs := make([]T, len(batch))
	for i, b := range batch {
		vs[i] = b.v
	}
	err := commit(vs)
	for _, b := range batch {
		b.done, b.err = true, err
	}
	return err
}
