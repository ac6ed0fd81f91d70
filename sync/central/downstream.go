package central

import (
	"bufio"
	"bytes"
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
		mb, err := os.ReadFile(filepath.Join(dir, id+".json"))
		if err != nil {
			refuse("no metadata file " + id + ".json beside it")
			continue
		}
		var meta fsync.ExportMeta
		if err := json.Unmarshal(mb, &meta); err != nil || meta.PacketID != id || !fsync.ValidID(id) {
			refuse("metadata does not parse or names another packet")
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
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			refuse(err.Error())
			continue
		}
		var dg [32]byte
		if n, err := hex.Decode(dg[:], []byte(meta.SHA256)); err != nil || n != 32 {
			refuse("bad digest in metadata")
			continue
		}
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
