package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CaseID is a random 128-bit identifier in lowercase hex; it carries no personal data.
type CaseID string

// Valid reports whether id has the form NewCase makes.
func (id CaseID) Valid() bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Tx is one transaction of an unlocked session. It is valid only inside the View or Update
// callback that received it; record names and bucket names are structural and must never carry
// personal data.
type Tx struct {
	s   *Session
	btx *bolt.Tx
	now time.Time
}

// need checks the role's right to the class and returns the class tag.
func (tx *Tx) need(c Class, write bool) (byte, error) {
	tag, err := c.tag()
	if err != nil {
		return 0, err
	}
	if !tx.s.role.Can(c, write) || tx.s.only != nil && !tx.s.only[c] {
		return 0, &PermissionError{Role: tx.s.role, Class: c, Write: write}
	}
	if write && !tx.btx.Writable() {
		return 0, errors.New("write in a read-only transaction: use Session.Update")
	}
	return tag, nil
}

func checkName(what, name string) error {
	if name == "" {
		return fmt.Errorf("%s name is empty", what)
	}
	if len(name) > 1024 {
		return fmt.Errorf("%s name is longer than 1024 bytes", what)
	}
	return nil
}

func (tx *Tx) caseBucket(id CaseID) (*bolt.Bucket, error) {
	if !id.Valid() {
		return nil, fmt.Errorf("case ID %q is malformed: %w", id, ErrNotFound)
	}
	b := tx.btx.Bucket(bCases).Bucket([]byte(id))
	if b == nil {
		if tx.btx.Bucket(bTomb).Get([]byte(id)) != nil {
			return nil, fmt.Errorf("case %s was purged: %w", id, ErrNotFound)
		}
		return nil, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	return b, nil
}

// caseFor checks the role's right to class c and finds the case's bucket.
func (tx *Tx) caseFor(id CaseID, c Class, write bool) (byte, *bolt.Bucket, error) {
	tag, err := tx.need(c, write)
	if err != nil {
		return 0, nil, err
	}
	cb, err := tx.caseBucket(id)
	return tag, cb, err
}

// NewCase makes a case with a fresh random ID (core write access).
func (tx *Tx) NewCase() (CaseID, error) {
	if _, err := tx.need(Core, true); err != nil {
		return "", err
	}
	for {
		id := CaseID(hex.EncodeToString(randomBytes(16)))
		if tx.btx.Bucket(bCases).Bucket([]byte(id)) != nil || tx.btx.Bucket(bTomb).Get([]byte(id)) != nil {
			continue // 2^-128; never reuse a purged ID
		}
		b, err := tx.btx.Bucket(bCases).CreateBucket([]byte(id))
		if err != nil {
			return "", err
		}
		if _, err := b.CreateBucket(bCaseKey); err != nil {
			return "", err
		}
		if _, err := b.CreateBucket(bCaseRec); err != nil {
			return "", err
		}
		return id, nil
	}
}

// CaseIDs lists the live (not purged) cases, sorted. IDs carry no personal data, so every role
// may list them.
func (tx *Tx) CaseIDs() ([]CaseID, error) {
	var ids []CaseID
	err := tx.btx.Bucket(bCases).ForEachBucket(func(k []byte) error {
		ids = append(ids, CaseID(k))
		return nil
	})
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, err
}

// Purged reports whether (and when) a case was purged.
func (tx *Tx) Purged(id CaseID) (time.Time, bool, error) {
	v := tx.btx.Bucket(bTomb).Get([]byte(id))
	if v == nil {
		return time.Time{}, false, nil
	}
	at, err := parseTombstone(v)
	return at, err == nil, err
}

// caseDEK returns the case's data key for a class, making and wrapping one (under the current
// class key version) when create is set and the case has none yet.
func (tx *Tx) caseDEK(cb *bolt.Bucket, id CaseID, tag byte, create bool) ([]byte, error) {
	kb := cb.Bucket(bCaseKey)
	if kb == nil {
		return nil, fmt.Errorf("case %s key bucket missing: %w", id, ErrIntegrity)
	}
	if w := kb.Get([]byte{tag}); w != nil {
		env, err := parseEnvelope(w)
		if err == nil && env.version != formatVersion {
			err = fmt.Errorf("wrapped key format version %d", env.version)
		}
		if err != nil {
			return nil, fmt.Errorf("case %s data key: %v: %w", id, err, ErrIntegrity)
		}
		ck, err := tx.s.key(tx.btx, tag, env.keyVer)
		if err != nil {
			return nil, fmt.Errorf("case %s data key: %w", id, err)
		}
		dek, err := openSym(ck, dekAAD(id, tag, env.keyVer), env.box)
		if err != nil {
			return nil, fmt.Errorf("case %s data key: %w", id, err)
		}
		return dek, nil
	}
	if !create {
		return nil, ErrNotFound
	}
	ver := keyring{tx.btx}.cur(tag)
	ck, err := tx.s.key(tx.btx, tag, ver)
	if err != nil {
		return nil, fmt.Errorf("case %s data key: %w", id, err)
	}
	dek := randomBytes(keySize)
	w := append(append([]byte{formatVersion}, u32(ver)...), sealSym(ck, dekAAD(id, tag, ver), dek)...)
	if err := kb.Put([]byte{tag}, w); err != nil {
		clear(dek)
		return nil, err
	}
	return dek, nil
}

func casePath(id CaseID) []byte { return append([]byte("case/"), id...) }
func caseRecKey(tag byte, name string) []byte {
	return append([]byte{tag}, name...)
}

// PutCase stores a record of class c for a case, encrypted with the case's data key for c.
func (tx *Tx) PutCase(id CaseID, c Class, name string, value []byte) error {
	tag, err := tx.need(c, true)
	if err != nil {
		return err
	}
	if err := checkName("record", name); err != nil {
		return err
	}
	cb, err := tx.caseBucket(id)
	if err != nil {
		return err
	}
	dek, err := tx.caseDEK(cb, id, tag, true)
	if err != nil {
		return err
	}
	defer clear(dek)
	key := caseRecKey(tag, name)
	return cb.Bucket(bCaseRec).Put(key, sealRecord(dek, 1, casePath(id), key, tag, value))
}

// GetCase reads a record: ErrNotFound when absent, *PermissionError when the role may not read
// the class, ErrIntegrity when the stored bytes were altered (never altered data).
func (tx *Tx) GetCase(id CaseID, c Class, name string) ([]byte, error) {
	tag, cb, err := tx.caseFor(id, c, false)
	if err != nil {
		return nil, err
	}
	return tx.getCaseRec(cb, id, tag, name)
}

func (tx *Tx) getCaseRec(cb *bolt.Bucket, id CaseID, tag byte, name string) ([]byte, error) {
	rb := cb.Bucket(bCaseRec)
	if rb == nil {
		return nil, fmt.Errorf("case %s record bucket missing: %w", id, ErrIntegrity)
	}
	key := caseRecKey(tag, name)
	raw := rb.Get(key)
	if raw == nil {
		return nil, fmt.Errorf("case %s record %q: %w", id, name, ErrNotFound)
	}
	env, err := parseEnvelope(raw)
	if err != nil {
		return nil, fmt.Errorf("case %s record %q: %v: %w", id, name, err, ErrIntegrity)
	}
	dek, err := tx.caseDEK(cb, id, tag, false)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("case %s record %q has no data key: %w", id, name, ErrIntegrity)
	}
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	pt, err := openRecord(dek, env, casePath(id), key, tag)
	if err != nil {
		return nil, fmt.Errorf("case %s record %q: %w", id, name, err)
	}
	return pt, nil
}

// CaseRecordNames lists the names of a case's records of class c, sorted.
func (tx *Tx) CaseRecordNames(id CaseID, c Class) ([]string, error) {
	tag, cb, err := tx.caseFor(id, c, false)
	if err != nil {
		return nil, err
	}
	var names []string
	cur := cb.Bucket(bCaseRec).Cursor()
	for k, _ := cur.Seek([]byte{tag}); k != nil && k[0] == tag; k, _ = cur.Next() {
		names = append(names, string(k[1:]))
	}
	return names, nil
}

// DeleteCaseRecord removes one record (its ciphertext may stay in free pages until Compact; it
// is unreadable once the case is purged).
func (tx *Tx) DeleteCaseRecord(id CaseID, c Class, name string) error {
	tag, cb, err := tx.caseFor(id, c, true)
	if err != nil {
		return err
	}
	key := caseRecKey(tag, name)
	if cb.Bucket(bCaseRec).Get(key) == nil {
		return fmt.Errorf("case %s record %q: %w", id, name, ErrNotFound)
	}
	return cb.Bucket(bCaseRec).Delete(key)
}

// PurgeCase crypto-shreds a case: its wrapped data keys and records are deleted in this
// transaction, a tombstone (case ID, purged-at) is written, and the purge is audited. Old
// ciphertext left in free pages cannot be opened without the deleted keys.
func (tx *Tx) PurgeCase(id CaseID) error {
	if _, err := tx.need(Core, true); err != nil {
		return err
	}
	if _, err := tx.caseBucket(id); err != nil {
		return err
	}
	if err := tx.btx.Bucket(bCases).DeleteBucket([]byte(id)); err != nil {
		return fmt.Errorf("purge case %s: %w", id, err)
	}
	if err := tx.btx.Bucket(bTomb).Put([]byte(id), encodeTombstone(tx.now)); err != nil {
		return fmt.Errorf("purge case %s: %w", id, err)
	}
	return tx.Audit(AuditEvent{Action: "case.purge", Case: id})
}

// Summaries reads the core record called name of every live case in one pass (for the case
// list). Cases without that record are left out.
func (tx *Tx) Summaries(name string) (map[CaseID][]byte, error) {
	if _, err := tx.need(Core, false); err != nil {
		return nil, err
	}
	out := map[CaseID][]byte{}
	cases := tx.btx.Bucket(bCases)
	err := cases.ForEachBucket(func(k []byte) error {
		id := CaseID(k)
		cb := cases.Bucket(k)
		if cb.Bucket(bCaseRec) == nil || cb.Bucket(bCaseRec).Get(caseRecKey(tagCore, name)) == nil {
			return nil
		}
		v, err := tx.getCaseRec(cb, id, tagCore, name)
		if err != nil {
			return err
		}
		out[id] = v
		return nil
	})
	return out, err
}

// ---- terminal-level records ---------------------------------------------------------------------

func (tx *Tx) dataBucket(tag byte, bucket string, create bool) (*bolt.Bucket, error) {
	if err := checkName("bucket", bucket); err != nil {
		return nil, err
	}
	root := tx.btx.Bucket(bData)
	if create {
		cb, err := root.CreateBucketIfNotExists([]byte{tag})
		if err != nil {
			return nil, err
		}
		return cb.CreateBucketIfNotExists([]byte(bucket))
	}
	cb := root.Bucket([]byte{tag})
	if cb == nil {
		return nil, nil
	}
	return cb.Bucket([]byte(bucket)), nil
}

func dataPath(bucket string) []byte { return append([]byte("data/"), bucket...) }

// OnLock registers fn to run when this transaction's session locks (Session.OnLock): for
// secrets read in the transaction that outlive it.
func (tx *Tx) OnLock(fn func()) { tx.s.OnLock(fn) }

// Can reports whether the session's role may read (write=false) or write class c.
func (tx *Tx) Can(c Class, write bool) bool {
	return tx.s.role.Can(c, write) && (tx.s.only == nil || tx.s.only[c])
}

// Put stores a terminal-level record (pairings, outbox rows, config) under the current version
// of class c's key.
func (tx *Tx) Put(c Class, bucket, key string, value []byte) error {
	tag, err := tx.need(c, true)
	if err != nil {
		return err
	}
	if err := checkName("record", key); err != nil {
		return err
	}
	b, err := tx.dataBucket(tag, bucket, true)
	if err != nil {
		return err
	}
	ver := keyring{tx.btx}.cur(tag)
	ck, err := tx.s.key(tx.btx, tag, ver)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), sealRecord(ck, ver, dataPath(bucket), []byte(key), tag, value))
}

func (tx *Tx) openData(tag byte, bucket string, key, raw []byte) ([]byte, error) {
	env, err := parseEnvelope(raw)
	if err != nil {
		return nil, fmt.Errorf("record %s/%s: %v: %w", bucket, key, err, ErrIntegrity)
	}
	ck, err := tx.s.key(tx.btx, tag, env.keyVer)
	if err != nil {
		return nil, fmt.Errorf("record %s/%s: %w", bucket, key, err)
	}
	pt, err := openRecord(ck, env, dataPath(bucket), key, tag)
	if err != nil {
		return nil, fmt.Errorf("record %s/%s: %w", bucket, key, err)
	}
	return pt, nil
}

// Get reads a terminal-level record: ErrNotFound, *PermissionError or ErrIntegrity on failure.
func (tx *Tx) Get(c Class, bucket, key string) ([]byte, error) {
	tag, err := tx.need(c, false)
	if err != nil {
		return nil, err
	}
	b, err := tx.dataBucket(tag, bucket, false)
	if err != nil {
		return nil, err
	}
	var raw []byte
	if b != nil {
		raw = b.Get([]byte(key))
	}
	if raw == nil {
		return nil, fmt.Errorf("record %s/%s: %w", bucket, key, ErrNotFound)
	}
	return tx.openData(tag, bucket, []byte(key), raw)
}

// Delete removes a terminal-level record; deleting a missing record is not an error.
func (tx *Tx) Delete(c Class, bucket, key string) error {
	tag, err := tx.need(c, true)
	if err != nil {
		return err
	}
	b, err := tx.dataBucket(tag, bucket, false)
	if err != nil || b == nil {
		return err
	}
	return b.Delete([]byte(key))
}

// ForEach calls fn for every record of a terminal-level bucket in key order; it stops at the
// first error (a record that fails to decrypt is ErrIntegrity).
func (tx *Tx) ForEach(c Class, bucket string, fn func(key string, value []byte) error) error {
	tag, err := tx.need(c, false)
	if err != nil {
		return err
	}
	b, err := tx.dataBucket(tag, bucket, false)
	if err != nil || b == nil {
		return err
	}
	cur := b.Cursor()
	for k, raw := cur.First(); k != nil; k, raw = cur.Next() {
		if raw == nil {
			continue // nested bucket: not made by this API
		}
		v, err := tx.openData(tag, bucket, k, raw)
		if err != nil {
			return err
		}
		if err := fn(string(bytes.Clone(k)), v); err != nil {
			return err
		}
	}
	return nil
}
