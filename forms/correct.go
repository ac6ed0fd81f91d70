package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Corrections after transmission. Once data have left the terminal (in a screening-form
// packet queued for the receiving authority, or in a Eurodac transaction queued for the
// central system) they are no longer the screener's draft: SOURCED (ER Art 40(3), text
// read) only the Member State of origin may amend the data it transmitted to Eurodac, by
// rectifying or supplementing them; ER Art 43(1)-(2) (text read) makes the person's rights
// of rectification and completion those of GDPR Chapter III (Art 16: inaccurate data
// rectified, incomplete data completed). ASSUMPTION (our reading of how a Member State
// exercises Art 40(3) on this terminal, ER Art 43(3) onwards not readable here): a
// supervisor decides a correction, with its reason on record, and the terminal re-sends
// what was sent: the screening form as its next version, which supersedes the earlier one
// (SR Art 18), and the Eurodac data set as a rectification under the same reference number.
// Officers' and registrars' ordinary commands may no longer change transmitted fields.

// ErrTransmitted: an ordinary command tried to change a field that was transmitted.
var ErrTransmitted = errors.New("transmitted: only a supervisor's correction may change it")

// ErrCorrection: a correction refused (not a supervisor, no reason, nothing transmitted).
var ErrCorrection = errors.New("correction refused")

// Correction is one supervisor's correction of transmitted data, as the case keeps it: the
// field, its value before and after, why, who (role and user name, nothing else about them)
// and when, and the packets that carried it out.
type Correction struct {
	Path string `json:"path"`
	// Old and New are the field's JSON values; absent when the case held nothing there.
	Old    json.RawMessage `json:"old,omitempty"`
	New    json.RawMessage `json:"new,omitempty"`
	Reason string          `json:"reason"`
	Role   string          `json:"role"`
	By     string          `json:"by"`
	At     time.Time       `json:"at"`
	// Form: the correction changed data of a screening form already sent; FormPacket and
	// FormVersion name the corrected version once the terminal queued it.
	Form        bool   `json:"form,omitempty"`
	FormPacket  string `json:"formPacket,omitempty"`
	FormVersion int    `json:"formVersion,omitempty"`
	// Eurodac lists the letters of the Eurodac data-set elements (ER Art 17(1)) the
	// correction changed in a transaction already queued; EurodacPacket names the
	// rectification once queued.
	Eurodac       []string `json:"eurodac,omitempty"`
	EurodacPacket string   `json:"eurodacPacket,omitempty"`
}

// formMembers are the members of a case whose values the screening form carries as the
// screener recorded them (SR Art 17): once a version of the form went to the receiving
// authority they change only by correction. Not among them: the health outcome (a
// medic's, whose later release of a deferral is a new fact), the person's own remarks and
// their copy (theirs to add), refusals, finger exceptions and captures (facts added over
// time), missed-deadline reasons (only added), the security flag (a supervisor's own
// decision) and what the terminal writes itself. ASSUMPTION: this split.
var formMembers = []string{"trigger", "information", "identity", "documents", "vulnerability", "application",
	"family", "familyInMemberState", "cooperation", "statement", "notEstablished", "referral"}

// eurodacIdentity are the identity members the Eurodac data set carries, with their ER
// Art 17(1) letter; documents[0] is (i), the event's place and date (g).
var eurodacIdentity = []struct{ member, letter string }{
	{"surnames", "c"}, {"givenNames", "c"}, {"otherNames", "c"}, {"namesAtBirth", "c"},
	{"nationalities", "d"}, {"birthDate", "e"}, {"placeOfBirth", "f"}, {"sex", "h"},
}

// eurodacDocument are the members of the first document the data set carries ((i), and
// the holder's identity where the person declared none).
var eurodacDocument = []string{"type", "number", "issuingState", "expiryDate", "holder"}

// FormSent reports whether a version of the screening form was queued for the receiving
// authority (an addendum reports checks only).
func (c *Case) FormSent() bool {
	for _, p := range c.FormPackets {
		if !p.Addendum {
			return true
		}
	}
	return false
}

// EurodacQueued reports whether the Eurodac data set was queued (it has its reference).
func (c *Case) EurodacQueued() bool { return c.Eurodac.Reference != "" }

// formView is the part of a case's JSON tree m the sent screening form carries
// (formMembers). It takes m's members over (m is the caller's own tree).
func formView(m map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range formMembers {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	// a document's scan is the terminal's record of an image added later (element (j),
	// forms/docscan.go), not a value typed on the form
	docs, _ := out["documents"].([]any)
	for _, d := range docs {
		if dm, ok := d.(map[string]any); ok {
			delete(dm, "scanRef")
			delete(dm, "scanAt")
			delete(dm, "scanSource")
		}
	}
	return out
}

// eurodacView is the part of a case's JSON tree m the Eurodac data set carries, for the
// category cat: names, nationality, birth, sex, the first document and the event of (g)
// (an applicant's application, otherwise the trigger, see EurodacEvent). It is a superset
// of what app's transaction builder reads (it falls back to the document's holder where the
// person declared nothing), so no change that reaches the transaction goes unnoticed.
func eurodacView(m map[string]any, cat EurodacCategory) map[string]any {
	pick := func(v any, members ...string) map[string]any {
		src, _ := v.(map[string]any)
		out := map[string]any{}
		for _, k := range members {
			if x, ok := src[k]; ok {
				out[k] = x
			}
		}
		return out
	}
	var ids []string
	for _, e := range eurodacIdentity {
		ids = append(ids, e.member)
	}
	out := map[string]any{"identity": pick(m["identity"], ids...)}
	if docs, _ := m["documents"].([]any); len(docs) > 0 {
		out["documents"] = []any{pick(docs[0], eurodacDocument...)}
	}
	if cat == EurodacApplicant {
		out["application"] = pick(m["application"], "made", "place", "at")
	} else {
		out["trigger"] = pick(m["trigger"], "place", "at")
	}
	return out
}

// caseMembers maps a Case member's JSON name to its field index.
var caseMembers = func() map[string]int {
	out := map[string]int{}
	t := reflect.TypeOf(Case{})
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}()

// memberTree is the JSON tree of c's members named (as Case encodes them, zero values
// left out like its omitempty and omitzero members).
func memberTree(c *Case, names []string) map[string]any {
	v := reflect.ValueOf(c).Elem()
	part := map[string]any{}
	for _, n := range names {
		if f := v.Field(caseMembers[n]); !f.IsZero() {
			part[n] = f.Interface()
		}
	}
	b, _ := json.Marshal(part)
	tree, _ := decodeTree(b)
	m, _ := tree.(map[string]any)
	return m
}

// Sent is what a case transmitted, taken at one moment: the screening form's fields once a
// version was sent, the Eurodac data set's once it was queued. Do takes it once per change
// and compares every command's result with it.
type Sent struct {
	form, eurodac map[string]any // nil when not sent
	cat           EurodacCategory
}

// Sent takes what c transmitted; nil when nothing was.
func (c *Case) Sent() *Sent {
	if !c.FormSent() && !c.EurodacQueued() {
		return nil
	}
	s := &Sent{cat: c.EurodacCategory()}
	s.form, s.eurodac = s.views(c, c.FormSent(), c.EurodacQueued())
	return s
}

// views are c's form and Eurodac views (nil where not asked), from one JSON tree of the
// members they read (the rest of the case, checks, captures and history, is never encoded
// here: this runs after every command on a sent case).
func (s *Sent) views(c *Case, form, eurodac bool) (f, e map[string]any) {
	m := memberTree(c, formMembers)
	if eurodac {
		e = eurodacView(m, s.cat) // first: formView drops the scan members from m's documents
	}
	if form {
		f = formView(m)
	}
	return f, e
}

// Changes lists the transmitted fields whose values differ in after. form and eurodac say
// which transmission each concerns; letters are the Eurodac elements changed.
func (s *Sent) Changes(after *Case) (form, eurodac, letters []string) {
	if s == nil {
		return nil, nil, nil
	}
	f, e := s.views(after, s.form != nil, s.eurodac != nil)
	if s.form != nil {
		form = diffPaths(s.form, f, "")
	}
	if s.eurodac != nil {
		eurodac = diffPaths(s.eurodac, e, "")
		for _, p := range eurodac {
			if l := eurodacLetter(p); l != "" && !oneOf(l, letters) {
				letters = append(letters, l)
			}
		}
	}
	return form, eurodac, letters
}

// Refuse is the rule for ordinary commands (officers', registrars', medics', case update
// patches): after, the case as the command left it, may not differ in a transmitted
// field. The refusal names the field and says a supervisor's correction is needed (ER Art
// 40(3)).
func (s *Sent) Refuse(after *Case) error {
	form, eurodac, _ := s.Changes(after)
	var path, en, nl string
	switch {
	case len(eurodac) > 0:
		path = eurodac[0]
		en, nl = "in the Eurodac transaction", "in de Eurodac-transactie"
	case len(form) > 0:
		path = form[0]
		en, nl = "in the screening form sent to the receiving authority", "in het screeningsformulier dat naar de ontvangende autoriteit is gestuurd"
	default:
		return nil
	}
	return &RuleError{Path: path, Err: ErrTransmitted, Message: Message{
		EN: fmt.Sprintf("%s was transmitted %s: only a supervisor's correction, with its reason, may change it now (Art 40(3) Regulation (EU) 2024/1358).", path, en),
		NL: fmt.Sprintf("%s is verzonden %s: alleen een correctie door een supervisor, met de reden, mag het nu nog wijzigen (art. 40, lid 3, Verordening (EU) 2024/1358).", path, nl),
	}}
}

// eurodacLetter is the ER Art 17(1) element of a path of eurodacView.
func eurodacLetter(path string) string {
	switch {
	case strings.HasPrefix(path, "documents"):
		return "i"
	case strings.HasPrefix(path, "application"), strings.HasPrefix(path, "trigger"):
		return "g"
	}
	for _, e := range eurodacIdentity {
		if p := "identity." + e.member; path == p || strings.HasPrefix(path, p+"[") || strings.HasPrefix(path, p+".") {
			return e.letter
		}
	}
	return ""
}

// TransmittedChanges lists the transmitted fields whose values differ between c (the case
// as it was) and after (Sent.Changes).
func (c *Case) TransmittedChanges(after *Case) (form, eurodac, letters []string) {
	return c.Sent().Changes(after)
}

// RefuseTransmittedChange refuses after when it changes a field c transmitted (Sent.Refuse).
func (c *Case) RefuseTransmittedChange(after *Case) error { return c.Sent().Refuse(after) }

// RecordCorrection records a supervisor's correction of path: before is the case as it
// was, c the case with the correction made. It refuses (and c must then be dropped) when
// the user is not a supervisor, the reason is empty, or the correction changes nothing
// that was transmitted (then the field is changed as usual, no correction is needed). The
// correction marks what must be re-sent: the form (FormDue then sends the next version as
// a correction) and the Eurodac data set (EurodacUpdateDue, as a rectification).
func (c *Case) RecordCorrection(before *Case, path, reason string, bySupervisor bool, role, by string, now time.Time) error {
	refuse := func(en, nl string) error {
		return &RuleError{Path: path, Err: ErrCorrection, Message: Message{EN: en, NL: nl}}
	}
	if !bySupervisor {
		return refuse("Only a supervisor corrects transmitted data (Art 40(3) Regulation (EU) 2024/1358): ask a supervisor.",
			"Alleen een supervisor corrigeert verzonden gegevens (art. 40, lid 3, Verordening (EU) 2024/1358): vraag het een supervisor.")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return refuse("A correction needs its reason: say why the transmitted value was wrong (for example the document read again, or what the person said).",
			"Een correctie heeft een reden nodig: zeg waarom de verzonden waarde niet klopte (bijvoorbeeld het document opnieuw gelezen, of wat de persoon zei).")
	}
	form, eurodac, letters := before.TransmittedChanges(c)
	if len(form) == 0 && len(eurodac) == 0 {
		return refuse(path+" changes nothing that was transmitted: change it on the case as usual; a correction is for data already sent.",
			path+" wijzigt niets dat al verzonden is: wijzig het gewoon op de zaak; een correctie is voor verzonden gegevens.")
	}
	old, err := before.FieldValue(path)
	if err != nil {
		return err
	}
	cur, err := c.FieldValue(path)
	if err != nil {
		return err
	}
	c.Corrections = append(c.Corrections, Correction{Path: path, Old: nullToNil(old), New: nullToNil(cur), Reason: reason,
		Role: role, By: by, At: now.UTC(), Form: len(form) > 0, Eurodac: letters})
	return nil
}

func nullToNil(b json.RawMessage) json.RawMessage {
	if string(b) == "null" {
		return nil
	}
	return b
}

// pendingFormCorrections lists the paths of corrections of the form not yet sent.
func (c *Case) pendingFormCorrections() []string {
	var out []string
	for _, k := range c.Corrections {
		if k.Form && k.FormPacket == "" && !oneOf(k.Path, out) {
			out = append(out, k.Path)
		}
	}
	return out
}

// EurodacCorrectionDue lists the Eurodac elements (ER Art 17(1) letters) corrected since
// the data set was last sent: the rectification the terminal owes (ER Art 40(3)).
func (c *Case) EurodacCorrectionDue() []string {
	var out []string
	for _, k := range c.Corrections {
		if len(k.Eurodac) > 0 && k.EurodacPacket == "" {
			for _, l := range k.Eurodac {
				if !oneOf(l, out) {
					out = append(out, l)
				}
			}
		}
	}
	return out
}

// RecordEurodacRectification records that the corrections owed to Eurodac went in packet
// packetID.
func (c *Case) RecordEurodacRectification(packetID string) {
	for i := range c.Corrections {
		if len(c.Corrections[i].Eurodac) > 0 && c.Corrections[i].EurodacPacket == "" {
			c.Corrections[i].EurodacPacket = packetID
		}
	}
}

// CorrectableFields lists the transmitted fields of c a correction may name, in the order
// of the form: each member of a sent section, descending into objects and lists of objects
// (documents[0].number) and stopping at lists of values (identity.givenNames is one field).
// A screen offers them to pick from; any other path may still be typed.
func (c *Case) CorrectableFields() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k], path+"."+k)
			}
			return
		case []any:
			if len(x) > 0 {
				if _, ok := x[0].(map[string]any); ok {
					for i, e := range x {
						walk(e, fmt.Sprintf("%s[%d]", path, i))
					}
					return
				}
			}
		}
		if !seen[path] {
			seen[path] = true
			out = append(out, path)
		}
	}
	var views []map[string]any
	if s := c.Sent(); s != nil {
		views = append(views, s.eurodac, s.form)
	}
	for _, k := range formMembers {
		for _, v := range views {
			if x, ok := v[k]; ok {
				walk(x, k)
			}
		}
	}
	return out
}
