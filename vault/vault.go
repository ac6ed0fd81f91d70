package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/text/unicode/norm"
)

const (
	dbName        = "vault.db"
	packetDirName = "packets"
)

// Bucket names. They are structural and carry no personal data.
var (
	bMeta    = []byte("meta")
	bSlots   = []byte("slots")
	bUsers   = []byte("users")
	bUnlock  = []byte("unlock")
	bKeys    = []byte("keys")
	bCur     = []byte("cur")
	bPub     = []byte("pub")
	bGrants  = []byte("grants")
	bEscrow  = []byte("escrow")
	bCases   = []byte("cases")
	bCaseKey = []byte("k")
	bCaseRec = []byte("r")
	bTomb    = []byte("tomb")
	bData    = []byte("data")
	bAudit   = []byte("audit")
	topLevel = [][]byte{bMeta, bSlots, bUsers, bUnlock, bKeys, bCases, bTomb, bData, bAudit}
)

// Options configure Create and Open.
type Options struct {
	// IdleTimeout is not used by the vault; app reads it for its idle lock.
	IdleTimeout time.Duration
	// KDF is used for slots made by Create, AddUser and ChangePassphrase. nil: Create calibrates
	// (~0.5 s, >= 64 MiB, t>=3, p=4) and stores the result as the vault default.
	KDF *KDFParams
	// Now is the clock for audit timestamps and unlock backoff; nil = time.Now.
	Now func() time.Time
	// LockTimeout is how long Open waits for another process to release the file; 0 = 1 s.
	LockTimeout time.Duration
}

// Vault is an open vault file. It is safe for concurrent use; bbolt allows one writer at a time.
type Vault struct {
	dir  string
	path string
	opt  Options

	mu sync.RWMutex // write-locked only by Compact, which swaps db
	db *bolt.DB

	idxKey []byte // keyed hash of user names → slot keys
	dirKey []byte // encrypts the user directory
	ctrKey []byte // MACs the failed-unlock counters
	kdf    KDFParams
}

// Exists reports whether dir holds a vault file.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, dbName))
	return err == nil
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func boltOptions(o Options) *bolt.Options {
	t := o.LockTimeout
	if t <= 0 {
		t = time.Second
	}
	return &bolt.Options{Timeout: t, FreelistType: bolt.FreelistMapType}
}

// Create makes a new vault in dir with its first supervisor. It refuses a dir that already holds
// a vault (ErrExists). The file is built under a temporary name and renamed into place, so a
// crash never leaves a half-made vault.
func Create(dir, firstSupervisor string, passphrase []byte, opt Options) (*Vault, error) {
	if Exists(dir) {
		return nil, fmt.Errorf("create vault in %s: %w", dir, ErrExists)
	}
	if err := checkUserName(firstSupervisor); err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err == nil {
		if err := checkPrivate(dir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, packetDirName), 0o700); err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	kdf := floorKDF
	if opt.KDF != nil {
		kdf = *opt.KDF
	} else {
		kdf = CalibrateKDF()
	}
	if err := checkKDF(kdf); err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".vault-create-*")
	if err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	os.Remove(tmpPath) // bbolt creates it with its own header
	defer os.Remove(tmpPath)
	db, err := bolt.Open(tmpPath, 0o600, boltOptions(opt))
	if err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	secret := randomBytes(keySize)
	v := &Vault{dir: dir, path: filepath.Join(dir, dbName), opt: opt, db: db, kdf: kdf}
	v.deriveTerminalKeys(secret)
	// The slow Argon2id derivation runs before the write transaction.
	userPriv, userPub := keyPair()
	first := newSlot(v.slotKey(firstSupervisor), 1, Supervisor, userPriv, userPub, passphrase, kdf)
	clear(userPriv)
	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range topLevel {
			if _, err := btx.CreateBucket(name); err != nil {
				return err
			}
		}
		keys := btx.Bucket(bKeys)
		for _, name := range [][]byte{bCur, bPub, bGrants, bEscrow} {
			if _, err := keys.CreateBucket(name); err != nil {
				return err
			}
		}
		meta := btx.Bucket(bMeta)
		if err := meta.Put([]byte("format"), []byte{formatVersion}); err != nil {
			return err
		}
		if err := meta.Put([]byte("secret"), secret); err != nil {
			return err
		}
		if err := meta.Put([]byte("kdf"), encodeKDF(kdf)); err != nil {
			return err
		}
		kr := keyring{btx: btx}
		grantPriv, err := kr.rotate(tagGrant)
		if err != nil {
			return err
		}
		defer clear(grantPriv)
		for _, c := range Classes() {
			k, err := kr.rotate(classTags[c])
			if err != nil {
				return err
			}
			clear(k)
		}
		now := opt.now()
		if err := v.addUserTx(btx, grantPriv, firstSupervisor, first, now); err != nil {
			return err
		}
		who := actor{user: firstSupervisor, role: Supervisor}
		if err := appendAudit(btx, now, who, AuditEvent{Action: "vault.create"}); err != nil {
			return err
		}
		return appendAudit(btx, now, who, AuditEvent{Action: "user.add", Detail: "role " + string(Supervisor)})
	})
	clear(secret)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	if err := syncFile(tmpPath); err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	if Exists(dir) { // another process won the race
		return nil, fmt.Errorf("create vault in %s: %w", dir, ErrExists)
	}
	if err := RenameDurable(tmpPath, v.path); err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	return Open(dir, opt)
}

// Open opens an existing vault. A missing vault gives an error wrapping fs.ErrNotExist; a file
// that is not a readable vault gives *CorruptError (and is left untouched); a vault held by
// another process gives ErrInUse after Options.LockTimeout.
func Open(dir string, opt Options) (*Vault, error) {
	path := filepath.Join(dir, dbName)
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open vault %s: %w", dir, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("open vault %s: %w", dir, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &CorruptError{Path: path, Err: errors.New("not a regular file")}
	}
	for _, p := range []string{dir, path, filepath.Join(dir, packetDirName)} {
		if err := checkPrivate(p); err != nil {
			return nil, err
		}
	}
	if fi.Size() < 4096 {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("file is only %d bytes (truncated)", fi.Size())}
	}
	if err := os.MkdirAll(filepath.Join(dir, packetDirName), 0o700); err != nil {
		return nil, fmt.Errorf("open vault %s: %w", dir, err)
	}
	if err := precheckBolt(path, fi.Size()); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	db, err := openBolt(path, opt)
	if err != nil {
		return nil, err
	}
	v := &Vault{dir: dir, path: path, opt: opt, db: db}
	if err := v.load(fi.Size()); err != nil {
		db.Close()
		return nil, err
	}
	if err := v.migrateBind(); err != nil {
		db.Close()
		return nil, err
	}
	removeStaleTemps(dir)
	return v, nil
}

// removeStaleTemps deletes what an interrupted Create or Compact left behind. It runs with the
// file lock held, so no other process is writing them; they are never the live vault (that is
// only ever renamed into place whole), and they hold only ciphertext.
func removeStaleTemps(dir string) {
	for _, pattern := range []string{".vault-create-*", ".vault-compact-*"} {
		stale, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range stale {
			os.Remove(f)
		}
	}
}

func openBolt(path string, opt Options) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, &CorruptError{Path: path, Err: fmt.Errorf("bbolt: %v", r)}
		}
	}()
	db, err = bolt.Open(path, 0o600, boltOptions(opt))
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("open vault %s: %w", path, ErrInUse)
	case err != nil:
		return nil, &CorruptError{Path: path, Err: err}
	}
	return db, nil
}

// load checks the structure Open relies on and reads the terminal secret.
func (v *Vault) load(fileSize int64) error {
	return v.view(func(btx *bolt.Tx) error {
		if btx.Size() > fileSize {
			return &CorruptError{Path: v.path, Err: fmt.Errorf("file is %d bytes but its header says %d (truncated)", fileSize, btx.Size())}
		}
		for _, name := range topLevel {
			if btx.Bucket(name) == nil {
				return &CorruptError{Path: v.path, Err: fmt.Errorf("bucket %q missing: not a fieldscreen vault", name)}
			}
		}
		meta := btx.Bucket(bMeta)
		if f := meta.Get([]byte("format")); len(f) != 1 || f[0] != formatVersion {
			return &CorruptError{Path: v.path, Err: fmt.Errorf("vault format %v is not supported by this build", f)}
		}
		secret := meta.Get([]byte("secret"))
		if len(secret) != keySize {
			return &CorruptError{Path: v.path, Err: errors.New("terminal secret missing")}
		}
		kdf, err := parseKDF(meta.Get([]byte("kdf")))
		if err != nil {
			return &CorruptError{Path: v.path, Err: err}
		}
		v.kdf = kdf
		if v.opt.KDF != nil {
			v.kdf = *v.opt.KDF
		}
		v.deriveTerminalKeys(secret)
		return nil
	})
}

func (v *Vault) deriveTerminalKeys(secret []byte) {
	v.idxKey = subKey(secret, "fieldscreen/user-index/v1")
	v.dirKey = subKey(secret, "fieldscreen/user-directory/v1")
	v.ctrKey = subKey(secret, "fieldscreen/unlock-counter/v1")
}

func encodeKDF(p KDFParams) []byte {
	b := binary.BigEndian.AppendUint32([]byte{formatVersion}, p.Time)
	b = binary.BigEndian.AppendUint32(b, p.MemoryKiB)
	return append(b, p.Threads)
}

func parseKDF(b []byte) (KDFParams, error) {
	if len(b) != 10 || b[0] != formatVersion {
		return KDFParams{}, errors.New("default KDF parameters malformed")
	}
	p := KDFParams{Time: binary.BigEndian.Uint32(b[1:5]), MemoryKiB: binary.BigEndian.Uint32(b[5:9]), Threads: b[9]}
	return p, checkKDF(p)
}

// view and update run bbolt transactions; a bbolt panic on a damaged page becomes *CorruptError.
func (v *Vault) view(fn func(*bolt.Tx) error) error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return errors.New("vault is closed")
	}
	return v.guard(func() error { return v.db.View(fn) })
}

func (v *Vault) update(fn func(*bolt.Tx) error) error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return errors.New("vault is closed")
	}
	return v.guard(func() error { return v.db.Update(fn) })
}

// guard runs bbolt access with faults turned into panics: bbolt reads its pages through an
// mmap, and a damaged page pointer makes it read outside the mapped file, which would kill
// the process (SIGSEGV or SIGBUS) instead of giving *CorruptError. Only this goroutine is
// affected, and only for the length of fn.
func (v *Vault) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &CorruptError{Path: v.path, Err: fmt.Errorf("bbolt: %v", r)}
		}
	}()
	return fn()
}

// Close closes the file. Sessions of this vault can no longer read or write.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return nil
	}
	err := v.db.Close()
	v.db = nil
	return err
}

// Dir is the vault directory.
func (v *Vault) Dir() string { return v.dir }

// PacketDir is dir/packets: sealed outbox files live here (written by sync).
func (v *Vault) PacketDir() string { return filepath.Join(v.dir, packetDirName) }

// Check runs bbolt's consistency check over the whole file (slow on big vaults: for
// `fieldscreenctl vault check`, not for every start). It first walks every bucket and key on
// this goroutine, under guard: bbolt's own check runs on a goroutine of its own, where a
// fault on a damaged page could not be caught, so it only runs once the walk has read every
// reachable page without one.
func (v *Vault) Check() error {
	var errs []error
	err := v.view(func(btx *bolt.Tx) error {
		if err := walkAll(btx); err != nil {
			return &CorruptError{Path: v.path, Err: err}
		}
		for e := range btx.Check() {
			errs = append(errs, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return &CorruptError{Path: v.path, Err: errors.Join(errs...)}
	}
	return nil
}

// walkAll reads every key and value of every bucket, touching every reachable page.
func walkAll(btx *bolt.Tx) error {
	var walk func(b *bolt.Bucket, depth int) error
	walk = func(b *bolt.Bucket, depth int) error {
		if depth > 16 {
			return errors.New("buckets nested deeper than a vault has")
		}
		c := b.Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			if val == nil {
				sub := b.Bucket(k)
				if sub == nil {
					return fmt.Errorf("key %x has neither value nor bucket", k)
				}
				if err := walk(sub, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return btx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(b, 0) })
}

// Compact copies the live data into a fresh file in the same directory, fsyncs it and renames it
// over the vault (atomic), which drops the free pages that still hold old ciphertext. Callers
// must not hold a View or Update open.
func (v *Vault) Compact() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return errors.New("compact: vault is closed")
	}
	tmp, err := os.CreateTemp(v.dir, ".vault-compact-*")
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	os.Remove(tmpPath)
	defer os.Remove(tmpPath) // no-op after the rename
	dst, err := bolt.Open(tmpPath, 0o600, boltOptions(v.opt))
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	if err := v.guard(func() error { return bolt.Compact(dst, v.db, 64<<20) }); err != nil {
		dst.Close()
		return fmt.Errorf("compact: %w", err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	if err := syncFile(tmpPath); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	if err := v.db.Close(); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	v.db = nil
	renameErr := RenameDurable(tmpPath, v.path)
	if renameErr == nil {
		renameErr = SyncDir(v.dir)
	}
	db, err := openBolt(v.path, v.opt) // the old file if the rename failed
	if err != nil {
		return fmt.Errorf("compact: reopen: %w", err)
	}
	v.db = db
	if renameErr != nil {
		return fmt.Errorf("compact: %w", renameErr)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// normName is the form of a user name that selects a slot: trimmed, NFC, case-folded.
func normName(name string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(name)))
}

func checkUserName(name string) error {
	n := strings.TrimSpace(name)
	if n == "" {
		return errors.New("user name is empty")
	}
	if len(n) > 128 {
		return errors.New("user name is longer than 128 bytes")
	}
	return nil
}

// slotKey is the 16-byte keyed hash of a user name that keys the user's slot, directory entry,
// counter and grants.
func (v *Vault) slotKey(name string) []byte {
	return keyedHash(v.idxKey, normName(name))
}

// UserNames lists user names for the unlock screen's picker, sorted. It needs no passphrase.
func (v *Vault) UserNames() ([]string, error) {
	users, err := v.directory()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(users))
	for _, u := range users {
		names = append(names, u.Name)
	}
	sort.Strings(names)
	return names, nil
}
