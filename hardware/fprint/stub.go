//go:build !fprint || !cgo

package fprint

import (
	"context"

	"github.com/fieldscreen/fieldscreen/hardware"
)

// Driver is the libfprint driver; this build does not include it.
type Driver struct{}

// New reports that libfprint support was not built in.
func New() (*Driver, error) {
	return nil, hardware.Errorf(hardware.CodeUnsupported, "", "libfprint support is not built in: build with -tags fprint and CGO_ENABLED=1 (needs libfprint-2-dev)")
}

// Name is "fprint".
func (*Driver) Name() string { return "fprint" }

// Discover finds nothing in this build.
func (*Driver) Discover(ctx context.Context) ([]hardware.Device, error) { return nil, nil }

// Close does nothing.
func (*Driver) Close() error { return nil }
