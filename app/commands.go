package app

import (
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// The named commands an officer, registrar or medic runs on a case through Session.Do.
// Each holds only what the person typed or chose; time stamps, the actor and every rule
// come from Do's context and from forms.

// editor refuses roles that may not change the case's officer sections (medics record the
// health check only, Screening Regulation Art 12(1)).
func (x *cmdContext) editor() error {
	if x.role == vault.Medic {
		return ErrMedicEdit
	}
	return nil
}

// SetTrigger records why, where and when the screening started (Art 5, Art 7): every
// deadline runs from it.
type SetTrigger struct{ Trigger forms.Trigger }

func (SetTrigger) Name() string { return "set-trigger" }

func (cmd SetTrigger) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	c.Trigger = cmd.Trigger
	return nil
}

// SetIdentity records the identity as the person declares it (Art 14; Art 17(1)(a)-(c)).
// The documented identity is RecordDocument's; the two are never merged.
type SetIdentity struct{ Identity forms.Identity }

func (SetIdentity) Name() string { return "set-identity" }

func (cmd SetIdentity) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	c.Identity = cmd.Identity
	return nil
}

// RecordVulnerability records the preliminary vulnerability check (Art 12(3)), stamped with
// the screener and the time when it is first marked done.
type RecordVulnerability struct{ Vulnerability forms.Vulnerability }

func (RecordVulnerability) Name() string { return "record-vulnerability" }

func (cmd RecordVulnerability) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	c.RecordVulnerability(cmd.Vulnerability, x.actor, x.now)
	return nil
}
