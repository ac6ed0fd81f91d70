package vault

import "fmt"

// UnlockFor verifies a second user at the terminal, a co-signer, against their own key slot
// exactly as Unlock does (one derivation, the same failure counting, backoff and audit) and
// returns a session that holds only the keys of classes: every other class key the user
// holds is zeroed and dropped at once, and so is the user's private key, so no further grant
// can be opened through it. A medic co-signing an access report opens the health class for
// that one read and nothing else (app/access.go); Lock zeroes the rest.
func (v *Vault) UnlockFor(user string, passphrase []byte, classes ...Class) (*Session, error) {
	only := map[Class]bool{}
	for _, c := range classes {
		if _, err := c.tag(); err != nil {
			return nil, fmt.Errorf("unlock for: %w", err)
		}
		only[c] = true
	}
	s, err := v.Unlock(user, passphrase)
	if err != nil {
		return nil, err
	}
	keep := map[byte]bool{}
	for c := range only {
		t, _ := c.tag()
		keep[t] = true
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	for ref, k := range s.keys {
		if !keep[ref.tag] {
			clear(k)
			delete(s.keys, ref)
		}
	}
	clear(s.priv)
	s.priv = nil
	s.only = only
	return s, nil
}
