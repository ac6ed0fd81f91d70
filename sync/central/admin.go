package central

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The admin socket lets operator commands act on a running central, which holds the bbolt
// file alone (device revoke while serving). It is a Unix socket, admin.sock in the data
// folder (0700), itself 0600, and each connection's peer must run as central's own user or
// root (SO_PEERCRED): only the operator who can read the data folder anyway can use it.
// Requests are HTTP over the socket; AdminHandler routes them.

// AdminSocket is the admin socket's path in the data folder dir.
func AdminSocket(dir string) string { return filepath.Join(dir, "admin.sock") }

// ListenAdmin opens the admin socket, replacing a stale one left by a central that died.
//
// The socket is bound, made 0600 and checked before it listens: until listen(2) a connect
// is refused whatever the file's mode, so no peer ever reaches it through wider permissions,
// and the process umask is never touched (changing it, even briefly, would narrow or widen
// the files other goroutines create meanwhile).
func ListenAdmin(dir string) (net.Listener, error) {
	path := AdminSocket(dir)
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("admin socket %s: another central serves this data folder", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	ln, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	return &peerListener{ln}, nil
}

// listenPrivate binds a Unix socket at path, sets it to 0600, verifies that and only then
// listens. On an error nothing is left at path.
func listenPrivate(path string) (_ *net.UnixListener, err error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close() // FileListener holds its own duplicate
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(path)
		}
	}()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		return nil, fmt.Errorf("is %v after chmod 0600, not a private socket: check the data folder's file system", fi.Mode())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return nil, fmt.Errorf("owned by uid %d, not central's user %d", st.Uid, os.Geteuid())
	}
	if err := syscall.Listen(fd, syscall.SOMAXCONN); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	l, err := net.FileListener(f)
	if err != nil {
		return nil, err
	}
	ul, ok := l.(*net.UnixListener)
	if !ok {
		l.Close()
		return nil, fmt.Errorf("listener is %T, not a Unix socket", l)
	}
	ul.SetUnlinkOnClose(true)
	return ul, nil
}

// peerListener accepts only peers running as this process's user or root.
type peerListener struct{ *net.UnixListener }

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return nil, err
		}
		if peerAllowed(c) {
			return c, nil
		}
		c.Close()
	}
}

func peerAllowed(c *net.UnixConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return false
	}
	return cred.Uid == 0 || int(cred.Uid) == os.Getuid()
}

// AdminHandler routes the admin requests. POST /admin/devices/{id}/revoke with
// {"reason": "..."} revokes a terminal; answers are JSON, errors {"error": "..."}.
func (s *Server) AdminHandler() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/devices/{id}/revoke", func(w http.ResponseWriter, r *http.Request) {
		var req RevokeRequest
		if err := decodeAdmin(http.MaxBytesReader(w, r.Body, 4<<10), &req); err != nil {
			writeAdminError(w, http.StatusBadRequest, "revoke request: "+err.Error())
			return
		}
		if err := req.Check(); err != nil {
			writeAdminError(w, http.StatusBadRequest, "revoke request: "+err.Error())
			return
		}
		if err := s.RevokeDevice(r.PathValue("id"), req.Reason); err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, ErrNotFound) {
				status = http.StatusNotFound
			}
			writeAdminError(w, status, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"revoked": r.PathValue("id")})
	})
	return mux
}

// RevokeRequest is the body of an admin revoke: why the terminal is revoked, shown to it
// and kept in the security event log, so it is required.
type RevokeRequest struct {
	Reason string `json:"reason"`
}

// ErrNoRevokeReason: a revoke without a reason (missing, empty or blank).
var ErrNoRevokeReason = errors.New(`"reason" is required: say why the terminal is revoked (it is shown to the terminal and kept in the event log)`)

// Check refuses a request without a reason.
func (r RevokeRequest) Check() error {
	if strings.TrimSpace(r.Reason) == "" {
		return ErrNoRevokeReason
	}
	return nil
}

// decodeAdmin reads one JSON object into v, refusing fields v does not have (a misspelt
// field would otherwise be dropped silently) and data after the object.
func decodeAdmin(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("field %q: expected %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("not a JSON object of the known fields: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object: send one JSON object")
	}
	return nil
}

func writeAdminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// adminError is central's answer to a refused admin request; a 404 matches ErrNotFound.
type adminError struct {
	msg      string
	notFound bool
}

func (e *adminError) Error() string        { return e.msg }
func (e *adminError) Is(target error) bool { return e.notFound && target == ErrNotFound }

// ServeAdmin serves h (AdminHandler, possibly extended) on ln until ctx ends.
func ServeAdmin(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 10 * time.Minute}
	return serveUntil(ctx, hs, ln)
}

// ErrNoAdmin means no central serves the data folder (no admin socket answers).
var ErrNoAdmin = errors.New("no running central answers on the admin socket")

// AdminClient talks to a running central's admin socket in data folder dir.
func AdminClient(dir string) *http.Client {
	path := AdminSocket(dir)
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
}

// AdminDo sends one admin request (body JSON-encoded unless nil) and decodes the answer
// into out; an error answer becomes an error with central's message, a socket nobody
// answers ErrNoAdmin.
func AdminDo(dir, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://central"+path, rd)
	if err != nil {
		return err
	}
	resp, err := AdminClient(dir).Do(req)
	if err != nil {
		var ne *net.OpError
		if errors.As(err, &ne) && ne.Op == "dial" {
			return ErrNoAdmin
		}
		return fmt.Errorf("admin socket: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return &adminError{msg: e.Error, notFound: resp.StatusCode == http.StatusNotFound}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
