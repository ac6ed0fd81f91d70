//go:build !windows

package vault

import "os"

// RenameDurable renames old to new (exported with SyncDir for sync's sealed files beside
// the vault); the caller then syncs the directory (SyncDir), which
// is what makes a rename durable on POSIX file systems.
func RenameDurable(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// SyncDir flushes a directory's entries (a rename or a new file) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
