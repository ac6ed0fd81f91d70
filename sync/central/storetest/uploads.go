package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestUploadsAndCounters: upload records are scoped to the device, listed and deleted; counters add up.
func (suite *Suite) TestUploadsAndCounters(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	u := central.Upload{DeviceID: "d1", PacketID: "p1", Length: 10, SHA256: "ab"}
	s.PutUpload(u)
	if got, err := s.Upload("d1", "p1"); err != nil || got.Length != 10 {
		t.Fatal(got, err)
	}
	if _, err := s.Upload("d2", "p1"); !errors.Is(err, central.ErrNotFound) {
		t.Fatal("uploads must be scoped to the device")
	}
	s.PutUpload(central.Upload{DeviceID: "d0", PacketID: "p2", Length: 20})
	var listed []string
	if err := s.Uploads(func(u central.Upload) error { listed = append(listed, u.DeviceID+"/"+u.PacketID); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(listed) != "[d0/p2 d1/p1]" {
		t.Fatalf("uploads listed %v", listed)
	}
	s.DeleteUpload("d1", "p1")
	if _, err := s.Upload("d1", "p1"); !errors.Is(err, central.ErrNotFound) {
		t.Fatal("delete")
	}
	listed = nil
	s.Uploads(func(u central.Upload) error { listed = append(listed, u.PacketID); return nil })
	if fmt.Sprint(listed) != "[p2]" {
		t.Fatalf("uploads after delete %v", listed)
	}
	s.Incr("x", 2)
	s.Incr("x", 3)
	if n, _ := s.Counter("x"); n != 5 {
		t.Fatalf("counter %d", n)
	}
}
