package app

import (
	"github.com/fieldscreen/fieldscreen/vault"
)

// Users lists the terminal's users (supervisors).
func (s *Session) Users() ([]vault.UserInfo, error) {
	s.Touch()
	return s.vs.Users()
}

// AddUser creates a user with a role and an initial passphrase (supervisors).
func (s *Session) AddUser(name string, role vault.Role, passphrase []byte) error {
	s.Touch()
	if err := CheckUserName(name); err != nil {
		return err
	}
	if err := CheckPassphrase(passphrase, name, string(role)); err != nil {
		return err
	}
	return s.vs.AddUser(name, role, passphrase)
}

// SetTrainedForMinors records whether a user is trained to take a minor's biometric data
// (supervisors; Eurodac Art 14(1)): only such a user may capture from a (possible) minor.
func (s *Session) SetTrainedForMinors(name string, trained bool) error {
	s.Touch()
	return s.vs.SetTrainedForMinors(name, trained)
}

// RemoveUser removes a user; the class keys they held are rotated for new data.
func (s *Session) RemoveUser(name string) error {
	s.Touch()
	return s.vs.RemoveUser(name)
}

// ChangePassphrase changes the signed-in user's own passphrase.
func (s *Session) ChangePassphrase(old, new []byte) error {
	s.Touch()
	if err := CheckPassphrase(new, s.User(), string(s.Role())); err != nil {
		return err
	}
	return s.vs.ChangePassphrase(old, new)
}

// AuditEntries reads the audit log (auditors).
func (s *Session) AuditEntries(f vault.AuditFilter) ([]vault.AuditEntry, error) {
	s.Touch()
	return s.vs.AuditEntries(f)
}

// VerifyAudit checks the audit hash chain; it needs no key.
func (t *Terminal) VerifyAudit() (vault.AuditReport, error) {
	return t.vault.VerifyAudit()
}

// Can reports whether the signed-in role may use a data class.
func (s *Session) Can(c vault.Class, write bool) bool { return s.Role().Can(c, write) }
