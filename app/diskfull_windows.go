//go:build windows

package app

import (
	"errors"

	"golang.org/x/sys/windows"
)

// diskFull reports a write refused for want of space: Windows says ERROR_DISK_FULL or
// ERROR_HANDLE_DISK_FULL where POSIX says ENOSPC.
func diskFull(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) || errors.Is(err, windows.ERROR_HANDLE_DISK_FULL)
}
