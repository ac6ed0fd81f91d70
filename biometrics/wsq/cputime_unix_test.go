//go:build unix

package wsq

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used: unlike wall time it does
// not grow when other programs compete for the cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
