package forms

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status is where a case stands in its lifecycle (domain note §2.2).
type Status string

// Statuses. The steps between opened and form_completed can happen in any order (the
// regulation fixes none); only the form and the referral come last.
const (
	StatusOpened             Status = "opened"
	StatusInformed           Status = "informed"
	StatusHealthChecked      Status = "health_checked"
	StatusVulnChecked        Status = "vulnerability_checked"
	StatusIdentified         Status = "identified"
	StatusBiometricsCaptured Status = "biometrics_captured"
	StatusBiometricsExempt   Status = "biometrics_exempt"
	StatusBiometricsDeferred Status = "biometrics_deferred"
	StatusSecurityQueried    Status = "security_queried"
	StatusFormCompleted      Status = "form_completed"
	StatusReferred           Status = "referred"
	StatusClosed             Status = "closed"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusOpened, StatusInformed, StatusHealthChecked, StatusVulnChecked,
	StatusIdentified, StatusBiometricsCaptured, StatusBiometricsExempt, StatusBiometricsDeferred,
	StatusSecurityQueried, StatusFormCompleted, StatusReferred, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return oneOf(s, Statuses) }

// step reports whether s is one of the steps that may happen in any order.
func (s Status) step() bool {
	switch s {
	case StatusInformed, StatusHealthChecked, StatusVulnChecked, StatusIdentified,
		StatusBiometricsCaptured, StatusBiometricsExempt, StatusBiometricsDeferred, StatusSecurityQueried:
		return true
	}
	return false
}

// Errors a caller decides on; a *TransitionError wraps one of them.
var (
	// ErrTransition: the lifecycle does not allow this move (for example closed → informed).
	ErrTransition = errors.New("transition not allowed")
	// ErrIncomplete: the form cannot be completed while required fields are missing.
	ErrIncomplete = errors.New("screening form incomplete")
	// ErrOpenChecks: security checks are pending and the screening deadline has not passed.
	ErrOpenChecks = errors.New("security checks still pending")
	// ErrRule: the age rule contradicts the step (capture for a person who counts as under
	// six, or an exemption for one who does not).
	ErrRule = errors.New("not allowed by the biometrics age rule")
)

// TransitionError explains a refused Transition.
type TransitionError struct {
	From, To Status
	Err      error    // ErrTransition, ErrIncomplete, ErrOpenChecks, ErrRule or ErrMinorsSafeguards
	Reason   Reason   // for ErrRule: the age rule's answer
	Problems Problems // missing fields, for ErrIncomplete and ErrMinorsSafeguards
	Pending  []string // systems still pending, for ErrOpenChecks
}

func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("case %s → %s: %v", e.From, e.To, e.Err)
	switch {
	case len(e.Pending) > 0:
		msg += " (" + strings.Join(e.Pending, ", ") + "); they can stay open only once the screening deadline has passed"
	case e.Reason.Message.EN != "":
		msg += ": " + e.Reason.Message.EN
	case len(e.Problems) > 0:
		paths := make([]string, len(e.Problems))
		for i, p := range e.Problems {
			paths[i] = p.Path
		}
		msg += ": " + strings.Join(paths, ", ")
	}
	return msg
}

func (e *TransitionError) Unwrap() error { return e.Err }

// CanTransition reports whether the lifecycle graph allows from → to, ignoring the content
// checks that Transition also makes.
func CanTransition(from, to Status) bool {
	if from == "" {
		from = StatusOpened
	}
	switch {
	case !from.Valid() || !to.Valid() || from == to:
		return false
	case to.step():
		return from == StatusOpened || from.step()
	case to == StatusFormCompleted:
		return from == StatusOpened || from.step()
	case to == StatusReferred:
		return from == StatusFormCompleted
	case to == StatusClosed:
		return from == StatusReferred
	}
	return false
}

// Transition moves the case to status to at time now, or returns a *TransitionError and
// leaves the case unchanged.
//
// Completing the form needs, for a person who is or may be a minor, the minors' safeguards
// on record (ScreeningEndProblems, also before closing), the Art 17 fields (see
// Completeness) and no pending security check. Once the screening deadline has passed, pending checks no longer block: the case
// completes with Outcome "ended_at_deadline_with_open_checks" and OpenChecks lists them, so the
// receiving authority is told (Art 18(5)).
func (c *Case) Transition(to Status, now time.Time) error {
	from := c.Status
	if from == "" {
		from = StatusOpened
	}
	if !CanTransition(from, to) {
		return &TransitionError{From: from, To: to, Err: ErrTransition}
	}
	outcome, open := c.Outcome, c.OpenChecks
	minors := func() error {
		if probs := c.ScreeningEndProblems(now, nil); len(probs) > 0 {
			return &TransitionError{From: from, To: to, Err: ErrMinorsSafeguards, Problems: probs}
		}
		return nil
	}
	switch to {
	case StatusFormCompleted:
		if probs := c.Completeness(); len(probs) > 0 {
			return &TransitionError{From: from, To: to, Err: ErrIncomplete, Problems: probs}
		}
		if err := minors(); err != nil {
			return err
		}
		pending := c.PendingChecks()
		switch {
		case len(pending) == 0:
			outcome, open = OutcomeCompleted, nil
		case c.Deadlines().Screening.Passed(now):
			outcome, open = OutcomeEndedAtDeadlineWithOpenChecks, pending
		default:
			return &TransitionError{From: from, To: to, Err: ErrOpenChecks, Pending: pending}
		}
	case StatusBiometricsCaptured, StatusBiometricsExempt, StatusBiometricsDeferred:
		if err := c.biometricsStep(from, to, now); err != nil {
			return err
		}
	case StatusReferred:
		if c.Referral.To == "" {
			probs := Problems{problem("referral.to", CodeRequired, msgRequired)}
			return &TransitionError{From: from, To: to, Err: ErrIncomplete, Problems: probs}
		}
	case StatusClosed:
		if err := minors(); err != nil {
			return err
		}
	}
	c.Status = to
	c.Outcome, c.OpenChecks = outcome, open
	c.History = append(c.History, StatusChange{From: from, To: to, At: now.UTC()})
	return nil
}

// PendingChecks lists the systems whose security check is still pending, in case order.
func (c *Case) PendingChecks() []string {
	var out []string
	for _, ch := range c.Checks {
		if ch.Status == CheckPending {
			out = append(out, ch.System)
		}
	}
	return out
}

// Completeness lists what must be present before the form can be completed: the
// screening's own records (trigger, information given) and every item of SR Art 17(1)
// (Art17Items), each either recorded or explicitly marked as not established with a reason
// (SetNotEstablished). "Unknown" is a valid value where the domain allows it (nationality
// XXX, sex X); the rule is "do not invent data", not "fill everything".
func (c *Case) Completeness() Problems {
	var ps Problems
	req := func(ok bool, path string) {
		if !ok {
			ps = append(ps, problem(path, CodeRequired, msgRequired))
		}
	}
	req(!c.Trigger.At.IsZero(), "trigger.at")
	req(c.Trigger.Place != "", "trigger.place")
	req(!c.Info.At.IsZero(), "information.at")
	req(c.Info.LeafletLanguage != "", "information.leafletLanguage")
	for _, it := range Art17Items {
		if it.Present(c) || it.MayBeUnestablished && c.NotEstablishedReason(it.Path) != "" {
			continue
		}
		m := msgRequired
		if it.MayBeUnestablished {
			m = msgRequiredOrNotEstablished
		}
		ps = append(ps, problem(it.Path, CodeRequired, m))
	}
	return ps
}

var msgRequiredOrNotEstablished = Message{
	EN: "Required before the screening form can be completed (Art 17(1)): record it, or mark it as could not be established with the reason.",
	NL: "Verplicht voordat het screeningsformulier kan worden afgerond (art. 17, lid 1): leg het vast, of markeer het als niet vast te stellen met de reden.",
}

// biometricsStep applies the capture rules to the three biometrics steps: capture only for a
// person of six or older, with the accompanying person of a (possible) minor recorded;
// exemption only for one who counts as under six; deferral only with a cause on record (a
// health hold or a temporarily unusable finger with a retake date).
func (c *Case) biometricsStep(from, to Status, now time.Time) error {
	at := c.Biometrics.CapturedAt
	if at.IsZero() {
		at = now
	}
	req, why := c.BiometricsRequired(at)
	switch to {
	case StatusBiometricsCaptured:
		if !req {
			return &TransitionError{From: from, To: to, Err: ErrRule, Reason: why}
		}
		if c.IsMinor(at) && c.Biometrics.Companion == nil {
			return &TransitionError{From: from, To: to, Err: ErrIncomplete, Problems: Problems{problem("biometrics.companion", CodeCompanionMissing, Message{
				EN: "The person is or may be a minor: record the accompanying adult family member, representative or trained person first.",
				NL: "De persoon is of is mogelijk minderjarig: leg eerst het begeleidende volwassen familielid, de vertegenwoordiger of de opgeleide persoon vast.",
			})}}
		}
	case StatusBiometricsExempt:
		if req {
			return &TransitionError{From: from, To: to, Err: ErrRule, Reason: why}
		}
	case StatusBiometricsDeferred:
		cause := c.Health.DefersBiometrics
		for _, f := range c.Biometrics.Fingers {
			cause = cause || (f.Status == FingerTemporarilyUnusable && !f.RetakeOn.IsZero())
		}
		if !cause {
			return &TransitionError{From: from, To: to, Err: ErrIncomplete, Problems: Problems{problem("biometrics", CodeRequired, Message{
				EN: "A deferral needs its cause on record: a health hold, or a temporarily unusable finger with a retake date.",
				NL: "Uitstel vraagt een vastgelegde oorzaak: een medische blokkade, of een tijdelijk onbruikbare vinger met een datum voor opnieuw afnemen.",
			})}}
		}
	}
	return nil
}
