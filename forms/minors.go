package forms

import (
	"errors"
	"strings"
	"time"
)

// The minors' safeguards at capture (Eurodac Reg. 2024/1358 Art 14(1); Screening Reg.
// 2024/1356 Art 13(2)-(3)). docs/legal-basis.md has a row for each rule here.

// CompanionProblems says what is missing before biometrics are taken from a person who is or
// may be a minor on the day of at, by the official capturer; nil when nothing is missing (or
// the person counts as an adult). staff are the user names of the terminal's officials (every
// account: an official of the screening is not independent of it), whom the companion
// cannot be either.
//
// The rules:
//   - an accompanied minor is accompanied by an adult family member, recorded by relationship
//     and identity document or badge number, not by name (ER Art 14(1), SR Art 13(2));
//   - an unaccompanied minor by a representative or a person trained to safeguard the
//     child's interests, recorded by role and register number, never by a family member
//     (ER Art 14(1), SR Art 13(3));
//   - the companion is not the capturing official nor an official of the case (ER Art 14(1):
//     the trained person is not the official taking the data and acts independently).
func (c *Case) CompanionProblems(at time.Time, capturer string, staff []string) Problems {
	return c.companionProblems(at, capturer, staff, beforeCapture)
}

// minorsStep is what the minors' safeguards are checked before: the capture, or the end of
// the screening (completing the form, closing the case). It only changes the wording.
type minorsStep struct{ en, nl string }

var (
	beforeCapture = minorsStep{en: "before capture", nl: "voor de afname"}
	beforeEnd     = minorsStep{en: "who accompanied the minor through the screening (information, health and vulnerability checks), before it is completed or closed",
		nl: "die de minderjarige door de screening heeft begeleid (informatie, gezondheids- en kwetsbaarheidscontrole), voordat die wordt afgerond of gesloten"}
)

func (c *Case) companionProblems(at time.Time, capturer string, staff []string, when minorsStep) Problems {
	if !c.IsMinor(at) {
		return nil
	}
	cp := c.Biometrics.Companion
	unaccompanied := c.Unaccompanied()
	if cp == nil {
		if unaccompanied {
			return Problems{problem("biometrics.companion", CodeCompanionMissing, Message{
				EN: "The person is or may be an unaccompanied minor: record the representative or trained person (role and register number) " + when.en + ".",
				NL: "De persoon is of is mogelijk een alleenstaande minderjarige: leg de vertegenwoordiger of opgeleide persoon vast (rol en registratienummer) " + when.nl + ".",
			})}
		}
		return Problems{problem("biometrics.companion", CodeCompanionMissing, Message{
			EN: "The person is or may be a minor: record the adult family member (relationship and ID or badge number) " + when.en + "; mark an unaccompanied minor in the vulnerability check.",
			NL: "De persoon is of is mogelijk minderjarig: leg het volwassen familielid vast (verwantschap en identiteits- of badgenummer) " + when.nl + "; markeer een alleenstaande minderjarige in de kwetsbaarheidscontrole.",
		})}
	}
	var ps Problems
	switch {
	case unaccompanied && cp.Role == CompanionFamily:
		ps = append(ps, problem("biometrics.companion.role", CodeCompanionRole, Message{
			EN: "An unaccompanied minor is accompanied by a representative or a trained person, not a family member: record their role and register number.",
			NL: "Een alleenstaande minderjarige wordt begeleid door een vertegenwoordiger of een opgeleide persoon, niet door een familielid: leg hun rol en registratienummer vast.",
		}))
	case !unaccompanied && cp.Role != CompanionFamily:
		ps = append(ps, problem("biometrics.companion.role", CodeCompanionRole, Message{
			EN: "An accompanied minor is accompanied by the adult family member present; if no family member is present, mark the minor as unaccompanied in the vulnerability check.",
			NL: "Een begeleide minderjarige wordt begeleid door het aanwezige volwassen familielid; is er geen familielid aanwezig, markeer de minderjarige dan als alleenstaand in de kwetsbaarheidscontrole.",
		}))
	}
	if cp.Role == CompanionFamily && strings.TrimSpace(cp.Relationship) == "" {
		ps = append(ps, problem("biometrics.companion.relationship", CodeRequired, Message{
			EN: "Record how the accompanying family member is related to the minor.",
			NL: "Leg vast hoe het begeleidende familielid verwant is aan de minderjarige.",
		}))
	}
	id := strings.TrimSpace(cp.ID)
	switch {
	case id == "" && cp.Role == CompanionFamily:
		ps = append(ps, problem("biometrics.companion.id", CodeRequired, Message{
			EN: "Record the accompanying family member's ID document or badge number (not their name).",
			NL: "Leg het identiteitsdocument- of badgenummer van het begeleidende familielid vast (niet de naam).",
		}))
	case id == "":
		ps = append(ps, problem("biometrics.companion.id", CodeRequired, Message{
			EN: "Record the representative's or trained person's register number.",
			NL: "Leg het registratienummer van de vertegenwoordiger of opgeleide persoon vast.",
		}))
	case sameUser(id, capturer):
		ps = append(ps, problem("biometrics.companion.id", CodeCompanionRole, Message{
			EN: "The accompanying person cannot be the official taking the biometrics: record an independent representative, trained person or family member.",
			NL: "De begeleider kan niet de ambtenaar zijn die de biometrische gegevens afneemt: leg een onafhankelijke vertegenwoordiger, opgeleide persoon of familielid vast.",
		}))
	case c.isStaff(id, staff):
		ps = append(ps, problem("biometrics.companion.id", CodeCompanionRole, Message{
			EN: "The accompanying person cannot be an official of this screening (a user of this terminal): record an independent representative, trained person or family member.",
			NL: "De begeleider kan geen ambtenaar van deze screening zijn (een gebruiker van deze terminal): leg een onafhankelijke vertegenwoordiger, opgeleide persoon of familielid vast.",
		}))
	}
	return ps
}

// isStaff reports whether id names an official: one of staff, or an official the case
// recorded (who captured, who did the vulnerability check).
func (c *Case) isStaff(id string, staff []string) bool {
	for _, s := range append([]string{c.Biometrics.Operator, c.Vulnerability.Screener}, staff...) {
		if sameUser(id, s) {
			return true
		}
	}
	return false
}

// sameUser compares an ID typed for a companion with a user name as the vault does: case and
// surrounding spaces do not count.
func sameUser(id, user string) bool {
	user = strings.TrimSpace(user)
	return user != "" && strings.EqualFold(strings.TrimSpace(id), user)
}

// CodeNotTrainedForMinors: the capturing official lacks the minors' training.
const CodeNotTrainedForMinors = "not_trained_for_minors"

// CapturerProblems says whether the official may take the biometric data of this person on
// the day of at: a person who is or may be a minor only by an official trained specifically
// to take a minor's biometric data in a child-friendly way (ER Art 14(1)); trained is the
// supervisor's record of that training for the capturing user.
func (c *Case) CapturerProblems(at time.Time, trained bool) Problems {
	if trained || !c.IsMinor(at) {
		return nil
	}
	return Problems{problem("biometrics.operator", CodeNotTrainedForMinors, Message{
		EN: "The person is or may be a minor: only an official trained for taking minors' biometrics may capture. Ask a trained colleague, or a supervisor to record your training.",
		NL: "De persoon is of is mogelijk minderjarig: alleen een ambtenaar die is opgeleid voor het afnemen van biometrische gegevens van minderjarigen mag afnemen. Vraag een opgeleide collega, of een supervisor om uw opleiding vast te leggen.",
	})}
}

// AgeDoubt is the officer's answer to "could this person be a minor?", asked while the date
// of birth is unknown, estimated or leaves 18 open, with the reason; By and At are stamped
// by the terminal when the answer or reason changes.
type AgeDoubt struct {
	CouldBeMinor Answer    `json:"couldBeMinor,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	By           string    `json:"by,omitempty"`
	At           time.Time `json:"at,omitzero"`
}

// IsZero reports whether nothing was answered.
func (d AgeDoubt) IsZero() bool { return d == AgeDoubt{} }

// AgeUncertain reports whether the date of birth leaves open if the person is a minor on the
// day of at: unknown, estimated, or partial with 18 inside its range.
func (c *Case) AgeUncertain(at time.Time) bool {
	if c.Identity.BirthDateEstimated {
		return true
	}
	r, ok := c.Identity.AgeOn(at)
	return !ok || r.Min < AgeOfMajority && r.Max >= AgeOfMajority
}

// SetIdentity records the declared identity. The age-doubt answer must be yes, no or not
// recorded, and an answer needs its reason (the benefit of the doubt is recorded with why);
// it is stamped with by and now when the answer or reason changes, and its stamp kept
// otherwise.
func (c *Case) SetIdentity(id Identity, by string, now time.Time) error {
	d, old := id.AgeDoubt, c.Identity.AgeDoubt
	d.Reason = strings.TrimSpace(d.Reason)
	if !d.CouldBeMinor.Valid() {
		return badValue("identity.ageDoubt.couldBeMinor", string(d.CouldBeMinor))
	}
	if d.CouldBeMinor != AnswerNotRecorded && d.Reason == "" {
		return &RuleError{Path: "identity.ageDoubt.reason", Err: ErrBadValue, Message: Message{
			EN: "Give the reason for the answer to \"could this person be a minor?\" (for example: no document, looks 15 to 17, says 19).",
			NL: "Geef de reden voor het antwoord op \"kan deze persoon minderjarig zijn?\" (bijvoorbeeld: geen document, lijkt 15 tot 17, zegt 19).",
		}}
	}
	d.By, d.At = old.By, old.At
	switch {
	case d.CouldBeMinor == AnswerNotRecorded:
		d = AgeDoubt{}
	case d.CouldBeMinor != old.CouldBeMinor || d.Reason != old.Reason:
		d.By, d.At = by, now.UTC()
	}
	id.AgeDoubt = d
	c.Identity = id
	return nil
}

// AgeDoubtProblems says what capture needs first while the age is uncertain: the answer to
// "could this person be a minor?" with its reason. A "yes" applies the minors' rules (IsMinor,
// the benefit of the doubt: ER Art 14(1), SR Art 13(1)); a "no" is the officer's recorded
// judgement.
func (c *Case) AgeDoubtProblems(at time.Time) Problems {
	return c.ageDoubtProblems(at, "before capture", "voor de afname")
}

func (c *Case) ageDoubtProblems(at time.Time, en, nl string) Problems {
	if !c.AgeUncertain(at) || c.Identity.AgeDoubt.CouldBeMinor != AnswerNotRecorded {
		return nil
	}
	return Problems{problem("identity.ageDoubt.couldBeMinor", CodeRequired, Message{
		EN: "The date of birth is unknown or estimated: answer \"could this person be a minor?\" with the reason " + en + "; in doubt, answer yes.",
		NL: "De geboortedatum is onbekend of geschat: beantwoord \"kan deze persoon minderjarig zijn?\" met de reden " + nl + "; antwoord bij twijfel ja.",
	})}
}

// ChildLeafletProblems says whether a person who is or may be a minor was given the
// child-friendly leaflet, recorded on the case, before capture (Eurodac Art 42(1): the
// information is given in an age-appropriate manner, to a minor with the leaflet for
// children; SR Art 11; ASSUMPTION for the paragraph).
func (c *Case) ChildLeafletProblems(at time.Time) Problems {
	return c.childLeafletProblems(at, "before capture", "voor de afname")
}

func (c *Case) childLeafletProblems(at time.Time, en, nl string) Problems {
	if !c.IsMinor(at) || c.Info.LeafletLanguage != "" && c.Info.ChildFriendly {
		return nil
	}
	return Problems{problem("information.childFriendly", CodeRequired, Message{
		EN: "The person is or may be a minor: hand over the child-friendly leaflet and record it in the information step " + en + ".",
		NL: "De persoon is of is mogelijk minderjarig: geef de kindvriendelijke folder en leg dat vast bij de stap informatie " + nl + ".",
	})}
}

// ErrMinorsSafeguards: the screening of a person who is or may be a minor cannot end while a
// minors' safeguard is not on record (ScreeningEndProblems).
var ErrMinorsSafeguards = errors.New("the minors' safeguards are not on record")

// ScreeningEndProblems says what completing the screening form or closing the case of a
// person who is or may be a minor on the day of at still needs; nil when nothing is missing
// or the person counts as an adult. The minors' rules hold for the whole screening, not only
// for capture: SR Art 13(1) (the best interests of the child and, in doubt about the age,
// the benefit of the doubt), SR Art 13(2)-(3) (an accompanied minor is accompanied by the
// adult family member, an unaccompanied minor by the representative or trained person,
// throughout the screening: the information given, the health and vulnerability checks of
// Art 12) and ER Art 42(1) (information for a minor in an age-appropriate manner). So, in
// this order: the answer to "could this person be a minor?" while the age is uncertain; the
// companion recorded by the rules of CompanionProblems (staff: the terminal's accounts, none
// of whom may be the companion; the case's capturing official and screener neither); the
// child-friendly leaflet.
//
// Once the screening limit has passed, nothing here holds the screening open: SR Art 18(1)
// refers the person "at the latest" when the Art 8 limits expire, and keeping a child in
// screening longer is against the best interests of Art 13(1). What is missing stays on the
// case (its validation and the monitoring summary's minors' safeguards) for the receiving
// authority and the monitor; only ending early, before the limit, is refused.
func (c *Case) ScreeningEndProblems(at time.Time, staff []string) Problems {
	if c.Deadlines().Screening.Passed(at) {
		return nil
	}
	const en, nl = "before the screening is completed or closed", "voordat de screening wordt afgerond of gesloten"
	if ps := c.ageDoubtProblems(at, en, nl); len(ps) > 0 {
		return ps // the answer decides whether the minors' rules apply
	}
	ps := c.companionProblems(at, c.Biometrics.Operator, staff, beforeEnd)
	return append(ps, c.childLeafletProblems(at, en, nl)...)
}
