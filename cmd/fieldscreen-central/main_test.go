package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/pgtest"
)

func runCmd(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{nil, 2, "usage"},
		{[]string{"nope"}, 2, "unknown command"},
		{[]string{"stats"}, 2, "needs --data"},
		{[]string{"packets", "export", "--data", dir}, 2, "needs one folder"},
		{[]string{"device", "revoke", "--data", dir, "unknowndevice00"}, 1, "not found"},
		{[]string{"serve", "--data", dir, "--watchlist", filepath.Join(dir, "missing.txt")}, 1, "watch list"},
		{[]string{"token", "create", "--data", dir, "--ttl", "0s"}, 2, "must be positive"},
		{[]string{"serve", "--data", dir, "--upload-ttl", "-1h"}, 2, "must be positive"},
		{[]string{"token", "create", "--data", dir, "--ttl", "tomorrow"}, 2, "invalid value"},
		{[]string{"stats", "--store", "postgres://x@/db"}, 2, "needs --keys DIR"},
		{[]string{"stats", "--store", "mysql://x@/db", "--keys", dir}, 2, "must be a postgres:// URL"},
		{[]string{"stats", "--data", dir, "--store", "postgres://x@/db", "--keys", dir}, 2, "not both"},
		{[]string{"stats", "--data", dir, "--keys", dir}, 2, "--keys goes with --store"},
		{[]string{"migrate"}, 2, "migrate --store"},
		{[]string{"migrate", "--data", dir}, 2, "migrate --store"},
	} {
		_, errs, code := runCmd(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.err) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q on one line", tc.args, code, errs, tc.code, tc.err)
		}
	}
	out, errs, code := runCmd("token", "create", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "fst1.") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token: %d %q", code, out)
	}
	// The expiry goes to stderr (stdout stays the token alone): 24 hours by default, --ttl otherwise.
	for _, tc := range []struct {
		args []string
		ttl  time.Duration
	}{{nil, 24 * time.Hour}, {[]string{"--ttl", "90m"}, 90 * time.Minute}} {
		before := time.Now()
		out, errs, code = runCmd(append([]string{"token", "create", "--data", dir}, tc.args...)...)
		_, stamp, _ := strings.Cut(errs, "valid until ")
		stamp, _, _ = strings.Cut(stamp, " ")
		exp, err := time.Parse(time.RFC3339, stamp)
		if code != 0 || !strings.HasPrefix(out, "fst1.") || err != nil ||
			exp.Before(before.Add(tc.ttl).Truncate(time.Second)) || exp.After(time.Now().Add(tc.ttl)) {
			t.Fatalf("token %v: exit %d, stdout %q, stderr %q (%v)", tc.args, code, out, errs, err)
		}
	}
	out, _, code = runCmd("stats", "--data", dir, "--json")
	var st map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("stats: %d %q", code, out)
	}
	for _, k := range []string{"packets", "duplicatesRejected", "devices", "uploadsExpired"} {
		if v, ok := st[k]; !ok || v != 0.0 {
			t.Errorf("stats %s = %v", k, v)
		}
	}
	// The identity file is in the format the age command reads.
	b, err := os.ReadFile(filepath.Join(dir, "age-identity.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := age.ParseIdentities(bytes.NewReader(b)); err != nil || len(ids) != 1 {
		t.Fatalf("age-identity.txt: %v", err)
	}
	// Rotating the packet key appends a second identity and prints its recipient; the
	// first stays, so packets sealed to it still open.
	out, errs, code = runCmd("keys", "rotate-recipient", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "age1") || !strings.Contains(errs, "next sync") {
		t.Fatalf("rotate: %d %q %q", code, out, errs)
	}
	b2, _ := os.ReadFile(filepath.Join(dir, "age-identity.txt"))
	ids, err := age.ParseIdentities(bytes.NewReader(b2))
	if err != nil || len(ids) != 2 || !bytes.HasPrefix(b2, b) || ids[1].(*age.X25519Identity).Recipient().String() != strings.TrimSpace(out) {
		t.Fatalf("age-identity.txt after the rotation: %d identities, %v", len(ids), err)
	}
	if _, errs, code := runCmd("keys", "rotate", "--data", dir); code != 2 || !strings.Contains(errs, "rotate-recipient") {
		t.Fatalf("unknown keys subcommand: %d %q", code, errs)
	}
	// TLS and receipt keys: announced first, activated later (not before --min-age).
	if _, errs, code := runCmd("keys", "activate", "--data", dir); code != 1 || !strings.Contains(errs, "no announced key") {
		t.Fatalf("activate with nothing announced: %d %q", code, errs)
	}
	pin, errs, code := runCmd("keys", "rotate-tls", "--data", dir)
	if code != 0 || len(strings.TrimSpace(pin)) != 64 || !strings.Contains(errs, "keys activate") {
		t.Fatalf("rotate-tls: %d %q %q", code, pin, errs)
	}
	if out, errs, code := runCmd("keys", "rotate-receipt", "--data", dir); code != 0 || len(strings.TrimSpace(out)) != 64 {
		t.Fatalf("rotate-receipt: %d %q %q", code, out, errs)
	}
	if _, errs, code := runCmd("keys", "rotate-tls", "--data", dir); code != 1 || !strings.Contains(errs, "keys activate") {
		t.Fatalf("second rotate-tls before activation: %d %q", code, errs)
	}
	if _, errs, code := runCmd("keys", "activate", "--data", dir); code != 1 || !strings.Contains(errs, "--min-age") {
		t.Fatalf("activate right after the announcement: %d %q", code, errs)
	}
	out, errs, code = runCmd("keys", "activate", "--min-age", "0s", "--data", dir)
	if code != 0 || !strings.Contains(out, "receipt key activated") || !strings.Contains(out, "tls key activated") || !strings.Contains(errs, "restart") {
		t.Fatalf("activate: %d %q %q", code, out, errs)
	}
	k, err := central.LoadOrCreateKeys(dir, nil)
	if err != nil || fsync.SPKIPin(k.Server.Leaf) != strings.TrimSpace(pin) || k.NextServerPin != "" || k.NextReceiptKey != nil {
		t.Fatalf("keys after activation: %v", err)
	}
}

// TestCommandsOnPostgres: the operator commands with --store URL --keys DIR, in-process:
// migrate (once, then up to date), token create (creating the keys folder 0700), the packet
// key rotation in the shared keys folder, and a keys folder others can read refused.
func TestCommandsOnPostgres(t *testing.T) {
	store := pgtest.URL(t)
	keys := filepath.Join(t.TempDir(), "keys")
	for _, want := range []string{"schema version 0 →", "up to date"} {
		if out, errs, code := runCmd("migrate", "--store", store); code != 0 || !strings.Contains(out, want) {
			t.Fatalf("migrate: %d %q %q, want %q", code, out, errs, want)
		}
	}
	if out, errs, code := runCmd("token", "create", "--store", store, "--keys", keys); code != 0 || !strings.HasPrefix(out, "fst1.") {
		t.Fatalf("token create: %d %q %q", code, out, errs)
	}
	if fi, err := os.Stat(keys); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("keys folder: %v %v", fi.Mode(), err)
	}
	out, errs, code := runCmd("keys", "rotate-recipient", "--store", store, "--keys", keys)
	b, _ := os.ReadFile(filepath.Join(keys, "age-identity.txt"))
	if ids, err := age.ParseIdentities(bytes.NewReader(b)); code != 0 || err != nil || len(ids) != 2 || !strings.HasPrefix(out, "age1") {
		t.Fatalf("rotate-recipient: %d %q %q (%d identities, %v)", code, out, errs, len(ids), err)
	}
	os.Chmod(keys, 0o755)
	if _, errs, code := runCmd("stats", "--store", store, "--keys", keys); code != 1 || !strings.Contains(errs, "chmod 700") {
		t.Fatalf("stats with a readable keys folder: %d %q", code, errs)
	}
}
