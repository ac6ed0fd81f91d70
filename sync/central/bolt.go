package central

import (
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
// dir/packets/<id>.age, written and fsynced before the metadata commits (so a crash leaves
// at worst an orphan file, overwritten by the next upload of that packet).
type BoltStore struct {
	db  *bolt.DB
	dir string
}

var (
	bPackets  = []byte("packets")
	bTokens   = []byte("tokens")
	bDevices  = []byte("devices")
	bResults  = []byte("results") // sub-bucket per device
	bUploads  = []byte("uploads")
	bCounters = []byte("counters")
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
		for _, b := range [][]byte{bPackets, bTokens, bDevices, bResults, bUploads, bCounters} {
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
	return &BoltStore{db: db, dir: dir}, nil
}

func (s *BoltStore) Close() error { return s.db.Close() }

func (s *BoltStore) packetPath(id string) string {
	return filepath.Join(s.dir, "packets", id+".age")
}

func (s *BoltStore) PutPacket(meta PacketMeta, data io.Reader, receipt func(uint64) (fsync.Signed, error), results []fsync.Result) (PacketMeta, bool, error) {
	if !fsync.ValidID(meta.PacketID) {
		return PacketMeta{}, false, fmt.Errorf("invalid packet ID")
	}
	if old, err := s.Packet(meta.PacketID); err == nil {
		return old, false, nil
	}
	// Write the bytes first (temp, fsync, rename): the metadata never points at a missing file.
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "packets"), ".tmp-*")
	if err != nil {
		return PacketMeta{}, false, err
	}
	defer os.Remove(tmp.Name())
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
	var out PacketMeta
	created := false
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPackets)
		if v := b.Get([]byte(meta.PacketID)); v != nil { // lost a race with a concurrent upload
			return json.Unmarshal(v, &out)
		}
		if err := os.Rename(tmp.Name(), s.packetPath(meta.PacketID)); err != nil {
			return err
		}
		if err := fsync.SyncDir(filepath.Join(s.dir, "packets")); err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		meta.Seq = seq
		if meta.Receipt, err = receipt(seq); err != nil {
			return err
		}
		v, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		out, created = meta, true
		if err := b.Put([]byte(meta.PacketID), v); err != nil {
			return err
		}
		return appendResults(tx, meta.DeviceID, results)
	})
	return out, created, err
}

func (s *BoltStore) Packet(id string) (PacketMeta, error) {
	var m PacketMeta
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bPackets).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &m)
	})
	return m, err
}

func (s *BoltStore) OpenPacket(id string) (io.ReadCloser, error) {
	if _, err := s.Packet(id); err != nil {
		return nil, err
	}
	return os.Open(s.packetPath(id))
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

type tokenRec struct {
	Created time.Time `json:"created"`
	Used    bool      `json:"used"`
}

func (s *BoltStore) AddToken(hash [32]byte, created time.Time) error {
	v, _ := json.Marshal(tokenRec{Created: created})
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bTokens).Put(hash[:], v) })
}

func (s *BoltStore) UseToken(hash [32]byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bTokens)
		v := b.Get(hash[:])
		if v == nil {
			return ErrUnknownToken
		}
		var t tokenRec
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if t.Used {
			return ErrTokenUsed
		}
		t.Used = true
		nv, _ := json.Marshal(t)
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

func (s *BoltStore) AppendResults(deviceID string, rs []fsync.Result) error {
	return s.db.Update(func(tx *bolt.Tx) error { return appendResults(tx, deviceID, rs) })
}

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
