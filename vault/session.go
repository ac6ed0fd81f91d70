package vault

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backoff after failed unlocks, per user: freeAttempts failures cost nothing, then each further
// failure doubles the wait from backoffBase up to backoffMax.
const (
	freeAttempts = 3
	backoffBase  = 5 * time.Second
	backoffMax   = 15 * time.Minute
	// tamperedFailures is what an unreadable or forged counter counts as.
	tamperedFailures = 16
)

func backoffWait(failures int) time.Duration {
	if failures < freeAttempts {
		return 0
	}
	shift := failures - freeAttempts
	if shift > 20 {
		return backoffMax
	}
	if w := backoffBase << shift; w < backoffMax {
		return w
	}
	return backoffMax
}

type keyRef struct {
	tag byte
	ver uint32
}

// Session is one unlocked user. Lock zeroes its keys; after that every call returns ErrLocked.
type Session struct {
	v       *Vault
	user    string
	role    Role
	slotKey []byte

	// mu is read-locked for the length of every transaction and write-locked by Lock, so keys
	// are never zeroed under a running transaction. Do not call Lock inside View or Update.
	mu           sync.RWMutex
	keysMu       sync.Mutex // guards keys: transactions add keys opened lazily
	locked       bool
	priv         []byte // the user's X25519 private key: opens the user's grants
	keys         map[keyRef][]byte
	failedBefore int
	// only, when set (UnlockFor), is the classes this session may use; it holds no other key
	// and no private key to open one.
	only map[Class]bool

	hooksMu sync.Mutex
	onLock  []func() // zero what callers derived from the session's keys (OnLock)
}

type actor struct {
	user string
	role Role
}

func (v *Vault) readCounter(btx *bolt.Tx, key []byte) (counter, bool) {
	return parseCounter(v.ctrKey, key, btx.Bucket(bUnlock).Get(key))
}

// Unlock runs one Argon2id derivation for the named user's slot and returns a session holding
// the keys of the user's role. Failed attempts are counted per name and audited (within the
// cap of appendUnauth); after freeAttempts failures Unlock refuses with *BackoffError until
// the wait is over. A name with no slot gets the same derivation, the same counting and
// backoff and the same ErrBadLogin as a wrong passphrase, so the answers do not tell which
// names exist.
func (v *Vault) Unlock(user string, passphrase []byte) (*Session, error) {
	sk := v.slotKey(user)
	now := v.opt.now()
	var us *userSlot
	var ctr counter
	var ctrOK, bound bool
	read := func(btx *bolt.Tx) error {
		var err error
		if us, err = latestSlot(btx, sk); err != nil {
			return err
		}
		ck := sk
		if us == nil {
			ck = unknownKey(sk)
		}
		ctr, ctrOK = v.readCounter(btx, ck)
		bound = bindOK(btx, v.ctrKey)
		return nil
	}
	if err := v.view(read); err != nil {
		return nil, fmt.Errorf("unlock: %w", err)
	}
	if !bound {
		// a counter copied back or edited: every user's counter counts as tampered from now
		if err := v.update(func(btx *bolt.Tx) error {
			if err := checkBind(btx, v.ctrKey, now); err != nil {
				return err
			}
			return read(btx)
		}); err != nil {
			return nil, fmt.Errorf("unlock: %w", err)
		}
	}
	known := us != nil
	ck, who := unknownKey(sk), actor{} // the typed name is never recorded: it may be a mistyped real name
	if known {
		ck, who = sk, actor{user: user, role: us.s.role}
	}
	if !ctrOK && known {
		// A missing or forged counter counts as many failures: refuse for backoffMax from now.
		ctr = counter{failures: tamperedFailures, last: now}
		if err := v.update(func(btx *bolt.Tx) error {
			if err := v.putCounter(btx, sk, ctr, now); err != nil {
				return err
			}
			return appendUnauth(btx, now, who, unauthCounter, AuditEvent{Action: "unlock.counter-invalid", Detail: "failed-unlock counter missing or altered"})
		}); err != nil {
			return nil, fmt.Errorf("unlock: %w", err)
		}
	}
	if !ctrOK && !known {
		ctr = counter{} // a name tried for the first time (or evicted): nothing counted yet
	}
	if wait := ctr.last.Add(backoffWait(ctr.failures)).Sub(now); backoffWait(ctr.failures) > 0 && wait > 0 {
		if err := v.update(func(btx *bolt.Tx) error {
			return appendUnauth(btx, now, who, unauthRefused, AuditEvent{Action: "unlock.refused", Detail: fmt.Sprintf("backoff after %d failures", ctr.failures)})
		}); err != nil {
			return nil, fmt.Errorf("unlock: audit: %w", err)
		}
		return nil, &BackoffError{Wait: wait, Failures: ctr.failures}
	}

	var priv []byte
	var err error
	if known {
		kek := slotKEK(passphrase, us.s)
		priv, err = openSym(kek, us.s.aad(slotRecKey(sk, us.gen)), us.s.wrapped)
		clear(kek)
		if err == nil {
			if pub, perr := publicOf(priv); perr != nil || !bytes.Equal(pub, us.s.pub) {
				clear(priv)
				return nil, fmt.Errorf("unlock: key slot public key does not match: %w", ErrIntegrity)
			}
		}
	} else {
		clear(slotKEK(passphrase, v.dummySlot(sk))) // the same work as a real slot
		err = ErrBadLogin
	}
	if err != nil {
		uerr := v.update(func(btx *bolt.Tx) error {
			c, ok := v.readCounter(btx, ck)
			if !ok {
				c = counter{}
				if known {
					c.failures = tamperedFailures
				}
			}
			c.failures++
			c.last = now
			if err := v.putCounter(btx, ck, c, now); err != nil {
				return err
			}
			if !known {
				return appendUnauth(btx, now, who, unauthUnknown, AuditEvent{Action: "unlock.failed", Detail: fmt.Sprintf("unknown user (failure %d)", c.failures)})
			}
			return appendUnauth(btx, now, who, unauthWrong, AuditEvent{Action: "unlock.failed", Detail: fmt.Sprintf("wrong passphrase (failure %d)", c.failures)})
		})
		if uerr != nil {
			return nil, fmt.Errorf("unlock: %w", uerr)
		}
		return nil, ErrBadLogin
	}

	s := &Session{v: v, user: user, role: us.s.role, slotKey: sk, priv: priv, keys: map[keyRef][]byte{}}
	err = v.update(func(btx *bolt.Tx) error {
		if err := addMissingClassKeys(btx, now, who); err != nil {
			return err
		}
		if err := s.loadGrants(btx); err != nil {
			return err
		}
		c, ok := v.readCounter(btx, sk)
		if ok {
			s.failedBefore = c.failures
		}
		if err := v.putCounter(btx, sk, counter{last: now}, now); err != nil {
			return err
		}
		if err := flushUnauth(btx, now); err != nil {
			return err
		}
		return appendAudit(btx, now, who, AuditEvent{Action: "unlock.ok", Detail: fmt.Sprintf("%d failed attempts before", s.failedBefore)})
	})
	if err != nil {
		s.wipe()
		return nil, fmt.Errorf("unlock: %w", err)
	}
	return s, nil
}

// addMissingClassKeys makes the first key of a data class added after the vault was created
// (oversight), so an older vault takes the new class at the next unlock of any user. It needs
// no secret: the key is escrowed to the grant public key and sealed to each holder's public key.
func addMissingClassKeys(btx *bolt.Tx, now time.Time, who actor) error {
	kr := keyring{btx}
	for _, c := range Classes() {
		tag := classTags[c]
		if kr.cur(tag) != 0 {
			continue
		}
		k, err := kr.rotate(tag)
		if err != nil {
			return fmt.Errorf("create the %s class key: %w", c, err)
		}
		clear(k)
		if err := appendAudit(btx, now, who, AuditEvent{Action: "vault.class-added", Class: c,
			Detail: "first key of data class " + string(c) + " created for an older vault"}); err != nil {
			return err
		}
	}
	return nil
}

// loadGrants opens every data class key version sealed to this user. The grant key (user
// administration) is not loaded: it is opened only for the duration of AddUser and RemoveUser.
func (s *Session) loadGrants(btx *bolt.Tx) error {
	c := btx.Bucket(bKeys).Bucket(bGrants).Cursor()
	for key, box := c.Seek(s.slotKey); key != nil && bytes.HasPrefix(key, s.slotKey); key, box = c.Next() {
		if len(key) != 21 {
			return fmt.Errorf("grant record key: %w", ErrIntegrity)
		}
		ref := keyRef{tag: key[16], ver: uint32(key[17])<<24 | uint32(key[18])<<16 | uint32(key[19])<<8 | uint32(key[20])}
		if ref.tag == tagGrant {
			continue
		}
		secret, err := openFrom(s.priv, "grant", grantAAD(s.slotKey, ref.tag, ref.ver), box)
		if err != nil {
			return fmt.Errorf("key grant %d/%d: %w", ref.tag, ref.ver, err)
		}
		s.keys[ref] = secret
	}
	return nil
}

// key returns the session's key for tag/ver, opening a grant made after unlock (a rotation by
// another user) when needed. Keys are only ever granted to roles that hold the class.
func (s *Session) key(btx *bolt.Tx, tag byte, ver uint32) ([]byte, error) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if k, ok := s.keys[keyRef{tag, ver}]; ok {
		return k, nil
	}
	if s.priv == nil {
		return nil, fmt.Errorf("this session holds no key for class %d version %d: %w", tag, ver, ErrLocked)
	}
	secret, err := keyring{btx}.openGrant(s.slotKey, s.priv, tag, ver)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("this user holds no key for class %d version %d: %w", tag, ver, ErrIntegrity)
	}
	if err != nil {
		return nil, err
	}
	if tag != tagGrant {
		s.keys[keyRef{tag, ver}] = secret
	}
	return secret, nil
}

// wipe zeroes and drops every key the session holds.
func (s *Session) wipe() {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	for ref, k := range s.keys {
		clear(k)
		delete(s.keys, ref)
	}
	clear(s.priv)
	s.priv = nil
	s.locked = true
}

// User is the unlocked user's name.
func (s *Session) User() string { return s.user }

// Role is the unlocked user's role.
func (s *Session) Role() Role { return s.role }

// FailedUnlocksBefore is the number of failed unlock attempts for this user since their previous
// successful unlock (show it to the user: a surprise number means someone tried their name).
func (s *Session) FailedUnlocksBefore() int { return s.failedBefore }

// OnLock registers fn to run when the session locks, right after its own keys are zeroed:
// callers that keep a copy of a secret read through the session (sync's worker holds the
// terminal's signing key) zero it there. On a locked session fn runs at once.
func (s *Session) OnLock(fn func()) {
	s.hooksMu.Lock()
	if s.Locked() {
		s.hooksMu.Unlock()
		fn()
		return
	}
	s.onLock = append(s.onLock, fn)
	s.hooksMu.Unlock()
}

// Lock zeroes and drops the session's keys, runs the OnLock functions and audits the lock.
// It is safe to call twice.
func (s *Session) Lock() {
	s.mu.Lock()
	if s.locked {
		s.mu.Unlock()
		return
	}
	s.wipe()
	s.mu.Unlock()
	s.hooksMu.Lock()
	hooks := s.onLock
	s.onLock = nil
	s.hooksMu.Unlock()
	for _, fn := range hooks {
		fn()
	}
	now := s.v.opt.now()
	// Best effort: the vault may already be closed; the keys are gone either way.
	_ = s.v.update(func(btx *bolt.Tx) error {
		return appendAudit(btx, now, actor{s.user, s.role}, AuditEvent{Action: "lock"})
	})
}

// Locked reports whether Lock has run.
func (s *Session) Locked() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.locked
}

// View runs fn in a read-only transaction.
func (s *Session) View(fn func(*Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.locked {
		return ErrLocked
	}
	return s.v.view(func(btx *bolt.Tx) error { return fn(&Tx{s: s, btx: btx, now: s.v.opt.now()}) })
}

// Update runs fn in one read-write transaction; when it returns nil the change is on disk
// (bbolt fsyncs before the commit returns). An error from fn rolls everything back.
func (s *Session) Update(fn func(*Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.locked {
		return ErrLocked
	}
	return s.v.update(func(btx *bolt.Tx) error { return fn(&Tx{s: s, btx: btx, now: s.v.opt.now()}) })
}

func (s *Session) needManager() error {
	if !s.role.ManagesUsers() {
		return &PermissionError{Role: s.role, Class: "users", Write: true}
	}
	return nil
}

// AddUser creates a user with a role and a passphrase (manage-users capability). The new user
// receives every version of the keys their role holds.
func (s *Session) AddUser(name string, role Role, passphrase []byte) error {
	if err := s.needManager(); err != nil {
		return err
	}
	if !role.Valid() {
		return fmt.Errorf("add user: unknown role %q", role)
	}
	if err := checkUserName(name); err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	sk := s.v.slotKey(name)
	priv, pub := keyPair()
	sl := newSlot(sk, 1, role, priv, pub, passphrase, s.v.kdf) // slow: outside the transaction
	clear(priv)
	return s.Update(func(tx *Tx) error {
		gp, err := s.key(tx.btx, tagGrant, keyring{tx.btx}.cur(tagGrant))
		if err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		defer clear(gp)
		if err := s.v.addUserTx(tx.btx, gp, name, sl, tx.now); err != nil {
			return err
		}
		return tx.Audit(AuditEvent{Action: "user.add", Detail: fmt.Sprintf("user %s role %s", name, role)})
	})
}

// RemoveUser deletes a user's slot, directory entry and grants, then rotates every key they
// held: new data uses the new versions, sealed to the remaining holders only. Old versions stay
// with the remaining holders so old cases still read. Removing a manager also rotates the grant
// key and every data class (a manager could open the escrow). A user cannot remove themself,
// and the last supervisor cannot be removed.
func (s *Session) RemoveUser(name string) error {
	if err := s.needManager(); err != nil {
		return err
	}
	sk := s.v.slotKey(name)
	if bytes.Equal(sk, s.slotKey) {
		return errors.New("remove user: you cannot remove yourself: ask another supervisor")
	}
	return s.Update(func(tx *Tx) error {
		kr := keyring{tx.btx}
		target, err := latestSlot(tx.btx, sk)
		if err != nil {
			return err
		}
		if target == nil {
			return fmt.Errorf("remove user: %w", ErrUnknownUser)
		}
		role := target.s.role
		if role.ManagesUsers() {
			all, err := kr.slots()
			if err != nil {
				return err
			}
			managers := 0
			for _, u := range all {
				if u.s.role.ManagesUsers() {
					managers++
				}
			}
			if managers <= 1 {
				return fmt.Errorf("remove user: %w", errNoManager)
			}
		}
		gp, err := s.key(tx.btx, tagGrant, kr.cur(tagGrant))
		if err != nil {
			return fmt.Errorf("remove user: %w", err)
		}
		defer clear(gp)
		for _, b := range []*bolt.Bucket{tx.btx.Bucket(bSlots), kr.b(bGrants)} {
			if err := deletePrefix(b, sk); err != nil {
				return err
			}
		}
		if err := tx.btx.Bucket(bUsers).Delete(sk); err != nil {
			return err
		}
		if err := tx.Delete(Core, credBucket, credKey(credMinors, sk)); err != nil {
			return err
		}
		if err := s.v.deleteCounter(tx.btx, sk, tx.now); err != nil {
			return err
		}
		rotate := role.heldTags()
		if role.ManagesUsers() {
			ng, err := kr.rotateGrant(gp)
			if err != nil {
				return err
			}
			clear(ng)
			rotate = nil
			for _, c := range Classes() {
				rotate = append(rotate, classTags[c])
			}
		}
		for _, tag := range rotate {
			if tag == tagGrant {
				continue
			}
			k, err := kr.rotate(tag)
			if err != nil {
				return err
			}
			clear(k)
		}
		return tx.Audit(AuditEvent{Action: "user.remove", Detail: fmt.Sprintf("user %s role %s; keys rotated", name, role)})
	})
}

// ChangePassphrase replaces the session user's slot: the new slot generation is written and
// checked before the old one is deleted, all in one transaction. The user's private key, and
// so their grants, stay the same.
func (s *Session) ChangePassphrase(old, new []byte) error {
	s.mu.RLock()
	if s.locked {
		s.mu.RUnlock()
		return ErrLocked
	}
	cur := append([]byte(nil), s.priv...)
	s.mu.RUnlock()
	defer clear(cur)
	var us *userSlot
	if err := s.v.view(func(btx *bolt.Tx) error {
		var err error
		us, err = latestSlot(btx, s.slotKey)
		return err
	}); err != nil {
		return fmt.Errorf("change passphrase: %w", err)
	}
	if us == nil {
		return fmt.Errorf("change passphrase: %w", ErrUnknownUser)
	}
	kek := slotKEK(old, us.s)
	priv, err := openSym(kek, us.s.aad(slotRecKey(s.slotKey, us.gen)), us.s.wrapped)
	clear(kek)
	if err != nil || subtle.ConstantTimeCompare(priv, cur) != 1 {
		clear(priv)
		_ = s.v.update(func(btx *bolt.Tx) error {
			return appendAudit(btx, s.v.opt.now(), actor{s.user, s.role}, AuditEvent{Action: "user.passwd.failed", Detail: "wrong current passphrase"})
		})
		return fmt.Errorf("change passphrase: %w", ErrBadPassphrase)
	}
	gen := us.gen + 1
	ns := newSlot(s.slotKey, gen, us.s.role, priv, us.s.pub, new, s.v.kdf)
	newKEK := slotKEK(new, ns)
	defer clear(newKEK)
	clear(priv)
	return s.Update(func(tx *Tx) error {
		b := tx.btx.Bucket(bSlots)
		latest, err := latestSlot(tx.btx, s.slotKey)
		if err != nil {
			return err
		}
		if latest == nil || latest.gen != us.gen {
			return errors.New("change passphrase: the slot changed meanwhile: try again")
		}
		if err := b.Put(slotRecKey(s.slotKey, gen), ns.encode()); err != nil {
			return err
		}
		// Read the new slot back and open it before the old one goes.
		check, err := parseSlot(b.Get(slotRecKey(s.slotKey, gen)))
		if err != nil {
			return fmt.Errorf("change passphrase: new slot: %w", err)
		}
		p, err := openSym(newKEK, check.aad(slotRecKey(s.slotKey, gen)), check.wrapped)
		if err != nil || subtle.ConstantTimeCompare(p, cur) != 1 {
			return fmt.Errorf("change passphrase: new slot does not open: %w", ErrIntegrity)
		}
		clear(p)
		if err := b.Delete(slotRecKey(s.slotKey, us.gen)); err != nil {
			return err
		}
		return tx.Audit(AuditEvent{Action: "user.passwd"})
	})
}

// SetTrainedForMinors records whether user name is trained to take a minor's biometric data
// (Eurodac Art 14(1)); manage-users capability, audited with the new value. The record is a
// sealed staff credential (credential.go), not a field of the user directory, so that a
// holder of the vault file without a passphrase cannot make it.
func (s *Session) SetTrainedForMinors(name string, trained bool) error {
	if err := s.needManager(); err != nil {
		return err
	}
	sk := s.v.slotKey(name)
	return s.Update(func(tx *Tx) error {
		u, err := s.v.dirEntry(tx.btx, sk)
		if err != nil {
			return fmt.Errorf("trained for minors: %w", err)
		}
		if err := putCredential(tx, credMinors, sk, trained); err != nil {
			return fmt.Errorf("trained for minors: %w", err)
		}
		return tx.Audit(AuditEvent{Action: "user.trained-minors", Detail: fmt.Sprintf("user %s trained=%t", u.Name, trained)})
	})
}

// Self is the signed-in user's own directory entry (any role) with the credentials a
// supervisor sealed for them, such as the minors' training. A credential that does not open
// or belongs to another key is an error matching ErrCredential: whoever relies on it (capture
// from a minor) refuses.
func (s *Session) Self() (UserInfo, error) {
	var u UserInfo
	err := s.View(func(tx *Tx) error {
		var err error
		if u, err = s.v.dirEntry(tx.btx, s.slotKey); err != nil {
			return err
		}
		return s.withCredentials(tx, s.slotKey, &u)
	})
	return u, err
}

// Users lists the directory (manage-users capability) with each user's credentials; a
// credential that does not open or belongs to another key shows as not held (the supervisor
// sets it again), so one damaged record does not hide the list.
func (s *Session) Users() ([]UserInfo, error) {
	if err := s.needManager(); err != nil {
		return nil, err
	}
	var users []UserInfo
	err := s.View(func(tx *Tx) error {
		return s.v.forEachUser(tx.btx, func(sk []byte, u UserInfo) error {
			if err := s.withCredentials(tx, sk, &u); err != nil && !errors.Is(err, ErrCredential) {
				return err
			}
			users = append(users, u)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	return users, nil
}
