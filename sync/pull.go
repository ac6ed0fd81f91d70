package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/vault"
)

// PullResults fetches result events after the stored cursor, verifies central's signature,
// and applies each one (Options.Applier) in the transaction that stores it and advances
// the cursor, so a crash never applies a result twice or skips one.
func (w *Worker) PullResults(ctx context.Context) (int, error) {
	total := 0
	deadline := time.Now().Add(w.opt.ResultWait) // network waiting: real time, not the injected clock
	var wait time.Duration                       // 0 for the first page; then what is left of ResultWait
	for {
		var cursor uint64
		if err := w.s.View(func(tx *vault.Tx) error {
			b, err := tx.Get(vault.Sync, bucketTerminal, keyCursor)
			if errors.Is(err, vault.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			cursor, err = strconv.ParseUint(string(b), 10, 64)
			return err
		}); err != nil {
			return total, err
		}
		rctx, cancel := context.WithTimeout(ctx, w.opt.Timeout+wait)
		asked := time.Now()
		s, err := w.c.Results(rctx, cursor, wait)
		cancel()
		if err != nil {
			return total, err
		}
		page, err := openResultsPage(s, w.en.receiptKeys(), w.en.DeviceID, cursor)
		if err != nil {
			return total, err
		}
		w.mu.Lock()
		w.status.AwaitingResults = page.Pending
		w.mu.Unlock()
		if len(page.Results) == 0 {
			// Central stores first and answers later: while it still processes packets of
			// this terminal, wait for their results as long as the caller allows.
			// (Each wait stays well inside the per-request timeout.)
			if wait > 0 && time.Since(asked) < time.Second {
				// Central did not hold the request (one that ignores wait): poll gently.
				if err := sleepCtx(ctx, time.Second); err != nil {
					return total, err
				}
			}
			if wait = min(time.Until(deadline), w.opt.Timeout/2); page.Pending == 0 || wait < time.Second {
				return total, nil
			}
			continue
		}
		wait = 0
		err = w.s.Update(func(tx *vault.Tx) error {
			for _, r := range page.Results {
				b, _ := json.Marshal(r)
				if err := tx.Put(vault.Sync, bucketResults, fmt.Sprintf("%020d", r.Seq), b); err != nil {
					return err
				}
				if w.opt.Applier != nil {
					if err := w.opt.Applier(tx, r); err != nil {
						return fmt.Errorf("apply result %d: %w", r.Seq, err)
					}
				}
			}
			return tx.Put(vault.Sync, bucketTerminal, keyCursor, []byte(strconv.FormatUint(page.Next, 10)))
		})
		if err != nil {
			return total, err
		}
		total += len(page.Results)
	}
}

// OpenResultsPage checks central's signature on a results page and that it answers this
// terminal's request: its device, its cursor, and results numbered after the cursor up to
// Next. Everything the terminal stores or applies from central passes here first
// (FuzzOpenResultsPage).
func OpenResultsPage(s Signed, receiptKey []byte, deviceID string, cursor uint64) (ResultsPage, error) {
	return openResultsPage(s, [][]byte{receiptKey}, deviceID, cursor)
}

func openResultsPage(s Signed, receiptKeys [][]byte, deviceID string, cursor uint64) (ResultsPage, error) {
	var page ResultsPage
	if _, err := s.OpenAny(DomainResults, receiptKeys, &page); err != nil {
		return page, err
	}
	if page.DeviceID != deviceID || page.After != cursor {
		return page, errors.New("central's results page is for another terminal or cursor")
	}
	for _, r := range page.Results {
		if r.Seq <= cursor || r.Seq > page.Next {
			return page, fmt.Errorf("result seq %d outside (%d, %d]", r.Seq, cursor, page.Next)
		}
	}
	return page, nil
}

// OpenConfig checks central's signature on a config and that a packet recipient it names
// is an age X25519 recipient (FuzzOpenConfig).
func OpenConfig(s Signed, receiptKey []byte) (Config, error) {
	cfg, _, err := openConfig(s, [][]byte{receiptKey})
	return cfg, err
}

// openConfig is OpenConfig with central's current and announced receipt keys; it also
// returns the index of the key that signed (1: central has switched to the announced key).
func openConfig(s Signed, receiptKeys [][]byte) (Config, int, error) {
	var cfg Config
	signer, err := s.OpenAny(DomainConfig, receiptKeys, &cfg)
	if err != nil {
		return cfg, signer, err
	}
	if cfg.NextReceiptKey != nil && len(cfg.NextReceiptKey) != ed25519.PublicKeySize {
		return cfg, signer, errors.New("central's config announces a receipt key that is not an Ed25519 public key")
	}
	for _, pin := range []string{cfg.ServerPin, cfg.NextServerPin} {
		if b, err := hex.DecodeString(pin); pin != "" && (err != nil || len(b) != sha256.Size) {
			return cfg, signer, errors.New("central's config names a TLS pin that is not a hex SHA-256")
		}
	}
	return cfg, signer, checkConfigRecipient(cfg)
}

func checkConfigRecipient(cfg Config) error {
	if cfg.Recipient != "" {
		if _, err := age.ParseX25519Recipient(cfg.Recipient); err != nil {
			return fmt.Errorf("central's config names a packet recipient that is not an age X25519 recipient: %w", err)
		}
	}
	return nil
}

// StoredResults returns every result pulled so far, in sequence order.
func StoredResults(tx *vault.Tx) ([]Result, error) {
	return decodeAll[Result](tx, bucketResults, "result")
}

type storedConfig struct {
	ETag   string `json:"etag"`
	Signed Signed `json:"signed"`
	Config Config `json:"config"`
}

// PullConfig fetches central's signed reference data unless the stored ETag still matches.
func (w *Worker) PullConfig(ctx context.Context) error {
	var cur storedConfig
	_ = w.s.View(func(tx *vault.Tx) error {
		if b, err := tx.Get(vault.Sync, bucketTerminal, keyConfig); err == nil {
			_ = json.Unmarshal(b, &cur)
		}
		return nil
	})
	rctx, cancel := context.WithTimeout(ctx, w.opt.Timeout)
	defer cancel()
	s, tag, notModified, err := w.c.Config(rctx, cur.ETag)
	if err != nil || notModified {
		return err
	}
	cfg, signer, err := openConfig(s, w.en.receiptKeys())
	if err != nil {
		return err
	}
	b, _ := json.Marshal(storedConfig{ETag: tag, Signed: s, Config: cfg})
	// Packets are sealed when they are queued (Enqueue reads the enrolment), so storing the
	// new recipient is all a packet key rotation needs here. Announced TLS and receipt keys
	// are stored in the same transaction as the config that announced them.
	var en *Enrolment
	err = w.s.Update(func(tx *vault.Tx) error {
		if err := tx.Put(vault.Sync, bucketTerminal, keyConfig, b); err != nil {
			return err
		}
		if err := adoptRecipient(tx, cfg.Recipient, "signed config"); err != nil {
			return err
		}
		var err error
		en, err = adoptCentralKeys(tx, cfg, signer == 1)
		return err
	})
	if err != nil || en == nil {
		return err
	}
	// Later requests of this drain use the keys just stored.
	c, err := NewClient(en, w.opt.Timeout)
	if err != nil {
		return err
	}
	c.now = w.opt.Now
	w.c.CloseIdle()
	w.en, w.c = en, c
	return nil
}

// adoptCentralKeys applies a verified config's key announcements to the stored enrolment:
// the next TLS pin and receipt key are accepted beside the current ones; once central
// signs with the announced receipt key (byNext) or presents the announced TLS key as its
// current one, the announced key becomes the current one. It returns the new enrolment, or
// nil when nothing changed. The changes are audited.
func adoptCentralKeys(tx *vault.Tx, cfg Config, byNext bool) (*Enrolment, error) {
	en, err := LoadEnrolment(tx)
	if err != nil {
		return nil, err
	}
	var changes []string
	if byNext {
		en.PastReceiptKeys = append(en.PastReceiptKeys, en.ReceiptKey)
		en.ReceiptKey, en.NextReceiptKey = en.NextReceiptKey, nil
		changes = append(changes, "central now signs with the announced receipt key")
	}
	if cfg.ServerPin != "" && cfg.ServerPin != en.ServerPin && cfg.ServerPin == en.NextServerPin {
		en.ServerPin, en.NextServerPin = en.NextServerPin, ""
		changes = append(changes, "central now presents the announced TLS key")
	}
	if next := cfg.NextReceiptKey; !bytes.Equal(next, en.NextReceiptKey) && !bytes.Equal(next, en.ReceiptKey) {
		en.NextReceiptKey = next
		if next != nil {
			changes = append(changes, "central announced its next receipt key")
		}
	}
	if next := cfg.NextServerPin; next != en.NextServerPin && next != en.ServerPin {
		en.NextServerPin = next
		if next != "" {
			changes = append(changes, "central announced its next TLS key "+next)
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	if err := putEnrolmentRecord(tx, en); err != nil {
		return nil, err
	}
	if err := tx.Audit(vault.AuditEvent{Action: "sync.central-keys", Class: vault.Sync,
		Detail: strings.Join(changes, "; ")}); err != nil {
		return nil, err
	}
	return LoadEnrolment(tx)
}

// adoptRecipient makes recipient (already checked) the one new packets are sealed to, when
// central has rotated its packet key; the change is audited. Packets already sealed to the
// earlier recipient stay as they are: central keeps the identities that open them.
func adoptRecipient(tx *vault.Tx, recipient, source string) error {
	en, err := LoadEnrolment(tx)
	if err != nil || recipient == "" || recipient == en.Recipient {
		return err
	}
	en.Recipient = recipient
	if err := putEnrolmentRecord(tx, en); err != nil {
		return err
	}
	return tx.Audit(vault.AuditEvent{Action: "sync.recipient", Class: vault.Sync,
		Detail: "central's packet recipient changed (" + source + "): new packets are sealed to " + recipient})
}

// LoadConfig returns the last verified config from central and its ETag.
func LoadConfig(tx *vault.Tx) (Config, string, error) {
	var sc storedConfig
	b, err := tx.Get(vault.Sync, bucketTerminal, keyConfig)
	if err != nil {
		return Config{}, "", err
	}
	err = json.Unmarshal(b, &sc)
	return sc.Config, sc.ETag, err
}

// PurgeDue crypto-shreds the personal data of every case the retention rule allows
// (Options.Purgeable: the app's rule; without one, every packet receipted and the grace
// period after the last receipt passed). Cases with a pending or refused packet are kept:
// the data may still be needed to resend or correct.
func (w *Worker) PurgeDue() ([]vault.CaseID, error) {
	now := w.opt.Now()
	var purged []vault.CaseID
	err := w.s.Update(func(tx *vault.Tx) error {
		rows, err := Rows(tx)
		if err != nil {
			return err
		}
		type agg struct {
			blocked bool
			last    time.Time
			rows    []*Row
		}
		cases := map[string]*agg{}
		for _, r := range rows {
			if r.CaseID == "" {
				continue
			}
			a := cases[r.CaseID]
			if a == nil {
				a = &agg{}
				cases[r.CaseID] = a
			}
			a.rows = append(a.rows, r)
			switch r.State {
			case StateDelivered:
				if r.DeliveredAt.After(a.last) {
					a.last = r.DeliveredAt
				}
			case StatePurged:
			default:
				a.blocked = true
			}
		}
		for id, a := range cases {
			live := false
			for _, r := range a.rows {
				live = live || r.State != StatePurged
			}
			switch {
			case !live:
				continue
			case w.opt.Purgeable != nil:
				ok, err := w.opt.Purgeable(tx, vault.CaseID(id), a.rows, now)
				if err != nil {
					return fmt.Errorf("retention rule for case %s: %w", id, err)
				}
				if !ok {
					continue
				}
			case a.blocked || a.last.IsZero() || now.Sub(a.last) < w.opt.Grace:
				continue
			}
			if err := tx.PurgeCase(vault.CaseID(id)); err != nil && !errors.Is(err, vault.ErrNotFound) {
				return fmt.Errorf("purge case: %w", err)
			}
			if err := markPurged(tx, a.rows); err != nil {
				return err
			}
			purged = append(purged, vault.CaseID(id))
		}
		return nil
	})
	if err != nil || w.opt.Prune == nil {
		return purged, err
	}
	err = w.s.Update(func(tx *vault.Tx) error {
		_, err := w.opt.Prune(tx, now)
		return err
	})
	if err != nil {
		return purged, fmt.Errorf("prune: %w", err)
	}
	return purged, nil
}

// MarkCasePurged marks the delivered outbox rows of a case purged, in the transaction that
// purges the case (an operator's `case purge`; PurgeDue does the same for its own).
func MarkCasePurged(tx *vault.Tx, caseID vault.CaseID) error {
	rows, err := Rows(tx)
	if err != nil {
		return err
	}
	var mine []*Row
	for _, r := range rows {
		if r.CaseID == string(caseID) {
			mine = append(mine, r)
		}
	}
	return markPurged(tx, mine)
}

func markPurged(tx *vault.Tx, rows []*Row) error {
	for _, r := range rows {
		if r.State == StateDelivered {
			r.State = StatePurged
			if err := putRow(tx, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// Status is what `sync status` and the queue panel show.
type Status struct {
	Pending                int        `json:"pending"`
	PendingBytes           int64      `json:"pendingBytes"`
	OldestUrgentAgeSeconds float64    `json:"oldestUrgentAgeSeconds"` // oldest pending P0 (Eurodac), 0 if none
	LastContact            *time.Time `json:"lastContact"`            // null until central answered a probe
	ClockOffsetSeconds     float64    `json:"clockOffsetSeconds"`     // central's clock minus ours at the last probe (warn beyond 120)
	Breaker                string     `json:"breaker"`
	Paused                 bool       `json:"paused"`
	BandwidthLimit         int64      `json:"bandwidthLimit"`
	Delivered              int        `json:"delivered"`
	Purged                 int        `json:"purged"`
	Refused                []Refusal  `json:"refused"`
	Uploading              []string   `json:"uploading"` // packet IDs with a resumable upload in progress
	ResultsCursor          uint64     `json:"resultsCursor"`
	// AwaitingResults: packets central had stored but not yet answered at the last pull.
	AwaitingResults int `json:"awaitingResults"`
	// LateResults arrived for cases this terminal no longer holds (NoteLateResult).
	LateResults []LateResult `json:"lateResults"`
	DeviceID    string       `json:"deviceId,omitempty"`
	// AuditRollback: the audit log no longer extends the checkpoint central countersigned
	// (sync/checkpoint.go); kept until central countersigns again.
	AuditRollback *AuditRollback `json:"auditRollback,omitempty"`
}

// Refusal is a packet central refused for good, with central's reason.
type Refusal struct {
	PacketID string `json:"packetId"`
	Reason   string `json:"reason"`
}

// GetStatus reads the queue state from the vault (no network).
func GetStatus(tx *vault.Tx, now time.Time) (Status, error) {
	st := Status{Breaker: "closed", Refused: []Refusal{}, Uploading: []string{}, AuditRollback: loadRollback(tx)}
	rows, err := Rows(tx)
	if err != nil {
		return st, err
	}
	if st.LateResults, err = LateResults(tx); err != nil {
		return st, err
	}
	for _, r := range rows {
		switch r.State {
		case StatePending:
			st.Pending++
			st.PendingBytes += r.Size
			if r.Priority == P0 {
				if age := now.Sub(r.Created).Seconds(); age > st.OldestUrgentAgeSeconds {
					st.OldestUrgentAgeSeconds = age
				}
			}
			if r.UploadURL != "" {
				st.Uploading = append(st.Uploading, r.PacketID)
			}
		case StateDelivered:
			st.Delivered++
		case StatePurged:
			st.Purged++
		case StateRefused:
			st.Refused = append(st.Refused, Refusal{PacketID: r.PacketID, Reason: r.LastError})
		}
	}
	set, err := LoadSettings(tx)
	if err != nil {
		return st, err
	}
	st.Paused, st.BandwidthLimit = set.Paused, set.BandwidthLimit
	if b, err := tx.Get(vault.Sync, bucketTerminal, keyStatus); err == nil {
		var ss savedStatus
		if json.Unmarshal(b, &ss) == nil {
			st.ClockOffsetSeconds = ss.ClockOffset.Seconds()
			st.AwaitingResults = ss.AwaitingResults
			if !ss.LastContact.IsZero() {
				lc := ss.LastContact
				st.LastContact = &lc
			}
			for _, br := range ss.Breakers {
				if s := br.State(now); s != "closed" {
					st.Breaker = s
				}
			}
		}
	}
	if b, err := tx.Get(vault.Sync, bucketTerminal, keyCursor); err == nil {
		st.ResultsCursor, _ = strconv.ParseUint(string(b), 10, 64)
	}
	if en, err := LoadEnrolment(tx); err == nil {
		st.DeviceID = en.DeviceID
	}
	return st, nil
}

// ExportMeta travels beside each exported sealed packet: the signed outer metadata central
// needs to verify and deduplicate it (nothing personal: IDs, digest, signature).
type ExportMeta struct {
	PacketID  string `json:"packet_id"`
	DeviceID  string `json:"device_id"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Signature []byte `json:"signature"`
	Kind      string `json:"kind"`
	Priority  int    `json:"priority"`
}

// Export copies every pending sealed packet to outDir as <id>.age plus <id>.json (ExportMeta)
// for a courier. Rows stay pending: only a receipt (after central imports them and the
// terminal syncs, or an upload) marks them delivered, and central deduplicates.
func Export(s *vault.Session, packetDir, outDir string) (int, error) {
	var rows []*Row
	var en *Enrolment
	if err := s.View(func(tx *vault.Tx) error {
		var err error
		if en, err = LoadEnrolment(tx); err != nil {
			return err
		}
		rows, err = Rows(tx)
		return err
	}); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return 0, fmt.Errorf("export folder: %w", err)
	}
	n := 0
	for _, r := range rows {
		if r.State != StatePending {
			continue
		}
		data, err := os.ReadFile(PacketPath(packetDir, r.PacketID))
		if err != nil {
			return n, fmt.Errorf("export packet %s: %w", r.PacketID, err)
		}
		meta, _ := json.MarshalIndent(ExportMeta{PacketID: r.PacketID, DeviceID: en.DeviceID, SHA256: r.SHA256,
			Size: r.Size, Signature: r.Signature, Kind: r.Kind, Priority: r.Priority}, "", "  ")
		if err := WriteFileSync(outDir, r.PacketID+sealedSuffix, data); err != nil {
			return n, fmt.Errorf("export packet %s: %w", r.PacketID, err)
		}
		if err := WriteFileSync(outDir, r.PacketID+".json", meta); err != nil {
			return n, fmt.Errorf("export packet %s: %w", r.PacketID, err)
		}
		n++
	}
	if err := s.Update(func(tx *vault.Tx) error {
		return tx.Audit(vault.AuditEvent{Action: "sync.export", Class: vault.Sync, Detail: fmt.Sprintf("%d sealed packets to removable media", n)})
	}); err != nil {
		return n, err
	}
	return n, nil
}

// sleepCtx waits d of real time or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
