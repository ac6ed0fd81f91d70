//go:build windows

package vault

import (
	"os"

	"golang.org/x/sys/windows"
)

// RenameDurable renames old to new, replacing new, and returns only once the rename is on
// disk (MOVEFILE_WRITE_THROUGH): Windows cannot flush a directory, so the rename itself is
// made durable instead.
func RenameDurable(oldpath, newpath string) error {
	from, err := windows.UTF16PtrFromString(oldpath)
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(newpath)
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

// SyncDir does nothing on Windows: a directory handle cannot be flushed there
// (FlushFileBuffers refuses it with "Access denied"), and NTFS journals directory changes;
// renames are made durable by RenameDurable.
func SyncDir(dir string) error { return nil }
