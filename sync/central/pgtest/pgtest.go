// Package pgtest gives tests a throw-away PostgreSQL: one cluster per test process, made
// with initdb in a temporary folder, listening only on a Unix socket in that folder,
// stopped and removed when the tests end (call Main from TestMain). Each URL call creates a
// new, empty database in it, so tests never see each other's rows. Nothing system-wide is
// changed: no service is started, no port opened, no configuration file outside the folder
// written.
//
// As root (CI runs `make test` as root) the cluster runs as the `postgres` user, through
// runuser, since PostgreSQL refuses to run as root; a developer without root runs it as
// themselves. The server binaries come from $FIELDSCREEN_PG_BIN, Debian's
// /usr/lib/postgresql/VERSION/bin (package postgresql, in TEST_PKGS) or pg_config. A
// developer who cannot install them points FIELDSCREEN_TEST_POSTGRES at a server where they
// may create databases (postgres://USER@HOST/postgres). Without either the tests fail and
// say so: they never skip.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names a PostgreSQL server to use instead of a throw-away cluster: its URL must
// let the tests CREATE DATABASE.
const EnvURL = "FIELDSCREEN_TEST_POSTGRES"

// EnvBin names the folder holding initdb, pg_ctl and postgres.
const EnvBin = "FIELDSCREEN_PG_BIN"

// superuser is the cluster's superuser, whatever the OS user running it.
const superuser = "fieldscreen"

type cluster struct {
	dir   string // the temporary folder: data/, sock/, log
	admin string // URL of the postgres database, for CREATE DATABASE
	asPG  bool   // run through runuser -u postgres
	bin   string
	err   error
}

var (
	once    gosync.Once
	current *cluster
	dbCount atomic.Int64
)

// Main runs the tests and then stops the cluster if one was started; use it as
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if current != nil && current.dir != "" {
		if err := current.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// URL returns the URL of a new, empty database (pgx form, with host= the socket folder).
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { current = start() })
	if current.err != nil {
		t.Fatalf("PostgreSQL for the tests: %v", current.err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCount.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, current.admin)
	if err != nil {
		t.Fatalf("PostgreSQL for the tests: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("PostgreSQL for the tests: create database: %v", err)
	}
	u, _ := url.Parse(current.admin)
	u.Path = "/" + name
	return u.String()
}

func start() *cluster {
	if u := os.Getenv(EnvURL); u != "" {
		return &cluster{admin: u}
	}
	c := &cluster{}
	c.bin, c.err = findBin()
	if c.err != nil {
		return c
	}
	c.asPG = os.Geteuid() == 0
	if c.err = c.init(); c.err != nil && c.dir != "" {
		c.stop()
		c.dir = ""
	}
	return c
}

// findBin finds the folder of PostgreSQL's server programs.
func findBin() (string, error) {
	if d := os.Getenv(EnvBin); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("%s=%s holds no initdb: %w", EnvBin, d, err)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL's initdb not found: install Debian's postgresql (`make deps-test` as root), " +
		"or set " + EnvBin + " to the folder holding initdb and pg_ctl, or " + EnvURL + " to a server where the tests may create databases")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func (c *cluster) init() error {
	dir, err := os.MkdirTemp("", "fieldscreen-pg-")
	if err != nil {
		return err
	}
	c.dir = dir
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "sock")
	for _, d := range []string{data, sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	if c.asPG {
		pg, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, the cluster runs as the postgres user, which does not exist (install Debian's postgresql): %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		// The postgres user must reach the folder; only data/ and sock/ are its own.
		if err := os.Chmod(dir, 0o711); err != nil {
			return err
		}
		for _, d := range []string{data, sock} {
			if err := os.Chown(d, uid, gid); err != nil {
				return err
			}
		}
	}
	if out, err := c.cmd("initdb", "-D", data, "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	// No TCP at all; the socket in a folder only this user (and root) reaches.
	opts := "-c listen_addresses='' -c unix_socket_directories=" + sock + " -c max_connections=200 -c shared_buffers=64MB"
	if out, err := c.cmd("pg_ctl", "-D", data, "-l", filepath.Join(sock, "log"), "-o", opts, "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(sock, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	c.admin = (&url.URL{Scheme: "postgres", User: url.User(superuser), Path: "/postgres",
		RawQuery: url.Values{"host": {sock}, "sslmode": {"disable"}}.Encode()}).String()
	return nil
}

// cmd runs one of PostgreSQL's programs, as the postgres user when the tests run as root.
func (c *cluster) cmd(prog string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, prog)
	if c.asPG {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (c *cluster) stop() error {
	defer os.RemoveAll(c.dir)
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err != nil {
		return nil // never started
	}
	if out, err := c.cmd("pg_ctl", "-D", data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, out)
	}
	return nil
}
