package sync

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

// Audit checkpoints (docs/SECURITY.md "Audit checkpoints"). A checkpoint is countersigned
// only with the proof that it extends the last countersigned one: the chain's entries since
// then, sealed to the audit key, over which central recomputes the hash chain. A vault
// restored from an older copy that gained entries since (login attempts add some without a
// passphrase) no longer passes through the countersigned head, whatever its size.

// Limits of one checkpoint request. The terminal sends a longer backlog in several
// countersigned steps.
const (
	MaxCheckpointEntries  = 1024     // entries in one request
	MaxCheckpointEntry    = 16 << 10 // bytes of one entry's ciphertext
	MaxCheckpointBody     = 4 << 20  // bytes of one request body (central's limit)
	checkpointChunkBytes  = 1 << 20  // ciphertext bytes the terminal puts in one request
	keyAuditRollback      = "audit-rollback"
	ProblemAuditRollback  = "audit-rollback"
	ProblemCheckpointBase = "checkpoint-base"
)

// Errors of VerifyExtension; central maps them to its answers.
var (
	ErrCheckpointMalformed = errors.New("checkpoint is malformed")
	ErrCheckpointProof     = errors.New("checkpoint proof does not lead to the checkpoint's head")
)

// CheckpointBaseError means the proof does not start at or before central's last
// countersigned size (or does not reach it): the terminal sends it again from Size.
type CheckpointBaseError struct{ Size uint64 }

func (e *CheckpointBaseError) Error() string {
	return fmt.Sprintf("checkpoint proof must start at or before entry %d and reach it", e.Size)
}

var headPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseHead decodes a chain hash: exactly 64 lowercase hex digits.
func ParseHead(s string) ([32]byte, error) {
	var h [32]byte
	if !headPattern.MatchString(s) {
		return h, fmt.Errorf("%w: head %q is not 64 lowercase hex digits", ErrCheckpointMalformed, truncate(s, 80))
	}
	hex.Decode(h[:], []byte(s))
	return h, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// VerifyExtension checks that cp extends the countersigned chain state (prevSize entries,
// hash prevHead; 0 and zero for none) by recomputing the chain from req's FromHead over
// its entries. It returns nil, ErrCheckpointMalformed, a *CheckpointBaseError, a
// *vault.AuditRollbackError (the chain does not pass through prevHead, or is shorter), or
// ErrCheckpointProof.
func VerifyExtension(prevSize uint64, prevHead [32]byte, cp Checkpoint, req CheckpointRequest) error {
	head, err := ParseHead(cp.Head)
	if err != nil {
		return err
	}
	if len(req.Entries) > MaxCheckpointEntries {
		return fmt.Errorf("%w: %d entries, at most %d in one checkpoint", ErrCheckpointMalformed, len(req.Entries), MaxCheckpointEntries)
	}
	if req.From > cp.Size || cp.Size-req.From != uint64(len(req.Entries)) {
		return fmt.Errorf("%w: size %d is not from %d plus %d entries", ErrCheckpointMalformed, cp.Size, req.From, len(req.Entries))
	}
	var h [32]byte
	if req.FromHead != "" {
		if h, err = ParseHead(req.FromHead); err != nil {
			return err
		}
	}
	if req.From == 0 && h != ([32]byte{}) {
		return fmt.Errorf("%w: the chain before its first entry has the zero hash", ErrCheckpointMalformed)
	}
	for i, e := range req.Entries {
		if len(e) == 0 || len(e) > MaxCheckpointEntry {
			return fmt.Errorf("%w: entry %d has %d bytes (1 to %d)", ErrCheckpointMalformed, req.From+uint64(i)+1, len(e), MaxCheckpointEntry)
		}
	}
	if cp.Size < prevSize {
		return &vault.AuditRollbackError{Countersigned: prevSize, Have: cp.Size}
	}
	if req.From > prevSize {
		return &CheckpointBaseError{Size: prevSize}
	}
	rolled := &vault.AuditRollbackError{Countersigned: prevSize, Have: cp.Size,
		Reason: fmt.Sprintf("entry %d differs from the countersigned one", prevSize)}
	if req.From == prevSize && h != prevHead {
		return rolled
	}
	for i, e := range req.Entries {
		seq := req.From + uint64(i) + 1
		h = vault.AuditChainHash(h, seq, e)
		if seq == prevSize && h != prevHead {
			return rolled
		}
	}
	if h != head {
		return ErrCheckpointProof
	}
	return nil
}

// Cosigned is a checkpoint countersigned by central, kept to detect a rolled-back vault.
type Cosigned struct {
	Checkpoint Checkpoint `json:"checkpoint"`
	Central    Signed     `json:"central"`
}

// lastCosigned reads the last countersigned checkpoint and checks central's signature on
// it; ok is false when there is none yet.
func lastCosigned(tx *vault.Tx, receiptKeys [][]byte) (cp Checkpoint, ok bool, err error) {
	b, err := tx.Get(vault.Sync, bucketTerminal, keyCheckpoint)
	if errors.Is(err, vault.ErrNotFound) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, err
	}
	var c Cosigned
	if err := json.Unmarshal(b, &c); err != nil {
		return cp, false, fmt.Errorf("stored audit checkpoint: %w", err)
	}
	if _, err := c.Central.OpenAny(DomainCheckpoint, receiptKeys, &cp); err != nil {
		return cp, false, fmt.Errorf("stored audit checkpoint: central's countersignature: %w", err)
	}
	return cp, true, nil
}

// AuditRollback is the record of a detected rollback, kept in the vault's sync class until
// central countersigns a checkpoint again, and shown by sync status and the Sync screen.
type AuditRollback struct {
	Detected time.Time `json:"detected"`
	Reason   string    `json:"reason"`
}

// CheckAudit compares the vault's audit chain with the last checkpoint central
// countersigned (at unlock and before every sync): the chain must still pass through it.
// A rollback is recorded (sync status, the Sync screen) and written to the audit log once,
// and returned as a *vault.AuditRollbackError; nil when the chain extends the checkpoint or
// the terminal has none yet (not enrolled, never synced).
func CheckAudit(v *vault.Vault, s *vault.Session, now time.Time) error {
	en, err := LoadEnrolmentFrom(s)
	if err != nil {
		return nil // not enrolled: nothing was countersigned
	}
	var cp Checkpoint
	var ok bool
	if err := s.View(func(tx *vault.Tx) error {
		var e error
		cp, ok, e = lastCosigned(tx, append(en.receiptKeys(), en.PastReceiptKeys...))
		return e
	}); err != nil {
		return err
	}
	if !ok {
		return nil
	}
	head, err := ParseHead(cp.Head)
	if err != nil {
		return err
	}
	err = v.CheckAuditAgainst(cp.Size, head)
	if errors.Is(err, vault.ErrAuditRollback) {
		return recordRollback(s, now, err)
	}
	return err
}

// recordRollback keeps the rollback for sync status and writes one audit entry the first
// time; it returns cause.
func recordRollback(s *vault.Session, now time.Time, cause error) error {
	rerr := s.Update(func(tx *vault.Tx) error {
		if _, err := tx.Get(vault.Sync, bucketTerminal, keyAuditRollback); err == nil {
			return nil // recorded before: one audit entry, not one per sync
		}
		b, _ := json.Marshal(AuditRollback{Detected: now.UTC(), Reason: cause.Error()})
		if err := tx.Put(vault.Sync, bucketTerminal, keyAuditRollback, b); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: "sync.audit-rollback", Detail: cause.Error()})
	})
	if rerr != nil {
		return errors.Join(cause, fmt.Errorf("record the audit rollback: %w", rerr))
	}
	return cause
}

func loadRollback(tx *vault.Tx) *AuditRollback {
	b, err := tx.Get(vault.Sync, bucketTerminal, keyAuditRollback)
	if err != nil {
		return nil
	}
	var r AuditRollback
	if json.Unmarshal(b, &r) != nil {
		return &AuditRollback{Reason: "unreadable rollback record"}
	}
	return &r
}

// Checkpoint sends the audit chain's entries since the last countersigned checkpoint (sealed
// to the audit key: central learns nothing but their number) with the new head, in steps of
// at most MaxCheckpointEntries, and stores each countersignature. A refusal because the log
// no longer extends what central countersigned is recorded like CheckAudit's and returned as
// a *vault.AuditRollbackError.
func (w *Worker) Checkpoint(ctx context.Context) error {
	size, _, err := w.v.AuditHead()
	if err != nil {
		return err
	}
	var from uint64
	var prev Checkpoint
	var ok bool
	if err := w.s.View(func(tx *vault.Tx) error {
		var e error
		prev, ok, e = lastCosigned(tx, append(w.en.receiptKeys(), w.en.PastReceiptKeys...))
		return e
	}); err != nil {
		return err
	}
	if ok && prev.Size <= size {
		from = prev.Size
	}
	rebased := false
	for {
		fromHead, cts, err := w.v.AuditLinks(from, MaxCheckpointEntries, checkpointChunkBytes)
		if errors.Is(err, vault.ErrAuditRollback) {
			return recordRollback(w.s, w.opt.Now(), err)
		}
		if err != nil {
			return err
		}
		h := fromHead
		for i, ct := range cts {
			h = vault.AuditChainHash(h, from+uint64(i)+1, ct)
		}
		end := from + uint64(len(cts))
		cp := Checkpoint{DeviceID: w.en.DeviceID, Size: end, Head: hex.EncodeToString(h[:]), At: w.opt.Now().UTC()}
		raw, _ := json.Marshal(cp)
		key, err := w.en.signer()
		if err != nil {
			return err
		}
		req := CheckpointRequest{Checkpoint: raw, Signature: ed25519.Sign(key, append([]byte(DomainCheckpoint), raw...)),
			From: from, FromHead: hex.EncodeToString(fromHead[:]), Entries: cts}
		rctx, cancel := context.WithTimeout(ctx, w.opt.Timeout)
		s, err := w.c.Checkpoint(rctx, req)
		cancel()
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusConflict {
			switch {
			case he.Problem.Code == ProblemAuditRollback:
				return recordRollback(w.s, w.opt.Now(), &vault.AuditRollbackError{Countersigned: 0, Have: size, Reason: "central: " + he.Problem.Detail})
			case he.Problem.Code == ProblemCheckpointBase && he.Problem.AuditSize != nil && !rebased:
				// Central countersigned more than this vault remembers (an answer lost on
				// the way): prove the extension from central's size instead.
				if *he.Problem.AuditSize > size {
					return recordRollback(w.s, w.opt.Now(), &vault.AuditRollbackError{Countersigned: *he.Problem.AuditSize, Have: size})
				}
				from, rebased = *he.Problem.AuditSize, true
				continue
			}
		}
		if err != nil {
			return err
		}
		var got Checkpoint
		if _, err := s.OpenAny(DomainCheckpoint, w.en.receiptKeys(), &got); err != nil {
			return err
		}
		if got.DeviceID != cp.DeviceID || got.Size != cp.Size || got.Head != cp.Head {
			return errors.New("central countersigned another checkpoint")
		}
		b, _ := json.Marshal(Cosigned{Checkpoint: got, Central: s})
		err = w.s.Update(func(tx *vault.Tx) error {
			if err := tx.Put(vault.Sync, bucketTerminal, keyCheckpoint, b); err != nil {
				return err
			}
			// Central countersigned an extension of its last head: whatever was rolled back
			// before has been dealt with (a restored newest copy).
			return tx.Delete(vault.Sync, bucketTerminal, keyAuditRollback)
		})
		if err != nil || end >= size {
			return err
		}
		from = end
	}
}
