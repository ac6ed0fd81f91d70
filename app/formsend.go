package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// ConfigReceivingAuthorities is the key of central's signed config (its opaque data) that
// maps each referral target (asylum, return, relocation) to the age recipient of the
// authority that receives the screening form: {"receiving_authorities": {"asylum": "age1…"}}.
// The entry DefaultReceivingAuthority serves every target the map does not name.
const ConfigReceivingAuthorities = "receiving_authorities"

// DefaultReceivingAuthority names, in receiving_authorities, the authority that receives
// the form of a referral target without an entry of its own (a Member State where one
// authority receives every screening form). ASSUMPTION: SR Art 18 leaves the receiving
// authorities to national law; without either entry the form is not sent (it stays due and
// the form step says so: FormNotSent), never sent to nobody.
const DefaultReceivingAuthority = "default"

// receivingRecipient is the receiving authority's recipient for to from the last verified
// config (the target's own, else the default entry), or "" when central named none (or the
// terminal has no config yet).
func receivingRecipient(tx *vault.Tx, to forms.ReferralTarget) (string, error) {
	cfg, _, err := fsync.LoadConfig(tx)
	if errors.Is(err, vault.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var data map[string]json.RawMessage
	if json.Unmarshal(cfg.Data, &data) != nil {
		return "", nil
	}
	var m map[string]string
	if raw, ok := data[ConfigReceivingAuthorities]; ok {
		if err := json.Unmarshal(raw, &m); err != nil {
			return "", fmt.Errorf("central's config: %s is not a map of referral targets to recipients: %w", ConfigReceivingAuthorities, err)
		}
	}
	if r := m[string(to)]; r != "" {
		return r, nil
	}
	return m[DefaultReceivingAuthority], nil
}

// FormNotSent says why the screening form the case owes (forms.Case.FormDue) has not been
// sent: central's config names no receiving authority for the referral target and no
// default. ok is false when nothing is owed, when the form can go, or when the terminal is
// not enrolled (the Sync screen says that).
func (s *Session) FormNotSent(c *forms.Case) (msg forms.Message, ok bool) {
	if _, due := c.FormDue(); !due {
		return msg, false
	}
	var recipient string
	err := s.vs.View(func(tx *vault.Tx) error {
		if _, err := fsync.LoadEnrolment(tx); err != nil {
			return err
		}
		var err error
		recipient, err = receivingRecipient(tx, c.Referral.To)
		return err
	})
	if err != nil || recipient != "" {
		return msg, false
	}
	return forms.Message{
		EN: fmt.Sprintf("The screening form has not been sent: central's configuration names no receiving authority for %q (Art 18 Regulation (EU) 2024/1356). A supervisor must have central name one (receiving_authorities); then send the case again.", c.Referral.To),
		NL: fmt.Sprintf("Het screeningsformulier is niet verstuurd: de configuratie van centraal noemt geen ontvangende autoriteit voor %q (art. 18 Verordening (EU) 2024/1356). Een supervisor moet centraal er een laten noemen (receiving_authorities); verstuur de zaak daarna opnieuw.", c.Referral.To),
	}, true
}

// formLanguage is the language the form is rendered in for the packet: the one the person
// was informed in when the form has it, else English.
func formLanguage(c *forms.Case) string {
	for _, l := range pdf.Languages() {
		if l == c.Info.LeafletLanguage {
			return l
		}
	}
	return "en"
}

// queueForm seals and queues the screening-form packet the case owes (forms.Case.FormDue:
// the form on referral, a corrected version, or an addendum with late check results, SR
// Art 18 and 18(5)) in tx, the transaction of the change that made it due, and records it on
// the case. A terminal not yet enrolled queues nothing: the form stays due and goes with the
// next change or submission after enrolment. It returns the packet's ID, or "".
func (s *Session) queueForm(tx *vault.Tx, id vault.CaseID, c *forms.Case, now time.Time) (string, error) {
	return queueForm(tx, s.packetDir, id, c, now)
}

// queueForm is Session.queueForm with the vault's packet folder given, for the sync
// worker's applier, which runs without a session (ResultApplier).
func queueForm(tx *vault.Tx, packetDir string, id vault.CaseID, c *forms.Case, now time.Time) (string, error) {
	due, ok := c.FormDue()
	if !ok {
		return "", nil
	}
	if _, err := fsync.LoadEnrolment(tx); errors.Is(err, fsync.ErrNotEnrolled) {
		return "", nil
	}
	recipient, err := receivingRecipient(tx, c.Referral.To)
	if err != nil {
		return "", err
	}
	if recipient == "" {
		return "", nil // nobody to receive it: it stays due, and FormNotSent says why
	}
	m := fsync.FormManifest{CaseReference: c.Reference, Version: due.Version, Supersedes: due.Supersedes,
		Correction: len(due.Corrected) > 0, Corrected: due.Corrected,
		Addendum: due.Addendum, Systems: due.Systems, OpenChecks: due.Open, To: string(c.Referral.To),
		Authority: c.Referral.Authority, Recipient: recipient}
	var files []fsync.File
	if due.Addendum {
		var late []forms.SecurityCheck
		for _, ch := range c.Checks {
			for _, sys := range due.Systems {
				if ch.System == sys {
					late = append(late, ch)
				}
			}
		}
		b, err := json.MarshalIndent(late, "", "  ")
		if err != nil {
			return "", err
		}
		files = append(files, fsync.File{Name: "addendum.json", Data: b})
	} else {
		var data bytes.Buffer
		if err := forms.EncodeCase(&data, c); err != nil {
			return "", err
		}
		lang := formLanguage(c)
		var doc bytes.Buffer
		if err := pdf.RenderForm(&doc, c, lang, pdf.Options{Now: now}); err != nil {
			return "", fmt.Errorf("render the screening form for the receiving authority: %w", err)
		}
		files = append(files, fsync.File{Name: "form.json", Data: data.Bytes()}, fsync.File{Name: "form-" + lang + ".pdf", Data: doc.Bytes()})
	}
	p, err := fsync.NewFormPacket(string(id), m, files)
	if err != nil {
		return "", err
	}
	scr := c.Deadlines().Screening
	p.Header.Deadline, p.Header.DeadlineFrom = scr.Due(), scr.Start
	p.Variant = formVariant(due)
	row, err := fsync.Enqueue(tx, packetDir, p, now)
	if err != nil {
		return "", fmt.Errorf("queue the screening form: %w", err)
	}
	c.RecordFormPacket(due, row.PacketID, now)
	what := fmt.Sprintf("screening form v%d", due.Version)
	if due.Addendum {
		what += " addendum"
	}
	if len(due.Corrected) > 0 {
		what += " correction of " + strings.Join(due.Corrected, ",")
	}
	if err := tx.Audit(vault.AuditEvent{Action: AuditTransmit, Case: id, Class: vault.Core, Detail: what + " packet=" + row.PacketID}); err != nil {
		return "", err
	}
	return row.PacketID, nil
}
