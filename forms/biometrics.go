package forms

import "time"

// MinBiometricAge is the minimum age for fingerprints and facial image in every Eurodac
// category (Eurodac Art 14(1) and the category articles).
const MinBiometricAge = 6

// AgeOfMajority separates minors (who must be accompanied) from adults.
const AgeOfMajority = 18

// Reason explains a rule's answer with a stable code and a message for the officer.
type Reason struct {
	Code    string  `json:"code"`
	Message Message `json:"message"`
}

// Reason codes of BiometricsRequired.
const (
	ReasonAgeSixOrOver     = "age_6_or_over"
	ReasonUnderSix         = "under_6"
	ReasonUncertainNoProof = "uncertain_age_no_proof"
	ReasonBirthDateUnknown = "birth_date_unknown"
)

// AgeRange is the youngest and oldest the person can be on a day, given a birth date that may
// be partial. Min == Max when the birth date is a full date.
type AgeRange struct{ Min, Max int }

// AgeOn is the person's possible age range on the calendar day of at (in at's location).
// ok is false when no birth date is known.
func (id Identity) AgeOn(at time.Time) (r AgeRange, ok bool) {
	if id.BirthDate.IsZero() {
		return AgeRange{}, false
	}
	day := DateOf(at)
	return AgeRange{Min: ageOn(id.BirthDate.Latest(), day), Max: ageOn(id.BirthDate.Earliest(), day)}, true
}

// BiometricsRequired says whether fingerprints and a facial image must be taken on the day of
// at, and why. The rules (Eurodac Art 14(1); domain note §5):
//   - from the day of the 6th birthday on, capture is required (age exactly 6 counts);
//   - if it is uncertain whether the person is under six (the officer's PossiblyUnderSix mark,
//     or a partial birth date that leaves both possible) and there is no proof of age, the
//     person counts as under six: no capture;
//   - with no birth date and no such mark, the person is taken to be six or older.
//
// A health deferral does not change the answer (capture stays required); the capture plan
// shows it.
func (c *Case) BiometricsRequired(at time.Time) (bool, Reason) {
	id := c.Identity
	if id.PossiblyUnderSix && id.AgeProof == "" {
		return false, Reason{ReasonUncertainNoProof, Message{
			EN: "It is uncertain whether the person is under six and there is no proof of age: the person counts as under six, so no biometrics are taken.",
			NL: "Het is onzeker of de persoon jonger is dan zes en er is geen bewijs van leeftijd: de persoon geldt als jonger dan zes, dus er worden geen biometrische gegevens afgenomen.",
		}}
	}
	r, ok := id.AgeOn(at)
	switch {
	case !ok:
		return true, Reason{ReasonBirthDateUnknown, Message{
			EN: "No date of birth and no mark that the person may be under six: biometrics are required. Mark \"possibly under six\" if in doubt.",
			NL: "Geen geboortedatum en geen aantekening dat de persoon jonger dan zes kan zijn: biometrie is verplicht. Markeer \"mogelijk jonger dan zes\" bij twijfel.",
		}}
	case r.Min >= MinBiometricAge:
		return true, Reason{ReasonAgeSixOrOver, Message{
			EN: "The person is six or older on the capture day: biometrics are required.",
			NL: "De persoon is op de dag van afname zes jaar of ouder: biometrie is verplicht.",
		}}
	case r.Max < MinBiometricAge:
		return false, Reason{ReasonUnderSix, Message{
			EN: "The person is under six on the capture day: no biometrics are taken.",
			NL: "De persoon is op de dag van afname jonger dan zes: er worden geen biometrische gegevens afgenomen.",
		}}
	}
	return false, Reason{ReasonUncertainNoProof, Message{
		EN: "The partial date of birth leaves open whether the person is under six: the person counts as under six. Record the full date of birth if there is proof.",
		NL: "Uit de onvolledige geboortedatum blijkt niet of de persoon jonger is dan zes: de persoon geldt als jonger dan zes. Leg de volledige geboortedatum vast als er bewijs is.",
	}}
}

// IsMinor reports whether the person is, or may be, under 18 on the day of at. Doubt counts as
// minor, because the protective rules (accompaniment, no coercion) must not be skipped by
// guessing an age. The vulnerability indicators "minor" and "unaccompanied_minor" count too.
func (c *Case) IsMinor(at time.Time) bool {
	for _, ind := range c.Vulnerability.Indicators {
		if ind == VulnMinor || ind == VulnUnaccompaniedMinor {
			return true
		}
	}
	if c.Identity.AgeDoubt.CouldBeMinor.Yes() && c.AgeUncertain(at) {
		return true // the benefit of the doubt, recorded with its reason (AgeDoubt)
	}
	r, ok := c.Identity.AgeOn(at)
	if !ok {
		return c.Identity.PossiblyUnderSix
	}
	return r.Min < AgeOfMajority
}

// Unaccompanied reports whether the vulnerability check recorded an unaccompanied minor.
func (c *Case) Unaccompanied() bool {
	return oneOf(VulnUnaccompaniedMinor, c.Vulnerability.Indicators)
}

// FingerException is a finger that the plan skips and why.
type FingerException struct {
	Position FingerPosition
	Status   FingerStatus
	RetakeOn PartialDate // for temporarily unusable fingers
}

// CapturePlan is what the capture screen does next for this person.
type CapturePlan struct {
	Required bool
	Reason   Reason
	// Fingers still to capture, in ANSI/NIST position order (1 right thumb … 10 left little).
	Fingers []FingerPosition
	// Captured are the fingers already captured.
	Captured []FingerPosition
	// Exceptions are the fingers skipped because of a recorded status.
	Exceptions []FingerException
	// Face is true when the facial image is still to be taken.
	Face bool
	// FaceOnly is true when no finger can be captured at all: Eurodac Art 28 then requires a
	// facial-image comparison (after every way of getting fingerprints was tried).
	FaceOnly bool
	// Deferred is true while the health check defers capture (Eurodac Art 18(3)).
	Deferred bool
	// CompanionNeeded: the person is or may be a minor, so an accompanying adult family
	// member, representative or trained person must be recorded before capture.
	CompanionNeeded  bool
	CompanionMissing bool
}

// CapturePlan lists the fingers to capture on the day of at, given the finger statuses
// already recorded. The last record for a position wins (a retake replaces a temporary
// exception).
func (c *Case) CapturePlan(at time.Time) CapturePlan {
	req, why := c.BiometricsRequired(at)
	p := CapturePlan{Required: req, Reason: why}
	if !req {
		return p
	}
	latest := map[FingerPosition]Finger{}
	for _, f := range c.Biometrics.Fingers {
		latest[f.Position] = f
	}
	for pos := RightThumb; pos <= LeftLittle; pos++ {
		f, ok := latest[pos]
		switch {
		case !ok:
			p.Fingers = append(p.Fingers, pos)
		case f.Status == FingerCaptured:
			p.Captured = append(p.Captured, pos)
		case f.Status == FingerTemporarilyUnusable && !f.RetakeOn.IsZero() && !DateOf(at).Before(f.RetakeOn.Earliest()):
			// The retake date has come: the finger is back in the plan.
			p.Fingers = append(p.Fingers, pos)
		default:
			p.Exceptions = append(p.Exceptions, FingerException{Position: pos, Status: f.Status, RetakeOn: f.RetakeOn})
		}
	}
	p.Face = c.Biometrics.Face.Status != FaceCaptured && c.Biometrics.Face.Status != FaceRefused
	p.FaceOnly = len(p.Fingers) == 0 && len(p.Captured) == 0
	p.Deferred = c.Health.DefersBiometrics
	p.CompanionNeeded = c.IsMinor(at)
	p.CompanionMissing = p.CompanionNeeded && c.Biometrics.Companion == nil
	return p
}

// RefusalMessage is what the officer is told when the person refuses biometrics. For an
// applicant for international protection it names the consequence in the Asylum Procedure
// Regulation (APR Art 41(1)(b), through Eurodac Art 13(4)); the decision itself belongs to the
// determining authority, not to screening. For a person who is or may be a minor it never
// offers coercion (Eurodac Art 14(1): no force against minors; ASSUMPTION for the paragraph),
// whether or not they applied; for an adult who did not apply it names national measures
// with coercion only as a last resort (Eurodac Art 13(3)).
func (c *Case) RefusalMessage(at time.Time) Message {
	applicant := c.Application.Made.Yes() || c.Trigger.Reason == TriggerApplicationAtBCP
	apr := Message{
		EN: "This person has applied for international protection: if they keep refusing to give biometric data, the application may be declared implicitly withdrawn (Art 41(1)(b) Regulation (EU) 2024/1348). The determining authority decides, not screening. Record that the person was told this in a language they understand.",
		NL: "Deze persoon heeft om internationale bescherming verzocht: blijft hij of zij weigeren biometrische gegevens te verstrekken, dan kan het verzoek als stilzwijgend ingetrokken worden beschouwd (art. 41, lid 1, onder b, Verordening (EU) 2024/1348). Daarover beslist de beslissingsautoriteit, niet de screening. Leg vast dat de persoon dit is verteld in een taal die hij of zij begrijpt.",
	}
	switch minor := c.IsMinor(at); {
	case minor && applicant:
		return Message{
			EN: "Refusal recorded. The person is or may be a minor: no coercion may be used. " + apr.EN + " Record who accompanied the child.",
			NL: "Weigering vastgelegd. De persoon is of is mogelijk minderjarig: er mag geen dwang worden gebruikt. " + apr.NL + " Leg vast wie het kind begeleidde.",
		}
	case minor:
		return Message{
			EN: "Refusal recorded. The person is or may be a minor: no coercion may be used. Record who accompanied the child and what information was given.",
			NL: "Weigering vastgelegd. De persoon is of is mogelijk minderjarig: er mag geen dwang worden gebruikt. Leg vast wie het kind begeleidde en welke informatie is gegeven.",
		}
	case applicant:
		return Message{EN: "Refusal recorded. " + apr.EN, NL: "Weigering vastgelegd. " + apr.NL}
	}
	return Message{
		EN: "Refusal recorded. The obligation to give biometrics still applies; national measures apply, coercion only as a last resort (Eurodac Art 13(3)). Record the measures taken.",
		NL: "Weigering vastgelegd. De plicht om biometrische gegevens te verstrekken blijft bestaan; nationale maatregelen zijn van toepassing, dwang alleen als laatste middel (Eurodac art. 13, lid 3). Leg de genomen maatregelen vast.",
	}
}
