package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Access requests (GDPR Art 15; Eurodac Regulation (EU) 2024/1358 Art 43): a supervisor prints
// everything the terminal holds about a person. What the report holds is forms' rule
// (forms/access.go); this file gathers it under the right keys and audits it.
//
// A supervisor holds the core and sync classes but no key of the health class (medics only)
// or of the audit log (sealed to the auditors). Those parts are added only when a medic, and
// an auditor, authenticate in the same flow: their user name and passphrase open their own key
// slot (vault.UnlockFor, with Unlock's failure counting and backoff) for the one class the part
// needs (health, audit) and no other; the session reads that part for this report and is
// locked at once, which zeroes the key it held.

// Audit actions of access requests. The entries name the case, the supervisor (the entry's
// user) and the co-signers (detail): no data of the person.
const (
	AuditAccessReport   = "case.access-report"
	AuditAccessRefused  = "case.access-report.refused"
	AuditAccessCoSignKO = "case.access-report.cosign-failed"
)

// CoSign is a second staff member who authenticates in the access-request flow. AccessReport
// zeroes Passphrase when it is done with it.
type CoSign struct {
	User       string
	Passphrase []byte
}

// AccessRequest asks for the access report of one case.
type AccessRequest struct {
	Case vault.CaseID
	// Lang is the report's language; "" picks the person's (forms.AccessLanguage).
	Lang string
	// Medic, when set, adds the health details; Auditor the audit entries about the case.
	Medic, Auditor *CoSign
}

// AccessRoleError: only a supervisor answers an access request.
type AccessRoleError struct{ Role vault.Role }

func (e *AccessRoleError) Error() string { return e.Sentence("en") }

// Sentence says why in English ("en") or Dutch ("nl").
func (e *AccessRoleError) Sentence(lang string) string {
	if lang == "nl" {
		return fmt.Sprintf("Alleen een supervisor drukt een inzageverzoek af (u bent aangemeld als %s): vraag het een supervisor.", e.Role)
	}
	return fmt.Sprintf("Only a supervisor prints an access request (you are signed in as %s): ask a supervisor.", e.Role)
}

// CoSignError: the co-signer could not be verified (wrong name or passphrase, waiting after
// failures) or does not hold the role the part needs. The report is not printed.
type CoSignError struct {
	Want vault.Role // medic or auditor
	Err  error      // vault.ErrBadLogin, *vault.BackoffError, or ErrCoSignRole
}

// ErrCoSignRole: the co-signer signed in but does not have the role the part needs.
var ErrCoSignRole = errors.New("the co-signer does not have the role this part needs")

func (e *CoSignError) Error() string { return e.Sentence("en") }
func (e *CoSignError) Unwrap() error { return e.Err }

// Sentence says what went wrong and what to do, in English ("en") or Dutch ("nl").
func (e *CoSignError) Sentence(lang string) string {
	var be *vault.BackoffError
	nl := lang == "nl"
	switch {
	case errors.Is(e.Err, ErrCoSignRole) && nl:
		return fmt.Sprintf("De medeondertekenaar is geen %s: laat een %s met eigen naam en wachtwoordzin medeondertekenen.", roleNL(e.Want), roleNL(e.Want))
	case errors.Is(e.Err, ErrCoSignRole):
		return fmt.Sprintf("The co-signer is not a %s: ask a %s to co-sign with their own name and passphrase.", e.Want, e.Want)
	case errors.As(e.Err, &be) && nl:
		return fmt.Sprintf("Te veel mislukte pogingen voor deze medeondertekenaar: wacht %s en probeer opnieuw.", be.Wait.Round(1e9))
	case errors.As(e.Err, &be):
		return fmt.Sprintf("Too many failed attempts for this co-signer: wait %s and try again.", be.Wait.Round(1e9))
	case nl:
		return fmt.Sprintf("Naam of wachtwoordzin van de %s klopt niet: het overzicht is niet afgedrukt. Laat de %s opnieuw typen.", roleNL(e.Want), roleNL(e.Want))
	}
	return fmt.Sprintf("The %s's name or passphrase is wrong: the report was not printed. Ask the %s to type them again.", e.Want, e.Want)
}

func roleNL(r vault.Role) string {
	switch r {
	case vault.Medic:
		return "medicus"
	case vault.Auditor:
		return "auditor"
	}
	return string(r)
}

// CanAnswerAccessRequests reports whether the signed-in user may print access reports (a
// supervisor), so a screen offers the button only to them.
func (s *Session) CanAnswerAccessRequests() bool { return s.Role() == vault.Supervisor }

// AccessReportPDF builds the access report of req.Case as PDF. Only a supervisor may; other
// roles get *AccessRoleError and the attempt is audited. A co-signer who cannot be verified
// stops the report with *CoSignError, audited as a failure (the vault also counts and audits
// the failed unlock). The report itself is audited naming the case, the supervisor and the
// co-signers. It returns the PDF and the language it is in.
func (s *Session) AccessReportPDF(req AccessRequest) ([]byte, string, error) {
	defer wipeCoSigns(req)
	s.Touch()
	if s.Role() != vault.Supervisor {
		err := &AccessRoleError{Role: s.Role()}
		aerr := s.vs.Update(func(tx *vault.Tx) error {
			return tx.Audit(vault.AuditEvent{Action: AuditAccessRefused, Case: req.Case, Detail: "role " + string(s.Role()) + " may not print access reports"})
		})
		return nil, "", errors.Join(err, aerr)
	}
	if req.Lang != "" && !slices.Contains(pdf.Languages(), req.Lang) {
		return nil, "", fmt.Errorf("access report in %q: %w (have %s)", req.Lang, pdf.ErrLanguage, strings.Join(pdf.Languages(), ", "))
	}
	// the case must exist before anyone's passphrase is tried for it
	if err := s.vs.View(func(tx *vault.Tx) error { _, _, err := loadCase(tx, req.Case); return err }); err != nil {
		return nil, "", fmt.Errorf("access report for case %s: %w", req.Case, err)
	}
	r := &forms.AccessReport{Supervisor: s.User(), PrintedAt: s.Now()}
	var health *forms.HealthDetails
	if req.Medic != nil {
		err := s.coSign(req.Case, vault.Medic, vault.Health, req.Medic, func(cs *vault.Session) error {
			return cs.Update(func(tx *vault.Tx) error {
				raw, err := tx.GetCase(req.Case, vault.Health, recHealth)
				if errors.Is(err, vault.ErrNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				var d forms.HealthDetails
				if err := json.Unmarshal(raw, &d); err != nil {
					return fmt.Errorf("health details of case %s: %w", req.Case, err)
				}
				health = &d
				return tx.Audit(vault.AuditEvent{Action: AuditHealthRead, Case: req.Case, Class: vault.Health, Detail: "for an access report printed by " + s.User()})
			})
		})
		if err != nil {
			return nil, "", err
		}
		r.CoSigners = append(r.CoSigners, req.Medic.User)
	}
	r.Health, r.HealthLeftOut = health, forms.AccessHealthLeftOut(req.Medic != nil, health)
	r.AuditLeftOut = forms.LeftOutNoAuditor
	if req.Auditor != nil {
		err := s.coSign(req.Case, vault.Auditor, vault.Audit, req.Auditor, func(cs *vault.Session) error {
			entries, err := cs.AuditEntries(vault.AuditFilter{Case: req.Case})
			if err != nil {
				return err
			}
			facts := make([]forms.AuditFact, 0, len(entries))
			for _, e := range entries {
				facts = append(facts, forms.AuditFact{At: e.At, User: e.User, Role: string(e.Role), Action: e.Action, Class: string(e.Class), Detail: e.Detail})
			}
			r.Audit = forms.AccessAudit(facts)
			return nil
		})
		if err != nil {
			return nil, "", err
		}
		r.AuditLeftOut = ""
		r.CoSigners = append(r.CoSigners, req.Auditor.User)
	}
	err := s.vs.Update(func(tx *vault.Tx) error {
		c, _, err := loadCase(tx, req.Case)
		if err != nil {
			return err
		}
		r.Case = c
		rows, err := fsync.Rows(tx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if row.CaseID == string(req.Case) {
				r.Packets = append(r.Packets, forms.AccessPacket{Kind: row.Kind, Created: row.Created, State: row.State, DeliveredAt: row.DeliveredAt})
			}
		}
		class := vault.Core
		if r.Health != nil {
			class = vault.Health
		}
		detail := "supervisor " + s.User()
		if req.Medic != nil {
			detail += "; medic co-sign " + req.Medic.User
		} else {
			detail += "; health details left out (no medic co-sign)"
		}
		if req.Auditor != nil {
			detail += "; auditor co-sign " + req.Auditor.User
		}
		return tx.Audit(vault.AuditEvent{Action: AuditAccessReport, Case: req.Case, Class: class, Detail: detail})
	})
	if err != nil {
		return nil, "", fmt.Errorf("access report for case %s: %w", req.Case, err)
	}
	if r.Record, err = forms.AccessRecord(r.Case); err != nil {
		return nil, "", err
	}
	r.Fingers, r.Face = forms.AccessBiometrics(r.Case), r.Case.Biometrics.Face
	r.Corrections = forms.AccessCorrections(r.Case)
	r.Lang = req.Lang
	if r.Lang == "" {
		r.Lang, r.LangFallback = forms.AccessLanguage(r.Case, pdf.Languages())
	}
	var buf bytes.Buffer
	if err := pdf.RenderAccessReport(&buf, r, pdf.Options{Now: r.PrintedAt}); err != nil {
		return nil, "", fmt.Errorf("access report for case %s: %w", req.Case, err)
	}
	return buf.Bytes(), r.Lang, nil
}

// coSign verifies the co-signer against their own key slot, opening class only, checks their
// role, runs read with their session and locks it (its key zeroed) before returning. A failure is audited in
// the supervisor's name, naming the case and the part; the typed name is not recorded (it
// may be a mistyped name of someone else: vault.Unlock keeps the same rule).
func (s *Session) coSign(id vault.CaseID, want vault.Role, class vault.Class, cs *CoSign, read func(*vault.Session) error) error {
	fail := func(cause error, why string) error {
		aerr := s.vs.Update(func(tx *vault.Tx) error {
			return tx.Audit(vault.AuditEvent{Action: AuditAccessCoSignKO, Case: id, Detail: string(want) + " co-sign refused: " + why})
		})
		return errors.Join(&CoSignError{Want: want, Err: cause}, aerr)
	}
	if s.vault == nil {
		return errors.New("co-sign: this session has no vault to verify the co-signer against")
	}
	if strings.EqualFold(strings.TrimSpace(cs.User), s.User()) {
		return fail(ErrCoSignRole, "the supervisor cannot co-sign their own report")
	}
	other, err := s.vault.UnlockFor(cs.User, cs.Passphrase, class)
	if err != nil {
		var be *vault.BackoffError
		if errors.As(err, &be) {
			return fail(err, "waiting after failed attempts")
		}
		if errors.Is(err, vault.ErrBadLogin) {
			return fail(err, "wrong user name or passphrase")
		}
		return fmt.Errorf("co-sign: %w", err)
	}
	defer other.Lock()
	if other.Role() != want {
		return fail(ErrCoSignRole, "the co-signer's role is "+string(other.Role()))
	}
	return read(other)
}

func wipeCoSigns(req AccessRequest) {
	for _, cs := range []*CoSign{req.Medic, req.Auditor} {
		if cs != nil {
			clear(cs.Passphrase)
		}
	}
}

// PrintAccessReport prints the access report on the printer chosen in Settings, from memory
// (PrintPDF), and returns the CUPS job ID and the report's language. ErrNoPrinter before
// anything is read or any passphrase tried when no printer is chosen.
func (s *Session) PrintAccessReport(ctx context.Context, req AccessRequest) (job, lang string, err error) {
	if s.term == nil || s.term.Config().Printer == "" {
		wipeCoSigns(req)
		return "", "", ErrNoPrinter
	}
	b, lang, err := s.AccessReportPDF(req)
	if err != nil {
		return "", "", err
	}
	defer clear(b)
	job, err = PrintPDF(ctx, s.term.Config().Printer, "fieldscreen access report", b)
	return job, lang, err
}

// SaveAccessReport writes the access report to a PDF file the user chose (mode 0600, whole or
// not at all). The file holds personal data outside the vault, out of purge's reach: the
// screen warns first. It returns the report's language.
func (s *Session) SaveAccessReport(path string, req AccessRequest) (string, error) {
	b, lang, err := s.AccessReportPDF(req)
	if err != nil {
		return "", err
	}
	defer clear(b)
	return lang, writeFileAtomic(path, b)
}
