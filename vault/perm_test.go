//go:build !windows

// The mode-bit check is POSIX only (private_unix.go); on Windows ACLs decide.

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVaultRefusesOpenPermissions (issue 14 item 12): a vault directory (or file, or packet
// folder) that group or others can reach is refused with an error that says what to run;
// the vault opened anyway before.
func TestVaultRefusesOpenPermissions(t *testing.T) {
	v, sup := newTestVault(t, nil)
	sup.Lock()
	dir := v.Dir()
	v.Close()
	for _, tc := range []struct {
		path string
		mode os.FileMode
		fix  string
	}{
		{dir, 0o750, "chmod 700"},
		{dir, 0o705, "chmod 700"},
		{filepath.Join(dir, dbName), 0o640, "chmod 600"},
		{filepath.Join(dir, packetDirName), 0o755, "chmod 700"},
	} {
		fi, _ := os.Stat(tc.path)
		if err := os.Chmod(tc.path, tc.mode); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir, testOptions(nil))
		if !errors.Is(err, ErrUnsafePermissions) || !strings.Contains(err.Error(), tc.fix+" "+tc.path) {
			t.Errorf("%s at %04o: %v", tc.path, tc.mode, err)
		}
		os.Chmod(tc.path, fi.Mode().Perm())
	}
	v2, err := Open(dir, testOptions(nil))
	if err != nil {
		t.Fatalf("after chmod back: %v", err)
	}
	v2.Close()
	// Create refuses an existing open directory too
	open := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	if _, err := Create(open, supName, []byte(supPass), testOptions(nil)); !errors.Is(err, ErrUnsafePermissions) {
		t.Fatalf("create in a world-writable directory: %v", err)
	}
}
