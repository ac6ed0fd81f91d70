//go:build !linux

package camera

import (
	"context"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// Supported is false: V4L2 is Linux only, so this build has no camera driver (on Windows a
// face camera is reached through an SBI device service instead; see docs/devices.md).
const Supported = false

// Driver finds no camera in this build.
type Driver struct{}

// Name is "camera".
func (Driver) Name() string { return "camera" }

// Discover finds nothing: V4L2 is not available on this system.
func (Driver) Discover(ctx context.Context) ([]hardware.Device, error) { return nil, nil }
