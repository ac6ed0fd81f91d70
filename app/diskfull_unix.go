//go:build !windows

package app

import (
	"errors"
	"syscall"
)

// diskFull reports a write refused for want of space (or quota).
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
