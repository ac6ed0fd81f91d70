package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// fileAttacker edits a closed vault file with bbolt and the formats of docs/SECURITY.md
// alone, as someone who copied the file but knows no passphrase. It is written from the
// document, not from the vault package, so the test also checks what the document promises.
type fileAttacker struct{ path string }

func (a fileAttacker) edit(t *testing.T, fn func(btx *bolt.Tx, secret []byte) error) {
	t.Helper()
	db, err := bolt.Open(a.path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(btx *bolt.Tx) error {
		return fn(btx, btx.Bucket([]byte("meta")).Get([]byte("secret")))
	}); err != nil {
		t.Fatal(err)
	}
}

func specKey(secret []byte, info string) []byte {
	k := make([]byte, 32)
	if _, err := hkdf.New(sha256.New, secret, nil, []byte(info)).Read(k); err != nil {
		panic(err)
	}
	return k
}

// specSlotKey is slotKey(name) = HMAC-SHA256(K_index, lower(trim(name)))[:16] (ASCII names).
func specSlotKey(secret []byte, name string) []byte {
	m := hmac.New(sha256.New, specKey(secret, "fieldscreen/user-index/v1"))
	m.Write([]byte(name))
	return m.Sum(nil)[:16]
}

// specDirAD is AD("fieldscreen/rec/v1", "users", slotKey, 0x00 || 0x01, keyVer 1).
func specDirAD(sk []byte) []byte {
	ad := []byte("fieldscreen/rec/v1")
	for _, p := range [][]byte{[]byte("users"), sk, {0, 1}, {0, 0, 0, 1}} {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(p)))
		ad = append(ad, p...)
	}
	return ad
}

// flipTrainedFlag sets "trainedForMinors": true in name's user directory entry, which older
// versions trusted as the supervisor's record.
func flipTrainedFlag(btx *bolt.Tx, secret []byte, name string) error {
	sk := specSlotKey(secret, name)
	aead, _ := chacha20poly1305.NewX(specKey(secret, "fieldscreen/user-directory/v1"))
	users := btx.Bucket([]byte("users"))
	env := users.Get(sk)
	if len(env) < 5+24 || env[0] != 1 {
		return errors.New("directory entry not in format 1")
	}
	pt, err := aead.Open(nil, env[5:29], env[29:], specDirAD(sk))
	if err != nil {
		return err
	}
	var entry map[string]any
	if err := json.Unmarshal(pt, &entry); err != nil {
		return err
	}
	entry["trainedForMinors"] = true
	pt, _ = json.Marshal(entry)
	nonce := make([]byte, 24)
	out := append(append([]byte{1, 0, 0, 0, 1}, nonce...), aead.Seal(nil, nonce, pt, specDirAD(sk))...)
	return users.Put(sk, out)
}

// credentials is the raw bucket of sealed staff credentials: data / core (tag 1) /
// staff-credentials, keys "trained-for-minors/" || hex(slotKey).
func credentials(btx *bolt.Tx) *bolt.Bucket {
	return btx.Bucket([]byte("data")).Bucket([]byte{1}).Bucket([]byte("staff-credentials"))
}

func minorsCredKey(secret []byte, name string) []byte {
	return []byte("trained-for-minors/" + hex.EncodeToString(specSlotKey(secret, name)))
}

// TestMinorsTrainingForgedInTheFileIsRefused: Eurodac Art 14(1) lets only an official trained
// for minors take a minor's biometric data. Someone with the vault file but no passphrase
// marks an untrained officer as trained in the user directory, then copies a trained
// colleague's sealed credential to them; capture from a minor refuses that officer both
// times (ErrNotTrained), while the colleague, trained by a supervisor, captures.
func TestMinorsTrainingForgedInTheFileIsRefused(t *testing.T) {
	cfg := DefaultConfig()
	cfg.VaultDir = filepath.Join(t.TempDir(), "vault")
	opt := vault.Options{KDF: vault.TestKDF()}
	term, err := OpenTerminal(cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := term.Setup("sup", []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	tech, off := staff(t, term)
	scanner, camera := pairedSims(t, tech, 13)
	now := time.Now()
	minor := adultCase(now)
	minor.Identity.BirthDate = forms.DateOf(now.AddDate(-12, 0, 0))
	minor.Biometrics.Companion = &forms.Companion{Role: forms.CompanionFamily, Relationship: "aunt", ID: "TEST-BADGE-0815"}
	minor.Info = forms.Information{LeafletLanguage: "ar", ChildFriendly: true}
	ids := map[string]vault.CaseID{}
	for _, who := range []string{"off", "trained"} {
		if ids[who], err = off.CreateCase(minor); err != nil {
			t.Fatal(err)
		}
	}
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.AddUser("trained", vault.Officer, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	if err := sup.SetTrainedForMinors("trained", true); err != nil {
		t.Fatal(err)
	}
	sup.Lock(LockedClosed)
	off.Lock(LockedClosed)
	tech.Lock(LockedClosed)
	term.Close()

	attacker := fileAttacker{filepath.Join(cfg.VaultDir, "vault.db")}
	capture := func(who string) error {
		t.Helper()
		term, err := OpenTerminal(cfg, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer term.Close()
		s, err := term.Unlock(who, []byte(testPass))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Lock(LockedClosed)
		_, err = s.CaptureBiometrics(context.Background(), ids[who], scanner, camera, nil)
		return err
	}

	attacker.edit(t, func(btx *bolt.Tx, secret []byte) error { return flipTrainedFlag(btx, secret, "off") })
	if err := capture("off"); !errors.Is(err, ErrNotTrained) {
		t.Fatalf("training flag set in the file: capture gave %v, want ErrNotTrained", err)
	}
	attacker.edit(t, func(btx *bolt.Tx, secret []byte) error {
		b := credentials(btx)
		if b == nil {
			return errors.New("no sealed staff credentials in the file")
		}
		return b.Put(minorsCredKey(secret, "off"), b.Get(minorsCredKey(secret, "trained")))
	})
	if err := capture("off"); !errors.Is(err, ErrNotTrained) {
		t.Fatalf("colleague's credential copied in the file: capture gave %v, want ErrNotTrained", err)
	}
	if err := capture("trained"); err != nil {
		t.Fatalf("officer trained by the supervisor: %v", err)
	}
}
