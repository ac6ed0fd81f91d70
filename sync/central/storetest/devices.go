package storetest

import (
	"bytes"
	"errors"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// TestDevices: devices are stored, replaced and listed.
func (suite *Suite) TestDevices(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	if _, err := s.Device("nope"); !errors.Is(err, central.ErrNotFound) {
		t.Fatal(err)
	}
	s.PutDevice(central.Device{ID: "d2", PublicKey: []byte{1}})
	s.PutDevice(central.Device{ID: "d1"})
	d, err := s.Device("d2")
	if err != nil || !bytes.Equal(d.PublicKey, []byte{1}) {
		t.Fatal(d, err)
	}
	d.Revoked = true
	s.PutDevice(d)
	var n, revoked int
	s.Devices(func(d central.Device) error {
		n++
		if d.Revoked {
			revoked++
		}
		return nil
	})
	if n != 2 || revoked != 1 {
		t.Fatalf("devices %d revoked %d", n, revoked)
	}
}

// TestResultsPerDevice: results are numbered per device from 1 and read after a sequence number, in order.
func (suite *Suite) TestResultsPerDevice(t *testing.T) {
	s := suite.Open(t)
	defer s.Close()
	// Results come from the downstream, per stored packet, numbered per device.
	answer := func(dev, id string, rs []fsync.Result) {
		t.Helper()
		m := meta(id, []byte(id))
		m.DeviceID = dev
		if _, _, err := s.PutPacket(m, bytes.NewReader([]byte(id)), receipt); err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteDownstream(dev, id, rs); err != nil {
			t.Fatal(err)
		}
	}
	const d1, d2, d3 = "dev1111111111111111", "dev2222222222222222", "dev3333333333333333"
	answer(d1, "rrrrrrrrrrrrrrr1", []fsync.Result{{PacketID: "0"}, {PacketID: "1"}})
	answer(d2, "rrrrrrrrrrrrrrr2", []fsync.Result{{Type: "other"}})
	answer(d1, "rrrrrrrrrrrrrrr3", []fsync.Result{{PacketID: "2"}, {PacketID: "3"}, {PacketID: "4"}})
	rs, err := s.Results(d1, 2, 2)
	if err != nil || len(rs) != 2 || rs[0].Seq != 3 || rs[1].PacketID != "3" {
		t.Fatalf("%+v %v", rs, err)
	}
	if rs, _ := s.Results(d1, 5, 10); len(rs) != 0 {
		t.Fatalf("after the end: %+v", rs)
	}
	if rs, _ := s.Results(d3, 0, 10); len(rs) != 0 {
		t.Fatal("unknown device has results")
	}
}
