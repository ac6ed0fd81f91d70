package central

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// BoltStore keeps metadata in dir/central.db (bbolt) and sealed packets as files in
// dir/packets/<device>-<id>.age, written and fsynced before the metadata commits (so a crash leaves
// at worst an orphan file, overwritten by the next upload of that packet).
type BoltStore struct {
	db    *bolt.DB
	dir   string
	group fsync.GroupCommit[*putReq] // packets stored concurrently share one commit
}

var (
	bPackets  = []byte("packets") // key: packetKey(device, packet)
	bTokens   = []byte("tokens")
	bDevices  = []byte("devices")
	bResults  = []byte("results") // sub-bucket per device
	bUploads  = []byte("uploads")
	bCounters = []byte("counters")
	// bDownstream holds packets waiting for the downstream: key = packet seq, value = packetKey.
	bDownstream = []byte("downstream")
)

// ErrBusy means another process (a running server) holds the store.
var ErrBusy = errors.New("central data folder is in use by another process (is fieldscreen-central serve running? stop it first)")

// OpenBolt opens or creates the store in dir.
func OpenBolt(dir string) (*BoltStore, error) {
	if err := os.MkdirAll(filepath.Join(dir, "packets"), 0o700); err != nil {
		return nil, fmt.Errorf("central data folder: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, "central.db"), 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, ErrBusy
	}
	if err != nil {
		return nil, fmt.Errorf("open central store: %w", err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bPackets, bTokens, bDevices, bResults, bUploads, bCounters, bDownstream} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise central store: %w", err)
	}
	s := &BoltStore{db: db, dir: dir}
	if err := s.scopeLegacyPackets(); err != nil {
		db.Close()
		return nil, fmt.Errorf("central store: move packets to per-terminal keys: %w", err)
	}
	return s, nil
}

// scopeLegacyPackets moves packets stored before packet IDs were scoped by terminal (key
// and file named by the packet ID alone) to their (device, packet) key and file name, with
// the downstream queue's entries. Files are renamed first and the metadata follows in one
// transaction, so a crash in between is finished by the next open.
func (s *BoltStore) scopeLegacyPackets() error {
	var legacy []PacketMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bPackets).ForEach(func(k, v []byte) error {
			if bytes.IndexByte(k, '/') >= 0 {
				return nil
			}
			var m PacketMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode packet %s: %w", k, err)
			}
			if string(k) != m.PacketID || !fsync.ValidID(m.DeviceID) {
				return fmt.Errorf("packet record %s names packet %q of terminal %q", k, m.PacketID, m.DeviceID)
			}
			legacy = append(legacy, m)
			return nil
		})
	})
	if err != nil || len(legacy) == 0 {
		return err
	}
	for _, m := range legacy {
		old := filepath.Join(s.dir, "packets", m.PacketID+".age")
		if err := os.Rename(old, s.packetPath(m.DeviceID, m.PacketID)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := fsync.SyncDir(filepath.Join(s.dir, "packets")); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b, q := tx.Bucket(bPackets), tx.Bucket(bDownstream)
		for _, m := range legacy {
			v := b.Get([]byte(m.PacketID))
			if err := b.Put([]byte(packetKey(m.DeviceID, m.PacketID)), v); err != nil {
				return err
			}
			if err := b.Delete([]byte(m.PacketID)); err != nil {
				return err
			}
			if m.Pending {
				if err := q.Put(seqKey(m.Seq), []byte(packetKey(m.DeviceID, m.PacketID))); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *BoltStore) Close() error { return s.db.Close() }

func (s *BoltStore) packetPath(dev, id string) string {
	return filepath.Join(s.dir, "packets", dev+"-"+id+".age")
}

func (s *BoltStore) PutPacket(meta PacketMeta, data io.Reader, receipt func(uint64) (fsync.Signed, error)) (PacketMeta, bool, error) {
	if !fsync.ValidID(meta.PacketID) || !fsync.ValidID(meta.DeviceID) {
		return PacketMeta{}, false, fmt.Errorf("invalid packet or device ID")
	}
	if old, err := s.Packet(meta.DeviceID, meta.PacketID); err == nil {
		return old, false, nil
	}
	// Write the bytes first (temp, fsync, rename): the metadata never points at a missing
	// file. The temp file is written and fsynced here, concurrently with other uploads;
	// the rename, the folder fsync and the metadata commit go through the group commit.
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "packets"), ".tmp-*")
	if err != nil {
		return PacketMeta{}, false, err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed into place
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return PacketMeta{}, false, fmt.Errorf("store packet bytes: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != meta.SHA256 || n != meta.Size {
		return PacketMeta{}, false, fsync.ErrBadDigest
	}
	req := &putReq{meta: meta, tmp: tmp.Name(), receipt: receipt}
	// No caller returns (and no receipt leaves central) before the commit holding its packet
	// has returned from its fsyncs; commitPuts gives each request its own outcome.
	s.group.Do(req, func(batch []*putReq) error { s.commitPuts(batch); return nil })
	return req.out, req.created, req.err
}

// putReq is one packet waiting for the group commit.
type putReq struct {
	meta    PacketMeta
	tmp     string
	receipt func(uint64) (fsync.Signed, error)

	out     PacketMeta
	created bool
	err     error
}

// commitPuts renames the batch's packet files into place, fsyncs the folder once, and
// commits all their metadata, receipts and queue entries in one transaction. Only one batch
// commits at a time (the group commit's lock), and this is the only writer of the packets
// bucket, so a packet ID read as absent here cannot appear before the rename.
func (s *BoltStore) commitPuts(batch []*putReq) {
	dir := filepath.Join(s.dir, "packets")
	var fresh []*putReq
	seen := map[string]*putReq{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPackets)
		for _, r := range batch {
			key := packetKey(r.meta.DeviceID, r.meta.PacketID)
			if v := b.Get([]byte(key)); v != nil { // stored meanwhile: answer with it
				r.err = json.Unmarshal(v, &r.out)
				continue
			}
			if first := seen[key]; first != nil { // same ID twice in one batch
				r.err = errSameBatch
				continue
			}
			seen[key] = r
			fresh = append(fresh, r)
		}
		return nil
	})
	fail := func(rs []*putReq, err error) {
		for _, r := range rs {
			r.out, r.created, r.err = PacketMeta{}, false, err
		}
	}
	if err != nil {
		fail(batch, err)
		return
	}
	for i, r := range fresh {
		if err := os.Rename(r.tmp, s.packetPath(r.meta.DeviceID, r.meta.PacketID)); err != nil {
			fail(fresh[i:], fmt.Errorf("store packet file: %w", err))
			fresh = fresh[:i]
			break
		}
	}
	if len(fresh) == 0 {
		s.retrySameBatch(batch)
		return
	}
	// A crash between here and the commit leaves files without metadata: orphans that the
	// next upload of the same packet overwrites, never metadata without a file.
	if err := fsync.SyncDir(dir); err != nil {
		fail(fresh, err)
		return
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPackets)
		for _, r := range fresh {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			m := r.meta
			m.Seq = seq
			if m.Receipt, err = r.receipt(seq); err != nil {
				return err
			}
			v, err := json.Marshal(m)
			if err != nil {
				return err
			}
			key := []byte(packetKey(m.DeviceID, m.PacketID))
			if err := b.Put(key, v); err != nil {
				return err
			}
			if m.Pending {
				if err := tx.Bucket(bDownstream).Put(seqKey(seq), key); err != nil {
					return err
				}
			}
			r.out = m
		}
		return nil
	})
	if err != nil { // the whole batch rolled back: every one of them is told to retry
		fail(fresh, err)
		return
	}
	for _, r := range fresh {
		r.created = true
	}
	s.retrySameBatch(batch)
}

// errSameBatch marks a second upload of a packet ID that was in the same batch as the
// first; it is answered from the stored metadata once the batch has committed.
var errSameBatch = errors.New("same packet in one batch")

func (s *BoltStore) retrySameBatch(batch []*putReq) {
	for _, r := range batch {
		if errors.Is(r.err, errSameBatch) {
			r.out, r.err = s.Packet(r.meta.DeviceID, r.meta.PacketID)
		}
	}
}

func (s *BoltStore) Packet(dev, id string) (PacketMeta, error) {
	var m PacketMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bPackets).Get([]byte(packetKey(dev, id)))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &m)
	})
	return m, err
}

func (s *BoltStore) OpenPacket(dev, id string) (io.ReadCloser, error) {
	if _, err := s.Packet(dev, id); err != nil {
		return nil, err
	}
	return os.Open(s.packetPath(dev, id))
}

func (s *BoltStore) Packets(fn func(PacketMeta) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bPackets).ForEach(func(k, v []byte) error {
			var m PacketMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode packet %s: %w", k, err)
			}
			return fn(m)
		})
	})
}

func (s *BoltStore) PendingDownstream(fn func(PacketMeta) error) error {
	var metas []PacketMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		packets := tx.Bucket(bPackets)
		return tx.Bucket(bDownstream).ForEach(func(_, id []byte) error {
			var m PacketMeta
			v := packets.Get(id)
			if v == nil {
				return fmt.Errorf("downstream queue names packet %s that is not stored", id)
			}
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode packet %s: %w", id, err)
			}
			metas = append(metas, m)
			return nil
		})
	})
	if err != nil {
		return err
	}
	return each(metas, fn)
}

func (s *BoltStore) Quarantine(dev, id, reason string) error {
	return s.updatePacket(dev, id, func(tx *bolt.Tx, m *PacketMeta) (bool, error) {
		if m.Quarantined != "" {
			return false, nil
		}
		m.Quarantined = reason
		return true, nil
	})
}

func (s *BoltStore) CompleteDownstream(dev, id string, results []fsync.Result) error {
	return s.updatePacket(dev, id, func(tx *bolt.Tx, m *PacketMeta) (bool, error) {
		if !m.Pending {
			return false, nil
		}
		if err := appendResults(tx, m.DeviceID, results); err != nil {
			return false, err
		}
		m.Pending = false
		return true, tx.Bucket(bDownstream).Delete(seqKey(m.Seq))
	})
}

// updatePacket reads a stored packet's metadata in a write transaction and stores it
// again when change reports it changed it; an unknown packet gives ErrNotFound.
func (s *BoltStore) updatePacket(dev, id string, change func(*bolt.Tx, *PacketMeta) (bool, error)) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		packets := tx.Bucket(bPackets)
		key := []byte(packetKey(dev, id))
		v := packets.Get(key)
		if v == nil {
			return ErrNotFound
		}
		var m PacketMeta
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("decode packet %s: %w", id, err)
		}
		changed, err := change(tx, &m)
		if err != nil || !changed {
			return err
		}
		nv, err := json.Marshal(m)
		if err != nil {
			return err
		}
		return packets.Put(key, nv)
	})
}

type tokenRec struct {
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"` // zero in records written before tokens expired
	Used    bool      `json:"used"`
}

func (s *BoltStore) AddToken(hash [32]byte, created, expires time.Time) error {
	v, err := json.Marshal(tokenRec{Created: created, Expires: expires})
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bTokens).Put(hash[:], v) })
}

func (s *BoltStore) UseToken(hash [32]byte, now time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTokens)
		v := b.Get(hash[:])
		if v == nil {
			return ErrUnknownToken
		}
		var t tokenRec
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("decode enrolment token record: %w", err)
		}
		if t.Used {
			return ErrTokenUsed
		}
		if exp := tokenExpiry(t.Created, t.Expires); !now.Before(exp) {
			return &TokenExpiredError{Expired: exp}
		}
		t.Used = true
		nv, err := json.Marshal(t)
		if err != nil {
			return err
		}
		return b.Put(hash[:], nv)
	})
}

func (s *BoltStore) PutDevice(d Device) error {
	v, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bDevices).Put([]byte(d.ID), v) })
}

func (s *BoltStore) Device(id string) (Device, error) {
	var d Device
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bDevices).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &d)
	})
	return d, err
}

func (s *BoltStore) Devices(fn func(Device) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDevices).ForEach(func(k, v []byte) error {
			var d Device
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			return fn(d)
		})
	})
}

func seqKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func appendResults(tx *bolt.Tx, deviceID string, rs []fsync.Result) error {
	if len(rs) == 0 {
		return nil
	}
	b, err := tx.Bucket(bResults).CreateBucketIfNotExists([]byte(deviceID))
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.Seq, err = b.NextSequence(); err != nil {
			return err
		}
		v, _ := json.Marshal(r)
		if err := b.Put(seqKey(r.Seq), v); err != nil {
			return err
		}
	}
	return nil
}

func (s *BoltStore) Results(deviceID string, after uint64, limit int) ([]fsync.Result, error) {
	var out []fsync.Result
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bResults).Bucket([]byte(deviceID))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var r fsync.Result
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func uploadKey(dev, pkt string) []byte { return []byte(dev + "/" + pkt) }

func (s *BoltStore) PutUpload(u Upload) error {
	v, _ := json.Marshal(u)
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bUploads).Put(uploadKey(u.DeviceID, u.PacketID), v) })
}

func (s *BoltStore) Upload(dev, pkt string) (Upload, error) {
	var u Upload
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bUploads).Get(uploadKey(dev, pkt))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &u)
	})
	return u, err
}

func (s *BoltStore) DeleteUpload(dev, pkt string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bUploads).Delete(uploadKey(dev, pkt)) })
}

func (s *BoltStore) Uploads(fn func(Upload) error) error {
	var us []Upload
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bUploads).ForEach(func(k, v []byte) error {
			var u Upload
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode upload %s: %w", k, err)
			}
			us = append(us, u)
			return nil
		})
	})
	if err != nil {
		return err
	}
	return each(us, fn)
}

func (s *BoltStore) Incr(name string, n int64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCounters)
		var cur int64
		if v := b.Get([]byte(name)); len(v) == 8 {
			cur = int64(binary.BigEndian.Uint64(v))
		}
		return b.Put([]byte(name), binary.BigEndian.AppendUint64(nil, uint64(cur+n)))
	})
}

func (s *BoltStore) Counter(name string) (int64, error) {
	var cur int64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bCounters).Get([]byte(name)); len(v) == 8 {
			cur = int64(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return cur, err
}
