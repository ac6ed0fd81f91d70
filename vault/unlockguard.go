package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// This file keeps what unauthenticated unlock attempts can do to the vault in check
// (issue 14): the failed-unlock counters are bound to the audit chain, so a counter record
// copied back from an older file is detected (item 7); names with no slot get the same
// Argon2id work and the same backoff as real ones (item 13); and the audit entries such
// attempts add are capped per hour, the rest coalesced into one summary entry (item 1).
// Formats are in docs/SECURITY.md ("Failed-unlock counter binding", "Unauthenticated
// audit entries").

var (
	metaUnlockBind = []byte("unlockbind") // seq u64 || HMAC: the counters bound to the chain
	metaUnauth     = []byte("unauth")     // the current window of unauthenticated entries
)

// unknownPrefix marks the counter of a name that has no slot: 0xff || slotKey (17 bytes),
// beside the users' 16-byte counter keys in the unlock bucket.
const unknownPrefix = 0xff

// maxUnknownCounters bounds the counters kept for names with no slot; the oldest goes first.
const maxUnknownCounters = 64

// Unauthenticated audit entries (failed and refused unlocks): at most unauthPerWindow are
// written one by one per unauthWindow; further ones are counted and written as one
// "unlock.suppressed" entry when the window is over or at the next successful unlock.
const (
	unauthWindow    = time.Hour
	unauthPerWindow = 20
)

func unknownKey(sk []byte) []byte { return append([]byte{unknownPrefix}, sk...) }

// counterKeyIn derives K_counter from the terminal secret stored in btx, for code that runs
// without a *Vault (appendAudit).
func counterKeyIn(btx *bolt.Tx) []byte {
	return subKey(btx.Bucket(bMeta).Get([]byte("secret")), "fieldscreen/unlock-counter/v1")
}

// The binding (meta/unlockbind) is seq u64 || D || HMAC(K_counter, AD("fieldscreen/unlock-bind/v1",
// seq, h_seq, D)) where seq and h_seq are the audit chain's end and D is the SHA-256 over every
// user counter key and value in key order. An audit append checks the MAC against the chain
// end and reseals it for the new end with the same D (two HMACs, no counter read: the save
// path stays cheap); Unlock and every counter change also recompute D from the counters. A
// counter copied back alone no longer matches D at the next unlock (an append in between
// carries the old D along, never the copied counter's); copied back with the binding of the
// same age, the binding names an older chain end at the next append or unlock.
// Counters of names with no slot are not covered: tampering with them gains no guess.
const bindLen = 8 + 32 + 32

// counterDigest is D for the counters as stored.
func counterDigest(btx *bolt.Tx) [32]byte {
	h := sha256.New()
	c := btx.Bucket(bUnlock).Cursor()
	for k, val := c.First(); k != nil; k, val = c.Next() {
		if len(k) == 16 {
			h.Write(aad("", k, val))
		}
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

func bindMAC(mk []byte, seq uint64, head, d [32]byte) []byte {
	m := hmac.New(sha256.New, mk)
	m.Write(aad("fieldscreen/unlock-bind/v1", seqKey(seq), head[:], d[:]))
	return m.Sum(nil)
}

// chainEnd is the last sequence number and its stored hash (zero for an empty chain; the
// SHA-256 of the raw value for a damaged last entry, which VerifyAudit reports).
func chainEnd(btx *bolt.Tx) (uint64, [32]byte) {
	k, val := btx.Bucket(bAudit).Cursor().Last()
	if len(k) != 8 {
		return 0, [32]byte{}
	}
	if r, err := parseAuditRec(val); err == nil {
		return binary.BigEndian.Uint64(k), r.hash
	}
	return binary.BigEndian.Uint64(k), sha256.Sum256(val)
}

// storedBind returns the binding's D when its MAC matches the chain end; ok=false when it
// does not (or is missing on a vault with entries). full also requires D to match the
// counters as stored.
func storedBind(btx *bolt.Tx, mk []byte, full bool) ([32]byte, bool) {
	var d [32]byte
	stored := btx.Bucket(bMeta).Get(metaUnlockBind)
	seq, head := chainEnd(btx)
	if stored == nil {
		return counterDigest(btx), seq == 0 // a vault being created
	}
	if len(stored) != bindLen || binary.BigEndian.Uint64(stored) != seq {
		return d, false
	}
	copy(d[:], stored[8:40])
	if !hmac.Equal(stored[40:], bindMAC(mk, seq, head, d)) {
		return d, false
	}
	if full && counterDigest(btx) != d {
		return d, false
	}
	return d, true
}

func bindOK(btx *bolt.Tx, mk []byte) bool {
	_, ok := storedBind(btx, mk, true)
	return ok
}

// sealBind binds D to the chain as it now ends.
func sealBind(btx *bolt.Tx, mk []byte, d [32]byte) error {
	seq, head := chainEnd(btx)
	b := append(seqKey(seq), d[:]...)
	return btx.Bucket(bMeta).Put(metaUnlockBind, append(b, bindMAC(mk, seq, head, d)...))
}

// checkBind runs before every change of a counter or of the audit chain. When the binding
// does not match (a counter copied back or edited, or the binding itself), every user's
// counter counts as tamperedFailures from now, one entry says so, and the binding is sealed
// again: the response to a tampered counter, for all users at once since which one was
// copied back cannot be told.
func checkBind(btx *bolt.Tx, mk []byte, now time.Time) error {
	if bindOK(btx, mk) {
		return nil
	}
	return tamperResponse(btx, mk, now)
}

// tamperResponse: every user's counter counts as tamperedFailures from now, one entry says
// so, and the binding is sealed anew over the counters as they now are.
func tamperResponse(btx *bolt.Tx, mk []byte, now time.Time) error {
	c := btx.Bucket(bSlots).Cursor()
	var last []byte
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) != 20 || bytes.Equal(k[:16], last) {
			continue
		}
		last = append(last[:0], k[:16]...)
		if err := btx.Bucket(bUnlock).Put(k[:16], counter{failures: tamperedFailures, last: now}.encode(mk, k[:16])); err != nil {
			return err
		}
	}
	if err := appendEntry(btx, now, actor{}, AuditEvent{Action: "unlock.counter-invalid",
		Detail: "failed-unlock counters do not match the audit chain (copied back or edited): every user waits"}); err != nil {
		return err
	}
	return sealBind(btx, mk, counterDigest(btx))
}

// putCounter writes a counter (a user's, or 0xff || slotKey for a name with no slot) and
// keeps the binding.
func (v *Vault) putCounter(btx *bolt.Tx, key []byte, c counter, now time.Time) error {
	if err := checkBind(btx, v.ctrKey, now); err != nil {
		return err
	}
	if len(key) == 17 {
		if err := evictUnknown(btx, key); err != nil {
			return err
		}
	}
	if err := btx.Bucket(bUnlock).Put(key, c.encode(v.ctrKey, key)); err != nil {
		return err
	}
	return sealBind(btx, v.ctrKey, counterDigest(btx))
}

// deleteCounter removes a user's counter (RemoveUser) and keeps the binding.
func (v *Vault) deleteCounter(btx *bolt.Tx, sk []byte, now time.Time) error {
	if err := checkBind(btx, v.ctrKey, now); err != nil {
		return err
	}
	if err := btx.Bucket(bUnlock).Delete(sk); err != nil {
		return err
	}
	return sealBind(btx, v.ctrKey, counterDigest(btx))
}

// evictUnknown makes room for one more name-without-slot counter: when maxUnknownCounters
// are kept (and key is not one of them), the one with the oldest failure goes.
func evictUnknown(btx *bolt.Tx, key []byte) error {
	b := btx.Bucket(bUnlock)
	if b.Get(key) != nil {
		return nil
	}
	n := 0
	var oldest []byte
	var oldestAt int64
	c := b.Cursor()
	for k, val := c.Seek([]byte{unknownPrefix}); k != nil && k[0] == unknownPrefix; k, val = c.Next() {
		n++
		at := int64(-1 << 63) // a malformed one goes first
		if len(val) == counterLen {
			at = int64(binary.BigEndian.Uint64(val[5:13]))
		}
		if oldest == nil || at < oldestAt {
			oldest, oldestAt = append([]byte(nil), k...), at
		}
	}
	if n < maxUnknownCounters {
		return nil
	}
	return b.Delete(oldest)
}

// unauthKinds name what an unauthenticated entry was, in the order of the unauth record.
var unauthKinds = []string{"unknown user", "wrong passphrase", "refused during backoff", "counter invalid"}

const (
	unauthUnknown = iota
	unauthWrong
	unauthRefused
	unauthCounter
)

// unauthState is meta/unauth: window start (Unix ns, i64) || entries written in it (u32) ||
// one u32 per kind of entry not written. It holds counts only, never a name.
type unauthState struct {
	window     int64
	written    uint32
	suppressed [4]uint32
}

func loadUnauth(btx *bolt.Tx) unauthState {
	b := btx.Bucket(bMeta).Get(metaUnauth)
	if len(b) != 8+4+16 {
		// missing (a new vault) or damaged: a fresh window, counted as full so that a damaged
		// record never buys more entries
		if b == nil {
			return unauthState{}
		}
		return unauthState{written: unauthPerWindow}
	}
	s := unauthState{window: int64(binary.BigEndian.Uint64(b)), written: binary.BigEndian.Uint32(b[8:])}
	for i := range s.suppressed {
		s.suppressed[i] = binary.BigEndian.Uint32(b[12+4*i:])
	}
	return s
}

func (s unauthState) save(btx *bolt.Tx) error {
	b := binary.BigEndian.AppendUint64(nil, uint64(s.window))
	b = binary.BigEndian.AppendUint32(b, s.written)
	for _, n := range s.suppressed {
		b = binary.BigEndian.AppendUint32(b, n)
	}
	return btx.Bucket(bMeta).Put(metaUnauth, b)
}

// flush writes the summary of the attempts not recorded one by one, if there were any.
func (s *unauthState) flush(btx *bolt.Tx, now time.Time) error {
	total := uint32(0)
	for _, n := range s.suppressed {
		total += n
	}
	if total == 0 {
		return nil
	}
	detail := fmt.Sprintf("%d unauthenticated unlock attempts not recorded one by one since %s (cap %d entries per %s):",
		total, time.Unix(0, s.window).UTC().Format(time.RFC3339), unauthPerWindow, unauthWindow)
	for i, n := range s.suppressed {
		if n > 0 {
			detail += fmt.Sprintf(" %s %d;", unauthKinds[i], n)
		}
	}
	s.suppressed = [4]uint32{}
	return appendAudit(btx, now, actor{}, AuditEvent{Action: "unlock.suppressed", Detail: detail})
}

// appendUnauth records an unauthenticated event within the cap: written one by one while the
// window has room, else counted for the summary. A clock set back keeps the current window.
func appendUnauth(btx *bolt.Tx, now time.Time, who actor, kind int, e AuditEvent) error {
	s := loadUnauth(btx)
	if w := now.Truncate(unauthWindow).UnixNano(); w > s.window {
		if err := s.flush(btx, now); err != nil {
			return err
		}
		s = unauthState{window: w}
	}
	if s.written < unauthPerWindow {
		s.written++
		if err := appendAudit(btx, now, who, e); err != nil {
			return err
		}
	} else {
		s.suppressed[kind]++
	}
	return s.save(btx)
}

// flushUnauth writes the pending summary at a successful unlock, so the user and the
// auditors see it now rather than at the next failed attempt.
func flushUnauth(btx *bolt.Tx, now time.Time) error {
	s := loadUnauth(btx)
	if err := s.flush(btx, now); err != nil {
		return err
	}
	return s.save(btx)
}

// migrateBind binds the counters of a vault made before the binding existed (trust on first
// open, recorded in the audit trail). A binding deleted later on is the same case: see
// docs/SECURITY.md for why that is accepted.
func (v *Vault) migrateBind() error {
	var missing bool
	if err := v.view(func(btx *bolt.Tx) error {
		missing = btx.Bucket(bMeta).Get(metaUnlockBind) == nil
		return nil
	}); err != nil || !missing {
		return err
	}
	return v.update(func(btx *bolt.Tx) error {
		if btx.Bucket(bMeta).Get(metaUnlockBind) != nil {
			return nil
		}
		if err := appendEntry(btx, v.opt.now(), actor{}, AuditEvent{Action: "unlock.bind-created", Detail: "failed-unlock counters bound to the audit chain for the first time"}); err != nil {
			return err
		}
		return sealBind(btx, v.ctrKey, counterDigest(btx))
	})
}

// dummySlot stands in for the slot of a name that has none, so an unknown name costs the
// same Argon2id derivation as a real one (with the vault's default parameters, which new
// slots use) and so cannot be told apart by time.
func (v *Vault) dummySlot(sk []byte) *slot {
	salt := hmac.New(sha256.New, v.idxKey)
	salt.Write(aad("fieldscreen/dummy-slot/v1", sk))
	return &slot{kdf: v.kdf, salt: salt.Sum(nil)[:16]}
}
