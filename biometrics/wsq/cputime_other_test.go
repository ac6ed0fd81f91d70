//go:build !unix

package wsq

import "time"

// processCPU is not measured on this platform; the cpu-ms metrics read 0.
func processCPU() time.Duration { return 0 }
