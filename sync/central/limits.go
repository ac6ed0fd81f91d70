package central

import (
	"context"
	"net"
	gosync "sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits that keep one client from stalling central (docs/SECURITY.md "Central under load").

// limitListener accepts at most n connections at once; further ones wait in the kernel's
// backlog until one closes.
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func newLimitListener(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitConn struct {
	net.Conn
	once    gosync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// byteBudget bounds the request bodies central holds in memory at once: a handler takes
// a body's size before reading it and gives it back when done.
type byteBudget struct {
	mu    gosync.Mutex
	cond  *gosync.Cond
	left  int64
	total int64
}

func newByteBudget(n int64) *byteBudget {
	b := &byteBudget{left: n, total: n}
	b.cond = gosync.NewCond(&b.mu)
	return b
}

// take waits until n bytes are free (n beyond the total takes the whole budget) or ctx
// ends; release gives them back.
func (b *byteBudget) take(ctx context.Context, n int64) (release func(), err error) {
	n = min(n, b.total)
	stop := context.AfterFunc(ctx, func() { b.mu.Lock(); b.cond.Broadcast(); b.mu.Unlock() })
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.left < n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.cond.Wait()
	}
	b.left -= n
	var once gosync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.left += n
			b.cond.Broadcast()
			b.mu.Unlock()
		})
	}, nil
}

// addrLimiter is a rate limit per client address (enrolment comes without a certificate);
// addresses unseen for addrIdle are forgotten, so the table stays small.
type addrLimiter struct {
	mu    gosync.Mutex
	r     rate.Limit
	burst int
	m     map[string]*addrEntry
	swept time.Time
}

type addrEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

const addrIdle = 10 * time.Minute

func newAddrLimiter(r rate.Limit, burst int) *addrLimiter {
	return &addrLimiter{r: r, burst: burst, m: map[string]*addrEntry{}}
}

func (a *addrLimiter) allow(addr string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now.Sub(a.swept) > addrIdle {
		for k, e := range a.m {
			if now.Sub(e.seen) > addrIdle {
				delete(a.m, k)
			}
		}
		a.swept = now
	}
	e := a.m[addr]
	if e == nil {
		e = &addrEntry{lim: rate.NewLimiter(a.r, a.burst)}
		a.m[addr] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}
