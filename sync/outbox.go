package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

// Vault buckets of the sync class. Keys are packet IDs or fixed names: never personal data.
const (
	bucketOutbox   = "outbox"
	bucketTerminal = "terminal"
	bucketResults  = "results"
	keyEnrolment   = "enrolment"
	keySettings    = "settings"
	keyStatus      = "status"
	keyCursor      = "results-cursor"
	keyConfig      = "config"
	keyCheckpoint  = "checkpoint"
	sealedSuffix   = ".age"
)

// Outbox row states.
const (
	StatePending   = "pending"   // waiting to be sent (or retried)
	StateDelivered = "delivered" // a verified receipt is stored
	StateRefused   = "refused"   // central refused it for good (422, 400, 403): shown to the user
	StatePurged    = "purged"    // delivered, and the case's personal data was purged
)

// Row is one outbox entry, stored encrypted in the vault's sync class under the packet ID.
type Row struct {
	PacketID string    `json:"packet_id"`
	CaseID   string    `json:"case_id,omitempty"`
	Kind     string    `json:"kind"`
	Priority int       `json:"priority"`
	Deadline time.Time `json:"deadline,omitzero"`
	// DeadlineFrom is when the legal clock behind Deadline started (the app's, from forms).
	DeadlineFrom time.Time `json:"deadline_from,omitzero"`
	Created      time.Time `json:"created"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`    // hex, of the sealed file
	Signature    []byte    `json:"signature"` // terminal's Ed25519 signature
	State        string    `json:"state"`
	Attempts     int       `json:"attempts"`
	NextAttempt  time.Time `json:"next_attempt,omitzero"`
	LastError    string    `json:"last_error,omitempty"`
	// Problem is what the last failed attempt ran into, for the app to say what to do:
	// central's problem code (problem+json "code", e.g. "revoked", "digest-mismatch"),
	// ProblemHTTP plus the status when central gave none, ProblemSealedMissing, or empty
	// when central was not reached (network, TLS, timeout).
	Problem string `json:"problem,omitempty"`
	// Variant is the app's word for the packet within its kind (Packet.Variant).
	Variant     string          `json:"variant,omitempty"`
	UploadURL   string          `json:"upload_url,omitempty"` // resumable upload in progress
	Chunked     bool            `json:"chunked,omitempty"`    // central refused it as one PUT (413): use an upload
	Offset      int64           `json:"offset,omitempty"`
	Receipt     json.RawMessage `json:"receipt,omitempty"` // the signed receipt as received
	DeliveredAt time.Time       `json:"delivered_at,omitzero"`
}

// ErrNotEnrolled means the terminal has no enrolment with central yet.
var ErrNotEnrolled = errors.New("terminal is not enrolled with central: run fieldscreenctl enroll --central URL --token TOKEN")

// PacketPath is where the sealed file of a packet lives.
func PacketPath(dir, packetID string) string { return filepath.Join(dir, packetID+sealedSuffix) }

// Enqueue seals p to central, writes and fsyncs the sealed file under dir (the vault's
// PacketDir), and puts the outbox row in tx. Call it inside the same Session.Update that
// saves the case change, so the change and its packet commit together: if the transaction
// fails, the file is an orphan that CleanOrphans removes at the next start.
// A zero packet ID gets a new one; Kind, CaseID and Body are the caller's.
func Enqueue(tx *vault.Tx, dir string, p *Packet, now time.Time) (*Row, error) {
	en, err := LoadEnrolment(tx)
	if err != nil {
		return nil, err
	}
	defer en.Wipe()
	key, err := en.signer()
	if err != nil {
		return nil, err
	}
	if p.Header.PacketID == "" {
		p.Header.PacketID = NewPacketID(now)
	}
	if p.Header.Created.IsZero() {
		p.Header.Created = now.UTC()
	}
	if p.Header.Priority == 0 && p.Header.Kind != "" {
		p.Header.Priority = PriorityFor(p.Header.Kind)
	}
	if _, err := tx.Get(vault.Sync, bucketOutbox, p.Header.PacketID); err == nil {
		return nil, fmt.Errorf("packet %s is already in the outbox", p.Header.PacketID)
	} else if !errors.Is(err, vault.ErrNotFound) {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	s, err := Seal(p, en.DeviceID, en.recipient, key)
	if err != nil {
		return nil, err
	}
	if err := WriteFileSync(dir, s.PacketID+sealedSuffix, s.Data); err != nil {
		return nil, fmt.Errorf("write sealed packet %s: %w", s.PacketID, err)
	}
	row := &Row{
		PacketID: s.PacketID, CaseID: p.Header.CaseID, Kind: p.Header.Kind, Priority: p.Header.Priority,
		Deadline: p.Header.Deadline, DeadlineFrom: p.Header.DeadlineFrom, Created: p.Header.Created, Size: int64(len(s.Data)),
		SHA256: fmt.Sprintf("%x", s.SHA256), Signature: s.Signature, State: StatePending, Variant: p.Variant,
	}
	if err := putRow(tx, row); err != nil {
		return nil, err
	}
	if err := tx.Audit(vault.AuditEvent{Action: "case.transmit.queue", Case: vault.CaseID(p.Header.CaseID), Class: vault.Sync,
		Detail: "packet " + s.PacketID + " kind " + p.Header.Kind}); err != nil {
		return nil, fmt.Errorf("audit packet %s: %w", s.PacketID, err)
	}
	return row, nil
}

func putRow(tx *vault.Tx, r *Row) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := tx.Put(vault.Sync, bucketOutbox, r.PacketID, b); err != nil {
		return fmt.Errorf("write outbox row %s: %w", r.PacketID, err)
	}
	return nil
}

func getRow(tx *vault.Tx, id string) (*Row, error) {
	b, err := tx.Get(vault.Sync, bucketOutbox, id)
	if err != nil {
		return nil, fmt.Errorf("read outbox row %s: %w", id, err)
	}
	var r Row
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode outbox row %s: %w", id, err)
	}
	return &r, nil
}

// Rows returns every outbox row, in drain order (see less).
func Rows(tx *vault.Tx) ([]*Row, error) {
	rows, err := decodeAll[*Row](tx, bucketOutbox, "outbox row")
	if err != nil {
		return nil, err
	}
	sortRows(rows)
	return rows, nil
}

// decodeAll decodes every JSON value of a bucket in the sync class, in key order; a bucket
// not made yet holds none. what names a value in the error for one that does not decode.
func decodeAll[T any](tx *vault.Tx, bucket, what string) ([]T, error) {
	var out []T
	err := tx.ForEach(vault.Sync, bucket, func(k string, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("decode %s %s: %w", what, k, err)
		}
		out = append(out, x)
		return nil
	})
	if err != nil && !errors.Is(err, vault.ErrNotFound) {
		return nil, err
	}
	return out, nil
}

func sortRows(rows []*Row) {
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
}

// less is the drain order: priority first (P0 Eurodac), then the earliest legal deadline
// (a packet with a deadline before one without), then creation order.
func less(a, b *Row) bool {
	if a.Priority != b.Priority {
		return a.Priority < b.Priority
	}
	if !a.Deadline.Equal(b.Deadline) {
		if a.Deadline.IsZero() || b.Deadline.IsZero() {
			return !a.Deadline.IsZero()
		}
		return a.Deadline.Before(b.Deadline)
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.PacketID < b.PacketID
}

// WriteFileSync writes name under dir through a temporary file, fsyncs it, renames it into
// place and fsyncs the directory, so after return the file survives a power cut. Central
// uses it for its key files too.
func WriteFileSync(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := vault.RenameDurable(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory, making renames and creations in it durable.
func SyncDir(dir string) error { return vault.SyncDir(dir) }

// Consistency is what CleanOrphans found: removed orphan files and rows whose file is missing.
type Consistency struct {
	RemovedOrphans []string // sealed files without an outbox row (their transaction never committed)
	MissingFiles   []string // pending rows without a sealed file: reported, never dropped
}

// CleanOrphans removes sealed files (and temporary files) under dir that have no outbox
// row or whose packet was delivered, and reports pending rows whose file is missing.
// Run it at start, before the worker.
func CleanOrphans(s *vault.Session, dir string) (Consistency, error) {
	var c Consistency
	rows := map[string]*Row{}
	err := s.View(func(tx *vault.Tx) error {
		rs, err := Rows(tx)
		for _, r := range rs {
			rows[r.PacketID] = r
		}
		return err
	})
	if err != nil {
		return c, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return c, fmt.Errorf("list packet folder: %w", err)
	}
	present := map[string]bool{}
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".tmp-") {
			os.Remove(filepath.Join(dir, n))
			continue
		}
		id, ok := strings.CutSuffix(n, sealedSuffix)
		if !ok {
			continue
		}
		present[id] = true
		r, ok := rows[id]
		switch {
		case !ok:
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return c, fmt.Errorf("remove orphan packet %s: %w", id, err)
			}
			c.RemovedOrphans = append(c.RemovedOrphans, id)
		case r.State == StateDelivered || r.State == StatePurged:
			// A crash came between the receipt's commit and the file's removal: central
			// holds the packet, so the local copy goes. Refused packets keep theirs.
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return c, fmt.Errorf("remove sent packet %s: %w", id, err)
			}
		}
	}
	for id, r := range rows {
		if r.State == StatePending && !present[id] {
			c.MissingFiles = append(c.MissingFiles, id)
		}
	}
	sort.Strings(c.MissingFiles)
	return c, nil
}
