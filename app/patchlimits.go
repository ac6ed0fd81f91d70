package app

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/fieldscreen/fieldscreen/forms"
)

// Limits on the lists a case update (a merge patch) may fill. forms.MaxCaseBytes bounds the
// bytes, but 1 MiB holds some 15,000 documents or family members, each of which becomes
// a command, a stored entry, a row on every printed form and a field of the Eurodac
// transaction. The numbers are what one screening of one person can need, with room to
// spare; a list stored longer (before these limits) may stay so, it only may not grow.
const (
	// Documents a person carries or hands over: a passport or two (an old and a new one),
	// an identity card, visas, residence permits, a driving licence, birth and marriage
	// certificates. Twenty covers that with room.
	maxDocuments = 20
	// Family members in a Member State as the person states them (SR Art 17(1)(g)):
	// parents, a spouse, children, brothers and sisters, their families. Thirty.
	maxFamily = 30
	// Parts of one name list (surnames, given names, in Latin and original script, names
	// at birth): long Arabic or Iberian names have six to eight parts (an ICAO 9303 MRZ
	// holds 39 letters for all of them). Twelve.
	maxNameParts = 12
	// Other names and aliases (ER Art 17(1)(c)): twenty.
	maxOtherNames = 20
	// Nationalities: dual or triple nationality is rare, more is unheard of; XXA or XXX
	// stand alone. Five.
	maxNationalities = 5
	// Languages spoken, preferred first: what an interpreter may be needed for. Ten.
	maxLanguages = 10
	// Countries of residence before arrival (SR Art 17(1)(b)): a journey of years through
	// many countries still names fewer than thirty.
	maxResidences = 30
	// Special reception and procedural needs, each a line of the vulnerability check (SR
	// Art 12(3)): twenty each.
	maxNeeds = 20
	// A patch records at most one exception per finger position (ten), one refusal of each
	// kind (forms.RefusalWhats: fingerprints, face, both) and one explanation per legal
	// clock (screening, Eurodac): these lists are logs that only grow, so what one patch
	// adds is bounded, not the length.
	maxFingersAdded        = 10
	maxDeadlineMissesAdded = 2
)

// ErrTooManyEntries: a patch gives a list more entries than a screening needs.
var ErrTooManyEntries = errors.New("more list entries than a screening needs")

// ListLimitError names the list of a patched case that holds (or, for a log, adds) more
// entries than a screening needs, and the limit.
type ListLimitError struct {
	Field   string
	Entries int
	Limit   int
	// Added: the limit is on the entries one patch adds to a log, not on its length.
	Added bool
}

func (e *ListLimitError) Error() string {
	if e.Added {
		return fmt.Sprintf("%s: the patch adds %d entries, at most %d at a time (%v): send one change per entry", e.Field, e.Entries, e.Limit, ErrTooManyEntries)
	}
	return fmt.Sprintf("%s: %d entries, at most %d (%v): keep the list to %d entries", e.Field, e.Entries, e.Limit, ErrTooManyEntries, e.Limit)
}

func (e *ListLimitError) Unwrap() error { return ErrTooManyEntries }

// checkListLimits refuses a patched case edited whose lists outgrow the limits above,
// compared with the stored case base. The lists only the system writes (history, security
// checks, form packets, open checks, corrections) are not counted here: Do refuses any change to them.
// Vulnerability indicators and items not established are codes that each stand once, so
// their lists are bounded by their code lists.
func checkListLimits(base, edited *forms.Case) error {
	var err error
	capped := func(field string, n, was, limit int) {
		if err == nil && n > limit && n > was {
			err = &ListLimitError{Field: field, Entries: n, Limit: limit}
		}
	}
	added := func(field string, n, was, limit int) {
		if err == nil && n-was > limit {
			err = &ListLimitError{Field: field, Entries: n - was, Limit: limit, Added: true}
		}
	}
	identity := func(prefix string, id, was forms.Identity) {
		capped(prefix+"surnames", len(id.Surnames), len(was.Surnames), maxNameParts)
		capped(prefix+"givenNames", len(id.GivenNames), len(was.GivenNames), maxNameParts)
		capped(prefix+"surnamesOriginal", len(id.SurnamesOriginal), len(was.SurnamesOriginal), maxNameParts)
		capped(prefix+"givenNamesOriginal", len(id.GivenNamesOriginal), len(was.GivenNamesOriginal), maxNameParts)
		capped(prefix+"namesAtBirth", len(id.NamesAtBirth), len(was.NamesAtBirth), maxNameParts)
		capped(prefix+"otherNames", len(id.OtherNames), len(was.OtherNames), maxOtherNames)
		capped(prefix+"nationalities", len(id.Nationalities), len(was.Nationalities), maxNationalities)
		capped(prefix+"languages", len(id.Languages), len(was.Languages), maxLanguages)
		capped(prefix+"residences", len(id.Residences), len(was.Residences), maxResidences)
	}
	capped("documents", len(edited.Documents), len(base.Documents), maxDocuments)
	capped("family", len(edited.Family), len(base.Family), maxFamily)
	identity("identity.", edited.Identity, base.Identity)
	for i, d := range edited.Documents {
		if err != nil {
			break
		}
		var was forms.Identity
		if i < len(base.Documents) {
			was = base.Documents[i].Holder
		}
		identity("documents["+strconv.Itoa(i)+"].holder.", d.Holder, was)
	}
	ev, bv := edited.Vulnerability, base.Vulnerability
	capped("vulnerability.indicators", len(ev.Indicators), len(bv.Indicators), len(forms.VulnerabilityIndicators))
	capped("vulnerability.receptionNeeds", len(ev.ReceptionNeeds), len(bv.ReceptionNeeds), maxNeeds)
	capped("vulnerability.proceduralNeeds", len(ev.ProceduralNeeds), len(bv.ProceduralNeeds), maxNeeds)
	capped("notEstablished", len(edited.NotEstablished), len(base.NotEstablished), len(forms.Art17Items))
	added("biometrics.fingers", len(edited.Biometrics.Fingers), len(base.Biometrics.Fingers), maxFingersAdded)
	// cleared exceptions are written by SetFingerException only (a patch's are not taken
	// over), at most one per finger a patch puts back in the plan
	added("biometrics.clearedExceptions", len(edited.Biometrics.Cleared), len(base.Biometrics.Cleared), maxFingersAdded)
	added("biometrics.refusals", len(edited.Biometrics.Refusals), len(base.Biometrics.Refusals), len(forms.RefusalWhats))
	added("deadlineMisses", len(edited.DeadlineMisses), len(base.DeadlineMisses), maxDeadlineMissesAdded)
	return err
}
