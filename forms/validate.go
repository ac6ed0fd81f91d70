package forms

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/assets"
)

// clockSkew is how far in the future a timestamp may lie before it counts as a mistake:
// terminal clocks drift, and an entry made seconds "ahead" is not an error.
const clockSkew = 10 * time.Minute

// Validate checks every rule and returns all problems at once, in field order, so the officer
// sees the whole list instead of fixing one error per save. An empty result means valid. It
// does not check completeness for the form (see Completeness) and never blocks on a missed
// deadline: it asks for the reason.
func (c *Case) Validate(now time.Time) Problems {
	v := &validator{now: now, today: DateOf(now)}
	if c.Status != "" && !c.Status.Valid() {
		v.add("status", CodeInvalidValue, enumMsg("status", c.Status, Statuses))
	}
	v.trigger(c.Trigger)
	v.information(c.Info)
	v.identity("identity", c.Identity)
	for i, d := range c.Documents {
		v.document(fmt.Sprintf("documents[%d]", i), d)
	}
	if c.Health.Result != "" && !c.Health.Result.Valid() {
		v.add("health.result", CodeInvalidValue, enumMsg("health result", c.Health.Result, HealthResults))
	}
	v.notFuture("health.at", c.Health.At)
	v.vulnerability(c.Vulnerability)
	if !c.Application.Made.Valid() {
		v.add("application.made", CodeInvalidValue, enumMsg("answer", c.Application.Made, Answers))
	}
	if !c.Application.Made.Yes() && (!c.Application.At.IsZero() || c.Application.Place != "") {
		v.add("application.made", CodeInconsistent, Message{
			EN: "A time or place of application is recorded but \"made\" is not \"yes\".",
			NL: "Er is een tijd of plaats van het verzoek vastgelegd, maar \"made\" is niet \"yes\".",
		})
	}
	v.notFuture("application.at", c.Application.At)
	for i, f := range c.Family {
		p := fmt.Sprintf("family[%d]", i)
		v.nonEmpty(p+".name", f.Name)
		v.nonEmpty(p+".relation", f.Relation)
		v.state(p+".memberState", f.MemberState, true)
	}
	switch {
	case !c.FamilyInMemberState.Valid():
		v.add("familyInMemberState", CodeInvalidValue, enumMsg("answer", c.FamilyInMemberState, Answers))
	case c.FamilyInMemberState == AnswerNo && len(c.Family) > 0:
		v.add("familyInMemberState", CodeInconsistent, Message{
			EN: "Family members are listed but the answer is \"no\".",
			NL: "Er staan familieleden vermeld, maar het antwoord is \"nee\".",
		})
	}
	if c.Cooperation.Complied != "" && !oneOf(c.Cooperation.Complied, CooperationValues) {
		v.add("cooperation.complied", CodeInvalidValue, enumMsg("cooperation", c.Cooperation.Complied, CooperationValues))
	}
	for doc, h := range map[string]HandedOver{HandoverForm: c.Handover.Form, HandoverLeaflet: c.Handover.Leaflet} {
		if h.Status != "" && !oneOf(h.Status, HandoverStatuses) {
			v.add("handover."+doc+".status", CodeInvalidValue, enumMsg("handover status", h.Status, HandoverStatuses))
		}
	}
	if !c.Remarks.CopyReceived.Valid() {
		v.add("remarks.copyReceived", CodeInvalidValue, enumMsg("answer", c.Remarks.CopyReceived, Answers))
	}
	for i, n := range c.NotEstablished {
		p := fmt.Sprintf("notEstablished[%d]", i)
		if it, ok := art17Item(n.Item); !ok || !it.MayBeUnestablished {
			v.add(p+".item", CodeInvalidValue, Message{
				EN: fmt.Sprintf("%q is not a form item that can be marked as not established.", n.Item),
				NL: fmt.Sprintf("%q is geen onderdeel van het formulier dat als niet vastgesteld kan worden gemarkeerd.", n.Item),
			})
		}
		v.nonEmpty(p+".reason", n.Reason)
	}
	v.checks(c.Checks)
	v.biometrics(c)
	if c.Eurodac.Category != "" && !oneOf(c.Eurodac.Category, EurodacCategories) {
		v.add("eurodac.category", CodeInvalidValue, enumMsg("Eurodac category", c.Eurodac.Category, EurodacCategories))
	}
	v.state("eurodac.memberStateOfOrigin", c.Eurodac.MemberStateOfOrigin, false)
	v.notFuture("eurodac.transmittedAt", c.Eurodac.TransmittedAt)
	v.referral(c.Referral)
	for i, m := range c.DeadlineMisses {
		p := fmt.Sprintf("deadlineMisses[%d]", i)
		if m.Deadline != DeadlineScreening && m.Deadline != DeadlineEurodac {
			v.add(p+".deadline", CodeInvalidValue, enumMsg("deadline", m.Deadline, []DeadlineKind{DeadlineScreening, DeadlineEurodac}))
		}
		if !oneOf(m.Reason, MissReasons) {
			v.add(p+".reason", CodeInvalidValue, enumMsg("reason", m.Reason, MissReasons))
		}
	}
	for _, k := range c.MissingMissReasons(now) {
		v.add("deadlineMisses", CodeMissReasonMissing, Message{
			EN: fmt.Sprintf("The %s deadline was missed: record a reason (OFFLINE, HEALTH, FINGERTIPS, REFUSAL or TECH_FAILURE). Work continues meanwhile.", k),
			NL: fmt.Sprintf("De %s-termijn is overschreden: leg een reden vast (OFFLINE, HEALTH, FINGERTIPS, REFUSAL of TECH_FAILURE). Het werk gaat intussen door.", dutchDeadline(k)),
		})
	}
	if c.Outcome != "" && c.Outcome != OutcomeCompleted && c.Outcome != OutcomeEndedAtDeadlineWithOpenChecks {
		v.add("outcome", CodeInvalidValue, enumMsg("outcome", c.Outcome, []Outcome{OutcomeCompleted, OutcomeEndedAtDeadlineWithOpenChecks}))
	}
	return v.ps
}

func dutchDeadline(k DeadlineKind) string {
	if k == DeadlineScreening {
		return "screenings"
	}
	return "Eurodac"
}

type validator struct {
	now   time.Time
	today PartialDate
	ps    Problems
}

func (v *validator) add(path, code string, m Message) { v.ps = append(v.ps, problem(path, code, m)) }

func enumMsg[T ~string](what string, got T, valid []T) Message {
	names := make([]string, len(valid))
	for i, s := range valid {
		names[i] = string(s)
	}
	list := strings.Join(names, ", ")
	return Message{
		EN: fmt.Sprintf("Unknown %s %q; use one of: %s.", what, got, list),
		NL: fmt.Sprintf("Onbekende waarde %q voor %s; gebruik een van: %s.", got, what, list),
	}
}

func (v *validator) nonEmpty(path, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(path, CodeEmptyValue, Message{
			EN: "Empty value: leave the entry out or record \"unknown\" explicitly.",
			NL: "Lege waarde: laat het item weg of leg \"onbekend\" expliciet vast.",
		})
	}
}

func (v *validator) names(path string, ns []string) {
	for i, n := range ns {
		v.nonEmpty(fmt.Sprintf("%s[%d]", path, i), n)
	}
}

func (v *validator) notFuture(path string, t time.Time) {
	if !t.IsZero() && t.After(v.now.Add(clockSkew)) {
		v.add(path, CodeFutureDate, Message{
			EN: "This time lies in the future; check the date and the terminal clock.",
			NL: "Dit tijdstip ligt in de toekomst; controleer de datum en de klok van de terminal.",
		})
	}
}

func (v *validator) futureDate(path string, d PartialDate) {
	if !d.IsZero() && v.today.Before(d.Earliest()) {
		v.add(path, CodeFutureDate, Message{
			EN: fmt.Sprintf("The date %s lies in the future.", d),
			NL: fmt.Sprintf("De datum %s ligt in de toekomst.", d),
		})
	}
}

// state checks an ICAO 9303 code for a state that issues, hosts or relocates. The stateless,
// refugee and unknown codes are nationalities only, so they are refused here.
func (v *validator) state(path, code string, required bool) {
	if code == "" {
		if required {
			v.add(path, CodeRequired, msgRequired)
		}
		return
	}
	if !knownState(code) || !stateAllowedAsPlace(code) {
		v.unknownState(path, code)
	}
}

func (v *validator) unknownState(path, code string) {
	v.add(path, CodeUnknownState, Message{
		EN: fmt.Sprintf("Unknown state code %q; use an ICAO 9303 three-letter code (e.g. NLD, SYR, D for Germany).", code),
		NL: fmt.Sprintf("Onbekende landcode %q; gebruik een ICAO 9303-code van drie letters (bijv. NLD, SYR, D voor Duitsland).", code),
	})
}

// stateAllowedAsPlace excludes the nationality-only codes from places such as an issuing
// state or a country of residence.
func stateAllowedAsPlace(code string) bool {
	return code != Stateless && code != UnknownNationality && code != "XXB" && code != "XXC"
}

func (v *validator) trigger(t Trigger) {
	switch {
	case t.Reason == "":
		v.add("trigger.reason", CodeRequired, msgRequired)
	case !t.Reason.Valid():
		v.add("trigger.reason", CodeInvalidValue, enumMsg("trigger reason", t.Reason, TriggerReasons))
	}
	if t.At.IsZero() {
		v.add("trigger.at", CodeRequired, Message{
			EN: "The trigger time is required: every deadline runs from it.",
			NL: "Het tijdstip van de aanleiding is verplicht: alle termijnen lopen daarvanaf.",
		})
	}
	v.notFuture("trigger.at", t.At)
	if strings.TrimSpace(t.Place) == "" {
		v.add("trigger.place", CodeRequired, msgRequired)
	}
	if t.HeldAtBorderOver72h && t.Reason != TriggerIrregularCrossing {
		v.add("trigger.heldAtBorderOver72h", CodeInconsistent, Message{
			EN: "The 4-day limit for persons held at the border applies only to Art 5(1)(a) irregular crossings.",
			NL: "De termijn van 4 dagen voor personen die aan de grens worden vastgehouden geldt alleen bij art. 5, lid 1, onder a (irreguliere grensoverschrijding).",
		})
	}
}

var mediums = []string{"paper", "electronic"}

func (v *validator) information(in Information) {
	if in.LeafletLanguage != "" {
		if p := leafletLanguageProblem(in.LeafletLanguage, in.LeafletVersion); p != nil {
			v.ps = append(v.ps, *p)
		}
	}
	if in.Medium != "" && !oneOf(in.Medium, mediums) {
		v.add("information.medium", CodeInvalidValue, enumMsg("medium", in.Medium, mediums))
	}
	if in.Interpreter.Language != "" {
		v.language("information.interpreter.language", in.Interpreter.Language)
	}
	if !in.Interpreter.Used && (in.Interpreter.Language != "" || in.Interpreter.ID != "") {
		v.add("information.interpreter.used", CodeInconsistent, Message{
			EN: "An interpreter language or ID is recorded but \"used\" is false.",
			NL: "Er is een taal of ID van een tolk vastgelegd, maar \"used\" is false.",
		})
	}
	v.notFuture("information.at", in.At)
}

func isLower(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// language checks an ISO 639-3 code: three lower-case letters. Until forms/codelist lands it
// checks the form, not membership.
func (v *validator) language(path, code string) {
	if !isLower(code, 3, 3) {
		v.add(path, CodeUnknownLanguage, Message{
			EN: fmt.Sprintf("Language %q is not an ISO 639-3 code (three lower-case letters, e.g. ara, prs, tir).", code),
			NL: fmt.Sprintf("Taal %q is geen ISO 639-3-code (drie kleine letters, bijv. ara, prs, tir).", code),
		})
	}
}

func (v *validator) identity(p string, id Identity) {
	v.names(p+".surnames", id.Surnames)
	v.names(p+".givenNames", id.GivenNames)
	v.names(p+".surnamesOriginal", id.SurnamesOriginal)
	v.names(p+".givenNamesOriginal", id.GivenNamesOriginal)
	v.names(p+".otherNames", id.OtherNames)
	v.futureDate(p+".birthDate", id.BirthDate)
	if id.Sex != "" && !id.Sex.Valid() {
		v.add(p+".sex", CodeInvalidValue, enumMsg("sex", id.Sex, []Sex{SexFemale, SexMale, SexUnspecified}))
	}
	v.state(p+".countryOfBirth", id.CountryOfBirth, false)
	seen := map[string]bool{}
	for i, n := range id.Nationalities {
		np := fmt.Sprintf("%s.nationalities[%d]", p, i)
		switch {
		case n == "":
			v.nonEmpty(np, n)
			continue
		case seen[n]:
			v.add(np, CodeDuplicate, Message{EN: fmt.Sprintf("Nationality %s is listed twice.", n), NL: fmt.Sprintf("Nationaliteit %s staat er twee keer in.", n)})
		}
		seen[n] = true
		if !knownState(n) {
			v.unknownState(np, n)
		}
	}
	if len(id.Nationalities) > 1 {
		for _, special := range []string{Stateless, UnknownNationality} {
			if seen[special] {
				v.add(p+".nationalities", CodeStatelessWithNat, Message{
					EN: fmt.Sprintf("%s (%s) cannot be combined with another nationality; keep one or the other.", special, specialName(special, "en")),
					NL: fmt.Sprintf("%s (%s) kan niet samengaan met een andere nationaliteit; houd het een of het ander.", special, specialName(special, "nl")),
				})
			}
		}
	}
	for i, l := range id.Languages {
		v.language(fmt.Sprintf("%s.languages[%d]", p, i), l)
	}
	for i, r := range id.Residences {
		rp := fmt.Sprintf("%s.residences[%d]", p, i)
		v.state(rp+".country", r.Country, true)
		v.futureDate(rp+".from", r.From)
		if !r.From.IsZero() && !r.To.IsZero() && r.To.Latest().Before(r.From.Earliest()) {
			v.add(rp+".to", CodeInconsistent, Message{EN: "The period ends before it starts.", NL: "De periode eindigt voordat hij begint."})
		}
	}
}

func specialName(code, lang string) string {
	switch {
	case code == Stateless && lang == "nl":
		return "staatloos"
	case code == Stateless:
		return "stateless"
	case lang == "nl":
		return "onbekend"
	}
	return "unknown"
}

// Document type codes: ICAO 9303 document codes start with P, I, A, C or V.
func validDocType(t string) bool {
	if len(t) < 1 || len(t) > 2 || !strings.ContainsRune("PIACV", rune(t[0])) {
		return false
	}
	return len(t) == 1 || (t[1] >= 'A' && t[1] <= 'Z')
}

func validDocNumber(n string) bool {
	if len(n) == 0 || len(n) > 20 {
		return false
	}
	for _, c := range n {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (v *validator) document(p string, d Document) {
	if !validDocType(d.Type) {
		v.add(p+".type", CodeInvalidValue, Message{
			EN: fmt.Sprintf("Document type %q is not an ICAO 9303 code (P passport, I identity card, A, C, V, or two letters starting with one of these).", d.Type),
			NL: fmt.Sprintf("Documentsoort %q is geen ICAO 9303-code (P paspoort, I identiteitskaart, A, C, V, of twee letters die daarmee beginnen).", d.Type),
		})
	}
	if !validDocNumber(d.Number) {
		v.add(p+".number", CodeInvalidValue, Message{
			EN: "The document number must be 1-20 capital letters or digits, without spaces or filler characters.",
			NL: "Het documentnummer moet bestaan uit 1-20 hoofdletters of cijfers, zonder spaties of opvultekens.",
		})
	}
	v.state(p+".issuingState", d.IssuingState, true)
	for _, dd := range []struct {
		path string
		d    PartialDate
	}{{p + ".issueDate", d.IssueDate}, {p + ".expiryDate", d.ExpiryDate}} {
		if !dd.d.IsZero() && !dd.d.Full() {
			v.add(dd.path, CodeDateIncomplete, Message{
				EN: "A document date must be a full date YYYY-MM-DD.",
				NL: "Een documentdatum moet een volledige datum JJJJ-MM-DD zijn.",
			})
		}
	}
	v.futureDate(p+".issueDate", d.IssueDate)
	if d.IssueDate.Full() && d.ExpiryDate.Full() && !d.IssueDate.Before(d.ExpiryDate) {
		v.add(p+".expiryDate", CodeExpiryBeforeIssue, Message{
			EN: fmt.Sprintf("The expiry date %s is not after the issue date %s.", d.ExpiryDate, d.IssueDate),
			NL: fmt.Sprintf("De vervaldatum %s ligt niet na de afgiftedatum %s.", d.ExpiryDate, d.IssueDate),
		})
	}
	if d.Source != "" && d.Source != "mrz" && d.Source != "manual" {
		v.add(p+".source", CodeInvalidValue, enumMsg("source", d.Source, []string{"mrz", "manual"}))
	}
	if d.Authenticity != "" && !oneOf(d.Authenticity, Authenticities) {
		v.add(p+".authenticity", CodeInvalidValue, enumMsg("authenticity", d.Authenticity, Authenticities))
	}
	if d.ScanSource != "" && !oneOf(d.ScanSource, ScanSources) {
		v.add(p+".scanSource", CodeInvalidValue, enumMsg("scan source", d.ScanSource, ScanSources))
	}
	if d.ScanRef != "" && d.Authenticity == "" {
		v.add(p+".authenticity", CodeRequired, errScanNeedsAuthenticity)
	}
	v.identity(p+".holder", d.Holder)
}

func (v *validator) vulnerability(vu Vulnerability) {
	for i, ind := range vu.Indicators {
		if !oneOf(ind, VulnerabilityIndicators) {
			v.add(fmt.Sprintf("vulnerability.indicators[%d]", i), CodeInvalidValue, enumMsg("vulnerability indicator", ind, VulnerabilityIndicators))
		}
	}
	if !vu.Checked && (len(vu.Indicators) > 0 || vu.Screener != "" || !vu.At.IsZero()) {
		v.add("vulnerability.checked", CodeInconsistent, Message{
			EN: "Indicators or a screener are recorded but \"checked\" is false.",
			NL: "Er zijn indicatoren of een screener vastgelegd, maar \"checked\" is false.",
		})
	}
	v.notFuture("vulnerability.at", vu.At)
}

func (v *validator) checks(cs []SecurityCheck) {
	for i, ch := range cs {
		p := fmt.Sprintf("securityChecks[%d]", i)
		if !oneOf(ch.System, CheckSystems) {
			v.add(p+".system", CodeInvalidValue, enumMsg("system", ch.System, CheckSystems))
		}
		if !ch.Status.Valid() {
			v.add(p+".status", CodeInvalidValue, enumMsg("check status", ch.Status, CheckStatuses))
		}
		if ch.Status == CheckNotPossible && strings.TrimSpace(ch.Reason) == "" {
			v.add(p+".reason", CodeRequired, Message{
				EN: "Say why the check was not possible.",
				NL: "Geef aan waarom de bevraging niet mogelijk was.",
			})
		}
		if ch.Status == CheckPending && !ch.AnsweredAt.IsZero() {
			v.add(p+".status", CodeInconsistent, Message{
				EN: "The check has an answer time but is still pending.",
				NL: "De bevraging heeft een antwoordtijd maar staat nog op pending.",
			})
		}
		v.notFuture(p+".queriedAt", ch.QueriedAt)
		v.notFuture(p+".answeredAt", ch.AnsweredAt)
	}
}

func (v *validator) biometrics(c *Case) {
	b := c.Biometrics
	anyCaptured := b.Face.Status == FaceCaptured
	for i, f := range b.Fingers {
		p := fmt.Sprintf("biometrics.fingers[%d]", i)
		if !f.Position.Valid() {
			v.add(p+".position", CodeInvalidValue, Message{
				EN: fmt.Sprintf("Finger position %d is not 1-10 (1 right thumb … 10 left little).", f.Position),
				NL: fmt.Sprintf("Vingerpositie %d ligt niet tussen 1 en 10 (1 rechterduim … 10 linkerpink).", f.Position),
			})
		}
		if !f.Status.Valid() {
			v.add(p+".status", CodeInvalidValue, enumMsg("finger status", f.Status, FingerStatuses))
		}
		if f.Status == FingerTemporarilyUnusable && f.RetakeOn.IsZero() {
			v.add(p+".retakeOn", CodeRetakeDateMissing, Message{
				EN: "A temporarily unusable finger needs a planned retake date.",
				NL: "Een tijdelijk onbruikbare vinger heeft een geplande datum voor opnieuw afnemen nodig.",
			})
		}
		if f.Quality < 0 || f.Quality > 100 {
			v.add(p+".quality", CodeInvalidValue, Message{EN: "Quality must be 0-100.", NL: "Kwaliteit moet tussen 0 en 100 liggen."})
		}
		anyCaptured = anyCaptured || f.Status == FingerCaptured
	}
	faces := []FaceStatus{FaceCaptured, FaceRefused, FaceNotPossible}
	if b.Face.Status != "" && !oneOf(b.Face.Status, faces) {
		v.add("biometrics.face.status", CodeInvalidValue, enumMsg("face status", b.Face.Status, faces))
	}
	if cp := b.Companion; cp != nil {
		roles := []CompanionRole{CompanionFamily, CompanionRepresentative, CompanionTrainedPerson}
		if !oneOf(cp.Role, roles) {
			v.add("biometrics.companion.role", CodeInvalidValue, enumMsg("companion role", cp.Role, roles))
		} else if cp.Role == CompanionFamily && c.Unaccompanied() {
			v.add("biometrics.companion.role", CodeCompanionRole, Message{
				EN: "An unaccompanied minor is accompanied by a representative or a trained person, not a family member.",
				NL: "Een alleenstaande minderjarige wordt begeleid door een vertegenwoordiger of een daartoe opgeleide persoon, niet door een familielid.",
			})
		}
		if cp.ID != "" && cp.ID == b.Operator {
			v.add("biometrics.companion.id", CodeCompanionRole, Message{
				EN: "The accompanying person cannot be the official taking the biometrics.",
				NL: "De begeleider kan niet de ambtenaar zijn die de biometrische gegevens afneemt.",
			})
		}
	}
	for i, r := range b.Refusals {
		v.nonEmpty(fmt.Sprintf("biometrics.refusals[%d].what", i), r.What)
	}
	if !anyCaptured {
		return
	}
	at := b.CapturedAt
	if at.IsZero() {
		v.add("biometrics.capturedAt", CodeRequired, Message{
			EN: "Biometrics were captured: record when (Eurodac 17(1)(l)).",
			NL: "Er zijn biometrische gegevens afgenomen: leg vast wanneer (Eurodac 17, lid 1, onder l).",
		})
		at = v.now
	}
	v.notFuture("biometrics.capturedAt", b.CapturedAt)
	if c.IsMinor(at) && b.Companion == nil {
		v.add("biometrics.companion", CodeCompanionMissing, Message{
			EN: "The person is or may be a minor: record the adult family member, representative or trained person who accompanied the capture.",
			NL: "De persoon is of is mogelijk minderjarig: leg vast welk volwassen familielid, welke vertegenwoordiger of opgeleide persoon bij de afname aanwezig was.",
		})
	}
	if req, why := c.BiometricsRequired(at); !req {
		v.add("biometrics", CodeUnderSixCaptured, Message{
			EN: "Biometrics were recorded although the person counts as under six: " + why.Message.EN,
			NL: "Er zijn biometrische gegevens vastgelegd terwijl de persoon als jonger dan zes geldt: " + why.Message.NL,
		})
	}
}

func (v *validator) referral(r Referral) {
	targets := []ReferralTarget{ReferAsylum, ReferReturn, ReferRelocation}
	if r.To != "" && !oneOf(r.To, targets) {
		v.add("referral.to", CodeInvalidValue, enumMsg("referral", r.To, targets))
	}
	if r.To == ReferRelocation {
		v.state("referral.memberState", r.MemberState, true)
	}
	v.notFuture("referral.at", r.At)
}

// Validate checks a health-details record before the app seals it in the health class.
func (h *HealthDetails) Validate(now time.Time) Problems {
	v := &validator{now: now, today: DateOf(now)}
	if strings.TrimSpace(h.CaseReference) == "" {
		v.add("caseReference", CodeRequired, msgRequired)
	}
	if strings.TrimSpace(h.Examiner) == "" {
		v.add("examiner", CodeRequired, Message{
			EN: "Record which medical staff member did the check.",
			NL: "Leg vast welke medewerker de controle heeft gedaan.",
		})
	}
	if h.At.IsZero() {
		v.add("at", CodeRequired, msgRequired)
	}
	v.notFuture("at", h.At)
	return v.ps
}

type leafletKey struct{ version, lang string }

// leafletFiles lists the leaflets shipped in assets (leaflet-<version>.<lang>.json), keyed by
// version and language, and by language alone (version ""). Handed-over versions are never
// removed from assets, so a recorded version can always be checked.
var leafletFiles = sync.OnceValue(func() map[leafletKey]bool {
	have := map[leafletKey]bool{}
	entries, err := assets.Leaflets.ReadDir("leaflets")
	if err != nil {
		return have
	}
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "leaflet-")
		if !ok {
			continue
		}
		name, ok = strings.CutSuffix(name, ".json")
		version, lang, ok2 := strings.Cut(name, ".")
		if !ok || !ok2 {
			continue
		}
		have[leafletKey{version, lang}] = true
		have[leafletKey{"", lang}] = true
	}
	return have
})

func leafletLangs(have map[leafletKey]bool) string {
	var langs []string
	for k := range have {
		if k.version == "" {
			langs = append(langs, k.lang)
		}
	}
	sort.Strings(langs)
	return strings.Join(langs, ", ")
}
