package forms

import (
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
	if !c.IsMinor(at) {
		return nil
	}
	cp := c.Biometrics.Companion
	unaccompanied := c.Unaccompanied()
	if cp == nil {
		if unaccompanied {
			return Problems{problem("biometrics.companion", CodeCompanionMissing, Message{
				EN: "The person is or may be an unaccompanied minor: record the representative or trained person (role and register number) before capture.",
				NL: "De persoon is of is mogelijk een alleenstaande minderjarige: leg de vertegenwoordiger of opgeleide persoon vast (rol en registratienummer) voor de afname.",
			})}
		}
		return Problems{problem("biometrics.companion", CodeCompanionMissing, Message{
			EN: "The person is or may be a minor: record the adult family member (relationship and ID or badge number) before capture; mark an unaccompanied minor in the vulnerability check.",
			NL: "De persoon is of is mogelijk minderjarig: leg het volwassen familielid vast (verwantschap en identiteits- of badgenummer) voor de afname; markeer een alleenstaande minderjarige in de kwetsbaarheidscontrole.",
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
