package central

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	gosync "sync"
	"time"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// MemStore is an in-memory Store for tests and tools; it loses everything on exit.
type MemStore struct {
	mu       gosync.Mutex
	packets  map[string]PacketMeta // by packetKey(device, packet)
	data     map[string][]byte
	seq      uint64
	tokens   map[[32]byte]memToken
	devices  map[string]Device
	results  map[string][]fsync.Result
	uploads  map[string]Upload
	counters map[string]int64
	waiting  []string // packetKeys waiting for the downstream, in arrival order
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{packets: map[string]PacketMeta{}, data: map[string][]byte{}, tokens: map[[32]byte]memToken{},
		devices: map[string]Device{}, results: map[string][]fsync.Result{}, uploads: map[string]Upload{}, counters: map[string]int64{}}
}

func (m *MemStore) PutPacket(meta PacketMeta, data io.Reader, receipt func(uint64) (fsync.Signed, error)) (PacketMeta, bool, error) {
	if !fsync.ValidID(meta.PacketID) {
		return PacketMeta{}, false, fmt.Errorf("invalid packet ID")
	}
	b, err := io.ReadAll(data)
	if err != nil {
		return PacketMeta{}, false, err
	}
	if !fsync.ValidID(meta.DeviceID) {
		return PacketMeta{}, false, fmt.Errorf("invalid device ID")
	}
	key := packetKey(meta.DeviceID, meta.PacketID)
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.packets[key]; ok {
		return old, false, nil
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != meta.SHA256 || int64(len(b)) != meta.Size {
		return PacketMeta{}, false, fsync.ErrBadDigest
	}
	meta.Seq = m.seq + 1
	if meta.Receipt, err = receipt(meta.Seq); err != nil {
		return PacketMeta{}, false, err
	}
	m.seq++
	m.packets[key], m.data[key] = meta, b
	if meta.Pending {
		m.waiting = append(m.waiting, key)
	}
	return meta, true, nil
}

func (m *MemStore) Packet(dev, id string) (PacketMeta, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.packets[packetKey(dev, id)]
	if !ok {
		return p, ErrNotFound
	}
	return p, nil
}

func (m *MemStore) OpenPacket(dev, id string) (io.ReadCloser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.data[packetKey(dev, id)]
	if !ok {
		return nil, ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (m *MemStore) Packets(fn func(PacketMeta) error) error {
	m.mu.Lock()
	metas := inKeyOrder(m.packets)
	m.mu.Unlock()
	return each(metas, fn)
}

func (m *MemStore) PendingDownstream(fn func(PacketMeta) error) error {
	m.mu.Lock()
	metas := make([]PacketMeta, len(m.waiting))
	for i, id := range m.waiting {
		metas[i] = m.packets[id]
	}
	m.mu.Unlock()
	return each(metas, fn)
}

func (m *MemStore) Quarantine(dev, id, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := packetKey(dev, id)
	p, ok := m.packets[key]
	if !ok {
		return ErrNotFound
	}
	if p.Quarantined == "" {
		p.Quarantined = reason
		m.packets[key] = p
	}
	return nil
}

func (m *MemStore) CompleteDownstream(dev, id string, results []fsync.Result) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	id = packetKey(dev, id)
	p, ok := m.packets[id]
	if !ok {
		return ErrNotFound
	}
	if !p.Pending {
		return nil
	}
	m.appendResults(p.DeviceID, results)
	p.Pending = false
	m.packets[id] = p
	for i, w := range m.waiting {
		if w == id {
			m.waiting = append(m.waiting[:i], m.waiting[i+1:]...)
			break
		}
	}
	return nil
}

type memToken struct {
	created, expires time.Time
	used             bool
}

func (m *MemStore) AddToken(hash [32]byte, created, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tokens[hash] = memToken{created: created, expires: expires}
	return nil
}

func (m *MemStore) UseToken(hash [32]byte, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	switch {
	case !ok:
		return ErrUnknownToken
	case t.used:
		return ErrTokenUsed
	}
	if exp := tokenExpiry(t.created, t.expires); !now.Before(exp) {
		return &TokenExpiredError{Expired: exp}
	}
	t.used = true
	m.tokens[hash] = t
	return nil
}

func (m *MemStore) PutDevice(d Device) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.devices[d.ID] = d
	return nil
}

func (m *MemStore) Device(id string) (Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.devices[id]
	if !ok {
		return d, ErrNotFound
	}
	return d, nil
}

func (m *MemStore) Devices(fn func(Device) error) error {
	m.mu.Lock()
	ds := make([]Device, 0, len(m.devices))
	for _, d := range m.devices {
		ds = append(ds, d)
	}
	m.mu.Unlock()
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return each(ds, fn)
}

// appendResults numbers rs after the device's last result; m.mu is held.
func (m *MemStore) appendResults(dev string, rs []fsync.Result) {
	for _, r := range rs {
		r.Seq = uint64(len(m.results[dev]) + 1)
		m.results[dev] = append(m.results[dev], r)
	}
}

func (m *MemStore) Results(dev string, after uint64, limit int) ([]fsync.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rs := m.results[dev]
	if after >= uint64(len(rs)) {
		return nil, nil
	}
	rs = rs[after:]
	if len(rs) > limit {
		rs = rs[:limit]
	}
	return append([]fsync.Result(nil), rs...), nil
}

func (m *MemStore) PutUpload(u Upload) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uploads[u.DeviceID+"/"+u.PacketID] = u
	return nil
}

func (m *MemStore) Upload(dev, pkt string) (Upload, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[dev+"/"+pkt]
	if !ok {
		return u, ErrNotFound
	}
	return u, nil
}

func (m *MemStore) DeleteUpload(dev, pkt string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.uploads, dev+"/"+pkt)
	return nil
}

func (m *MemStore) Uploads(fn func(Upload) error) error {
	m.mu.Lock()
	us := inKeyOrder(m.uploads)
	m.mu.Unlock()
	return each(us, fn)
}

func (m *MemStore) Incr(name string, n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counters[name] += n
	return nil
}

func (m *MemStore) Counter(name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[name], nil
}

func (m *MemStore) Close() error { return nil }

// inKeyOrder returns m's values in the order of their keys (as bbolt iterates).
func inKeyOrder[V any](m map[string]V) []V {
	keys := slices.Sorted(maps.Keys(m))
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// each calls fn for every element in order and stops at the first error; stores call it
// after releasing their lock or transaction, so fn may use the store.
func each[T any](xs []T, fn func(T) error) error {
	for _, x := range xs {
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}
