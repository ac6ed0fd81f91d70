package central

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The bytes of resumable uploads in progress live either in files in the data folder
// (uploads/<device>-<packet>.part, one process: BoltStore, MemStore) or in the store
// itself when it implements PartStore (PostgresStore), so that any instance can continue
// an upload another one started. uploads.go and sweep.go see them through uploadParts.

// PartStore is implemented by stores that keep the bytes of uploads in progress. The
// upload's record (PutUpload) must exist; DeleteUpload removes its bytes too.
type PartStore interface {
	// UploadOffset is how many bytes of the upload are stored (ErrNotFound: no upload).
	UploadOffset(deviceID, packetID string) (int64, error)
	// AppendUpload stores chunk at offset off, which must be the upload's current offset
	// (else an *OffsetError with the current one, nothing stored), and touches the upload.
	AppendUpload(deviceID, packetID string, off int64, chunk []byte, now time.Time) error
	// OpenUpload reads the bytes stored so far.
	OpenUpload(deviceID, packetID string) (io.ReadCloser, error)
	// TouchUpload records that the upload was worked on at now; UploadTouched reads it.
	TouchUpload(deviceID, packetID string, now time.Time) error
	UploadTouched(deviceID, packetID string) (time.Time, error)
	// ResetUpload drops the bytes stored so far and keeps the record (an assembled upload
	// whose digest is wrong starts again from zero); no upload is no error.
	ResetUpload(deviceID, packetID string) error
}

// OffsetError: a chunk was sent for another offset than the one stored (another instance
// or an earlier attempt stored more meanwhile).
type OffsetError struct{ Current int64 }

func (e *OffsetError) Error() string {
	return fmt.Sprintf("upload offset mismatch: %d bytes are stored", e.Current)
}

type uploadParts interface {
	// reader reads the part in passes from its start (rewindable).
	reader(dev, pkt string) io.ReadSeekCloser
	offset(dev, pkt string) (int64, error) // 0 when nothing was received
	appendChunk(dev, pkt string, off int64, chunk []byte, now time.Time) error
	open(dev, pkt string) (io.ReadCloser, error)
	touch(dev, pkt string, now time.Time) error
	// touched is when the bytes were last worked on; ok=false when there are none.
	touched(dev, pkt string) (t time.Time, ok bool, err error)
	// remove drops the bytes (after the record: see sweep.go).
	remove(dev, pkt string) error
	// orphans lists parts that may have lost their record (a crash between the two
	// removals).
	orphans() ([][2]string, error)
}

func (s *Server) initParts() error {
	if ps, ok := s.store.(PartStore); ok {
		s.parts = storeParts{ps}
		return nil
	}
	dir := filepath.Join(s.dir, "uploads")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	s.parts = fileParts{dir}
	return nil
}

// fileParts keeps each upload in one file; its size is the offset and its mtime when it
// was last touched.
type fileParts struct{ dir string }

func (p fileParts) path(dev, pkt string) string { return filepath.Join(p.dir, dev+"-"+pkt+".part") }

func (p fileParts) offset(dev, pkt string) (int64, error) {
	fi, err := os.Stat(p.path(dev, pkt))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// appendChunk appends and fsyncs; the caller holds the packet ID's lock, so off (checked
// by the caller against offset) is still the file's size.
func (p fileParts) appendChunk(dev, pkt string, off int64, chunk []byte, _ time.Time) error {
	f, err := os.OpenFile(p.path(dev, pkt), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(chunk)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (p fileParts) open(dev, pkt string) (io.ReadCloser, error) { return os.Open(p.path(dev, pkt)) }

func (p fileParts) reader(dev, pkt string) io.ReadSeekCloser {
	return &rewindable{open: func() (io.ReadCloser, error) { return p.open(dev, pkt) }}
}

// touch creates the file if there is none yet and sets its mtime to now.
func (p fileParts) touch(dev, pkt string, now time.Time) error {
	path := p.path(dev, pkt)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chtimes(path, now, now)
}

func (p fileParts) touched(dev, pkt string) (time.Time, bool, error) {
	fi, err := os.Stat(p.path(dev, pkt))
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("upload file of packet %s: %w", pkt, err)
	}
	return fi.ModTime(), true, nil
}

func (p fileParts) remove(dev, pkt string) error {
	if err := os.Remove(p.path(dev, pkt)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (p fileParts) orphans() ([][2]string, error) {
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return nil, fmt.Errorf("list upload files: %w", err)
	}
	var out [][2]string
	for _, e := range entries {
		name, isPart := strings.CutSuffix(e.Name(), ".part")
		dev, pkt, ok := strings.Cut(name, "-")
		if isPart && ok {
			out = append(out, [2]string{dev, pkt})
		}
	}
	return out, nil
}

// storeParts keeps the bytes in the store, with the upload's record: deleting the record
// deletes them, so there are never orphans.
type storeParts struct{ st PartStore }

func (p storeParts) offset(dev, pkt string) (int64, error) {
	n, err := p.st.UploadOffset(dev, pkt)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return n, err
}

func (p storeParts) appendChunk(dev, pkt string, off int64, chunk []byte, now time.Time) error {
	return p.st.AppendUpload(dev, pkt, off, chunk, now)
}

func (p storeParts) open(dev, pkt string) (io.ReadCloser, error) { return p.st.OpenUpload(dev, pkt) }

func (p storeParts) reader(dev, pkt string) io.ReadSeekCloser {
	return storedRewindable{&rewindable{open: func() (io.ReadCloser, error) { return p.open(dev, pkt) }}, dev, pkt}
}

func (p storeParts) touch(dev, pkt string, now time.Time) error {
	return p.st.TouchUpload(dev, pkt, now)
}

func (p storeParts) touched(dev, pkt string) (time.Time, bool, error) {
	t, err := p.st.UploadTouched(dev, pkt)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, false, nil
	}
	return t, err == nil, err
}

// remove drops the bytes; after DeleteUpload (the sweep) they are gone already.
func (p storeParts) remove(dev, pkt string) error { return p.st.ResetUpload(dev, pkt) }
func (storeParts) orphans() ([][2]string, error)  { return nil, nil }

// rewindable reads a part from its start and rewinds (Seek to 0 only) by opening it again,
// so a part kept in the store reads like a file in passes without being held in memory.
type rewindable struct {
	open func() (io.ReadCloser, error)
	rc   io.ReadCloser
}

// storedRewindable is a rewindable over a part kept in the store: it names the upload, so
// the store can adopt the bytes it already holds (UploadRef).
type storedRewindable struct {
	*rewindable
	dev, pkt string
}

func (r storedRewindable) UploadRef() (string, string) { return r.dev, r.pkt }

func (r *rewindable) Read(p []byte) (int, error) {
	if r.rc == nil {
		rc, err := r.open()
		if err != nil {
			return 0, err
		}
		r.rc = rc
	}
	return r.rc.Read(p)
}

func (r *rewindable) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekStart {
		return 0, errors.New("upload part: can only rewind to the start")
	}
	return 0, r.Close()
}

func (r *rewindable) Close() error {
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	return err
}
