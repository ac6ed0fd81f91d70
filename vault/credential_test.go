package vault

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// editFile opens the closed vault's bbolt file directly and runs fn in a write transaction:
// what someone who copied the file, and has this source code but no passphrase, can do.
func editFile(t *testing.T, dir string, fn func(btx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "vault.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// flipDirectoryFlag sets "trainedForMinors": true in the directory entry of name: the
// directory key comes from the terminal secret in the file, so no passphrase is needed.
func flipDirectoryFlag(btx *bolt.Tx, name string) error {
	secret := btx.Bucket(bMeta).Get([]byte("secret"))
	dirKey := subKey(secret, "fieldscreen/user-directory/v1")
	sk := keyedHash(subKey(secret, "fieldscreen/user-index/v1"), normName(name))
	env, err := parseEnvelope(btx.Bucket(bUsers).Get(sk))
	if err != nil {
		return err
	}
	pt, err := openRecord(dirKey, env, dirPath, sk, 0)
	if err != nil {
		return err
	}
	var entry map[string]any
	if err := json.Unmarshal(pt, &entry); err != nil {
		return err
	}
	entry["trainedForMinors"] = true
	pt, _ = json.Marshal(entry)
	return btx.Bucket(bUsers).Put(sk, sealRecord(dirKey, 1, dirPath, sk, 0, pt))
}

// credBucketOf is the raw bbolt bucket of the sealed staff credentials.
func credBucketOf(btx *bolt.Tx) *bolt.Bucket {
	return btx.Bucket(bData).Bucket([]byte{tagCore}).Bucket([]byte(credBucket))
}

// TestTrainedForMinorsCannotBeForgedFromTheFile: the minors' training (Eurodac Art 14(1)) is a
// sealed staff credential. Someone holding the vault file without a passphrase can rewrite
// the user directory (its key comes from the file) but a "trainedForMinors" flag there counts
// for nothing; a trained colleague's sealed credential copied to another user, or an old one
// copied back after the holder was removed and added again, does not open for them. A
// credential set by a supervisor holds.
func TestTrainedForMinorsCannotBeForgedFromTheFile(t *testing.T) {
	v, sup := newTestVault(t, nil)
	dir := v.Dir()
	for _, n := range []string{"TESTPERSON TRAINED", "TESTPERSON FORGER"} {
		if err := sup.AddUser(n, Officer, []byte("pass of "+n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sup.SetTrainedForMinors("TESTPERSON TRAINED", true); err != nil {
		t.Fatal(err)
	}
	sup.Lock()
	v.Close()

	trained := func(name string) (bool, error) {
		t.Helper()
		v, err := Open(dir, testOptions(nil))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		s, err := v.Unlock(name, []byte("pass of "+name))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Lock()
		u, err := s.Self()
		return u.TrainedForMinors, err
	}
	if ok, err := trained("TESTPERSON TRAINED"); !ok || err != nil {
		t.Fatalf("supervisor's credential: trained %v, %v", ok, err)
	}

	// 1. The directory flag older versions trusted.
	editFile(t, dir, func(btx *bolt.Tx) error { return flipDirectoryFlag(btx, "TESTPERSON FORGER") })
	if ok, err := trained("TESTPERSON FORGER"); ok || err != nil {
		t.Fatalf("flag flipped in the file: trained %v, %v; want false, no error", ok, err)
	}

	// 2. A trained colleague's sealed credential copied under the forger's key.
	var stolen []byte
	editFile(t, dir, func(btx *bolt.Tx) error {
		secret := btx.Bucket(bMeta).Get([]byte("secret"))
		idx := subKey(secret, "fieldscreen/user-index/v1")
		b := credBucketOf(btx)
		stolen = append([]byte(nil), b.Get([]byte(credKey(credMinors, keyedHash(idx, normName("TESTPERSON TRAINED")))))...)
		if stolen == nil {
			return errors.New("no sealed credential for the trained user")
		}
		return b.Put([]byte(credKey(credMinors, keyedHash(idx, normName("TESTPERSON FORGER")))), stolen)
	})
	if ok, err := trained("TESTPERSON FORGER"); ok || !errors.Is(err, ErrCredential) || !errors.Is(err, ErrIntegrity) {
		t.Fatalf("colleague's credential copied: trained %v, %v; want ErrCredential", ok, err)
	}

	// 3. The trained user is removed and added again (a new key pair); the old credential,
	// copied back from a backup, belongs to the old key.
	v2, err := Open(dir, testOptions(nil))
	if err != nil {
		t.Fatal(err)
	}
	sup2, err := v2.Unlock(supName, []byte(supPass))
	if err != nil {
		t.Fatal(err)
	}
	users, err := sup2.Users()
	if err != nil {
		t.Fatalf("a damaged credential hides the user list: %v", err)
	}
	for _, u := range users {
		if u.TrainedForMinors != (u.Name == "TESTPERSON TRAINED") {
			t.Fatalf("users list: %+v", u)
		}
	}
	if err := sup2.RemoveUser("TESTPERSON TRAINED"); err != nil {
		t.Fatal(err)
	}
	if err := sup2.AddUser("TESTPERSON TRAINED", Officer, []byte("pass of TESTPERSON TRAINED")); err != nil {
		t.Fatal(err)
	}
	sup2.Lock()
	v2.Close()
	if ok, err := trained("TESTPERSON TRAINED"); ok || err != nil {
		t.Fatalf("re-added user: trained %v, %v; want a fresh start", ok, err)
	}
	editFile(t, dir, func(btx *bolt.Tx) error {
		idx := subKey(btx.Bucket(bMeta).Get([]byte("secret")), "fieldscreen/user-index/v1")
		return credBucketOf(btx).Put([]byte(credKey(credMinors, keyedHash(idx, normName("TESTPERSON TRAINED")))), stolen)
	})
	if ok, err := trained("TESTPERSON TRAINED"); ok || !errors.Is(err, ErrCredential) {
		t.Fatalf("old credential copied back after re-creation: trained %v, %v; want ErrCredential", ok, err)
	}
}
