package sync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	gosync "sync"
	"time"
)

// Several central instances. A terminal's central setting may list several base URLs,
// "https://central-a:8443,https://central-b:8443": instances of one central that share its
// keys (the same CA, TLS key and pin) and its database. Requests go to the first URL's
// host name; the connection goes to the first address that accepts it, starting with the
// one that answered last, so a terminal whose instance died fails over at its next
// connection, and every request already carries its idempotency key (the packet ID), so
// a request cut by the failure is safely sent again. TLS checks the name of the first URL
// and the pinned key, which all instances share.

// CentralURLs splits and checks a central setting: one or more https:// base URLs,
// separated by commas.
func CentralURLs(setting string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(setting, ",") {
		u := strings.TrimRight(strings.TrimSpace(part), "/")
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || p.Scheme != "https" || p.Host == "" || (p.Path != "" && p.Path != "/") || p.RawQuery != "" {
			return nil, fmt.Errorf("central URL %q: must be https://host:port (several separated by commas)", u)
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, errors.New("no central URL: give https://host:port (several separated by commas)")
	}
	return out, nil
}

// dialAddr is the host:port a URL connects to.
func dialAddr(u string) string {
	p, _ := url.Parse(u)
	if p.Port() == "" {
		return net.JoinHostPort(p.Hostname(), "443")
	}
	return p.Host
}

// failoverDialer dials central's instances in turn for connections to the first URL's
// address.
type failoverDialer struct {
	primary string   // the address requests name
	addrs   []string // every instance, in the setting's order
	dialer  net.Dialer

	mu   gosync.Mutex
	good int // index of the address that accepted last
}

func newFailoverDialer(urls []string) *failoverDialer {
	f := &failoverDialer{primary: dialAddr(urls[0]), dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
	for _, u := range urls {
		f.addrs = append(f.addrs, dialAddr(u))
	}
	return f
}

// perTry bounds one instance's connection attempt when others remain, so an instance
// whose host is down (no refusal, only silence) does not hold the terminal for the full
// dial timeout.
const perTry = 3 * time.Second

func (f *failoverDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr != f.primary || len(f.addrs) == 1 {
		return f.dialer.DialContext(ctx, network, addr)
	}
	f.mu.Lock()
	start := f.good
	f.mu.Unlock()
	var errs []error
	for i := range f.addrs {
		k := (start + i) % len(f.addrs)
		tctx, cancel := ctx, context.CancelFunc(func() {})
		if i < len(f.addrs)-1 {
			tctx, cancel = context.WithTimeout(ctx, perTry)
		}
		c, err := f.dialer.DialContext(tctx, network, f.addrs[k])
		cancel()
		if err == nil {
			f.mu.Lock()
			f.good = k
			f.mu.Unlock()
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("no central instance reachable: %w", errors.Join(errs...))
}
