package vault

import (
	"fmt"
	"sort"
)

// Role is what a user does at the terminal; it selects the data classes they may use.
type Role string

// The roles of fieldscreen users.
const (
	Officer    Role = "officer"
	Registrar  Role = "registrar"
	Medic      Role = "medic"
	Supervisor Role = "supervisor"
	Technician Role = "technician"
	Auditor    Role = "auditor"
	// Monitor is the national independent monitoring mechanism (Screening Regulation Art 10):
	// it reads pseudonymised case summaries and the audit log, never a personal field.
	Monitor Role = "monitor"
)

// Class is a data class: each has its own keys, so a role that is not granted a class holds no key
// for it.
type Class string

// The data classes.
const (
	Core      Class = "core"      // identity, form, case state
	Biometric Class = "biometric" // fingerprints, face images
	Health    Class = "health"    // health details (medical staff only)
	Devices   Class = "devices"   // scanner pairings (technicians)
	Audit     Class = "audit"     // audit entries: everyone appends, only auditors read
	Sync      Class = "sync"      // terminal-level sync state: outbox rows, enrolment, cursors
	// Oversight holds the pseudonymised case summaries for the monitoring mechanism
	// (Screening Art 10): no name, document number or biometric, only dates, triggers,
	// outcomes and safeguards. It is the only case-related class the monitor role holds.
	Oversight Class = "oversight"
	// Signing holds the terminal's own secrets: its Ed25519 key (TLS client key with central
	// and packet signatures). Only the roles whose work is sent to central hold it, so a
	// technician's, auditor's or monitor's session cannot sign as the terminal (issue 14).
	Signing Class = "signing"
)

// Access is the level a role has on a class.
type Access uint8

// Access levels. Write implies read.
const (
	NoAccess Access = iota
	Read
	ReadWrite
)

type roleGrant struct {
	classes     map[Class]Access
	manageUsers bool // add and remove users, grant classes (holds the grant key)
}

// grantTable is THE role → class matrix. Every permission check and every key grant derives from
// it; change access only here. Audit appends are open to everyone and are not listed: entries are
// sealed to the audit public key, which needs no secret.
var grantTable = map[Role]roleGrant{
	// Officers and registrars read the pairings (no personal data) so capture can refuse an
	// unpaired or changed device; only technicians pair.
	// Every role that writes core also writes oversight: a case save writes its
	// pseudonymised summary in the same transaction (app.putCase). The same roles hold the
	// terminal key (signing): their saves queue packets, and a supervisor enrols.
	// Technicians keep sync (the outbox and status) without the key.
	Officer:   {classes: map[Class]Access{Core: ReadWrite, Biometric: ReadWrite, Devices: Read, Sync: ReadWrite, Oversight: ReadWrite, Signing: ReadWrite}},
	Registrar: {classes: map[Class]Access{Core: ReadWrite, Devices: Read, Sync: ReadWrite, Oversight: ReadWrite, Signing: ReadWrite}},
	// Medics write core only to record the health outcome on the case (app.RecordHealth; the
	// app refuses their other case edits); the details stay in health.
	Medic:      {classes: map[Class]Access{Health: ReadWrite, Core: ReadWrite, Sync: ReadWrite, Oversight: ReadWrite, Signing: ReadWrite}},
	Supervisor: {classes: map[Class]Access{Core: ReadWrite, Sync: ReadWrite, Oversight: ReadWrite, Signing: ReadWrite}, manageUsers: true},
	Technician: {classes: map[Class]Access{Devices: ReadWrite, Sync: ReadWrite}},
	Auditor:    {classes: map[Class]Access{Audit: Read}},
	// The monitor holds the oversight key and reads the audit log; it holds no key of core,
	// biometric or health, so no personal field opens for it whatever the app does.
	Monitor: {classes: map[Class]Access{Oversight: Read, Audit: Read}},
}

// Roles lists every role, in a stable order (for pickers and documentation).
func Roles() []Role {
	return []Role{Officer, Registrar, Medic, Supervisor, Technician, Auditor, Monitor}
}

// Classes lists every data class, in a stable order.
func Classes() []Class {
	return []Class{Core, Biometric, Health, Devices, Audit, Sync, Oversight, Signing}
}

// ParseRole accepts the lowercase role names used in the CLI and config.
func ParseRole(s string) (Role, error) {
	if _, ok := grantTable[Role(s)]; ok {
		return Role(s), nil
	}
	names := make([]string, 0, len(grantTable))
	for r := range grantTable {
		names = append(names, string(r))
	}
	sort.Strings(names)
	return "", fmt.Errorf("unknown role %q: use one of %v", s, names)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := grantTable[r]; return ok }

// Can reports whether role r may read (write=false) or write (write=true) class c. Audit is
// special: Can(Audit, false) is the right to read entries; appending is Tx.Audit, open to all roles,
// and Can(Audit, true) is always false (entries are never rewritten).
func (r Role) Can(c Class, write bool) bool {
	a := grantTable[r].classes[c]
	if write {
		return a == ReadWrite && c != Audit
	}
	return a >= Read
}

// ManagesUsers reports whether r may add and remove users.
func (r Role) ManagesUsers() bool { return grantTable[r].manageUsers }

// holds reports whether a user with role r is given class c's keys.
func (r Role) holds(c Class) bool { return grantTable[r].classes[c] >= Read }

// class tags: one byte per class in keys and associated data. Never renumber.
const (
	tagCore      byte = 1
	tagBiometric byte = 2
	tagHealth    byte = 3
	tagDevices   byte = 4
	tagAudit     byte = 5
	tagSync      byte = 6
	tagGrant     byte = 7 // the grant (user administration) key pair, not a data class
	tagOversight byte = 8
	tagSigning   byte = 9
)

var classTags = map[Class]byte{Core: tagCore, Biometric: tagBiometric, Health: tagHealth, Devices: tagDevices, Audit: tagAudit, Sync: tagSync, Oversight: tagOversight, Signing: tagSigning}

func (c Class) tag() (byte, error) {
	t, ok := classTags[c]
	if !ok {
		return 0, fmt.Errorf("unknown data class %q", string(c))
	}
	return t, nil
}

// role tags in key slots. Never renumber.
var roleTags = map[Role]byte{Officer: 1, Registrar: 2, Medic: 3, Supervisor: 4, Technician: 5, Auditor: 6, Monitor: 7}

func roleFromTag(t byte) (Role, bool) {
	for r, v := range roleTags {
		if v == t {
			return r, true
		}
	}
	return "", false
}

// heldTags lists the key tags a user of role r receives (data classes plus the grant key).
func (r Role) heldTags() []byte {
	var out []byte
	for _, c := range Classes() {
		if r.holds(c) {
			out = append(out, classTags[c])
		}
	}
	if r.ManagesUsers() {
		out = append(out, tagGrant)
	}
	return out
}

func roleHoldsTag(r Role, tag byte) bool {
	for _, t := range r.heldTags() {
		if t == tag {
			return true
		}
	}
	return false
}
