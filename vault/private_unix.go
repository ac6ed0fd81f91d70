//go:build !windows

package vault

import (
	"fmt"
	"os"
)

// checkPrivate refuses a vault directory, file or packet folder that other users of the
// computer can reach (group or world permission bits): the file holds every user's key
// slots, so a copy is an offline guessing target, and the packets folder holds what central
// will receive. A missing path is left to the caller.
func checkPrivate(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		want := "700"
		if fi.Mode().IsRegular() {
			want = "600"
		}
		return fmt.Errorf("%s has mode %04o, open to other users of this computer: run chmod %s %s, and ask who could have copied it: %w",
			p, perm, want, p, ErrUnsafePermissions)
	}
	return nil
}
