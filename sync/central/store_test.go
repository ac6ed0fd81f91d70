package central_test

import (
	"testing"

	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/storetest"
)

func TestBoltStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store {
		s, err := central.OpenBolt(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestMemStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) central.Store { return central.NewMemStore() })
}

// TestBoltStoreBusy: a second process (here: a second open) gets a clear error, not a hang.
func TestBoltStoreBusy(t *testing.T) {
	dir := t.TempDir()
	s, err := central.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := central.OpenBolt(dir); err != central.ErrBusy {
		t.Fatalf("got %v, want ErrBusy", err)
	}
}
