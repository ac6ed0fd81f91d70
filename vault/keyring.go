package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// keyring reads and writes the key material in the keys bucket inside one bbolt transaction.
//
//	keys/cur    tag → current version (uint32 BE)
//	keys/pub    tag || version → X25519 public key (audit and grant key pairs)
//	keys/grants slot key(16) || tag || version → sealTo(user public key, "grant", ...)(key secret)
//	keys/escrow tag || version → grant version(4) || sealTo(grant public key, "escrow", ...)(key secret)
//
// A data class key version is 32 random bytes (core, biometric, health, devices, sync) or an
// X25519 private key (audit). The grant key pair is held by user managers; every data class key
// version is escrowed to it so that a manager can give a new user the keys of their role.
type keyring struct{ btx *bolt.Tx }

func (k keyring) b(name []byte) *bolt.Bucket { return k.btx.Bucket(bKeys).Bucket(name) }

func (k keyring) cur(tag byte) uint32 {
	v := k.b(bCur).Get([]byte{tag})
	if len(v) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

func refKey(tag byte, ver uint32) []byte { return binary.BigEndian.AppendUint32([]byte{tag}, ver) }

func (k keyring) pub(tag byte, ver uint32) ([]byte, error) {
	p := k.b(bPub).Get(refKey(tag, ver))
	if len(p) != 32 {
		return nil, fmt.Errorf("public key %d/%d missing: %w", tag, ver, ErrIntegrity)
	}
	return append([]byte(nil), p...), nil
}

func grantRecKey(slotKey []byte, tag byte, ver uint32) []byte {
	return binary.BigEndian.AppendUint32(append(append([]byte(nil), slotKey...), tag), ver)
}

func grantAAD(slotKey []byte, tag byte, ver uint32) []byte {
	return aad("fieldscreen/grant/v1", slotKey, []byte{tag}, u32(ver))
}

func escrowAAD(tag byte, ver, grantVer uint32) []byte {
	return aad("fieldscreen/escrow/v1", []byte{tag}, u32(ver), u32(grantVer))
}

func isKeyPair(tag byte) bool { return tag == tagAudit || tag == tagGrant }

// userSlot is the newest slot generation of one user.
type userSlot struct {
	slotKey []byte // 16 bytes
	gen     uint32
	s       *slot
}

// slots lists the newest slot of every user. A damaged slot is an integrity error: key material
// must not be sealed to a public key that cannot be trusted.
func (k keyring) slots() ([]userSlot, error) {
	var out []userSlot
	c := k.btx.Bucket(bSlots).Cursor()
	for key, val := c.First(); key != nil; key, val = c.Next() {
		if len(key) != 20 {
			return nil, fmt.Errorf("slot key of %d bytes: %w", len(key), ErrIntegrity)
		}
		s, err := parseSlot(val)
		if err != nil {
			return nil, fmt.Errorf("key slot: %v: %w", err, ErrIntegrity)
		}
		us := userSlot{slotKey: append([]byte(nil), key[:16]...), gen: binary.BigEndian.Uint32(key[16:]), s: s}
		if n := len(out); n > 0 && bytes.Equal(out[n-1].slotKey, us.slotKey) {
			out[n-1] = us // generations sort ascending; keep the newest
			continue
		}
		out = append(out, us)
	}
	return out, nil
}

// latestSlot finds the newest slot generation for slotKey; nil if the user does not exist.
func latestSlot(btx *bolt.Tx, slotKey []byte) (*userSlot, error) {
	c := btx.Bucket(bSlots).Cursor()
	var found *userSlot
	for key, val := c.Seek(slotKey); key != nil && bytes.HasPrefix(key, slotKey); key, val = c.Next() {
		if len(key) != 20 {
			continue
		}
		s, err := parseSlot(val)
		if err != nil {
			return nil, fmt.Errorf("key slot: %v: %w", err, ErrIntegrity)
		}
		found = &userSlot{slotKey: append([]byte(nil), slotKey...), gen: binary.BigEndian.Uint32(key[16:]), s: s}
	}
	return found, nil
}

// rotate makes version cur+1 of tag's key, escrows it to the current grant key (data classes),
// seals it to every user whose role holds tag, and returns the new secret (caller clears it).
func (k keyring) rotate(tag byte) ([]byte, error) {
	ver := k.cur(tag) + 1
	var secret []byte
	if isKeyPair(tag) {
		priv, pub := keyPair()
		if err := k.b(bPub).Put(refKey(tag, ver), pub); err != nil {
			return nil, err
		}
		secret = priv
	} else {
		secret = randomBytes(keySize)
	}
	if err := k.b(bCur).Put([]byte{tag}, u32(ver)); err != nil {
		return nil, err
	}
	if tag != tagGrant {
		if err := k.escrow(tag, ver, secret); err != nil {
			return nil, err
		}
	}
	users, err := k.slots()
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if roleHoldsTag(u.s.role, tag) {
			if err := k.grant(u.slotKey, u.s.pub, tag, ver, secret); err != nil {
				return nil, err
			}
		}
	}
	return secret, nil
}

func (k keyring) escrow(tag byte, ver uint32, secret []byte) error {
	gv := k.cur(tagGrant)
	gpub, err := k.pub(tagGrant, gv)
	if err != nil {
		return err
	}
	box, err := sealTo(gpub, "escrow", escrowAAD(tag, ver, gv), secret)
	if err != nil {
		return err
	}
	return k.b(bEscrow).Put(refKey(tag, ver), append(u32(gv), box...))
}

func (k keyring) openEscrow(grantPriv []byte, tag byte, ver uint32) ([]byte, error) {
	v := k.b(bEscrow).Get(refKey(tag, ver))
	if len(v) < 4 {
		return nil, fmt.Errorf("escrowed key %d/%d missing: %w", tag, ver, ErrIntegrity)
	}
	gv := binary.BigEndian.Uint32(v[:4])
	secret, err := openFrom(grantPriv, "escrow", escrowAAD(tag, ver, gv), v[4:])
	if err != nil {
		return nil, fmt.Errorf("escrowed key %d/%d: %w", tag, ver, err)
	}
	return secret, nil
}

func (k keyring) grant(slotKey, userPub []byte, tag byte, ver uint32, secret []byte) error {
	box, err := sealTo(userPub, "grant", grantAAD(slotKey, tag, ver), secret)
	if err != nil {
		return err
	}
	return k.b(bGrants).Put(grantRecKey(slotKey, tag, ver), box)
}

func (k keyring) openGrant(slotKey, userPriv []byte, tag byte, ver uint32) ([]byte, error) {
	box := k.b(bGrants).Get(grantRecKey(slotKey, tag, ver))
	if box == nil {
		return nil, ErrNotFound
	}
	return openFrom(userPriv, "grant", grantAAD(slotKey, tag, ver), box)
}

// deletePrefix removes every key of b that starts with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for key, _ := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, _ = c.Next() {
		keys = append(keys, append([]byte(nil), key...))
	}
	for _, key := range keys {
		if err := b.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// rotateGrant replaces the grant key pair (after a manager leaves): the new private key is sealed
// to the remaining managers, every escrow record is re-sealed to the new public key, and all
// older grant-key grants are deleted.
func (k keyring) rotateGrant(oldGrantPriv []byte) ([]byte, error) {
	oldVer := k.cur(tagGrant)
	type rec struct {
		key []byte
		val []byte
	}
	var escrows []rec
	err := k.b(bEscrow).ForEach(func(key, val []byte) error {
		escrows = append(escrows, rec{append([]byte(nil), key...), append([]byte(nil), val...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var old [][]byte
	c := k.b(bGrants).Cursor()
	for key, _ := c.First(); key != nil; key, _ = c.Next() {
		if len(key) == 21 && key[16] == tagGrant && binary.BigEndian.Uint32(key[17:]) <= oldVer {
			old = append(old, append([]byte(nil), key...))
		}
	}
	newPriv, err := k.rotate(tagGrant)
	if err != nil {
		return nil, err
	}
	for _, e := range escrows {
		if len(e.key) != 5 {
			return nil, fmt.Errorf("escrow record key: %w", ErrIntegrity)
		}
		tag, ver := e.key[0], binary.BigEndian.Uint32(e.key[1:])
		secret, err := k.openEscrow(oldGrantPriv, tag, ver)
		if err != nil {
			return nil, err
		}
		err = k.escrow(tag, ver, secret)
		clear(secret)
		if err != nil {
			return nil, err
		}
	}
	for _, key := range old {
		if err := k.b(bGrants).Delete(key); err != nil {
			return nil, err
		}
	}
	return newPriv, nil
}

// ---- users -------------------------------------------------------------------------------------

// UserInfo is one entry of the user directory.
type UserInfo struct {
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	Created time.Time `json:"created"`
	// TrainedForMinors is the supervisor's record that the user is trained to take a
	// minor's biometric data in a child-friendly way (Eurodac Art 14(1)); app refuses a
	// capture from a (possible) minor by anyone else. It is read from the sealed staff
	// credential (credential.go), never stored in the directory: a "trainedForMinors"
	// field there (written by older versions, or by someone editing the file) is ignored.
	TrainedForMinors bool `json:"-"`
}

func keyedHash(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)[:16]
}

func slotRecKey(slotKey []byte, gen uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), slotKey...), gen)
}

var dirPath = []byte("users")

// newSlot wraps priv under a key derived from pass (the slow step: run it outside a write
// transaction).
func newSlot(slotKey []byte, gen uint32, role Role, priv, pub, pass []byte, kdf KDFParams) *slot {
	s := &slot{kdf: kdf, role: role, salt: randomBytes(16), pub: pub}
	kek := slotKEK(pass, s)
	defer clear(kek)
	s.wrapped = sealSym(kek, s.aad(slotRecKey(slotKey, gen)), priv)
	return s
}

// addUserTx stores a prepared slot for a new user, the encrypted directory entry, a zero
// failed-unlock counter, and grants every version of every key the role holds (opened from
// escrow with grantPriv).
func (v *Vault) addUserTx(btx *bolt.Tx, grantPriv []byte, name string, s *slot, now time.Time) error {
	sk := v.slotKey(name)
	if existing, err := latestSlot(btx, sk); err != nil {
		return err
	} else if existing != nil {
		return fmt.Errorf("add user: %w", ErrExists)
	}
	if err := btx.Bucket(bSlots).Put(slotRecKey(sk, 1), s.encode()); err != nil {
		return err
	}
	info, err := json.Marshal(UserInfo{Name: name, Role: s.role, Created: now})
	if err != nil {
		return err
	}
	if err := btx.Bucket(bUsers).Put(sk, sealRecord(v.dirKey, 1, dirPath, sk, 0, info)); err != nil {
		return err
	}
	if err := v.putCounter(btx, sk, counter{}, now); err != nil {
		return err
	}
	kr := keyring{btx}
	for _, tag := range s.role.heldTags() {
		if tag == tagGrant {
			if err := kr.grant(sk, s.pub, tag, kr.cur(tagGrant), grantPriv); err != nil {
				return err
			}
			continue
		}
		for ver := uint32(1); ver <= kr.cur(tag); ver++ {
			secret, err := kr.openEscrow(grantPriv, tag, ver)
			if err != nil {
				return err
			}
			err = kr.grant(sk, s.pub, tag, ver, secret)
			clear(secret)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// dirEntry reads one user's directory entry (ErrUnknownUser when there is none).
func (v *Vault) dirEntry(btx *bolt.Tx, sk []byte) (UserInfo, error) {
	var u UserInfo
	val := btx.Bucket(bUsers).Get(sk)
	if val == nil {
		return u, ErrUnknownUser
	}
	env, err := parseEnvelope(val)
	if err != nil {
		return u, fmt.Errorf("user directory: %v: %w", err, ErrIntegrity)
	}
	pt, err := openRecord(v.dirKey, env, dirPath, sk, 0)
	if err != nil {
		return u, fmt.Errorf("user directory: %w", err)
	}
	if err := json.Unmarshal(pt, &u); err != nil {
		return u, fmt.Errorf("user directory: %v: %w", err, ErrIntegrity)
	}
	return u, nil
}

// directory decrypts the user directory (with the terminal-level directory key: this hides
// names from a raw look at the file, not from someone who holds the file and this code).
func (v *Vault) directory() ([]UserInfo, error) {
	var out []UserInfo
	err := v.view(func(btx *bolt.Tx) error {
		return btx.Bucket(bUsers).ForEach(func(key, val []byte) error {
			env, err := parseEnvelope(val)
			if err != nil {
				return fmt.Errorf("user directory: %v: %w", err, ErrIntegrity)
			}
			pt, err := openRecord(v.dirKey, env, dirPath, key, 0)
			if err != nil {
				return fmt.Errorf("user directory: %w", err)
			}
			var u UserInfo
			if err := json.Unmarshal(pt, &u); err != nil {
				return fmt.Errorf("user directory: %v: %w", err, ErrIntegrity)
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

var errNoManager = errors.New("the vault must keep at least one supervisor")
