package sync

import (
	"errors"
	"runtime"
	gosync "sync"
	"testing"
)

// TestGroupCommitBatchesConcurrentCallers checks that every item is committed exactly once,
// that callers which arrive while a commit runs share a later one, and that each caller
// gets the error of the commit that held its item.
func TestGroupCommitBatchesConcurrentCallers(t *testing.T) {
	var g GroupCommit[int]
	var (
		mu      gosync.Mutex
		seen    = map[int]int{}
		batches int
	)
	release := make(chan struct{})
	first := make(chan struct{})
	commit := func(vs []int) error {
		mu.Lock()
		batches++
		n := batches
		for _, v := range vs {
			seen[v]++
		}
		mu.Unlock()
		if n == 1 { // hold the first commit so the others queue up behind it
			close(first)
			<-release
		}
		for _, v := range vs {
			if v == 13 {
				return errors.New("disk full")
			}
		}
		return nil
	}
	errs := make([]error, 40)
	var wg gosync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = g.Do(0, commit) }()
	<-first
	for i := 1; i < 40; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = g.Do(i, commit) }()
	}
	// Let the 39 callers queue (they block on the running commit), then release it.
	for {
		g.mu.Lock()
		n := len(g.queue)
		g.mu.Unlock()
		if n == 39 {
			break
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i := 0; i < 40; i++ {
		if seen[i] != 1 {
			t.Errorf("item %d committed %d times", i, seen[i])
		}
	}
	if batches != 2 {
		t.Errorf("%d commits, want 2 (the held one and one for the 39 queued behind it)", batches)
	}
	if errs[0] != nil {
		t.Errorf("first caller got %v", errs[0])
	}
	for i := 1; i < 40; i++ {
		if errs[i] == nil || errs[i].Error() != "disk full" {
			t.Errorf("caller %d got %v, want the error of the batch holding item 13", i, errs[i])
		}
	}
}
