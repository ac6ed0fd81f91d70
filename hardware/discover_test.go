package hardware_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
)

type brokenDriver struct{}

func (brokenDriver) Name() string { return "broken" }
func (brokenDriver) Discover(context.Context) ([]hardware.Device, error) {
	return nil, errors.New("bus error")
}

func TestDiscoverAcrossDrivers(t *testing.T) {
	devs, err := hardware.Discover(context.Background(), brokenDriver{}, sim.Driver{Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "discover broken devices: bus error") {
		t.Errorf("driver error %v: want it named, beside the devices", err)
	}
	var ids []string
	for _, d := range devs {
		ids = append(ids, d.Identity().ID())
	}
	want := "sim:document:SIM-document-0001 sim:face:SIM-face-0001 sim:finger:SIM-finger-0001"
	if strings.Join(ids, " ") != want {
		t.Fatalf("devices %v, want sorted %s", ids, want)
	}
}
