package vault

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditEvent is what a caller records. Detail never holds personal data of screened persons.
type AuditEvent struct {
	Action string `json:"action"`
	Case   CaseID `json:"case,omitempty"`
	Class  Class  `json:"class,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// AuditEntry is a decrypted audit entry.
type AuditEntry struct {
	Seq  uint64
	At   time.Time
	User string
	Role Role
	AuditEvent
	Hash [32]byte
}

type auditPlain struct {
	At   time.Time `json:"at"`
	User string    `json:"user,omitempty"`
	Role Role      `json:"role,omitempty"`
	AuditEvent
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// appendAudit seals an entry to the current audit public key and chains it; it needs no
// secret beyond the terminal secret in the file. It keeps the failed-unlock counters bound
// to the chain (unlockguard.go): every append checks the binding first and seals it again.
func appendAudit(btx *bolt.Tx, now time.Time, who actor, e AuditEvent) error {
	mk := counterKeyIn(btx)
	d, ok := storedBind(btx, mk, false) // the chain end only: counters are checked where they change
	if !ok {
		if err := tamperResponse(btx, mk, now); err != nil {
			return err
		}
		d = counterDigest(btx)
	}
	if err := appendEntry(btx, now, who, e); err != nil {
		return err
	}
	return sealBind(btx, mk, d)
}

// appendEntry is appendAudit without the counter binding.
func appendEntry(btx *bolt.Tx, now time.Time, who actor, e AuditEvent) error {
	ab := btx.Bucket(bAudit)
	seq, prev := uint64(1), [32]byte{}
	if k, v := ab.Cursor().Last(); k != nil {
		if len(k) != 8 {
			return fmt.Errorf("audit log key: %w", ErrIntegrity)
		}
		seq = binary.BigEndian.Uint64(k) + 1
		if r, err := parseAuditRec(v); err == nil {
			prev = r.hash
		}
		// A damaged head still chains (on its stored hash bytes or zero); VerifyAudit reports it.
	}
	kr := keyring{btx}
	ver := kr.cur(tagAudit)
	pub, err := kr.pub(tagAudit, ver)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	pt, err := json.Marshal(auditPlain{At: now.UTC(), User: who.user, Role: who.role, AuditEvent: e})
	if err != nil {
		return err
	}
	box, err := sealTo(pub, "audit", aad("fieldscreen/audit/v1", seqKey(seq)), pt)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	r := auditRec{keyVer: ver, box: box}
	r.hash = chainHash(prev, seq, r.ciphertext())
	return ab.Put(seqKey(seq), r.encode())
}

// Audit appends an entry in this same transaction, as the session's user and role.
func (tx *Tx) Audit(e AuditEvent) error {
	if !tx.btx.Writable() {
		return errors.New("audit in a read-only transaction: use Session.Update")
	}
	if e.Action == "" {
		return errors.New("audit event without an action")
	}
	return appendAudit(tx.btx, tx.now, actor{tx.s.user, tx.s.role}, e)
}

// AuditReport is the result of VerifyAudit.
type AuditReport struct {
	Entries     uint64   // entries checked
	Head        [32]byte // h_n of the last intact entry
	FirstBroken uint64   // 0 when the chain is intact
	Reason      string   // why FirstBroken is broken
}

func (r AuditReport) String() string {
	if r.FirstBroken != 0 {
		return fmt.Sprintf("BROKEN at entry %d (%s); %d entries before it are intact", r.FirstBroken, r.Reason, r.FirstBroken-1)
	}
	return fmt.Sprintf("%d entries intact, head %s", r.Entries, hex.EncodeToString(r.Head[:8]))
}

// VerifyAudit recomputes the hash chain without any key. On a break it returns the report and an
// error wrapping ErrIntegrity that names the first broken entry. It cannot see entries cut
// from the end or a whole chain rebuilt by someone with write access: central's countersigned
// checkpoints (sync) catch those.
func (v *Vault) VerifyAudit() (AuditReport, error) {
	var rep AuditReport
	err := v.view(func(btx *bolt.Tx) error {
		var prev [32]byte
		want := uint64(1)
		c := btx.Bucket(bAudit).Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			fail := func(reason string) error {
				rep.FirstBroken, rep.Reason = want, reason
				return fmt.Errorf("audit entry %d: %s: %w", want, reason, ErrIntegrity)
			}
			if len(k) != 8 || binary.BigEndian.Uint64(k) != want {
				return fail(fmt.Sprintf("sequence gap or bad key %x", k))
			}
			r, err := parseAuditRec(val)
			if err != nil {
				return fail(err.Error())
			}
			if h := chainHash(prev, want, r.ciphertext()); h != r.hash {
				return fail("hash mismatch")
			}
			prev = r.hash
			rep.Entries, rep.Head = want, prev
			want++
		}
		return nil
	})
	return rep, err
}

// AuditHead returns the sequence number and hash of the last entry (for sync's checkpoints).
func (v *Vault) AuditHead() (uint64, [32]byte, error) {
	var seq uint64
	var h [32]byte
	err := v.view(func(btx *bolt.Tx) error {
		k, val := btx.Bucket(bAudit).Cursor().Last()
		if k == nil {
			return nil
		}
		r, err := parseAuditRec(val)
		if err != nil || len(k) != 8 {
			return fmt.Errorf("audit head: %w", ErrIntegrity)
		}
		seq, h = binary.BigEndian.Uint64(k), r.hash
		return nil
	})
	return seq, h, err
}

// RawAuditEntries calls fn with the stored bytes of each entry after seq (for checkpoints: they
// are sealed, so shipping them reveals nothing to anyone but auditors).
func (v *Vault) RawAuditEntries(after uint64, fn func(seq uint64, entry []byte) error) error {
	return v.view(func(btx *bolt.Tx) error {
		c := btx.Bucket(bAudit).Cursor()
		for k, val := c.Seek(seqKey(after + 1)); k != nil; k, val = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("audit log key: %w", ErrIntegrity)
			}
			if err := fn(binary.BigEndian.Uint64(k), append([]byte(nil), val...)); err != nil {
				return err
			}
		}
		return nil
	})
}

// AuditFilter selects entries; zero fields match everything.
type AuditFilter struct {
	AfterSeq uint64
	Since    time.Time
	Until    time.Time
	User     string
	Action   string
	Case     CaseID
	Limit    int
}

func (f AuditFilter) match(e AuditEntry) bool {
	return (f.Since.IsZero() || !e.At.Before(f.Since)) &&
		(f.Until.IsZero() || e.At.Before(f.Until)) &&
		(f.User == "" || normName(f.User) == normName(e.User)) &&
		(f.Action == "" || f.Action == e.Action) &&
		(f.Case == "" || f.Case == e.Case)
}

// AuditEntries decrypts entries (audit readers only). An entry that does not decrypt is an
// ErrIntegrity error naming its sequence number.
func (s *Session) AuditEntries(f AuditFilter) ([]AuditEntry, error) {
	if !s.role.Can(Audit, false) || s.only != nil && !s.only[Audit] {
		return nil, &PermissionError{Role: s.role, Class: Audit}
	}
	var out []AuditEntry
	err := s.View(func(tx *Tx) error {
		c := tx.btx.Bucket(bAudit).Cursor()
		for k, val := c.Seek(seqKey(f.AfterSeq + 1)); k != nil; k, val = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("audit log key: %w", ErrIntegrity)
			}
			seq := binary.BigEndian.Uint64(k)
			r, err := parseAuditRec(val)
			if err != nil {
				return fmt.Errorf("audit entry %d: %v: %w", seq, err, ErrIntegrity)
			}
			priv, err := s.key(tx.btx, tagAudit, r.keyVer)
			if err != nil {
				return fmt.Errorf("audit entry %d: %w", seq, err)
			}
			pt, err := openFrom(priv, "audit", aad("fieldscreen/audit/v1", k), r.box)
			if err != nil {
				return fmt.Errorf("audit entry %d: %w", seq, err)
			}
			var p auditPlain
			if err := json.Unmarshal(pt, &p); err != nil {
				return fmt.Errorf("audit entry %d: %v: %w", seq, err, ErrIntegrity)
			}
			e := AuditEntry{Seq: seq, At: p.At, User: p.User, Role: p.Role, AuditEvent: p.AuditEvent, Hash: r.hash}
			if f.match(e) {
				out = append(out, e)
				if f.Limit > 0 && len(out) >= f.Limit {
					return nil
				}
			}
		}
		return nil
	})
	return out, err
}

// AuditChainHash is h_seq = SHA-256("audit/v1" || prev || seq uint64 BE || ciphertext), the
// link of the audit chain (docs/SECURITY.md). Central recomputes it over the entries a
// checkpoint sends, so it can tell an extension of the last countersigned chain from a
// rolled-back one without any key.
func AuditChainHash(prev [32]byte, seq uint64, ciphertext []byte) [32]byte {
	return chainHash(prev, seq, ciphertext)
}

// AuditLinks returns what proves that the chain extends its state after entry from: the
// stored hash h_from (zero for from = 0) and the ciphertexts of the entries after it, at
// most maxEntries of them and, past the first, at most maxBytes in all. The ciphertexts
// are sealed to the audit key, so they reveal nothing to central.
func (v *Vault) AuditLinks(from uint64, maxEntries, maxBytes int) (fromHead [32]byte, cts [][]byte, err error) {
	err = v.view(func(btx *bolt.Tx) error {
		c := btx.Bucket(bAudit).Cursor()
		if from > 0 {
			k, val := c.Seek(seqKey(from))
			if k == nil || binary.BigEndian.Uint64(k) != from {
				return &AuditRollbackError{Countersigned: from, Have: v.auditSize(btx)}
			}
			r, err := parseAuditRec(val)
			if err != nil {
				return fmt.Errorf("audit entry %d: %v: %w", from, err, ErrIntegrity)
			}
			fromHead = r.hash
		}
		size := 0
		want := from + 1
		for k, val := c.Seek(seqKey(from + 1)); k != nil && len(cts) < maxEntries; k, val = c.Next() {
			if len(k) != 8 || binary.BigEndian.Uint64(k) != want {
				return fmt.Errorf("audit entry %d: sequence gap or bad key: %w", want, ErrIntegrity)
			}
			r, err := parseAuditRec(val)
			if err != nil {
				return fmt.Errorf("audit entry %d: %v: %w", want, err, ErrIntegrity)
			}
			ct := r.ciphertext()
			if len(cts) > 0 && size+len(ct) > maxBytes {
				break
			}
			size += len(ct)
			cts = append(cts, ct)
			want++
		}
		return nil
	})
	return fromHead, cts, err
}

func (v *Vault) auditSize(btx *bolt.Tx) uint64 {
	if k, _ := btx.Bucket(bAudit).Cursor().Last(); len(k) == 8 {
		return binary.BigEndian.Uint64(k)
	}
	return 0
}

// ErrAuditRollback means the audit log no longer extends the chain central countersigned:
// the vault was restored from an older copy, or entries were cut or rewritten.
var ErrAuditRollback = errors.New("audit log rolled back")

// AuditRollbackError says how the audit log differs from the countersigned checkpoint; it
// matches ErrAuditRollback with errors.Is.
type AuditRollbackError struct {
	Countersigned uint64 // entries in the countersigned checkpoint
	Have          uint64 // entries in this vault's log
	Reason        string // "" when the log is shorter; else what differs
}

func (e *AuditRollbackError) Error() string {
	const todo = ": restore the newest copy of the vault or report it to your supervisor"
	switch {
	case e.Reason != "" && e.Countersigned == 0:
		return "audit log rolled back: " + e.Reason + todo
	case e.Reason != "":
		return fmt.Sprintf("audit log rolled back: %s (central countersigned %d entries; this vault has %d)%s", e.Reason, e.Countersigned, e.Have, todo)
	}
	return fmt.Sprintf("audit log rolled back: central countersigned %d entries, this vault has %d%s", e.Countersigned, e.Have, todo)
}

func (e *AuditRollbackError) Is(target error) bool { return target == ErrAuditRollback }

// CheckAuditAgainst recomputes the chain from its first entry and checks that it extends a
// countersigned checkpoint of size entries with hash head: at least size entries, intact up
// to there, and h_size equal to head. A shorter log or another h_size is an
// *AuditRollbackError; a broken chain is the ErrIntegrity error of VerifyAudit.
func (v *Vault) CheckAuditAgainst(size uint64, head [32]byte) error {
	return v.view(func(btx *bolt.Tx) error {
		var prev [32]byte
		want := uint64(1)
		c := btx.Bucket(bAudit).Cursor()
		for k, val := c.First(); k != nil && want <= size; k, val = c.Next() {
			if len(k) != 8 || binary.BigEndian.Uint64(k) != want {
				return fmt.Errorf("audit entry %d: sequence gap or bad key: %w", want, ErrIntegrity)
			}
			r, err := parseAuditRec(val)
			if err != nil {
				return fmt.Errorf("audit entry %d: %v: %w", want, err, ErrIntegrity)
			}
			if prev = chainHash(prev, want, r.ciphertext()); prev != r.hash {
				return fmt.Errorf("audit entry %d: hash mismatch: %w", want, ErrIntegrity)
			}
			want++
		}
		if have := want - 1; have < size {
			return &AuditRollbackError{Countersigned: size, Have: v.auditSize(btx)}
		}
		if prev != head {
			return &AuditRollbackError{Countersigned: size, Have: v.auditSize(btx),
				Reason: fmt.Sprintf("entry %d differs from the countersigned one", size)}
		}
		return nil
	})
}
