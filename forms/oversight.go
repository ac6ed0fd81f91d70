package forms

import (
	"sort"
	"strings"
	"time"
)

// OversightSummary is the pseudonymised view of a case for the independent monitoring
// mechanism (Screening Regulation (EU) 2024/1356 Art 10): what the monitor needs to see
// whether the screening respected the person's rights (when and why it started, how long it
// took, which safeguards were applied, what was refused, which limits were missed and why),
// and nothing that identifies the person.
//
// What is left out, on purpose: names in every form (the person's, family members', the
// companion's, the interpreter's and staff identifiers), dates and places of birth, document
// numbers and any document field, nationalities, the Eurodac reference, security-check
// references, health outcome and details, biometric data and image references, and every free
// text an official typed (notes, needs, refusal measures, deadline notes), because free text
// can carry a name. The case is identified by a pseudonym the terminal gives (its random
// vault ID), never by the printed case reference. TestOversightLeavesOutPersonalFields fills
// every string of a case with a marker and lists the few that may pass.
type OversightSummary struct {
	Pseudonym string `json:"pseudonym"`

	Trigger   TriggerReason `json:"trigger"`
	Place     string        `json:"place,omitempty"` // the screening location, as recorded
	StartedAt time.Time     `json:"startedAt"`
	// EndedAt is when the screening form was completed (the end of screening, Art 8(7)),
	// zero while it runs.
	EndedAt       time.Time `json:"endedAt,omitzero"`
	DurationHours float64   `json:"durationHours"` // to EndedAt, or to the summary's time
	Status        Status    `json:"status"`
	Outcome       Outcome   `json:"outcome,omitempty"`

	ScreeningDue  time.Time              `json:"screeningDue"`
	EurodacDue    time.Time              `json:"eurodacDue,omitzero"`
	EurodacSentAt time.Time              `json:"eurodacTransmittedAt,omitzero"`
	EurodacCat    EurodacCategory        `json:"eurodacCategory,omitempty"`
	MissedLimits  []OversightMiss        `json:"missedLimits,omitempty"`
	Information   OversightInformation   `json:"information"`
	HealthChecked bool                   `json:"healthChecked"`
	Vulnerability OversightVulnerability `json:"vulnerability"`
	Minor         OversightMinor         `json:"minor"`
	Refusals      OversightRefusals      `json:"refusals"`
	Application   bool                   `json:"applicationMade"`
	Checks        map[CheckStatus]int    `json:"checks,omitempty"`     // count per status
	OpenChecks    []string               `json:"openChecks,omitempty"` // system names
	ReferralTo    ReferralTarget         `json:"referralTo,omitempty"`
	FingersTaken  int                    `json:"fingersTaken"`
	BiometricsDue bool                   `json:"biometricsRequired"`
	SummaryAt     time.Time              `json:"summaryAt"`
}

// OversightMiss is a missed time limit and the reason code recorded for it (the note is
// left out: it is free text). Reason "" means no reason was recorded yet.
type OversightMiss struct {
	Deadline DeadlineKind `json:"deadline"`
	Reason   MissReason   `json:"reason,omitempty"`
}

// OversightInformation is how the person was informed (Art 11).
type OversightInformation struct {
	LeafletLanguage string    `json:"leafletLanguage,omitempty"`
	LeafletVersion  string    `json:"leafletVersion,omitempty"`
	Medium          string    `json:"medium,omitempty"`
	Interpreter     bool      `json:"interpreter"`
	ChildFriendly   bool      `json:"childFriendly"`
	At              time.Time `json:"at,omitzero"`
	// FormReceived and LeafletReceived say whether the person received the form's copy and
	// the leaflet (SR Art 11, Art 17): received, refused or not_recorded (Handover).
	FormReceived    string `json:"formReceived"`
	LeafletReceived string `json:"leafletReceived"`
}

// OversightVulnerability is the outcome of the preliminary vulnerability check (Art 12(3)):
// the indicator codes and how many special needs were recorded (their text is left out).
type OversightVulnerability struct {
	Checked         bool     `json:"checked"`
	Indicators      []string `json:"indicators,omitempty"`
	ReceptionNeeds  int      `json:"receptionNeeds,omitempty"`
	ProceduralNeeds int      `json:"proceduralNeeds,omitempty"`
}

// OversightMinor are the minors' safeguards (Screening Art 13, Eurodac Art 14): whether the
// person is or may be a minor, unaccompanied, and the role of the adult present at capture
// (never who it was).
type OversightMinor struct {
	Minor         bool          `json:"minor"`
	AgeEstimated  bool          `json:"ageEstimated,omitempty"`
	Unaccompanied bool          `json:"unaccompanied,omitempty"`
	CompanionRole CompanionRole `json:"companionRole,omitempty"`
	ChildLeaflet  bool          `json:"childLeaflet,omitempty"`
}

// OversightRefusals counts refusals to give biometrics (Eurodac Art 13) and records the
// cooperation outcome (Screening Art 9) as its code.
type OversightRefusals struct {
	Fingers     int    `json:"fingers,omitempty"`
	Face        bool   `json:"face,omitempty"`
	Recorded    int    `json:"recorded,omitempty"` // refusal entries, with the information given
	Informed    int    `json:"informed,omitempty"` // of which the person was told the consequences
	Cooperation string `json:"cooperation,omitempty"`
}

// Oversight computes the monitoring summary of the case at now; pseudonym is the terminal's
// random case ID. It is recomputed on every save, so it always matches the case.
func (c *Case) Oversight(pseudonym string, now time.Time) OversightSummary {
	d := c.Deadlines()
	o := OversightSummary{
		Pseudonym:     pseudonym,
		Trigger:       codeOf(c.Trigger.Reason, TriggerReasons),
		Place:         c.Trigger.Place,
		StartedAt:     c.Trigger.At,
		Status:        codeOf(c.Status, Statuses),
		Outcome:       codeOf(c.Outcome, []Outcome{OutcomeCompleted, OutcomeEndedAtDeadlineWithOpenChecks}),
		ScreeningDue:  d.Screening.Due(),
		EurodacSentAt: c.Eurodac.TransmittedAt,
		EurodacCat:    codeOf(c.Eurodac.Category, EurodacCategories),
		HealthChecked: c.Health.Result != "",
		Application:   c.Application.Made.Yes(),
		ReferralTo:    codeOf(c.Referral.To, ReferralTargets),
		OpenChecks:    append([]string(nil), c.PendingChecks()...),
		SummaryAt:     now,
	}
	if o.Status == "" {
		o.Status = StatusOpened
	}
	for _, h := range c.History {
		if h.To == StatusFormCompleted && o.EndedAt.IsZero() {
			o.EndedAt = h.At
		}
	}
	end := o.EndedAt
	if end.IsZero() {
		end = now
	}
	if !c.Trigger.At.IsZero() && end.After(c.Trigger.At) {
		o.DurationHours = float64(end.Sub(c.Trigger.At).Round(time.Minute)) / float64(time.Hour)
	}
	at := c.Biometrics.CapturedAt
	if at.IsZero() {
		at = now
	}
	o.BiometricsDue, _ = c.BiometricsRequired(at)
	if o.BiometricsDue {
		o.EurodacDue = d.Eurodac.Due()
	}
	o.MissedLimits = c.oversightMisses(now)
	o.Information = OversightInformation{
		LeafletLanguage: lowerCode(c.Info.LeafletLanguage, 2, 3), LeafletVersion: versionCode(c.Info.LeafletVersion),
		Medium: codeOf(c.Info.Medium, mediums), Interpreter: c.Info.Interpreter.Used,
		ChildFriendly: c.Info.ChildFriendly, At: c.Info.At,
		FormReceived: c.Handover.Form.Code(), LeafletReceived: c.Handover.Leaflet.Code(),
	}
	v := c.Vulnerability
	var indicators []string
	for _, code := range v.Indicators {
		indicators = append(indicators, codeOf(code, VulnerabilityIndicators))
	}
	o.Vulnerability = OversightVulnerability{Checked: v.Checked, Indicators: indicators,
		ReceptionNeeds: len(v.ReceptionNeeds), ProceduralNeeds: len(v.ProceduralNeeds)}
	o.Minor = OversightMinor{Minor: c.IsMinor(now), AgeEstimated: c.Identity.BirthDateEstimated,
		Unaccompanied: c.Unaccompanied(), ChildLeaflet: c.Info.ChildFriendly}
	if c.Biometrics.Companion != nil {
		o.Minor.CompanionRole = codeOf(c.Biometrics.Companion.Role, CompanionRoles)
	}
	latest := map[FingerPosition]FingerStatus{}
	for _, f := range c.Biometrics.Fingers {
		latest[f.Position] = f.Status
	}
	for _, st := range latest {
		switch st {
		case FingerCaptured:
			o.FingersTaken++
		case FingerRefused:
			o.Refusals.Fingers++
		}
	}
	o.Refusals.Face = c.Biometrics.Face.Status == FaceRefused
	o.Refusals.Recorded = len(c.Biometrics.Refusals)
	for _, r := range c.Biometrics.Refusals {
		if r.Informed {
			o.Refusals.Informed++
		}
	}
	o.Refusals.Cooperation = codeOf(c.Cooperation.Complied, CooperationValues)
	if len(c.Checks) > 0 {
		o.Checks = map[CheckStatus]int{}
		for _, ch := range c.Checks {
			o.Checks[ch.Status]++
		}
	}
	return o
}

// oversightMisses lists the missed limits with their reason codes, and the limits passed
// without a recorded reason (reason ""), in deadline order.
func (c *Case) oversightMisses(now time.Time) []OversightMiss {
	var out []OversightMiss
	seen := map[DeadlineKind]bool{}
	for _, m := range c.DeadlineMisses {
		out = append(out, OversightMiss{Deadline: codeOf(m.Deadline, []DeadlineKind{DeadlineScreening, DeadlineEurodac}), Reason: codeOf(m.Reason, MissReasons)})
		seen[m.Deadline] = true
	}
	for _, k := range c.MissingMissReasons(now) {
		if !seen[k] {
			out = append(out, OversightMiss{Deadline: k})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Deadline < out[j].Deadline })
	return out
}

// NotACode stands in the monitoring summary for a value that should be a code but is not
// one of its list: the commands check codes, but an imported or older case may carry
// anything in those fields, and free text there could be a name. The summary copies codes
// only, so the monitor sees that something else was recorded and never what.
const NotACode = "not_a_code"

// codeOf is v when it is one of list, "" when empty, NotACode otherwise.
func codeOf[T ~string](v T, list []T) T {
	if v == "" || oneOf(v, list) {
		return v
	}
	return NotACode
}

// lowerCode is s when it is a code of minLen to maxLen lower-case letters (a language).
func lowerCode(s string, minLen, maxLen int) string {
	if s == "" || isLower(s, minLen, maxLen) {
		return s
	}
	return NotACode
}

// versionCode is s when it looks like a leaflet version the terminal stamps ("v2").
func versionCode(s string) string {
	if s == "" || len(s) >= 2 && len(s) <= 8 && s[0] == 'v' && strings.Trim(s[1:], "0123456789.") == "" {
		return s
	}
	return NotACode
}
