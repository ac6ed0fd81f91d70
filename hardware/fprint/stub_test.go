//go:build !fprint || !cgo

package fprint

import (
	"errors"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/hardware"
)

func TestStubSaysHowToBuild(t *testing.T) {
	_, err := New()
	if !errors.Is(err, hardware.ErrUnsupported) || !strings.Contains(err.Error(), "-tags fprint") || !strings.Contains(err.Error(), "libfprint-2-dev") {
		t.Fatalf("stub error %v", err)
	}
}
