package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
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
	return c.RecordTrigger(cmd.Trigger)
}

// SetIdentity records the identity as the person declares it (Art 14; Art 17(1)(a)-(c)).
// The documented identity is RecordDocument's; the two are never merged.
type SetIdentity struct{ Identity forms.Identity }

func (SetIdentity) Name() string { return "set-identity" }

func (cmd SetIdentity) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.SetIdentity(cmd.Identity, x.actor, x.now)
}

// RecordVulnerability records the preliminary vulnerability check (Art 12(3)), stamped with
// the screener and the time when it is first marked done.
type RecordVulnerability struct{ Vulnerability forms.Vulnerability }

func (RecordVulnerability) Name() string { return "record-vulnerability" }

func (cmd RecordVulnerability) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordVulnerability(cmd.Vulnerability, x.actor, x.now)
}

// RecordDocument records document Index as typed or read (Index == number of documents
// adds one; RecordDocument{Index: -1} too).
type RecordDocument struct {
	Index    int
	Document forms.Document
}

func (RecordDocument) Name() string { return "record-document" }

func (cmd RecordDocument) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	i := cmd.Index
	if i < 0 {
		i = len(c.Documents)
	}
	var scan string
	if i < len(c.Documents) {
		scan = c.Documents[i].ScanRef
	}
	if err := c.RecordDocument(i, cmd.Document); err != nil {
		return err
	}
	if scan != "" && c.Documents[i].ScanRef == "" && x.tx != nil {
		// another document recorded over a scanned one: its scan is not this one's copy
		if err := x.tx.DeleteCaseRecord(x.id, vault.Core, scan); err != nil && !errors.Is(err, vault.ErrNotFound) {
			return fmt.Errorf("delete the replaced document's scan: %w", err)
		}
	}
	return nil
}

// RemoveDocument takes a document typed by mistake off the case.
type RemoveDocument struct{ Index int }

func (RemoveDocument) Name() string { return "remove-document" }

func (cmd RemoveDocument) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	var scan string
	if cmd.Index >= 0 && cmd.Index < len(c.Documents) {
		scan = c.Documents[cmd.Index].ScanRef
	}
	if err := c.RemoveDocument(cmd.Index); err != nil {
		return err
	}
	if scan != "" && x.tx != nil { // the document's scan goes with it (least data)
		if err := x.tx.DeleteCaseRecord(x.id, vault.Core, scan); err != nil && !errors.Is(err, vault.ErrNotFound) {
			return fmt.Errorf("delete the document's scan: %w", err)
		}
	}
	return nil
}

// RecordInformation records the information given (Art 11): leaflet language, interpreter,
// child-friendly variant. The terminal stamps the time, the medium and the version of the
// leaflet it prints (forms.RecordInformation). The information-monitor work extends this
// command rather than adding another way to write Case.Info.
type RecordInformation struct{ Information forms.Information }

func (RecordInformation) Name() string { return "record-information" }

func (cmd RecordInformation) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordInformation(cmd.Information, pdf.Version, x.now)
}

// RecordHandover records that the person received, or refused to accept, the screening
// form's copy (Document forms.HandoverForm) or the leaflet (forms.HandoverLeaflet) in
// Language (SR Art 11, Art 17); Status "" withdraws it (not recorded). The terminal stamps
// the version it prints, the time and who handed it over (forms.Case.RecordHandover).
type RecordHandover struct {
	Document string
	Status   forms.HandoverStatus
	Language string
}

func (RecordHandover) Name() string { return "record-handover" }

func (cmd RecordHandover) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	version := pdf.Version
	if cmd.Document == forms.HandoverForm {
		version = pdf.FormVersion
	}
	return c.RecordHandover(cmd.Document, cmd.Status, cmd.Language, pdf.Languages(), version, x.actor, x.now)
}

// RecordHealth records the health check's outcome on the case and, when given, its medical
// details in the medic-only health class, in the same transaction. Medics only (Art 12(1)):
// forms refuses anyone else, and the vault refuses them the health class.
type RecordHealth struct {
	Outcome forms.HealthOutcome
	// Findings are the medic's notes; nil leaves the stored details as they are.
	Findings *string
}

func (RecordHealth) Name() string { return "record-health" }

func (cmd RecordHealth) run(c *forms.Case, x *cmdContext) error {
	if err := c.RecordHealth(cmd.Outcome, x.role == vault.Medic, x.actor, x.now); err != nil {
		return err
	}
	if cmd.Findings == nil {
		return nil
	}
	d := forms.HealthDetails{CaseReference: c.Reference, Examiner: x.actor, At: x.now.UTC(), Findings: *cmd.Findings}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := x.tx.PutCase(x.id, vault.Health, recHealth, b); err != nil {
		return err
	}
	x.audit = append(x.audit, vault.AuditEvent{Action: AuditHealthSave, Case: x.id, Class: vault.Health})
	return nil
}

// SetFingerException records why a finger is not captured (amputated, temporarily unusable
// with its retake date, unprintable, refused), or with Status "" puts it back in the plan.
type SetFingerException struct {
	Position forms.FingerPosition
	Status   forms.FingerStatus
	RetakeOn forms.PartialDate
}

func (SetFingerException) Name() string { return "set-finger-exception" }

func (cmd SetFingerException) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.SetFingerException(cmd.Position, cmd.Status, cmd.RetakeOn, x.now)
}

// SetCompanion records the adult accompanying a minor (nil clears it while nothing was
// captured).
type SetCompanion struct{ Companion *forms.Companion }

func (SetCompanion) Name() string { return "set-companion" }

func (cmd SetCompanion) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.SetCompanion(cmd.Companion, x.now)
}

// RecordRefusal records a refusal to give biometrics (what: forms.RefusalWhats), stamped now.
// Read forms.Case.RefusalMessage afterwards for what it means for this person.
type RecordRefusal struct {
	What     string
	Informed bool
}

func (RecordRefusal) Name() string { return "record-refusal" }

func (cmd RecordRefusal) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordRefusal(cmd.What, cmd.Informed, x.now)
}

// RecordReferral records to whom the person and the form go (Art 18); a completed form
// moves the case to referred.
type RecordReferral struct{ Referral forms.Referral }

func (RecordReferral) Name() string { return "record-referral" }

func (cmd RecordReferral) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordReferral(cmd.Referral, x.now)
}

// RecordApplication records an application for international protection (Art 17(1)(f)).
type RecordApplication struct{ Application forms.Application }

func (RecordApplication) Name() string { return "record-application" }

func (cmd RecordApplication) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordApplication(cmd.Application)
}

// SetFamily records SR Art 17(1)(g) as the person states it: the family members in a
// Member State and, when none is listed, the answer (no, or not recorded).
type SetFamily struct {
	Family []forms.FamilyMember
	Answer forms.Answer
}

func (SetFamily) Name() string { return "set-family" }

func (cmd SetFamily) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordFamily(cmd.Answer, cmd.Family)
}

// RecordCooperation records compliance with the duty to cooperate (Art 9; Art 17(1)(i)),
// stamped when the answer is recorded or changed.
type RecordCooperation struct{ Cooperation forms.Cooperation }

func (RecordCooperation) Name() string { return "record-cooperation" }

func (cmd RecordCooperation) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordCooperation(cmd.Cooperation, x.now)
}

// RecordStatement records what the person states on their arrival (SR Art 17(2)).
type RecordStatement struct{ Statement forms.Statement }

func (RecordStatement) Name() string { return "record-statement" }

func (cmd RecordStatement) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	c.RecordStatement(cmd.Statement)
	return nil
}

// RecordRemarks records the person's remarks on the form and the receipt of their copy.
type RecordRemarks struct{ Remarks forms.Remarks }

func (RecordRemarks) Name() string { return "record-remarks" }

func (cmd RecordRemarks) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordRemarks(cmd.Remarks, x.now)
}

// SetNotEstablished marks an SR Art 17(1) item as could not be established, with why; an
// empty reason withdraws the mark.
type SetNotEstablished struct{ Item, Reason string }

func (SetNotEstablished) Name() string { return "set-not-established" }

func (cmd SetNotEstablished) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.SetNotEstablished(cmd.Item, cmd.Reason, x.now)
}

// RecordDeadlineMiss adds the reason a legal deadline was missed (domain note §2.3); reasons
// are only added, each stamped now.
type RecordDeadlineMiss struct{ Miss forms.DeadlineMiss }

func (RecordDeadlineMiss) Name() string { return "record-deadline-miss" }

func (cmd RecordDeadlineMiss) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return c.RecordDeadlineMiss(cmd.Miss, x.now)
}

// SetEurodacCategory names the Eurodac category explicitly (otherwise it follows the
// trigger). The rest of the Eurodac registration is the system's.
type SetEurodacCategory struct{ Category forms.EurodacCategory }

func (SetEurodacCategory) Name() string { return "set-eurodac-category" }

func (cmd SetEurodacCategory) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	if cmd.Category != "" && !cmd.Category.Valid() {
		return &ProtectedError{Field: "eurodac.category", Reason: fmt.Sprintf("%q is not a Eurodac category", cmd.Category)}
	}
	if c.Eurodac.Reference != "" && cmd.Category != c.Eurodac.Category {
		return &ProtectedError{Field: "eurodac.category", Reason: "the Eurodac transaction is already queued under its category"}
	}
	c.Eurodac.Category = cmd.Category
	return nil
}

// CompleteForm completes the screening form (Art 17): refused while a field is missing or a
// check is pending (then, after the screening limit, EndAtDeadline).
type CompleteForm struct{}

func (CompleteForm) Name() string { return "complete-form" }

func (CompleteForm) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return x.endScreening(c, func() error { return c.Complete(x.now) })
}

// EndAtDeadline ends the screening at the screening limit with the open checks listed (Art
// 18(5)); Session.DeadlineEndOffer says when it is offered.
type EndAtDeadline struct{}

func (EndAtDeadline) Name() string { return "end-at-deadline" }

func (EndAtDeadline) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	return x.endScreening(c, func() error { return c.EndAtDeadline(x.now) })
}

// ChangeStatus moves the case along its lifecycle through forms' transitions (for example
// biometrics_exempt for a person who counts as under six). The form's completion has its own
// commands (CompleteForm, EndAtDeadline) and the referral RecordReferral.
type ChangeStatus struct{ To forms.Status }

func (ChangeStatus) Name() string { return "change-status" }

func (cmd ChangeStatus) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	switch cmd.To {
	case forms.StatusFormCompleted:
		return x.endScreening(c, func() error { return c.Complete(x.now) })
	case forms.StatusReferred:
		return c.RecordReferral(c.Referral, x.now)
	case forms.StatusClosed:
		return x.endScreening(c, func() error { return c.Transition(cmd.To, x.now) })
	}
	return c.Transition(cmd.To, x.now)
}

// DeadlineEndOffer is the Art 18(5) offer for an open case screen: ok once the screening
// limit has passed with checks still pending, with the open checks listed.
func (s *Session) DeadlineEndOffer(c *forms.Case) (open []string, ok bool) {
	return c.DeadlineEndOffer(s.nowFunc())
}

// SetSecurityFlag sets or (nil) clears the Eurodac security flag with its ground: a
// supervisor's decision (forms.Case.SetSecurityFlag), stamped with them and the time.
type SetSecurityFlag struct{ Flag *forms.SecurityFlag }

func (SetSecurityFlag) Name() string { return "set-security-flag" }

func (cmd SetSecurityFlag) run(c *forms.Case, x *cmdContext) error {
	return c.SetSecurityFlag(cmd.Flag, x.role == vault.Supervisor, x.actor, x.now)
}

// CanSetSecurityFlag reports whether the signed-in user may set the Eurodac security flag
// (a supervisor's decision), so a screen can offer the input only to them.
func (s *Session) CanSetSecurityFlag() bool { return s.Role() == vault.Supervisor }

// Correct is a supervisor's correction of data already transmitted (ER Art 40(3); GDPR
// Art 16): Path names the field as docs/case-schema.md does (identity.givenNames,
// documents[0].number), Value is its new JSON value, Reason why the sent value was wrong.
// It makes the change through the same commands a screen sends (CommandsFor), so every
// recording rule still applies, and records old value, new value, reason, role, user and
// time on the case (forms.Case.RecordCorrection). Do then sends, in the same transaction,
// the screening form as its next version marked as a correction and, when an element of
// the Eurodac data set changed, a rectification under the same reference number.
type Correct struct {
	Path   string
	Value  json.RawMessage
	Reason string
}

func (Correct) Name() string { return "correct" }

func (cmd Correct) run(c *forms.Case, x *cmdContext) error {
	before := c.Clone()
	bySupervisor := x.role == vault.Supervisor
	if !bySupervisor || strings.TrimSpace(cmd.Reason) == "" {
		// the role and the reason first: say what is missing before looking at the value
		return c.RecordCorrection(before, cmd.Path, cmd.Reason, bySupervisor, string(x.role), x.actor, x.now)
	}
	edited, err := c.WithField(cmd.Path, cmd.Value)
	if err != nil {
		return err
	}
	typedAsManual(c, edited)
	cmds, err := CommandsFor(c, edited)
	if err != nil {
		return err
	}
	for _, sub := range cmds {
		if err := sub.run(c, x); err != nil {
			return fmt.Errorf("%s: %w", sub.Name(), err)
		}
	}
	return c.RecordCorrection(before, cmd.Path, cmd.Reason, bySupervisor, string(x.role), x.actor, x.now)
}

// typedAsManual marks a document whose read fields a correction changes as typed
// ("manual"): no reader verified the corrected value (see typedReadings).
func typedAsManual(base, edited *forms.Case) {
	for i := range edited.Documents {
		if d := &edited.Documents[i]; d.Source == "mrz" && (i >= len(base.Documents) || !sameReading(base.Documents[i], *d)) {
			d.Source = "manual"
		}
	}
}

// CanCorrect reports whether the signed-in user may correct c's transmitted data: a
// supervisor, once the form or the Eurodac data set was sent. A screen offers the
// correction dialog only then.
func (s *Session) CanCorrect(c *forms.Case) bool {
	return s.Role() == vault.Supervisor && (c.FormSent() || c.EurodacQueued())
}
