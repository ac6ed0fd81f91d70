package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// precheckBolt reads the two bbolt meta pages itself and checks that the file is long enough for
// the pages the newest valid meta page claims. bbolt maps the file into memory and would fault
// (SIGBUS, which no recover catches) on a truncated file; this turns that case into a
// *CorruptError. Layout (bbolt v1.4, little-endian): a 16-byte page header, then magic u32,
// version u32, pageSize u32, flags u32, root bucket (pgid u64, sequence u64), freelist pgid
// u64, high-water pgid u64, txid u64, checksum u64 (FNV-64a of the 56 bytes before it).
func precheckBolt(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	type meta struct {
		ok       bool
		pageSize uint32
		freelist uint64
		pgid     uint64
		txid     uint64
	}
	read := func(off int64) meta {
		buf := make([]byte, 16+64)
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return meta{}
		}
		b := buf[16:]
		le := binary.LittleEndian
		if le.Uint32(b[0:4]) != 0xED0CDAED || le.Uint32(b[4:8]) != 2 {
			return meta{}
		}
		h := fnv.New64a()
		h.Write(b[:56])
		if h.Sum64() != le.Uint64(b[56:64]) {
			return meta{}
		}
		return meta{ok: true, pageSize: le.Uint32(b[8:12]), freelist: le.Uint64(b[32:40]), pgid: le.Uint64(b[40:48]), txid: le.Uint64(b[48:56])}
	}
	m0 := read(0)
	var m meta
	if m0.ok {
		m = m0
		if m1 := read(int64(m0.pageSize)); m1.ok && m1.txid > m0.txid {
			m = m1
		}
	} else {
		// bbolt then falls back to the second meta page at the OS page size.
		if m = read(int64(os.Getpagesize())); !m.ok {
			return nil // both invalid: bbolt reports that itself, without faulting
		}
	}
	if m.pageSize < 1024 || m.pageSize > 1<<20 {
		return fmt.Errorf("page size %d is implausible", m.pageSize)
	}
	if need := int64(m.pgid) * int64(m.pageSize); need > size || m.pgid > 1<<40 {
		return fmt.Errorf("file is %d bytes but its header needs %d (truncated)", size, need)
	}
	if m.freelist != ^uint64(0) && m.freelist >= m.pgid {
		return fmt.Errorf("freelist page %d is beyond the file's %d pages", m.freelist, m.pgid)
	}
	return nil
}
