package forms

import (
	"errors"
	"fmt"
	"time"
)

// SecuritySystems are the systems the security check queries (Art 15(2) of Regulation
// 2024/1356): SIS, EES, ETIAS including the ETIAS watchlist (Art 34 of Regulation
// 2018/1240), VIS, ECRIS-TCN, Europol data, the Interpol databases SLTD (stolen and lost
// travel documents) and TDAWN (travel documents associated with notices), and the relevant
// national databases. Each keeps its own state on the case.
var SecuritySystems = []string{"SIS", "VIS", "EES", "ETIAS", "ETIAS_WATCHLIST", "ECRIS_TCN",
	"EUROPOL", "INTERPOL_SLTD", "INTERPOL_TDAWN", "NATIONAL"}

// IdentificationSystem is the common identity repository (CIR) queried for the
// identification of SR Art 14(2) with the biometric data taken during the screening
// (through the ESP, SR Art 16(1); Regulation 2019/817 Art 20).
const IdentificationSystem = "CIR"

// QueriedSystems lists the systems a case's checks must query, in the order the form lists
// them: every system of SR Art 15(2), and the CIR (Art 14(2)) once biometric data were
// taken, since that identification is made with them.
func QueriedSystems(c *Case) []string {
	out := append([]string(nil), SecuritySystems...)
	if c.biometricsTaken() {
		out = append(out, IdentificationSystem)
	}
	return out
}

// UnqueriedSystems lists the systems of QueriedSystems that the case has no check of yet:
// what the next submission must query (the CIR once biometrics were taken after the
// security check was sent).
func (c *Case) UnqueriedSystems() []string {
	have := map[string]bool{}
	for _, ch := range c.Checks {
		have[ch.System] = true
	}
	var out []string
	for _, s := range QueriedSystems(c) {
		if !have[s] {
			out = append(out, s)
		}
	}
	return out
}

// CheckAnswer is one system's answer to one security-check query, as the app reads it from
// central's result.
type CheckAnswer struct {
	// Query is the reference the check was queued under (the check packet's ID).
	Query string
	// System is the system answering; empty for an answer from a central that answered
	// the whole query at once (before per-system answers).
	System string
	Status CheckStatus
	// Reference is the hit or answer reference (never hit content).
	Reference string
	// Reason explains a not_possible answer.
	Reason string
	At     time.Time
}

// Errors of ApplyCheckAnswer a caller decides on (the app audits both, it never drops them).
var (
	// ErrNoSuchCheck: the case has no check of that system under that query.
	ErrNoSuchCheck = errors.New("no security check of this system under this query")
	// ErrCheckAnswered: the check already has an answer; a second one does not replace it.
	ErrCheckAnswered = errors.New("security check already answered")
)

// ApplyCheckAnswer records a system's answer on the case's check of that system, and only
// on that one: a hit in SIS says nothing about VIS. Only a pending check takes an answer.
//
// The rule of Art 15-16 as the terminal applies it: a check is no hit only when the system
// answered no hit. An error, a rejection or any answer the terminal cannot read is
// not_possible with its reason, never no_hit, and pending is never read as no hit
// (Art 17(1)(h): the form states the result of each check, so an unknown result is said
// to be one).
//
// An answer without a system (an older central answering the whole query at once) applies
// to every pending check of the query: "no hit" means no system hit; a "hit" does not say
// which system hit, so each check becomes not_possible with that reason rather than a hit
// in every system. It returns how many checks took the answer.
func (c *Case) ApplyCheckAnswer(a CheckAnswer) (int, error) {
	st, reason := a.Status, a.Reason
	switch st {
	case CheckHit, CheckNoHit:
	case CheckNotPossible:
		if reason == "" {
			reason = "the system gave no answer"
		}
	default:
		st, reason = CheckNotPossible, fmt.Sprintf("unreadable answer %q", string(a.Status))
	}
	if a.System == "" && st == CheckHit {
		st, reason = CheckNotPossible, "central reported a hit without naming the system: ask central which system hit"
	}
	n, answered := 0, false
	for i := range c.Checks {
		ch := &c.Checks[i]
		if ch.Reference != a.Query || (a.System != "" && ch.System != a.System) {
			continue
		}
		if ch.Status != CheckPending {
			answered = true
			continue
		}
		ch.Status, ch.AnsweredAt, ch.Reason = st, a.At.UTC(), ""
		if st == CheckNotPossible {
			ch.Reason = reason
		}
		if a.Reference != "" {
			ch.Reference = a.Reference
		}
		n++
	}
	switch {
	case n > 0:
		return n, nil
	case answered:
		return 0, fmt.Errorf("%w: %s", ErrCheckAnswered, a.System)
	}
	return 0, fmt.Errorf("%w: %s", ErrNoSuchCheck, a.System)
}

// SystemInfo is how a queried system is named to people: its full name in the interface
// languages (with the acronym officers know it by) and the article of the Screening
// Regulation (SR, 2024/1356) that makes the terminal query it.
type SystemInfo struct {
	Code    string
	Name    Message
	Article string
}

// systemInfo names every code of CheckSystems. SR Art 15(2) lists the databases of the
// security check; SR Art 14(2) the identification through the CIR; Eurodac is queried
// under Eurodac Regulation 2024/1358 (kept for cases stored with such a check).
var systemInfo = map[string]SystemInfo{
	"SIS": {Article: "SR Art 15(2)", Name: Message{
		EN: "Schengen Information System (SIS)",
		NL: "Schengeninformatiesysteem (SIS)"}},
	"VIS": {Article: "SR Art 15(2)", Name: Message{
		EN: "Visa Information System (VIS)",
		NL: "Visuminformatiesysteem (VIS)"}},
	"EES": {Article: "SR Art 15(2)", Name: Message{
		EN: "Entry/Exit System (EES)",
		NL: "Inreis-uitreissysteem (EES)"}},
	"ETIAS": {Article: "SR Art 15(2)", Name: Message{
		EN: "European Travel Information and Authorisation System (ETIAS)",
		NL: "Europees systeem voor reisinformatie en -autorisatie (ETIAS)"}},
	"ETIAS_WATCHLIST": {Article: "SR Art 15(2); ETIAS Regulation 2018/1240 Art 34", Name: Message{
		EN: "ETIAS watchlist",
		NL: "ETIAS-observatielijst"}},
	"ECRIS_TCN": {Article: "SR Art 15(2)", Name: Message{
		EN: "Criminal records of third-country nationals (ECRIS-TCN)",
		NL: "Strafregisters van onderdanen van derde landen (ECRIS-TCN)"}},
	"EUROPOL": {Article: "SR Art 15(2), Art 16(1)", Name: Message{
		EN: "Europol data",
		NL: "Europol-gegevens"}},
	"INTERPOL_SLTD": {Article: "SR Art 15(2), Art 16(1)", Name: Message{
		EN: "Interpol Stolen and Lost Travel Documents (SLTD)",
		NL: "Interpol gestolen en verloren reisdocumenten (SLTD)"}},
	"INTERPOL_TDAWN": {Article: "SR Art 15(2), Art 16(1)", Name: Message{
		EN: "Interpol Travel Documents Associated with Notices (TDAWN)",
		NL: "Interpol reisdocumenten gekoppeld aan notices (TDAWN)"}},
	"NATIONAL": {Article: "SR Art 15(2)", Name: Message{
		EN: "National databases",
		NL: "Nationale databanken"}},
	"CIR": {Article: "SR Art 14(2), Art 16(1)", Name: Message{
		EN: "Identification in the common identity repository (CIR)",
		NL: "Identificatie in het gemeenschappelijk identiteitsregister (CIR)"}},
	"EURODAC": {Article: "Eurodac Regulation 2024/1358", Name: Message{
		EN: "Eurodac",
		NL: "Eurodac"}},
}

// System names a system code for people. A code this terminal does not know (a system a
// newer central answers for) keeps the code as its name, so it is shown rather than hidden.
func System(code string) SystemInfo {
	if in, ok := systemInfo[code]; ok {
		in.Code = code
		return in
	}
	return SystemInfo{Code: code, Name: Message{EN: code, NL: code}}
}

// SystemCheck is one line of the case's checks as the officer reads them: the system and
// its check, nil while the system is not queried yet.
type SystemCheck struct {
	SystemInfo
	Check *SecurityCheck
}

// ChecksBySystem lists every system the case's checks must query (QueriedSystems, in that
// order) with its check or nil, then any other stored check (a system queried by an older
// terminal), so every check the case holds is shown and no required one is missing.
func (c *Case) ChecksBySystem() []SystemCheck {
	var out []SystemCheck
	used := make([]bool, len(c.Checks))
	for _, sys := range QueriedSystems(c) {
		found := false
		for i := range c.Checks {
			if c.Checks[i].System == sys {
				out, used[i], found = append(out, SystemCheck{System(sys), &c.Checks[i]}), true, true
			}
		}
		if !found {
			out = append(out, SystemCheck{SystemInfo: System(sys)})
		}
	}
	for i := range c.Checks {
		if !used[i] {
			out = append(out, SystemCheck{System(c.Checks[i].System), &c.Checks[i]})
		}
	}
	return out
}
