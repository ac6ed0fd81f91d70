package forms

import (
	"strings"
	"time"
)

// SecurityFlag records that the person could pose a threat to internal security, as the
// Member State of origin flags it in Eurodac after the security checks. Only a supervisor
// sets or clears it (SetSecurityFlag's caller checks the role), always with its legal ground.
type SecurityFlag struct {
	Ground SecurityFlagGround `json:"ground"`
	// Note says what the ground rests on (the check, the incident), without the hit's content.
	Note string    `json:"note,omitempty"`
	By   string    `json:"by,omitempty"`
	At   time.Time `json:"at,omitzero"`
}

// SecurityFlagGround is why the flag is set.
type SecurityFlagGround string

// The grounds on which the security flag may be recorded. SOURCED (ER recital on the
// security flag): the person is violent or unlawfully armed, or there are clear indications
// of involvement in a terrorist offence (Directive (EU) 2017/541) or in an offence referred
// to in Framework Decision 2002/584/JHA (European arrest warrant). ASSUMPTION: the codes.
const (
	FlagViolent         SecurityFlagGround = "violent"
	FlagUnlawfullyArmed SecurityFlagGround = "unlawfully_armed"
	FlagTerrorism       SecurityFlagGround = "terrorist_offence"
	FlagEAWOffence      SecurityFlagGround = "eaw_offence"
)

// SecurityFlagGrounds lists the grounds.
var SecurityFlagGrounds = []SecurityFlagGround{FlagViolent, FlagUnlawfullyArmed, FlagTerrorism, FlagEAWOffence}

// SetSecurityFlag sets (or, with nil, clears) the security flag, stamped with the
// supervisor and the time; a flag needs one of SecurityFlagGrounds. bySupervisor is the
// caller's role check: the flag has consequences for the person in every Member State, so
// the decision is a supervisor's.
func (c *Case) SetSecurityFlag(f *SecurityFlag, bySupervisor bool, supervisor string, now time.Time) error {
	if !bySupervisor {
		return Problems{problem("securityFlag", CodeInvalidValue, Message{
			EN: "Only a supervisor sets or clears the Eurodac security flag.",
			NL: "Alleen een supervisor zet of verwijdert de Eurodac-veiligheidsmarkering."})}
	}
	if f == nil {
		c.SecurityFlag = nil
		return nil
	}
	if !oneOf(f.Ground, SecurityFlagGrounds) {
		return Problems{problem("securityFlag.ground", CodeInvalidValue, enumMsg("security flag ground", f.Ground, SecurityFlagGrounds))}
	}
	n := SecurityFlag{Ground: f.Ground, Note: strings.TrimSpace(f.Note), By: supervisor, At: now.UTC()}
	if old := c.SecurityFlag; old != nil && old.Ground == n.Ground && old.Note == n.Note {
		n.By, n.At = old.By, old.At
	}
	c.SecurityFlag = &n
	return nil
}

// EurodacEvent is the place and date of element (g) of the category's data set: for an
// applicant the place and date of the application for international protection (ER Art
// 17(1)(g)), never the trigger's, so nothing is sent until the application is recorded; for
// the other categories the apprehension (Art 22), the finding (Art 23), the disembarkation
// (Art 24) or the registration (Art 26), for which the trigger stands (ASSUMPTION for 23, 26).
func (c *Case) EurodacEvent() (place string, at time.Time) {
	if c.EurodacCategory() == EurodacApplicant {
		if !c.Application.Made.Yes() {
			return "", time.Time{}
		}
		return c.Application.Place, c.Application.At
	}
	return c.Trigger.Place, c.Trigger.At
}

// EurodacUpdateDue reports whether the data set must be sent again under the same
// reference as an update: fingerprints were retaken (healed fingertips, a health deferral
// ended, ER Art 15(1) second subparagraph), or a document scan was attached (element (j),
// ER Art 17(1)(j); ASSUMPTION: the Regulation does not say how a scan found later reaches
// Eurodac, for Art 24(3) "as soon as available"), after the last transmission was queued.
func (c *Case) EurodacUpdateDue() bool {
	if c.Eurodac.Reference == "" {
		return false
	}
	return c.RetakenAt().After(c.Eurodac.QueuedAt) || c.ScanAddedAt().After(c.Eurodac.QueuedAt)
}

// BiometricsDue reports that biometrics deferred on health grounds are due: the case was
// deferred (status biometrics_deferred) and the health ground has ended (the medic cleared
// the hold), with no capture since (ER Art 15(1) second subparagraph: taken and sent as soon
// as the grounds no longer apply). The case shows it, and may not be purged while it holds.
func (c *Case) BiometricsDue() bool {
	if c.Health.DefersBiometrics {
		return false
	}
	var deferredAt time.Time
	for _, h := range c.History {
		if h.To == StatusBiometricsDeferred {
			deferredAt = h.At
		}
	}
	return !deferredAt.IsZero() && !c.Biometrics.CapturedAt.After(deferredAt)
}
