package hardware

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Records is the part of a vault transaction the pairing registry needs:
// terminal-level records of the devices data class and the audit log. The app
// and fieldscreenctl back it with *vault.Tx (Put/Get/Delete/ForEach on
// vault.Devices, Audit) — this package does not import the vault, so
// that the device layer depends on nothing but biometrics.
type Records interface {
	// Get returns nil, nil when the key does not exist.
	Get(bucket, key string) ([]byte, error)
	Put(bucket, key string, value []byte) error
	Delete(bucket, key string) error
	ForEach(bucket string, fn func(key string, value []byte) error) error
	// Audit appends an entry in the same transaction; detail holds no personal data.
	Audit(action, detail string) error
}

// PairingBucket is the bucket of the devices class that holds pairings.
const PairingBucket = "pairings"

// Audit actions written by the registry.
const (
	AuditPair   = "device.pair"
	AuditUnpair = "device.unpair"
)

// Pairing is a device a technician accepted on this terminal, with the
// identity it had then. It holds no personal data.
type Pairing struct {
	ID       string    `json:"id"`
	Identity Identity  `json:"identity"`
	PairedAt time.Time `json:"pairedAt"`
	// TestScore is the capture quality of the technician's test capture
	// (-1 for devices without a quality score, such as document readers).
	TestScore int `json:"testScore"`
}

// Pair records a device after its identity was shown and a test capture made.
// Pairing again replaces the old record (that is how a technician accepts a
// new certificate or firmware). Audited in the same transaction.
func Pair(r Records, id Identity, testScore int, now time.Time) (*Pairing, error) {
	if id.Serial == "" || id.Driver == "" {
		return nil, fmt.Errorf("pair device: identity has no driver or serial: %+v", id)
	}
	p := &Pairing{ID: id.ID(), Identity: id, PairedAt: now.UTC(), TestScore: testScore}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := r.Put(PairingBucket, p.ID, b); err != nil {
		return nil, fmt.Errorf("pair device %s: %w", p.ID, err)
	}
	detail := fmt.Sprintf("device %s make=%q model=%q firmware=%q cert=%s test-score=%d", p.ID, id.Make, id.Model, id.Firmware, short(id.CertFingerprint), testScore)
	if err := r.Audit(AuditPair, detail); err != nil {
		return nil, fmt.Errorf("pair device %s: audit: %w", p.ID, err)
	}
	return p, nil
}

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16]
	}
	if fp == "" {
		return "none"
	}
	return fp
}

// Unpair removes a pairing; ErrNotPaired if there is none. Audited.
func Unpair(r Records, deviceID string) error {
	if _, err := Lookup(r, deviceID); err != nil {
		return err
	}
	if err := r.Delete(PairingBucket, deviceID); err != nil {
		return fmt.Errorf("unpair device %s: %w", deviceID, err)
	}
	if err := r.Audit(AuditUnpair, "device "+deviceID); err != nil {
		return fmt.Errorf("unpair device %s: audit: %w", deviceID, err)
	}
	return nil
}

// Lookup returns the pairing of a device ID, or an error matching ErrNotPaired.
func Lookup(r Records, deviceID string) (*Pairing, error) {
	b, err := r.Get(PairingBucket, deviceID)
	if err != nil {
		return nil, fmt.Errorf("read pairing of %s: %w", deviceID, err)
	}
	if b == nil {
		return nil, &Error{Code: CodeNotPaired, Device: deviceID}
	}
	var p Pairing
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("pairing record of %s is damaged (unpair and pair again): %w", deviceID, err)
	}
	return &p, nil
}

// Pairings lists all pairings sorted by ID.
func Pairings(r Records) ([]Pairing, error) {
	var out []Pairing
	err := r.ForEach(PairingBucket, func(k string, v []byte) error {
		var p Pairing
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("pairing record of %s is damaged (unpair and pair again): %w", k, err)
		}
		out = append(out, p)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// Check compares a device's current identity with the pairings: nil when it
// matches its pairing exactly, an error matching ErrNotPaired when it has none,
// *IdentityChangedError when any identity field differs.
func Check(pairings []Pairing, now Identity) error {
	for _, p := range pairings {
		if p.ID != now.ID() {
			continue
		}
		if d := p.Identity.Diff(now); len(d) > 0 {
			return &IdentityChangedError{Device: p.ID, Fields: d, Paired: p.Identity, Now: now}
		}
		return nil
	}
	return &Error{Code: CodeNotPaired, Device: now.ID()}
}
