package central

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// Resumable uploads (tus 1.0 core + checksum, docs/api/openapi.yaml). The upload ID is the
// packet ID, scoped to the device; the bytes go to uploads/<device>-<packet>.part and the
// offset is that file's size, which is only ever extended by a checksummed, fsynced chunk.
// Uploads left untouched for Options.UploadTTL are removed (sweep.go).

func (s *Server) offset(dev, pkt string) (int64, error) { return s.parts.offset(dev, pkt) }

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, d Device) {
	id := r.Header.Get(fsync.HeaderIdemKey)
	c, ok := s.readClaim(w, r, id, d)
	if !ok {
		return
	}
	length, err := strconv.ParseInt(r.Header.Get(fsync.HeaderLength), 10, 64)
	if err != nil || length <= 0 {
		problem(w, http.StatusBadRequest, "bad-length", "missing or invalid Upload-Length", "")
		return
	}
	if length > s.opt.MaxUpload {
		problem(w, http.StatusRequestEntityTooLarge, "too-large", "packet larger than central accepts", fmt.Sprintf("at most %d bytes", s.opt.MaxUpload))
		return
	}
	unlock := s.lock(packetKey(d.ID, id))
	defer unlock()
	if old, err := s.store.Packet(d.ID, id); err == nil { // already complete: answer as a replayed PUT
		s.replay(w, old, c.digest)
		return
	}
	if u, err := s.store.Upload(d.ID, id); err == nil {
		if u.SHA256 != c.digest || u.Length != length {
			s.events.write(Event{Kind: EventConflict, Device: d.ID, Packet: id, Detail: "upload started again with other content"})
			problem(w, http.StatusUnprocessableEntity, "digest-conflict", "an upload with this packet ID has other content", "a changed packet needs a new ID")
			return
		}
	} else if errors.Is(err, ErrNotFound) {
		if !s.uploadQuota(w, r, d, length) {
			return
		}
		if err := s.store.PutUpload(Upload{DeviceID: d.ID, PacketID: id, Length: length, SHA256: c.digest, Signature: c.sig, Created: s.opt.Now().UTC()}); err != nil {
			problem(w, http.StatusInternalServerError, "store", "could not start the upload", "")
			return
		}
	} else {
		problem(w, http.StatusInternalServerError, "store", "could not read uploads", "")
		return
	}
	if err := s.touchUpload(d.ID, id); err != nil { // worked on: not abandoned (sweep.go)
		problem(w, http.StatusInternalServerError, "store", "could not start the upload", "retry later")
		return
	}
	off, err := s.offset(d.ID, id)
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read the upload", "")
		return
	}
	w.Header().Set("Location", "/v1/uploads/"+id)
	w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(off, 10))
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) headUpload(w http.ResponseWriter, r *http.Request, d Device) {
	id := r.PathValue("id")
	unlock := s.lock(packetKey(d.ID, id)) // against the sweep: an upload asked about is touched, not removed
	defer unlock()
	if _, err := s.store.Upload(d.ID, id); err != nil {
		w.WriteHeader(http.StatusNotFound) // completed, expired (sweep.go) or never created
		return
	}
	err := s.touchUpload(d.ID, id)
	var off int64
	if err == nil {
		off, err = s.offset(d.ID, id)
	}
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(off, 10))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) patchUpload(w http.ResponseWriter, r *http.Request, d Device) {
	id := r.PathValue("id")
	claimed, err := strconv.ParseInt(r.Header.Get(fsync.HeaderOffset), 10, 64)
	if err != nil || claimed < 0 {
		problem(w, http.StatusBadRequest, "bad-offset", "missing or invalid Upload-Offset", "HEAD the upload and resume from its offset")
		return
	}
	alg, sum, _ := strings.Cut(r.Header.Get(fsync.HeaderChecksum), " ")
	want, err := base64.StdEncoding.DecodeString(sum)
	if alg != "sha256" || err != nil || len(want) != 32 {
		problem(w, http.StatusBadRequest, "bad-checksum", "missing or malformed Upload-Checksum", "send Upload-Checksum: sha256 BASE64")
		return
	}
	if r.ContentLength <= 0 || r.ContentLength > s.opt.MaxChunk {
		problem(w, http.StatusRequestEntityTooLarge, "chunk-too-large", "chunk too large or without Content-Length", fmt.Sprintf("at most %d bytes", s.opt.MaxChunk))
		return
	}
	// The chunk is read before the upload's lock is taken (a slow body holds no lock), within
	// a deadline and central's memory budget; one buffer of exactly the chunk's size.
	release, err := s.bodies.take(r.Context(), r.ContentLength)
	if err != nil {
		return // the terminal went away or central is stopping
	}
	defer release()
	s.bodyDeadline(w, r.ContentLength)
	chunk := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(r.Body, chunk); err != nil {
		problem(w, http.StatusRequestTimeout, "chunk-cut", "chunk shorter than its Content-Length or too slow", "send it again")
		return
	}
	unlock := s.lock(packetKey(d.ID, id))
	defer unlock()
	if old, err := s.store.Packet(d.ID, id); err == nil { // completed by an earlier PATCH whose answer was lost
		w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(old.Size, 10))
		s.replay(w, old, old.SHA256)
		return
	}
	u, err := s.store.Upload(d.ID, id)
	if err != nil {
		problem(w, http.StatusNotFound, "no-upload", "no such upload", "create it with POST /v1/uploads")
		return
	}
	off, err := s.offset(d.ID, id)
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read the upload", "")
		return
	}
	if claimed != off {
		w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(off, 10))
		problem(w, http.StatusConflict, "offset-mismatch", "Upload-Offset does not match", fmt.Sprintf("central holds %d bytes: HEAD and resume from there", off))
		return
	}
	if limit := min(s.opt.MaxChunk, u.Length-off); int64(len(chunk)) > limit {
		problem(w, http.StatusRequestEntityTooLarge, "chunk-too-large", "chunk goes beyond the upload's length", fmt.Sprintf("at most %d bytes here", limit))
		return
	}
	if got := sha256.Sum256(chunk); string(got[:]) != string(want) {
		w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(off, 10))
		problem(w, http.StatusConflict, "checksum-mismatch", "chunk checksum does not match", "the chunk was damaged in transit: send it again")
		return
	}
	err = s.parts.appendChunk(d.ID, id, off, chunk, s.opt.Now())
	var oe *OffsetError
	if errors.As(err, &oe) { // another instance stored a chunk meanwhile
		w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(oe.Current, 10))
		problem(w, http.StatusConflict, "offset-mismatch", "Upload-Offset does not match", fmt.Sprintf("central holds %d bytes: HEAD and resume from there", oe.Current))
		return
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not store the chunk", "retry")
		return
	}
	off += int64(len(chunk))
	w.Header().Set(fsync.HeaderOffset, strconv.FormatInt(off, 10))
	if off < u.Length {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.completeUpload(w, d, u)
}

// completeUpload checks the whole file's digest against the signed claim and stores it as
// a packet; the receipt is the answer to the last PATCH.
func (s *Server) completeUpload(w http.ResponseWriter, d Device, u Upload) {
	// Three passes over the part (digest, sealed header, store), each from the start; the
	// part is never held in memory.
	f := s.parts.reader(d.ID, u.PacketID)
	defer f.Close()
	h := sha256.New()
	_, err := io.Copy(h, f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read the upload", "")
		return
	}
	if hex.EncodeToString(h.Sum(nil)) != u.SHA256 {
		s.parts.remove(d.ID, u.PacketID)
		problem(w, http.StatusConflict, "digest-mismatch", "assembled packet does not match its digest", "the upload restarts from zero")
		return
	}
	c := packetClaim{id: u.PacketID, digest: u.SHA256, sig: u.Signature}
	if !s.checkSealed(w, d, c, f, true) {
		f.Close()
		// It can never become a packet: the terminal's refusal is final.
		s.store.DeleteUpload(d.ID, u.PacketID)
		s.parts.remove(d.ID, u.PacketID)
		return
	}
	stored, created, err := s.storeNew(d, c, u.Length, f, "upload")
	f.Close()
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "central could not store the packet", "retry later")
		return
	}
	s.store.DeleteUpload(d.ID, u.PacketID)
	s.parts.remove(d.ID, u.PacketID)
	if !created {
		s.replay(w, stored, u.SHA256)
		return
	}
	writeJSON(w, http.StatusOK, stored.Receipt)
}

// uploadQuota refuses a new upload that would take the terminal over its uploads in
// progress (Options.MaxDeviceUploads, MaxDeviceUploadBytes): 429, so the terminal retries
// after finishing others or after the sweep removed abandoned ones.
func (s *Server) uploadQuota(w http.ResponseWriter, r *http.Request, d Device, length int64) bool {
	n, bytes := 0, length
	err := s.store.Uploads(func(u Upload) error {
		if u.DeviceID == d.ID {
			n++
			bytes += u.Length
		}
		return nil
	})
	if err != nil {
		problem(w, http.StatusInternalServerError, "store", "could not read uploads", "retry later")
		return false
	}
	if n+1 > s.opt.MaxDeviceUploads || bytes > s.opt.MaxDeviceUploadBytes {
		s.event(r, EventQuota, d.ID, fmt.Sprintf("%d uploads, %d bytes in progress", n, bytes-length))
		s.metrics.rateLimited.WithLabelValues("upload-quota").Inc()
		w.Header().Set("Retry-After", "60")
		problem(w, http.StatusTooManyRequests, "upload-quota", "too many uploads in progress for this terminal",
			fmt.Sprintf("at most %d uploads and %d bytes at once: finish the others first", s.opt.MaxDeviceUploads, s.opt.MaxDeviceUploadBytes))
		return false
	}
	return true
}
