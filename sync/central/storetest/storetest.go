// Package storetest is the conformance suite every central.Store implementation must pass
// (restic's backend-test pattern): idempotent packet storage scoped by device, quarantine
// marks, also under 32 concurrent
// puts (ConcurrentPuts, CheckStored), one-time tokens that expire, devices, per-device
// result sequences, the downstream queue, uploads and counters.
//
// Each case is a method of Suite named TestXxx, in the file of its subject; Run finds them
// by reflection and runs each as the subtest Xxx, so a new case is one new method (in a new
// file if it has a new subject) and `go test -run 'Conformance/Xxx'` runs one case against
// every store.
package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// Suite is the conformance suite for one store implementation.
type Suite struct {
	// Open returns a new, empty store; each case opens its own and closes it.
	Open func(t *testing.T) central.Store
}

// Run runs the suite; open returns a new, empty store for each case.
func Run(t *testing.T, open func(t *testing.T) central.Store) {
	(&Suite{Open: open}).Run(t)
}

// Run runs every case of the suite as a subtest named after its method without "Test".
func (suite *Suite) Run(t *testing.T) {
	for _, c := range suite.cases(t) {
		t.Run(c.name, c.run)
	}
}

type namedCase struct {
	name string
	run  func(*testing.T)
}

// cases lists the methods named TestXxx in name order. A method of that name with another
// signature is a mistake in the suite, reported rather than silently skipped.
func (suite *Suite) cases(t *testing.T) []namedCase {
	v := reflect.ValueOf(suite)
	typ := v.Type()
	var out []namedCase
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		name, ok := strings.CutPrefix(m.Name, "Test")
		if !ok {
			continue
		}
		fn, ok := v.Method(i).Interface().(func(*testing.T))
		if !ok {
			t.Fatalf("storetest: method %s has signature %s, want func(*testing.T)", m.Name, m.Type)
		}
		out = append(out, namedCase{name, fn})
	}
	if len(out) == 0 { // a suite that runs nothing would pass every store
		t.Fatal("storetest: no TestXxx methods found on Suite")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// dev is the suite's default device.
const dev = "dev0000000000000001"

// meta is the metadata of a pending packet of the suite's default device holding data.
func meta(id string, data []byte) central.PacketMeta {
	sum := sha256.Sum256(data)
	return central.PacketMeta{PacketID: id, DeviceID: dev, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), ReceivedAt: time.Now().UTC(), Pending: true}
}

// queued lists the packets waiting for the downstream, in the store's order.
func queued(t *testing.T, s central.Store) (ids []string) {
	t.Helper()
	if err := s.PendingDownstream(func(m central.PacketMeta) error { ids = append(ids, m.PacketID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

// receipt is a stand-in receipt that names the sequence number it was made for.
func receipt(seq uint64) (fsync.Signed, error) {
	return fsync.Signed{Payload: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}, nil
}
