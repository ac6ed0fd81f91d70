package forms

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The content of an access request: what the terminal must give a person who asks what it
// holds about them (GDPR Art 15; Eurodac Regulation (EU) 2024/1358 Art 43(1)-(2), which applies
// GDPR Chapter III and adds that access includes any record that the person could pose a threat
// to internal security and the Member State that transmitted the data). The app gathers the
// facts (the case, its health details when a medic co-signs, its packets, the audit entries
// about it) and forms decides what goes on paper; forms/pdf prints it.

// AccessReport is everything the terminal holds about one person, as printed for them.
type AccessReport struct {
	Case *Case
	// Lang is the report's language and LangFallback reports that none of the person's
	// languages has a leaflet, so it is English with a note (AccessLanguage).
	Lang         string
	LangFallback bool
	// Record is every field of the stored case, one line per value (AccessRecord).
	Record []AccessField
	// Fingers and Face list which biometrics are held (AccessBiometrics).
	Fingers []AccessFinger
	Face    Face
	// Health holds the medical details when a medic co-signed; otherwise HealthLeftOut says why
	// they are not in the report.
	Health        *HealthDetails
	HealthLeftOut string
	// Packets are the transmissions of the person's data from this terminal.
	Packets []AccessPacket
	// Corrections are the changes of data after transmission, oldest first.
	Corrections []AccessCorrection
	// Audit is the log of what was done with the case (AccessAudit); AuditLeftOut says why
	// it is not in the report when no auditor co-signed.
	Audit        []AccessAuditEntry
	AuditLeftOut string
	// Requested is who answered the request and when; the names are staff user names,
	// printed so the person knows who answered (never other screened persons).
	PrintedAt  time.Time
	Supervisor string
	CoSigners  []string
}

// Why a section is left out of an access report. They are codes: the PDF prints them in the
// report's language.
const (
	LeftOutNoMedic     = "no_medic_cosign"   // health details need a medic's co-sign
	LeftOutNoAuditor   = "no_auditor_cosign" // the audit log is sealed to the auditors
	LeftOutNoneHeld    = "none_held"         // nothing of this kind is held
	accessFallbackLang = "en"
)

// AccessLanguage picks the report's language: the first language the person speaks
// (Identity.Languages, preferred first) that has a leaflet, then the leaflet language they
// were given, else English with a note (fallback true). have lists the leaflet languages.
// ASSUMPTION: GDPR Art 12(1) asks for "clear and plain language"; we read it, with ER Art 42(1),
// as a language the person understands wherever the terminal has one.
func AccessLanguage(c *Case, have []string) (lang string, fallback bool) {
	avail := map[string]bool{}
	for _, h := range have {
		avail[h] = true
	}
	for _, spoken := range c.Identity.Languages {
		for _, leaflet := range sortedLeafletLanguages() {
			if !avail[leaflet] {
				continue
			}
			for _, r := range leafletReaders[leaflet] {
				if r == spoken {
					return leaflet, false
				}
			}
		}
	}
	if l := c.Info.LeafletLanguage; avail[l] {
		return l, false
	}
	return accessFallbackLang, true
}

func sortedLeafletLanguages() []string {
	out := make([]string, 0, len(leafletReaders))
	for l := range leafletReaders {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// AccessField is one stored value: its path in the case record (as in docs/case-schema.md)
// and the value as stored.
type AccessField struct {
	Path  string
	Value string
}

// AccessRecord lists every non-empty field of the case as stored, in the record's order:
// the screening form shows the person the Art 17 items, but GDPR Art 15(3) gives them a copy
// of all their data, so nothing the record holds may be left off (the security flag and the
// Member State of origin included, ER Art 43(2)). It walks the stored JSON itself, so a field
// added to Case later is listed without anyone remembering to.
func AccessRecord(c *Case) ([]AccessField, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("access report: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("access report: %w", err)
	}
	var out []AccessField
	flatten("", v, &out)
	return out, nil
}

func flatten(path string, v any, out *[]AccessField) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, x[k], out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	case nil:
	case string:
		if x != "" {
			*out = append(*out, AccessField{Path: path, Value: x})
		}
	default:
		*out = append(*out, AccessField{Path: path, Value: fmt.Sprint(x)})
	}
}

// AccessFinger is one finger position as held: its status, capture-quality score, when it
// was taken, and whether an image of it is stored on this terminal.
type AccessFinger struct {
	Position FingerPosition
	Status   FingerStatus
	Quality  int
	At       time.Time
	RetakeOn PartialDate
	Image    bool
}

// AccessBiometrics lists the biometrics held, finger by finger (the latest record of each
// position, as the capture plan reads them) and the face. The images themselves are listed,
// not printed: the supervisor who answers the request holds no key of the biometric class
// (vault/grants.go), a copy of a fingerprint on paper or in a file is a biometric template
// outside the vault that purge cannot reach, and the person learns from the list exactly what
// is held and may ask for the images themselves. ASSUMPTION: GDPR Art 15(3) is met by the list
// with this offer; a Member State that disagrees adds an officer co-sign here.
func AccessBiometrics(c *Case) []AccessFinger {
	latest := map[FingerPosition]Finger{}
	for _, f := range c.Biometrics.Fingers {
		latest[f.Position] = f
	}
	var out []AccessFinger
	for p := RightThumb; p <= LeftLittle; p++ {
		f, ok := latest[p]
		if !ok {
			continue
		}
		out = append(out, AccessFinger{Position: p, Status: f.Status, Quality: f.Quality, At: f.At, RetakeOn: f.RetakeOn, Image: f.ImageRef != ""})
	}
	return out
}

// AccessPacket is one transmission of the person's data from this terminal: what kind of
// packet, when it was queued, its state, and when central's receipt arrived.
type AccessPacket struct {
	Kind        string
	Created     time.Time
	State       string
	DeliveredAt time.Time
}

// AccessCorrection is one change of data after transmission (ER Art 40, GDPR Art 16).
type AccessCorrection struct {
	At       time.Time
	Field    string
	Old, New string
	Reason   string
	Role     string
}

// AccessCorrections lists the supervisors' corrections of transmitted data (Case.Corrections;
// ER Art 40(3), GDPR Art 16) as the person is given them: when, which field, the value before
// and after (a text as itself, other values as stored), why, and the role of who corrected.
func AccessCorrections(c *Case) []AccessCorrection {
	out := make([]AccessCorrection, 0, len(c.Corrections))
	for _, k := range c.Corrections {
		out = append(out, AccessCorrection{At: k.At.UTC(), Field: k.Path, Old: jsonText(k.Old), New: jsonText(k.New), Reason: k.Reason, Role: k.Role})
	}
	return out
}

// jsonText is a JSON value as text: a string without its quotes, anything else as stored.
func jsonText(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	return string(b)
}

// AuditFact is an audit entry as the vault decrypts it, before AccessAudit decides what of it
// the person is given.
type AuditFact struct {
	At     time.Time
	User   string
	Role   string
	Action string
	Class  string
	Detail string
}

// AccessAuditEntry is an audit entry as printed for the person: when, what, on which class of
// data, and the role of who did it.
type AccessAuditEntry struct {
	At     time.Time
	Action string
	Role   string
	Class  string
}

// AccessAudit keeps what the person is given of the audit entries about their case: time,
// action, data class and the role of the staff member, never the staff member's user name or
// the entry's free detail (other persons' data: GDPR Art 15(4); the CJEU read Art 15(1) in
// C-579/21 as not requiring employees' identities), in time order.
func AccessAudit(facts []AuditFact) []AccessAuditEntry {
	out := make([]AccessAuditEntry, 0, len(facts))
	for _, f := range facts {
		out = append(out, AccessAuditEntry{At: f.At.UTC(), Action: f.Action, Role: f.Role, Class: f.Class})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// AccessHealthLeftOut says why health details are not in the report: no medic co-signed
// (the health class opens only with a medic's key, SR Art 12(1) and GDPR Art 9), or none are
// recorded. "" means they are printed.
func AccessHealthLeftOut(medicCoSigned bool, d *HealthDetails) string {
	switch {
	case !medicCoSigned:
		return LeftOutNoMedic
	case d == nil:
		return LeftOutNoneHeld
	}
	return ""
}
