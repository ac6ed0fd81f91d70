package forms

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The recording rules: what an officer, registrar or medic may record on a case and what the
// terminal stamps on it. app's commands call these and nothing else decides; the article of
// each rule is at the function and in docs/legal-basis.md.

// Errors a caller decides on; a *RuleError wraps one of them.
var (
	// ErrMedicOnly: the health check is recorded by medical staff only (Art 12(1)).
	ErrMedicOnly = errors.New("only medical staff record the health check")
	// ErrOnRecord: the value belongs to something already done and stays on record.
	ErrOnRecord = errors.New("stays on record")
	// ErrBadValue: a value outside its code list.
	ErrBadValue = errors.New("value not allowed")
)

// RuleError refuses a recording: Path is the JSON path of the field (docs/case-schema.md),
// Message the sentence for the person, in Dutch and English.
type RuleError struct {
	Path    string
	Err     error
	Message Message
}

func (e *RuleError) Error() string { return e.Path + ": " + e.Message.EN }
func (e *RuleError) Unwrap() error { return e.Err }

// MediumPaper is how the screening information is handed over: Art 11(1) requires it in
// writing, so the terminal records the paper leaflet it prints (oral information through an
// interpreter is recorded beside it, never instead).
const MediumPaper = "paper"

// RecordInformation records that the person was informed (Screening Regulation Art 11;
// Eurodac Art 42): the leaflet language, interpreter and child-friendly variant as chosen;
// the medium (in writing) and the version of the leaflet the terminal prints are stamped by
// the terminal, with the time when the leaflet language is first chosen or changed. A
// language chosen or changed must have a leaflet of that version (leafletLanguageProblem):
// the terminal records only a leaflet it can hand over.
func (c *Case) RecordInformation(in Information, leafletVersion string, now time.Time) error {
	old := c.Info
	if in.LeafletLanguage == "" {
		// nothing handed over yet: keep the choices, stamp nothing
		in.At, in.LeafletVersion, in.Medium = time.Time{}, "", ""
		c.Info = in
		return nil
	}
	in.At, in.LeafletVersion, in.Medium = old.At, old.LeafletVersion, old.Medium
	if in.LeafletLanguage != old.LeafletLanguage || in.At.IsZero() {
		if p := leafletLanguageProblem(in.LeafletLanguage, leafletVersion); p != nil {
			return &RuleError{Path: "information.leafletLanguage", Err: ErrBadValue, Message: p.Message}
		}
		in.At, in.LeafletVersion, in.Medium = now.UTC(), leafletVersion, MediumPaper
	}
	in.Interpreter.Language = strings.ToLower(strings.TrimSpace(in.Interpreter.Language))
	c.Info = in
	return nil
}

// RecordHealth records the outcome of the preliminary health check (Art 12(1)-(2)), which
// only medical staff carry out; the examiner and the time are stamped from the session.
// The medical details themselves never enter the Case (see HealthDetails).
func (c *Case) RecordHealth(h HealthOutcome, byMedicalStaff bool, examiner string, now time.Time) error {
	if !byMedicalStaff {
		return &RuleError{Path: "health.result", Err: ErrMedicOnly, Message: Message{
			EN: "The health check is recorded by medical staff only (Art 12(1) Regulation (EU) 2024/1356): ask the medic.",
			NL: "De gezondheidscontrole wordt alleen door medisch personeel vastgelegd (art. 12, lid 1, Verordening (EU) 2024/1356): vraag het de medicus.",
		}}
	}
	if h.Result != "" && !h.Result.Valid() {
		return badValue("health.result", string(h.Result))
	}
	old := c.Health
	h.Examiner, h.At = examiner, now.UTC()
	if old.Result == h.Result && old.DefersBiometrics == h.DefersBiometrics && !old.At.IsZero() {
		h.Examiner, h.At = old.Examiner, old.At // nothing changed: keep the original stamp
	}
	c.Health = h
	return nil
}

// RecordVulnerability records the outcome of the preliminary vulnerability check (Art
// 12(3)): the check is stamped with the screener and the time when it is first marked
// done; the stamp stays while the outcome is only corrected.
func (c *Case) RecordVulnerability(v Vulnerability, screener string, now time.Time) error {
	for _, code := range v.Indicators {
		if !oneOf(code, VulnerabilityIndicators) {
			return badValue("vulnerability.indicators", code)
		}
	}
	old := c.Vulnerability
	v.Screener, v.At = old.Screener, old.At
	if v.Checked && (v.At.IsZero() || !old.Checked) {
		v.Screener, v.At = screener, now.UTC()
	}
	if !v.Checked {
		v.Screener, v.At = "", time.Time{}
	}
	c.Vulnerability = v
	return nil
}

// RecordDocument records document i (i == len(Documents) adds one). A document typed by
// hand is marked "manual": only a reader that verified the MRZ check digits marks "mrz".
func (c *Case) RecordDocument(i int, d Document) error {
	if i < 0 || i > len(c.Documents) {
		return &RuleError{Path: fmt.Sprintf("documents[%d]", i), Err: ErrBadValue, Message: Message{
			EN: "There is no such document on the case.", NL: "Dit document staat niet op de zaak."}}
	}
	if d.Source == "" {
		d.Source = "manual"
	}
	var old Document
	if i < len(c.Documents) {
		old = c.Documents[i]
	}
	if err := keepScan(fmt.Sprintf("documents[%d]", i), &d, old); err != nil {
		return err
	}
	if i == len(c.Documents) {
		c.Documents = append(c.Documents, d)
		return nil
	}
	c.Documents[i] = d
	return nil
}

// RemoveDocument takes document i off the case (typed by mistake).
func (c *Case) RemoveDocument(i int) error {
	if i < 0 || i >= len(c.Documents) {
		return &RuleError{Path: fmt.Sprintf("documents[%d]", i), Err: ErrBadValue, Message: Message{
			EN: "There is no such document on the case.", NL: "Dit document staat niet op de zaak."}}
	}
	c.Documents = append(c.Documents[:i:i], c.Documents[i+1:]...)
	return nil
}

// FingerExceptionStatuses are the statuses an officer may record for a finger before
// capture (Eurodac Art 13(2), Art 14(3); Art 17(1)(h) of the Screening Regulation: a finger
// that cannot be printed is recorded with its reason, never silently left out).
var FingerExceptionStatuses = []FingerStatus{FingerAmputated, FingerTemporarilyUnusable, FingerUnprintable, FingerRefused}

// FingerExceptions is the current exception per finger position (the last record for a
// position wins), whatever the capture plan's date: what the officer has on record.
func (c *Case) FingerExceptions() map[FingerPosition]FingerException {
	out := map[FingerPosition]FingerException{}
	for _, f := range c.Biometrics.Fingers {
		if f.Status == FingerCaptured {
			delete(out, f.Position)
			continue
		}
		out[f.Position] = FingerException{Position: f.Position, Status: f.Status, RetakeOn: f.RetakeOn}
	}
	return out
}

// SetFingerException records why finger pos is not captured, or (status "") puts it back in
// the capture plan. A captured finger keeps its capture: its status cannot be typed over.
// A temporarily unusable finger carries its retake date (Eurodac Art 14(3): taken again
// when the cause has gone); other exceptions carry none.
func (c *Case) SetFingerException(pos FingerPosition, status FingerStatus, retakeOn PartialDate, now time.Time) error {
	path := fmt.Sprintf("biometrics.fingers[%d]", pos)
	if !pos.Valid() {
		return badValue(path, pos.String())
	}
	if status != "" && !oneOf(status, FingerExceptionStatuses) {
		return badValue(path+".status", string(status))
	}
	for _, f := range c.Biometrics.Fingers {
		if f.Position == pos && f.Status == FingerCaptured {
			return &RuleError{Path: path, Err: ErrOnRecord, Message: Message{
				EN: "The " + pos.String() + " is captured: its capture stays on record.",
				NL: "Deze vinger is afgenomen: de afname blijft vastgelegd."}}
		}
	}
	if status != FingerTemporarilyUnusable {
		retakeOn = PartialDate{}
	}
	if cur, ok := c.FingerExceptions()[pos]; ok && cur.Status == status && cur.RetakeOn == retakeOn {
		return nil
	}
	if status == "" {
		kept := c.Biometrics.Fingers[:0:0]
		for _, f := range c.Biometrics.Fingers {
			switch {
			case f.Position != pos:
				kept = append(kept, f)
			case f.Status == FingerTemporarilyUnusable && c.Eurodac.Reference != "":
				// sent to Eurodac as unusable: its capture will be a retake, sent as an
				// update (ER Art 15(1) second subparagraph), so the record is kept
				c.Biometrics.Cleared = append(c.Biometrics.Cleared, ClearedException{Position: pos, Since: f.At, ClearedAt: now.UTC()})
			}
		}
		c.Biometrics.Fingers = kept
		return nil
	}
	c.Biometrics.Fingers = append(c.Biometrics.Fingers, Finger{Position: pos, Status: status, RetakeOn: retakeOn, At: now.UTC()})
	return nil
}

// CompanionRoles lists who may accompany a minor during capture (Eurodac Art 14(1)).
var CompanionRoles = []CompanionRole{CompanionFamily, CompanionRepresentative, CompanionTrainedPerson}

// SetCompanion records (or, with nil, clears) the adult accompanying a minor. Once a capture
// was made the companion present stays on record (Eurodac Art 14(1): the capture of a
// minor's data is lawful only with them present), so it can be corrected but not cleared.
//
// The companion is recorded by relationship or role and an ID, badge or register number
// (CompanionProblems says what capture still needs), stamped with the time it was first
// recorded: it accompanies the minor for the whole screening, not only the capture.
func (c *Case) SetCompanion(cp *Companion, now time.Time) error {
	old := c.Biometrics.Companion
	if cp == nil {
		if old != nil && !c.Biometrics.CapturedAt.IsZero() {
			return &RuleError{Path: "biometrics.companion", Err: ErrOnRecord, Message: Message{
				EN: "The companion present at the capture stays on record: correct the name if it is wrong.",
				NL: "De begeleider die bij de afname aanwezig was, blijft vastgelegd: verbeter de naam als die niet klopt."}}
		}
		c.Biometrics.Companion = nil
		return nil
	}
	if cp.Role != "" && !oneOf(cp.Role, CompanionRoles) {
		return badValue("biometrics.companion.role", string(cp.Role))
	}
	n := *cp
	n.Name, n.Organisation = strings.TrimSpace(n.Name), strings.TrimSpace(n.Organisation)
	n.Relationship, n.ID = strings.TrimSpace(n.Relationship), strings.TrimSpace(n.ID)
	if n.ID == "" && old != nil {
		n.ID = old.ID
	}
	n.Since = now.UTC()
	if old != nil && !old.Since.IsZero() {
		n.Since = old.Since
	}
	c.Biometrics.Companion = &n
	return nil
}

// RefusalWhats are what a person may refuse to give (Eurodac Art 13(3)-(4)).
var RefusalWhats = []string{"fingerprints", "face", "both"}

// RecordRefusal records a refusal to give biometrics, stamped now. Refusals are only ever
// added: each is a fact with its time.
func (c *Case) RecordRefusal(what string, informed bool, now time.Time) error {
	if !oneOf(what, RefusalWhats) {
		return badValue("biometrics.refusals.what", what)
	}
	c.Biometrics.Refusals = append(c.Biometrics.Refusals, Refusal{At: now.UTC(), What: what, Informed: informed})
	return nil
}

// ReferralTargets lists where screening refers a person (Art 18).
var ReferralTargets = []ReferralTarget{ReferAsylum, ReferReturn, ReferRelocation}

// RecordReferral records to whom the person and the form go (Art 18), stamped when the
// target is chosen or changed. When the form is already completed the case moves to
// referred (through Transition, so its rules apply).
func (c *Case) RecordReferral(r Referral, now time.Time) error {
	if r.To != "" && !oneOf(r.To, ReferralTargets) {
		return badValue("referral.to", string(r.To))
	}
	old := c.Referral
	r.At = old.At
	if r.To != old.To || r.At.IsZero() {
		r.At = now.UTC()
	}
	if r.To == "" {
		r.At = time.Time{}
	}
	r.Authority = strings.TrimSpace(r.Authority)
	c.Referral = r
	if c.Status == StatusFormCompleted && r.To != "" {
		return c.Transition(StatusReferred, now)
	}
	return nil
}

// Complete completes the screening form (Art 17): the Art 17 fields present and no security
// check pending. Checks still pending when the screening limit has passed are not a
// completion but the Art 18(5) end: EndAtDeadline.
func (c *Case) Complete(now time.Time) error {
	if pending := c.PendingChecks(); len(pending) > 0 {
		return &TransitionError{From: c.status(), To: StatusFormCompleted, Err: ErrOpenChecks, Pending: pending}
	}
	return c.Transition(StatusFormCompleted, now)
}

// DeadlineEndOffer reports whether the screening may end now with security checks still open
// (Art 18(5)): the screening limit has passed, the form is not yet completed, and checks are
// pending. open lists them, for the officer to see before choosing it.
func (c *Case) DeadlineEndOffer(now time.Time) (open []string, ok bool) {
	pending := c.PendingChecks()
	if len(pending) == 0 || !c.Deadlines().Screening.Passed(now) || !CanTransition(c.status(), StatusFormCompleted) {
		return nil, false
	}
	return pending, true
}

// EndAtDeadline ends the screening at the screening limit with checks still open (Art
// 18(5)): the form is completed with outcome "ended_at_deadline_with_open_checks" and the
// open checks listed, so the authority that takes over is told. Refused before the limit.
func (c *Case) EndAtDeadline(now time.Time) error {
	if _, ok := c.DeadlineEndOffer(now); !ok {
		return &RuleError{Path: "outcome", Err: ErrTransition, Message: Message{
			EN: "The screening can end with open checks only once the screening limit has passed and checks are still pending (Art 18(5)).",
			NL: "De screening kan alleen met openstaande controles eindigen als de screeningstermijn is verstreken en er nog controles lopen (art. 18, lid 5)."}}
	}
	return c.Transition(StatusFormCompleted, now)
}

func (c *Case) status() Status {
	if c.Status == "" {
		return StatusOpened
	}
	return c.Status
}

func badValue(path, v string) error {
	return &RuleError{Path: path, Err: ErrBadValue, Message: Message{
		EN: fmt.Sprintf("%q is not one of the allowed values.", v),
		NL: fmt.Sprintf("%q is geen toegestane waarde.", v)}}
}

// Valid reports whether c is a known Eurodac category.
func (c EurodacCategory) Valid() bool { return oneOf(c, EurodacCategories) }

// RecordDeadlineMiss adds why a legal deadline was missed (domain note §2.3): a missed
// deadline never blocks work but must be explained. Reasons are only added, each stamped.
func (c *Case) RecordDeadlineMiss(m DeadlineMiss, now time.Time) error {
	if !oneOf(m.Reason, MissReasons) {
		return badValue("deadlineMisses.reason", string(m.Reason))
	}
	if m.Deadline != DeadlineScreening && m.Deadline != DeadlineEurodac {
		return badValue("deadlineMisses.deadline", string(m.Deadline))
	}
	m.RecordedAt = now.UTC()
	c.DeadlineMisses = append(c.DeadlineMisses, m)
	return nil
}

// ErrNotNew: a new case (an import) carries something only the terminal records later.
var ErrNotNew = errors.New("not allowed on a new case")

// CheckNew says why c cannot be created as a new case, naming the first field: a case
// starts in its initial status with nothing the terminal records itself later, so an import
// cannot skip the lifecycle (Art 17-18: the form is completed on the terminal, after the
// checks), invent central's answers or a Eurodac registration, or bring captures without
// images. A health outcome is recorded by medical staff only (Art 12(1)).
func (c *Case) CheckNew(byMedicalStaff bool) error {
	refuse := func(path, en, nl string) error {
		return &RuleError{Path: path, Err: ErrNotNew, Message: Message{EN: en, NL: nl}}
	}
	switch {
	case c.Status != "" && c.Status != StatusOpened:
		return refuse("status", fmt.Sprintf("a new case starts as %q, not %q: the terminal moves it on as the steps are recorded", StatusOpened, c.Status),
			fmt.Sprintf("een nieuwe zaak begint als %q, niet %q: de terminal zet haar verder als de stappen worden vastgelegd", StatusOpened, c.Status))
	case c.Outcome != "":
		return refuse("outcome", "a new case has no outcome: it is set when the form is completed on the terminal",
			"een nieuwe zaak heeft geen uitkomst: die volgt als het formulier op de terminal wordt afgerond")
	case len(c.OpenChecks) > 0:
		return refuse("openChecks", "a new case has no open checks listed: they are listed when the screening ends at the deadline",
			"een nieuwe zaak heeft geen open controles: die worden vermeld als de screening op de termijn eindigt")
	case len(c.History) > 0:
		return refuse("history", "a new case has no history: the terminal writes it as the status changes",
			"een nieuwe zaak heeft geen geschiedenis: de terminal schrijft die bij elke statuswijziging")
	case c.SecurityFlag != nil:
		return refuse("securityFlag", "a new case has no security flag: a supervisor sets it on the terminal, with its ground",
			"een nieuwe zaak heeft geen veiligheidsmarkering: een supervisor zet die op de terminal, met de grond")
	case len(c.FormPackets) > 0:
		return refuse("formPackets", "a new case has sent no screening form: the terminal sends it on referral",
			"een nieuwe zaak heeft geen screeningsformulier verstuurd: de terminal verstuurt het bij de doorverwijzing")
	case len(c.Corrections) > 0:
		return refuse("corrections", "a new case has no corrections: a supervisor corrects data on the terminal after they were sent",
			"een nieuwe zaak heeft geen correcties: een supervisor corrigeert gegevens op de terminal nadat ze verzonden zijn")
	case len(c.Checks) > 0:
		return refuse("securityChecks", "a new case has no security checks: they are queued by sending the case and answered by central",
			"een nieuwe zaak heeft geen veiligheidscontroles: die worden verstuurd vanaf de terminal en door centraal beantwoord")
	case c.Eurodac.Reference != "" || c.Eurodac.MemberStateOfOrigin != "" || !c.Eurodac.TransmittedAt.IsZero() ||
		!c.Eurodac.QueuedAt.IsZero() || c.Eurodac.ControlNum != "":
		return refuse("eurodac", "a new case has no Eurodac registration: only the category may be given",
			"een nieuwe zaak heeft geen Eurodac-registratie: alleen de categorie mag worden opgegeven")
	case c.Biometrics.Face.Status == FaceCaptured || c.Biometrics.Operator != "" || !c.Biometrics.CapturedAt.IsZero():
		return refuse("biometrics", "a new case has no capture: prints and the face come from a capture on the terminal",
			"een nieuwe zaak heeft geen afname: vingerafdrukken en gezicht komen van een afname op de terminal")
	case c.Identity.AgeDoubt.By != "" || !c.Identity.AgeDoubt.At.IsZero():
		return refuse("identity.ageDoubt", "the answer to \"could this person be a minor?\" is stamped by the terminal with who answered and when: leave by and at out",
			"het antwoord op \"kan deze persoon minderjarig zijn?\" krijgt op de terminal wie en wanneer: laat by en at weg")
	case c.Biometrics.Companion != nil && !c.Biometrics.Companion.Since.IsZero():
		return refuse("biometrics.companion.since", "the time the companion was first recorded is stamped by the terminal: leave since out",
			"het moment waarop de begeleider is vastgelegd, zet de terminal: laat since weg")
	case c.Handover != (Handover{}):
		return refuse("handover", "a new case has no handover recorded: record it on the terminal, which stamps who handed the form or leaflet over and when",
			"een nieuwe zaak heeft geen overhandiging: leg die vast op de terminal, die vastlegt wie het formulier of de folder gaf en wanneer")
	case len(c.Biometrics.Cleared) > 0:
		return refuse("biometrics.clearedExceptions", "a new case has no cleared finger exceptions: the terminal keeps them when an officer puts a transmitted finger back in the plan",
			"een nieuwe zaak heeft geen opgeheven vingeruitzonderingen: de terminal bewaart die als een officier een verstuurde vinger terugzet in het plan")
	case c.hasScan():
		return refuse("documents.scanRef", "a new case has no document scan: the scan is attached on the terminal, from a reader, a camera or a file",
			"een nieuwe zaak heeft geen documentscan: de scan wordt op de terminal toegevoegd, van een lezer, een camera of een bestand")
	case c.Health != (HealthOutcome{}) && !byMedicalStaff:
		return refuse("health", "the health outcome is recorded by medical staff only (Art 12(1) Regulation (EU) 2024/1356): leave it out and ask the medic to record it",
			"de uitkomst van de gezondheidscontrole wordt alleen door medisch personeel vastgelegd (art. 12, lid 1, Verordening (EU) 2024/1356): laat haar weg en vraag het de medicus")
	}
	for _, f := range c.Biometrics.Fingers {
		if f.Status == FingerCaptured {
			return refuse("biometrics.fingers", "a new case has no captured prints: they come from a capture on the terminal",
				"een nieuwe zaak heeft geen afgenomen vingerafdrukken: die komen van een afname op de terminal")
		}
	}
	return nil
}
