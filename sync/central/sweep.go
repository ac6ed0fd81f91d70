package central

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Abandoned resumable uploads. A terminal that gives up on a packet (purged, re-enrolled,
// lost) leaves uploads/<device>-<packet>.part and its Upload record behind; the sweep
// removes uploads untouched for longer than Options.UploadTTL. "Touched" is the part file's
// mtime: every stored chunk writes it, and creating, finding again (POST) or asking the
// offset of an upload (HEAD) sets it, so an upload a terminal is working on is never
// removed between its HEAD and its PATCH. A record without a part file (written before
// POST created one) counts from its Created time.
//
// Removal deletes the record first, then the part file: a crash in between leaves a part
// file without a record, which the next sweep removes; never a record whose bytes are gone
// while it still claims an offset. A terminal that asks after the sweep gets 404 on HEAD
// and starts the upload again from 0 (sync.Worker does).

// DefaultUploadTTL is how long an untouched upload is kept.
const DefaultUploadTTL = 24 * time.Hour

// SweepUploads removes the uploads untouched for longer than Options.UploadTTL and part
// files left without a record, counts them in the uploadsExpired counter and returns how
// many it removed. Serve runs it at start and then periodically; it is safe to call while
// serving.
func (s *Server) SweepUploads() (int, error) {
	cutoff := s.opt.Now().Add(-s.opt.UploadTTL)
	var uploads []Upload
	if err := s.store.Uploads(func(u Upload) error { uploads = append(uploads, u); return nil }); err != nil {
		return 0, fmt.Errorf("list uploads: %w", err)
	}
	removed := 0
	var errs []error
	for _, u := range uploads {
		ok, err := s.expireUpload(u.DeviceID, u.PacketID, cutoff)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			removed++
		}
	}
	// Parts without a record: a sweep that crashed between its two deletions.
	orphans, err := s.parts.orphans()
	if err != nil {
		errs = append(errs, err)
	}
	for _, o := range orphans {
		ok, err := s.expireUpload(o[0], o[1], cutoff)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			removed++
		}
	}
	if removed > 0 {
		if err := s.store.Incr(CounterUploadsExpired, int64(removed)); err != nil {
			errs = append(errs, fmt.Errorf("count expired uploads: %w", err))
		}
	}
	return removed, errors.Join(errs...)
}

// expireUpload removes one upload (record, part file, or both) if it was last touched
// before cutoff. It holds the upload's lock (device and packet ID), so no PATCH, HEAD or POST of this upload
// runs meanwhile and the check and the removal see the same upload.
func (s *Server) expireUpload(dev, pkt string, cutoff time.Time) (bool, error) {
	unlock := s.lock(packetKey(dev, pkt)) // the same stripe as POST, HEAD and PATCH of this upload
	defer unlock()
	u, err := s.store.Upload(dev, pkt)
	hasRecord := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("read upload %s of device %s: %w", pkt, dev, err)
	}
	touched, hasPart, err := s.parts.touched(dev, pkt)
	if err != nil {
		return false, err
	}
	switch {
	case hasPart:
	case hasRecord:
		touched = u.Created
	default:
		return false, nil // removed meanwhile (completed, or by a sweep before us)
	}
	if !touched.Before(cutoff) {
		return false, nil
	}
	if hasRecord {
		if err := s.store.DeleteUpload(dev, pkt); err != nil {
			return false, fmt.Errorf("remove expired upload %s of device %s: %w", pkt, dev, err)
		}
	}
	if err := s.parts.remove(dev, pkt); err != nil {
		return false, fmt.Errorf("remove the file of expired upload %s (its record is gone; the next sweep retries): %w", pkt, err)
	}
	return true, nil
}

// sweepInterval is how often Serve sweeps: hourly, and at least four times per UploadTTL.
func (s *Server) sweepInterval() time.Duration {
	return max(min(time.Hour, s.opt.UploadTTL/4), time.Second)
}

// runSweeps sweeps at once and then every sweepInterval until ctx ends.
func (s *Server) runSweeps(ctx context.Context) {
	t := time.NewTicker(s.sweepInterval())
	defer t.Stop()
	for {
		if n, err := s.SweepUploads(); err != nil {
			s.opt.Logf("upload sweep: %v (removed %d; the next sweep retries in %s)", err, n, s.sweepInterval())
		} else if n > 0 {
			s.opt.Logf("upload sweep: removed %d uploads untouched for more than %s", n, s.opt.UploadTTL)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// touchUpload marks an upload as worked on (see above). The caller holds the packet ID's
// lock.
func (s *Server) touchUpload(dev, pkt string) error { return s.parts.touch(dev, pkt, s.opt.Now()) }
