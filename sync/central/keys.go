package central

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"

	fsync "github.com/fieldscreen/fieldscreen/sync"
)

// Keys are central's long-lived keys, kept as files in the data folder:
//
//	ca.pem, ca-key.pem          the CA issuing terminal certificates (ECDSA P-256)
//	server.pem, server-key.pem  central's TLS certificate and key (the terminals pin this key)
//	age-identity.txt            the age X25519 identities, oldest first; packets are sealed to
//	                            the last one, and `age -d -i` opens packets sealed to any
//	                            of them (RotateRecipient appends a new one)
//	receipt-key.pem             the Ed25519 key signing receipts, results, config and checkpoints
//	receipt-key.next.pem        a receipt key announced ahead of use (RotateReceiptKey)
//	server-key.next.pem         a TLS key announced ahead of use (RotateTLSKey)
//
// ActivateKeys makes the announced keys the current ones; the replaced files are kept as
// *.retired-TIMESTAMP.pem for the operator to archive or delete.
type Keys struct {
	CA         *x509.Certificate
	CAKey      *ecdsa.PrivateKey
	Server     tls.Certificate
	Identity   *age.X25519Identity   // current: terminals seal new packets to its recipient
	Identities []*age.X25519Identity // all, oldest first: packets sealed to any of them open
	ReceiptKey ed25519.PrivateKey
	// NextReceiptKey and NextServerPin are the announced keys (nil, "" when none): the
	// signed config names them so terminals accept them before central switches.
	NextReceiptKey ed25519.PublicKey
	NextServerPin  string
}

const (
	receiptKeyFile     = "receipt-key.pem"
	nextReceiptKeyFile = "receipt-key.next.pem"
	serverKeyFile      = "server-key.pem"
	serverCertFile     = "server.pem"
	nextServerKeyFile  = "server-key.next.pem"
)

// AgeIdentities returns every identity for decryption.
func (k *Keys) AgeIdentities() []age.Identity {
	out := make([]age.Identity, len(k.Identities))
	for i, id := range k.Identities {
		out[i] = id
	}
	return out
}

// LoadOrCreateKeys reads the keys from dir, creating any that are missing. hosts are the
// names and IP addresses the server certificate must carry (localhost and 127.0.0.1 are
// always included); the certificate is re-issued with the same key when a host is added,
// so the terminals' pin stays valid.
//
// Several instances may share dir (fieldscreen-central serve --keys DIR): the whole
// load-or-create runs under an exclusive lock on dir/.keys.lock, so instances started
// together on an empty folder end with one set of keys, the first one's.
func LoadOrCreateKeys(dir string, hosts []string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return loadOrCreateKeys(dir, hosts)
}

// lockDir takes an exclusive advisory lock on dir/.keys.lock, waiting for it.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".keys.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		// A read-only mount of the operator's secret store: nothing can be created there,
		// so there is nothing to serialise (missing keys fail on their own).
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock the keys folder: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the keys folder: %w", err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// CheckKeysDir refuses a shared keys folder that others can read: the folder must be
// 0700 and the key files 0600 (or stricter), as an operator's secret store mounts them.
// A folder that does not exist yet is fine (LoadOrCreateKeys makes it 0700).
func CheckKeysDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("keys folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("keys folder %s is not a folder", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("keys folder %s has mode %04o: others may read central's keys; chmod 700 %s", dir, fi.Mode().Perm(), dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("keys folder: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return fmt.Errorf("keys folder: %w", err)
		}
		if info.Mode().IsRegular() && info.Mode().Perm()&0o077 != 0 {
			return fmt.Errorf("key file %s has mode %04o: chmod 600 it", filepath.Join(dir, e.Name()), info.Mode().Perm())
		}
	}
	return nil
}

func loadOrCreateKeys(dir string, hosts []string) (*Keys, error) {
	k := &Keys{}
	var err error
	// CA
	caKey, err := loadOrCreateECKey(filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		return nil, err
	}
	k.CAKey = caKey
	caPath := filepath.Join(dir, "ca.pem")
	if k.CA, err = readCert(caPath); errors.Is(err, fs.ErrNotExist) {
		tmpl := &x509.Certificate{
			SerialNumber: randSerial(), Subject: pkix.Name{CommonName: "fieldscreen central CA"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
			IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
		if err != nil {
			return nil, fmt.Errorf("make CA certificate: %w", err)
		}
		if err := writePEM(caPath, "CERTIFICATE", der); err != nil {
			return nil, err
		}
		k.CA, _ = x509.ParseCertificate(der)
	} else if err != nil {
		return nil, err
	}
	// server certificate
	srvKey, err := loadOrCreateECKey(filepath.Join(dir, "server-key.pem"))
	if err != nil {
		return nil, err
	}
	hosts = append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)
	srvPath := filepath.Join(dir, "server.pem")
	srv, err := readCert(srvPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// A new key (keys activate) gets a new certificate.
	if srv == nil || !srvKey.PublicKey.Equal(srv.PublicKey) || !coversHosts(srv, hosts) || time.Until(srv.NotAfter) < 30*24*time.Hour {
		tmpl := &x509.Certificate{
			SerialNumber: randSerial(), Subject: pkix.Name{CommonName: "fieldscreen central"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else if h != "" {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, k.CA, &srvKey.PublicKey, caKey)
		if err != nil {
			return nil, fmt.Errorf("make server certificate: %w", err)
		}
		if err := writePEM(srvPath, "CERTIFICATE", der); err != nil {
			return nil, err
		}
		srv, _ = x509.ParseCertificate(der)
	}
	k.Server = tls.Certificate{Certificate: [][]byte{srv.Raw, k.CA.Raw}, PrivateKey: srvKey, Leaf: srv}
	// age identity
	idPath := filepath.Join(dir, "age-identity.txt")
	if k.Identities, err = readAgeIdentities(idPath); errors.Is(err, fs.ErrNotExist) {
		if _, err := appendAgeIdentity(idPath, nil); err != nil {
			return nil, err
		}
		k.Identities, err = readAgeIdentities(idPath)
	}
	if err != nil {
		return nil, err
	}
	k.Identity = k.Identities[len(k.Identities)-1]
	// receipt key
	rkPath := filepath.Join(dir, receiptKeyFile)
	if k.ReceiptKey, err = readEd25519Key(rkPath); errors.Is(err, fs.ErrNotExist) {
		k.ReceiptKey, err = createEd25519Key(rkPath)
	}
	if err != nil {
		return nil, err
	}
	// announced keys
	if next, err := readEd25519Key(filepath.Join(dir, nextReceiptKeyFile)); err == nil {
		k.NextReceiptKey = next.Public().(ed25519.PublicKey)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if next, err := readECKey(filepath.Join(dir, nextServerKeyFile)); err == nil {
		if k.NextServerPin, err = spkiPin(&next.PublicKey); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return k, nil
}

func coversHosts(c *x509.Certificate, hosts []string) bool {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(c.IPAddresses, func(x net.IP) bool { return x.Equal(ip) }) {
				return false
			}
		} else if h != "" && !slices.Contains(c.DNSNames, h) {
			return false
		}
	}
	return true
}

func randSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return n
}

func loadOrCreateECKey(path string) (*ecdsa.PrivateKey, error) {
	key, err := readECKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createECKey(path)
	}
	return key, err
}

func createECKey(path string) (*ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	return key, writePEM(path, "PRIVATE KEY", der)
}

func readECKey(path string) (*ecdsa.PrivateKey, error) {
	key, err := readPKCS8(path)
	if err != nil {
		return nil, err
	}
	ek, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: want an ECDSA key", path)
	}
	return ek, nil
}

func readCert(path string) (*x509.Certificate, error) {
	der, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func writePEM(path, typ string, der []byte) error {
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func writeFileAtomic(path string, b []byte) error {
	return fsync.WriteFileSync(filepath.Dir(path), filepath.Base(path), b)
}

// readAgeIdentities reads every X25519 identity in path, oldest first.
func readAgeIdentities(path string) ([]*age.X25519Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err != nil || len(ids) == 0 {
		return nil, fmt.Errorf("%s: want age X25519 identities, one per line (%v)", path, err)
	}
	out := make([]*age.X25519Identity, len(ids))
	for i, id := range ids {
		x, ok := id.(*age.X25519Identity)
		if !ok {
			return nil, fmt.Errorf("%s: identity %d is not an X25519 identity", path, i+1)
		}
		out[i] = x
	}
	return out, nil
}

// appendAgeIdentity writes old (the file's current content, nil for a new file) plus a
// new identity to path atomically, and returns the new identity's recipient.
func appendAgeIdentity(path string, old []byte) (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	txt := fmt.Sprintf("%s# created: %s\n# public key: %s\n%s\n", old, time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)
	if err := writeFileAtomic(path, []byte(txt)); err != nil {
		return "", err
	}
	return id.Recipient().String(), nil
}

// RotateRecipient adds a new age identity to central's data folder and makes it the one
// terminals seal to. The old identities stay in the same file, so packets sealed to them
// (queued on terminals, on media, already stored) still open, for the downstream and for
// `age -d -i age-identity.txt`. Terminals learn the new recipient from the signed config
// (or a renewal) at their next sync. central must not be serving (the keys are read when it
// starts). It returns the new recipient.
func RotateRecipient(dir string) (string, error) {
	unlock, err := lockDir(dir) // not beside an instance creating the keys
	if err != nil {
		return "", err
	}
	defer unlock()
	path := filepath.Join(dir, "age-identity.txt")
	if _, err := readAgeIdentities(path); err != nil {
		return "", fmt.Errorf("rotate the packet key: %w", err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	return appendAgeIdentity(path, old)
}

// readPKCS8 reads a PEM file holding one PKCS #8 private key.
func readPKCS8(path string) (any, error) {
	der, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// readPEM reads the first PEM block of the file at path.
func readPEM(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: not PEM", path)
	}
	return blk.Bytes, nil
}

func readEd25519Key(path string) (ed25519.PrivateKey, error) {
	key, err := readPKCS8(path)
	if err != nil {
		return nil, err
	}
	ek, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: want an Ed25519 key", path)
	}
	return ek, nil
}

func createEd25519Key(path string) (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	return priv, writePEM(path, "PRIVATE KEY", der)
}

// spkiPin is fsync.SPKIPin for a bare public key: the hex SHA-256 of its SubjectPublicKeyInfo.
func spkiPin(pub any) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

// ErrRotationPending refuses a second rotation of a key whose announced successor is not
// active yet: activate it first (terminals know one next key at a time).
var ErrRotationPending = errors.New("a next key is already announced and not yet active: run `fieldscreen-central keys activate` first")

// RotateReceiptKey creates central's next receipt key (receipt-key.next.pem) and returns
// its public key. central keeps signing with the current key; from its next start, the
// signed config announces the new key, and terminals that pull it accept both. ActivateKeys
// then makes central sign with it. central must not be serving (keys are read at start).
func RotateReceiptKey(dir string) (ed25519.PublicKey, error) {
	var pub ed25519.PublicKey
	err := rotate(dir, nextReceiptKeyFile, func(path string) error {
		priv, err := createEd25519Key(path)
		if err == nil {
			pub = priv.Public().(ed25519.PublicKey)
		}
		return err
	})
	return pub, err
}

// RotateTLSKey creates central's next TLS key (server-key.next.pem) and returns its pin,
// announced in the signed config from central's next start; ActivateKeys makes central
// present it (with a certificate from central's CA issued at that start).
func RotateTLSKey(dir string) (string, error) {
	var pin string
	err := rotate(dir, nextServerKeyFile, func(path string) error {
		key, err := createECKey(path)
		if err == nil {
			pin, err = spkiPin(&key.PublicKey)
		}
		return err
	})
	return pin, err
}

func rotate(dir, next string, create func(path string) error) error {
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, receiptKeyFile)); err != nil {
		return fmt.Errorf("rotate: %s has no central keys (%w)", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, next)); err == nil {
		return fmt.Errorf("rotate %s: %w", next, ErrRotationPending)
	}
	return create(filepath.Join(dir, next))
}

// Activation of one announced key.
type Activation struct {
	Key     string        // "receipt" or "tls"
	Age     time.Duration // how long ago it was announced (created)
	Retired string        // the file the replaced key was moved to
}

// ActivateKeys makes announced keys current: receipt-key.next.pem becomes receipt-key.pem,
// server-key.next.pem becomes server-key.pem (server.pem is removed, so the next start
// issues a certificate for the new key). The replaced keys are renamed *.retired-TIMESTAMP.pem.
// An announcement younger than minAge is refused: terminals that have not pulled the config
// announcing it would refuse central afterwards (they must enrol again). central must not
// be serving; every instance uses the new keys from its next start. It returns what it
// activated (nothing when no key was announced).
func ActivateKeys(dir string, minAge time.Duration, now time.Time) ([]Activation, error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	type pair struct{ name, next, cur string }
	var todo []pair
	var out []Activation
	for _, p := range []pair{{"receipt", nextReceiptKeyFile, receiptKeyFile}, {"tls", nextServerKeyFile, serverKeyFile}} {
		fi, err := os.Stat(filepath.Join(dir, p.next))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if age := now.Sub(fi.ModTime()); age < minAge {
			return nil, fmt.Errorf("the next %s key was announced %s ago, less than %s: terminals that have not synced since would refuse central; wait, or pass a shorter --min-age if every terminal has synced", p.name, age.Round(time.Second), minAge)
		}
		todo = append(todo, p)
		out = append(out, Activation{Key: p.name, Age: now.Sub(fi.ModTime())})
	}
	stamp := now.UTC().Format("20060102T150405Z")
	for i, p := range todo {
		retired := strings.TrimSuffix(p.cur, ".pem") + ".retired-" + stamp + ".pem"
		if err := os.Rename(filepath.Join(dir, p.cur), filepath.Join(dir, retired)); err != nil {
			return out[:i], fmt.Errorf("activate the %s key: %w", p.name, err)
		}
		if err := os.Rename(filepath.Join(dir, p.next), filepath.Join(dir, p.cur)); err != nil {
			return out[:i], fmt.Errorf("activate the %s key (the old one is %s: move it back): %w", p.name, retired, err)
		}
		if p.name == "tls" {
			if err := os.Remove(filepath.Join(dir, serverCertFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return out[:i], fmt.Errorf("activate the TLS key: remove the old certificate: %w", err)
			}
		}
		out[i].Retired = retired
	}
	if len(todo) > 0 {
		if err := fsync.SyncDir(dir); err != nil {
			return out, err
		}
	}
	return out, nil
}
