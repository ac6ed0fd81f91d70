package vault

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Staff credentials are what a supervisor certifies about a user, today one: trained to take
// a minor's biometric data in a child-friendly way (Eurodac Art 14(1)). Capture trusts it, so
// it must not be something a holder of the vault file can write. The user directory cannot
// carry it: its key (K_dir) comes from the terminal secret, which is in the file and opens
// without a passphrase. A credential is therefore a terminal record of the core class
// (Tx.Put: sealed under the core class key, which only a passphrase opens), bound by its
// associated data to its record key (kind and the holder's slot key) and naming the holder's
// X25519 public key, so that it neither moves to another user nor survives the holder's
// removal and re-creation under the same name. Format in docs/SECURITY.md, "Staff credentials".
//
// A credential has no validity window: it holds until a supervisor withdraws it (deleted) or
// the holder is removed.
const (
	credBucket   = "staff-credentials"
	credMinors   = "trained-for-minors"
	credFormatV1 = 1
)

// credential is the sealed value of one staff credential.
type credential struct {
	V       int       `json:"v"`
	Kind    string    `json:"kind"`
	UserPub string    `json:"user_pub"` // hex of the holder's X25519 public key (their key slot)
	At      time.Time `json:"at"`       // when the supervisor set it
}

// ErrCredential: a staff credential that does not open, is not well formed or belongs to
// another key. The holder is treated as not holding it; the supervisor sets it again.
var ErrCredential = errors.New("staff credential is invalid: a supervisor must set it again")

func credKey(kind string, slotKey []byte) string { return kind + "/" + hex.EncodeToString(slotKey) }

// putCredential seals kind for the user of slot key sk (set), or withdraws it (!set). It must be
// called within a write transaction of a session that writes the core class.
func putCredential(tx *Tx, kind string, sk []byte, set bool) error {
	us, err := latestSlot(tx.btx, sk)
	if err != nil {
		return err
	}
	if us == nil {
		return ErrUnknownUser
	}
	if !set {
		return tx.Delete(Core, credBucket, credKey(kind, sk))
	}
	v, err := json.Marshal(credential{V: credFormatV1, Kind: kind, UserPub: hex.EncodeToString(us.s.pub), At: tx.now.UTC()})
	if err != nil {
		return err
	}
	return tx.Put(Core, credBucket, credKey(kind, sk), v)
}

// holdsCredential reports whether the user of slot key sk holds kind. No record is false; a
// record that fails to open, parse or match the user's current public key is ErrCredential
// (wrapping ErrIntegrity when the seal itself is broken).
func holdsCredential(tx *Tx, kind string, sk []byte) (bool, error) {
	raw, err := tx.Get(Core, credBucket, credKey(kind, sk))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w (%w)", ErrCredential, err)
	}
	var c credential
	if err := json.Unmarshal(raw, &c); err != nil || c.V != credFormatV1 || c.Kind != kind {
		return false, fmt.Errorf("%w (not a %s credential of format %d)", ErrCredential, kind, credFormatV1)
	}
	us, err := latestSlot(tx.btx, sk)
	if err != nil {
		return false, err
	}
	if us == nil || c.UserPub != hex.EncodeToString(us.s.pub) {
		return false, fmt.Errorf("%w (made for another key of this name)", ErrCredential)
	}
	return true, nil
}

// withCredentials fills u's credentials from the sealed records when the session's role reads
// the core class (other roles capture nothing from minors and see none).
func (s *Session) withCredentials(tx *Tx, sk []byte, u *UserInfo) error {
	u.TrainedForMinors = false
	if !s.role.Can(Core, false) {
		return nil
	}
	ok, err := holdsCredential(tx, credMinors, sk)
	u.TrainedForMinors = ok
	return err
}

// forEachUser calls fn with every directory entry and its slot key, in key order.
func (v *Vault) forEachUser(btx *bolt.Tx, fn func(sk []byte, u UserInfo) error) error {
	return btx.Bucket(bUsers).ForEach(func(key, _ []byte) error {
		u, err := v.dirEntry(btx, key)
		if err != nil {
			return err
		}
		return fn(bytes.Clone(key), u)
	})
}
