package central

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// CheckQuery is the body of a security-check packet (docs/sync.md).
type CheckQuery = fsync.CheckQuery

// LoadWatchlist reads a watch-list file: one name or document number per line, optionally
// limited to one system as "SYSTEM: entry" (for example "SIS: TESTPERSON WATCHED" hits in
// SIS only, every other system answers no hit); blank lines and lines starting with # are
// ignored.
func LoadWatchlist(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("watch list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, normalise(l))
	}
	return out, sc.Err()
}

func normalise(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }

// downstream is the simulated national and Eurodac back end: it opens a packet with
// central's identity (before it is stored) and returns the results the terminal will
// pull; they are stored in the same transaction as the packet. A packet that does not open
// gives a "rejected" result with the reason, never a silent drop, and says why in invalid
// (the packet is quarantined: see Store.Quarantine).
func (s *Server) downstream(data io.Reader, packetID, deviceID string) (out []fsync.Result, invalid string) {
	now := s.opt.Now().UTC()
	res := func(r fsync.Result) {
		r.PacketID, r.At = packetID, now
		out = append(out, r)
	}
	p, err := fsync.OpenStream(data, packetID, deviceID, s.keys.AgeIdentities()...)
	if err != nil {
		reason := "packet does not decrypt with central's key"
		switch {
		case errors.Is(err, fsync.ErrMismatch):
			reason = "packet header names another packet or terminal"
		case errors.Is(err, fsync.ErrContainer):
			reason = "packet container is malformed: " + err.Error()
		}
		res(fsync.Result{Type: fsync.ResultRejected, Reason: reason})
		return out, reason
	}
	base := fsync.Result{CaseID: p.Header.CaseID}
	v := base
	v.Type = fsync.ResultValidated
	res(v)
	switch p.Header.Kind {
	case fsync.KindSecurityCheck:
		var q CheckQuery
		if err := json.Unmarshal(p.Body, &q); err != nil {
			r := base
			r.Type, r.Reason = fsync.ResultRejected, "security-check body is not a check query"
			res(r)
			return out, ""
		}
		for _, r := range s.checkAnswers(q) {
			r.CaseID = base.CaseID
			res(r)
		}
	case fsync.KindEurodac:
		sum := sha256.Sum256([]byte(deviceID + "/" + packetID))
		r := base
		r.Type, r.Reference = fsync.ResultEurodac, "EURODAC-"+strings.ToUpper(hex.EncodeToString(sum[:6]))
		res(r)
	}
	return out, ""
}

// checkAnswers is the simulated downstream's reply to a check query: one result per system the
// query names, each on its own. A system in Options.Unavailable answers not possible (the
// simulated link to it is down), never no hit. A query naming no system (a terminal before
// per-system results) gets one answer for the whole query, as before.
func (s *Server) checkAnswers(q CheckQuery) []fsync.Result {
	if len(q.Systems) == 0 {
		r := fsync.Result{Type: fsync.ResultCheck, Outcome: fsync.OutcomeNoHit}
		if s.listed(q, "") {
			r.Outcome = fsync.OutcomeHit
		}
		return []fsync.Result{r}
	}
	out := make([]fsync.Result, 0, len(q.Systems))
	for _, sys := range q.Systems {
		r := fsync.Result{Type: fsync.ResultCheck, System: sys, Outcome: fsync.OutcomeNoHit}
		switch {
		case s.unavailable(sys):
			r.Outcome, r.Reason = fsync.OutcomeNotPossible, sys+" did not answer (system unavailable)"
		case s.listed(q, sys):
			r.Outcome = fsync.OutcomeHit
			sum := sha256.Sum256([]byte(sys + "/" + strings.Join(q.Names, "/") + "/" + strings.Join(q.DocumentNumbers, "/")))
			r.Reference = sys + "-HIT-" + strings.ToUpper(hex.EncodeToString(sum[:4]))
		}
		out = append(out, r)
	}
	return out
}

func (s *Server) unavailable(system string) bool {
	for _, u := range s.opt.Unavailable {
		if strings.EqualFold(u, system) {
			return true
		}
	}
	return false
}

// listed reports whether a name or document number of q is on the watch list for system
// (an entry without a system prefix is listed in every system; system "" asks about the
// whole query, so every entry counts).
func (s *Server) listed(q CheckQuery, system string) bool {
	for _, w := range s.opt.Watchlist {
		entry := w
		if sys, rest, ok := strings.Cut(w, ":"); ok && !strings.ContainsAny(sys, " ") {
			if system != "" && !strings.EqualFold(sys, system) {
				continue
			}
			entry = normalise(rest)
		}
		for _, x := range append(append([]string(nil), q.Names...), q.DocumentNumbers...) {
			if normalise(x) == entry {
				return true
			}
		}
	}
	return false
}

// ImportReport counts what ImportDir did.
type ImportReport struct {
	Imported   int
	Duplicates int
	Refused    []string // "<file>: reason"
}

// ImportDir imports sealed packets a courier brought on removable media (the folder
// written by `fieldscreenctl sync export`): each <id>.age with its <id>.json. Signatures
// are checked against the enrolled terminal's key, and packets already held are
// deduplicated exactly as for uploads.
func (s *Server) ImportDir(dir string) (ImportReport, error) {
	var rep ImportReport
	ents, err := os.ReadDir(dir)
	if err != nil {
		return rep, fmt.Errorf("import folder: %w", err)
	}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".age")
		if !ok || e.IsDir() {
			continue
		}
		refuse := func(why string) { rep.Refused = append(rep.Refused, e.Name()+": "+why) }
		mb, err := readImportFile(filepath.Join(dir, id+".json"), maxImportMeta)
		if err != nil {
			refuse("metadata " + id + ".json: " + err.Error())
			continue
		}
		meta, err := ParseImportMeta(mb, id, s.opt.MaxUpload)
		if err != nil {
			refuse(err.Error())
			continue
		}
		d, err := s.store.Device(meta.DeviceID)
		if err != nil {
			refuse("unknown terminal " + meta.DeviceID)
			continue
		}
		if d.Revoked {
			refuse("terminal " + d.ID + " is revoked")
			continue
		}
		data, err := readImportFile(filepath.Join(dir, e.Name()), meta.Size)
		if err != nil {
			refuse(err.Error())
			continue
		}
		if int64(len(data)) != meta.Size {
			refuse(fmt.Sprintf("file has %d bytes, its metadata says %d", len(data), meta.Size))
			continue
		}
		var dg [32]byte
		hex.Decode(dg[:], []byte(meta.SHA256))
		if err := fsync.Verify(id, d.ID, data, dg, meta.Signature, d.PublicKey); err != nil {
			refuse(err.Error())
			continue
		}
		c := packetClaim{id: id, digest: meta.SHA256, sig: meta.Signature}
		rec := &recorder{}
		s.store1(rec, d, c, int64(len(data)), bytes.NewReader(data), "import")
		switch rec.status {
		case 201:
			rep.Imported++
		case 200:
			rep.Duplicates++
		default:
			refuse(strings.TrimSpace(rec.body.String()))
		}
	}
	return rep, nil
}

// maxImportMeta bounds an import's metadata file (a few hundred bytes in practice).
const maxImportMeta = 64 << 10

// readImportFile reads a file of a courier's folder: a regular file only (a symlink, device,
// FIFO or folder is refused without following or opening it for reading) of at most max
// bytes, so a folder on removable media cannot point central at /dev/zero or its own keys.
func readImportFile(path string, max int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("missing")
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s): symlinks, devices and pipes are refused", fi.Mode().Type())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%d bytes, more than the %d allowed", fi.Size(), max)
	}
	// O_NOFOLLOW and the check on the open file close the gap between Lstat and Open.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return fsync.ReadLimited(f, max, "file")
}

// ParseImportMeta decodes the metadata a courier brought beside packet id and checks every
// field before anything is read or verified: the packet and device IDs, a 64-digit hex
// digest, a size from 1 to maxSize and a 64-byte signature.
func ParseImportMeta(b []byte, id string, maxSize int64) (fsync.ExportMeta, error) {
	var meta fsync.ExportMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return meta, errors.New("metadata does not parse as JSON")
	}
	switch {
	case !fsync.ValidID(id) || meta.PacketID != id:
		return meta, errors.New("metadata names another packet (or the file name is no packet ID)")
	case !fsync.ValidID(meta.DeviceID):
		return meta, errors.New("metadata has no valid terminal ID")
	case len(meta.SHA256) != 64 || strings.Trim(meta.SHA256, "0123456789abcdef") != "":
		return meta, errors.New("bad digest in metadata")
	case meta.Size <= 0 || meta.Size > maxSize:
		return meta, fmt.Errorf("metadata size %d outside 1 to %d bytes", meta.Size, maxSize)
	case len(meta.Signature) != ed25519.SignatureSize:
		return meta, errors.New("metadata has no Ed25519 signature")
	}
	return meta, nil
}

// ExportDir writes every stored sealed packet, exactly as received, to
// outDir/<device>-<id>.age (packet IDs are unique per terminal only). Quarantined packets
// (Store.Quarantine: their sealed content is not a packet of that terminal) are left out
// and counted in quarantined.
func ExportDir(st Store, outDir string) (n, quarantined int, err error) {
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return 0, 0, err
	}
	err = st.Packets(func(m PacketMeta) error {
		if m.Quarantined != "" {
			quarantined++
			return nil
		}
		rc, err := st.OpenPacket(m.DeviceID, m.PacketID)
		if err != nil {
			return fmt.Errorf("packet %s: %w", m.PacketID, err)
		}
		defer rc.Close()
		f, err := os.OpenFile(filepath.Join(outDir, m.DeviceID+"-"+m.PacketID+".age"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, rc); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, quarantined, err
}

// recorder captures an answer when a handler path is reused outside HTTP (imports).
type recorder struct {
	status int
	hdr    http.Header
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header {
	if r.hdr == nil {
		r.hdr = http.Header{}
	}
	return r.hdr
}
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.status = code }
