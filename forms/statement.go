package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Answer is the answer to a yes/no question of the screening form (SR Art 17(1)(f), (g)):
// yes, no, or not recorded (the empty value). "Not recorded" is a value of its own and is
// printed as such: the form never turns a question nobody asked into a "no".
type Answer string

// Answers.
const (
	AnswerNotRecorded Answer = ""
	AnswerYes         Answer = "yes"
	AnswerNo          Answer = "no"
)

// Answers lists the recorded answers (not recorded is the absence of one).
var Answers = []Answer{AnswerYes, AnswerNo}

// Valid reports whether a is yes, no or not recorded.
func (a Answer) Valid() bool { return a == AnswerNotRecorded || oneOf(a, Answers) }

// Yes reports whether the answer is a recorded yes.
func (a Answer) Yes() bool { return a == AnswerYes }

// UnmarshalJSON reads "yes", "no", "" or null, and the booleans cases stored before the
// answer had three states: true is yes; false was the zero value every case had whether or
// not anyone asked, so it reads as not recorded, never as a "no" the person did not give.
func (a *Answer) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true":
		*a = AnswerYes
		return nil
	case "false", "null":
		*a = AnswerNotRecorded
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected \"yes\", \"no\" or \"\" (not recorded), got %s", b)
	}
	*a = Answer(s)
	return nil
}

// Statement holds what the person states about their arrival (SR Art 17(2)), in their own
// words as the officer noted them: the form prints them as the person's statement, never as
// findings of the authority.
type Statement struct {
	// ReasonsForEntry: the reasons for the irregular arrival or entry.
	ReasonsForEntry string `json:"reasonsForEntry,omitempty"`
	// Route: the route travelled, including the place of departure and places of stay.
	Route string `json:"route,omitempty"`
	// Smugglers: information on assistance by smugglers or traffickers.
	Smugglers string `json:"smugglers,omitempty"`
}

// Remarks is the person's own section of the form: data they say are incorrect, what they
// say is right, and whether they received a copy of the form. It is printed and transmitted
// with the form, beside (never instead of) what the officer recorded.
type Remarks struct {
	Incorrect string `json:"incorrect,omitempty"`
	Correct   string `json:"correct,omitempty"`
	// CopyReceived: yes once the person received a copy of the form; CopyAt when.
	CopyReceived Answer    `json:"copyReceived,omitempty"`
	CopyAt       time.Time `json:"copyAt,omitzero"`
}

// NotEstablished is an explicit "could not be established" for one item of the form, with
// why (the person does not know, refuses to say, no interpreter for the language, …). It
// lets the form be completed without inventing a value (SR Art 17(1)).
type NotEstablished struct {
	// Item is the JSON path of the field (see Art17Items), for example identity.placeOfBirth.
	Item   string    `json:"item"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at,omitzero"`
}

// FamilyAnswer is the answer to SR Art 17(1)(g), family members on the territory of a
// Member State: yes when members are listed, else what the person answered, else not
// recorded.
func (c *Case) FamilyAnswer() Answer {
	if len(c.Family) > 0 {
		return AnswerYes
	}
	return c.FamilyInMemberState
}

// SetTrigger records the screening ground (SR Art 5, Art 7). A person presenting
// themselves at a border crossing point applies for international protection there (SR
// Art 5(2)), so while no answer on an application is recorded the trigger pre-fills SR Art
// 17(1)(f) with yes and the place and time of the presentation; the officer can correct
// them. A pre-filled application that still matches the old trigger follows a corrected
// trigger.
func (c *Case) SetTrigger(t Trigger) {
	c.setTrigger(t)
}

// RecordTrigger is SetTrigger for a command: the reason must be one of TriggerReasons (or
// not recorded yet), since every deadline and the Eurodac category follow from it.
func (c *Case) RecordTrigger(t Trigger) error {
	if t.Reason != "" && !t.Reason.Valid() {
		return badValue("trigger.reason", string(t.Reason))
	}
	if c.Trigger.Reason != "" && t.Reason == "" || !c.Trigger.At.IsZero() && t.At.IsZero() {
		return &RuleError{Path: "trigger", Err: ErrOnRecord, Message: Message{
			EN: "The ground and time of the screening's start stay on record (every deadline runs from them): correct them, do not clear them.",
			NL: "De grond en het tijdstip van het begin van de screening blijven vastgelegd (alle termijnen lopen daarvanaf): verbeter ze, wis ze niet."}}
	}
	c.setTrigger(t)
	return nil
}

func (c *Case) setTrigger(t Trigger) {
	old := c.Trigger
	c.Trigger = t
	if t.Reason != TriggerApplicationAtBCP {
		return
	}
	a := c.Application
	prefilled := a.Made == AnswerYes && a.Place == old.Place && a.At.Equal(old.At) && old.Reason == TriggerApplicationAtBCP
	if a.Made == AnswerNotRecorded && a.Place == "" && a.At.IsZero() || prefilled {
		c.Application = Application{Made: AnswerYes, At: t.At, Place: t.Place}
	}
}

// RecordApplication records SR Art 17(1)(f). A time or place belong to a "yes" only.
func (c *Case) RecordApplication(a Application) error {
	if !a.Made.Valid() {
		return badAnswer("application.made", a.Made)
	}
	a.Place = strings.TrimSpace(a.Place)
	if !a.Made.Yes() && (a.Place != "" || !a.At.IsZero()) {
		return Problems{problem("application.made", CodeInconsistent, Message{
			EN: "A place or time of the application is recorded only with \"application made: yes\".",
			NL: "Een plaats of tijd van het verzoek wordt alleen vastgelegd bij \"verzoek gedaan: ja\"."})}
	}
	c.Application = a
	return nil
}

// RecordFamily records SR Art 17(1)(g) as the person states it: the answer and, for yes,
// the members. Members listed make the answer yes; "no" with members listed is refused.
func (c *Case) RecordFamily(answer Answer, members []FamilyMember) error {
	if !answer.Valid() {
		return badAnswer("familyInMemberState", answer)
	}
	if answer == AnswerNo && len(members) > 0 {
		return Problems{problem("familyInMemberState", CodeInconsistent, Message{
			EN: "Family members are listed, so the answer cannot be \"no\": remove them or answer yes.",
			NL: "Er staan familieleden vermeld, dus het antwoord kan geen \"nee\" zijn: verwijder ze of antwoord ja."})}
	}
	if len(members) > 0 {
		answer = AnswerYes
	}
	c.FamilyInMemberState = answer
	c.Family = append([]FamilyMember(nil), members...)
	return nil
}

// CooperationValues are the answers to SR Art 17(1)(i) (Art 9 duty to cooperate); empty is
// not recorded.
var CooperationValues = []string{"yes", "partly", "no"}

// RecordCooperation records SR Art 17(1)(i).
func (c *Case) RecordCooperation(co Cooperation, now time.Time) error {
	if co.Complied != "" && !oneOf(co.Complied, CooperationValues) {
		return Problems{problem("cooperation.complied", CodeInvalidValue, enumMsg("cooperation", co.Complied, CooperationValues))}
	}
	co.Refused = strings.TrimSpace(co.Refused)
	co.At = c.Cooperation.At
	if co.Complied != c.Cooperation.Complied || co.At.IsZero() {
		co.At = now.UTC()
	}
	if co.Complied == "" {
		co.At = time.Time{}
	}
	c.Cooperation = co
	return nil
}

// RecordStatement records the person's statement on their arrival (SR Art 17(2)).
func (c *Case) RecordStatement(s Statement) {
	s.ReasonsForEntry = strings.TrimSpace(s.ReasonsForEntry)
	s.Route = strings.TrimSpace(s.Route)
	s.Smugglers = strings.TrimSpace(s.Smugglers)
	c.Statement = s
}

// RecordRemarks records the person's remarks on the form and the receipt of their copy,
// stamped when the receipt is first recorded. ASSUMPTION (SR Art 17(3)): the person may
// indicate that data in the form are incorrect and receives a copy of the form.
func (c *Case) RecordRemarks(r Remarks, now time.Time) error {
	if !r.CopyReceived.Valid() {
		return badAnswer("remarks.copyReceived", r.CopyReceived)
	}
	r.Incorrect, r.Correct = strings.TrimSpace(r.Incorrect), strings.TrimSpace(r.Correct)
	r.CopyAt = c.Remarks.CopyAt
	if r.CopyReceived.Yes() && (r.CopyAt.IsZero() || !c.Remarks.CopyReceived.Yes()) {
		r.CopyAt = now.UTC()
	}
	if !r.CopyReceived.Yes() {
		r.CopyAt = time.Time{}
	}
	c.Remarks = r
	return nil
}

// SetNotEstablished records that item could not be established, and why; an empty reason
// withdraws the entry (the item was established after all). Only the items of Art17Items
// that allow it may be marked.
func (c *Case) SetNotEstablished(item, reason string, now time.Time) error {
	it, ok := art17Item(item)
	if !ok || !it.MayBeUnestablished {
		return Problems{problem("notEstablished", CodeInvalidValue, Message{
			EN: fmt.Sprintf("%q is not a form item that can be marked as not established.", item),
			NL: fmt.Sprintf("%q is geen onderdeel van het formulier dat als niet vastgesteld kan worden gemarkeerd.", item)})}
	}
	reason = strings.TrimSpace(reason)
	kept := c.NotEstablished[:0:0]
	for _, n := range c.NotEstablished {
		if n.Item != item {
			kept = append(kept, n)
		}
	}
	if reason != "" {
		kept = append(kept, NotEstablished{Item: item, Reason: reason, At: now.UTC()})
	}
	c.NotEstablished = kept
	return nil
}

// NotEstablishedReason is the reason recorded for item, or "".
func (c *Case) NotEstablishedReason(item string) string {
	for _, n := range c.NotEstablished {
		if n.Item == item {
			return n.Reason
		}
	}
	return ""
}

// Art17Item is one item the screening form must hold (SR Art 17(1)).
type Art17Item struct {
	Letter string // (a) … (i)
	Path   string // JSON path, as in docs/case-schema.md
	// Present reports whether the case holds the item.
	Present func(c *Case) bool
	// MayBeUnestablished: the item may be completed by an explicit "could not be
	// established" with a reason. The screening ground and the security checks are the
	// authority's own acts and are always recorded.
	MayBeUnestablished bool
}

// Art17Items lists what SR Art 17(1) requires on the form, in its order. SOURCED (Art 17(1)
// text read): (a) name, date and place of birth, gender; (b) nationalities or
// statelessness, countries of residence prior to arrival, languages spoken; (c) the reason
// for the screening; (d) the preliminary health check; (e) the preliminary vulnerability
// check; (f) whether an application for international protection was made; (g) family
// members on the territory of a Member State, as the person states; (h) whether the
// database checks resulted in a hit; (i) compliance with the duty to cooperate (Art 9).
var Art17Items = []Art17Item{
	{"a", "identity.surnames", func(c *Case) bool { return len(c.Identity.Surnames) > 0 || len(c.Identity.GivenNames) > 0 }, true},
	{"a", "identity.birthDate", func(c *Case) bool { return !c.Identity.BirthDate.IsZero() }, true},
	{"a", "identity.placeOfBirth", func(c *Case) bool { return c.Identity.PlaceOfBirth != "" || c.Identity.CountryOfBirth != "" }, true},
	{"a", "identity.sex", func(c *Case) bool { return c.Identity.Sex != "" }, true},
	{"b", "identity.nationalities", func(c *Case) bool { return len(c.Identity.Nationalities) > 0 }, true},
	{"b", "identity.residences", func(c *Case) bool { return len(c.Identity.Residences) > 0 }, true},
	{"b", "identity.languages", func(c *Case) bool { return len(c.Identity.Languages) > 0 }, true},
	{"c", "trigger.reason", func(c *Case) bool { return c.Trigger.Reason != "" }, false},
	{"d", "health.result", func(c *Case) bool { return c.Health.Result != "" }, true},
	{"e", "vulnerability.checked", func(c *Case) bool { return c.Vulnerability.Checked }, true},
	{"f", "application.made", func(c *Case) bool { return c.Application.Made != AnswerNotRecorded }, true},
	{"g", "familyInMemberState", func(c *Case) bool { return c.FamilyAnswer() != AnswerNotRecorded }, true},
	{"h", "securityChecks", func(c *Case) bool { return len(c.Checks) > 0 }, false},
	{"i", "cooperation.complied", func(c *Case) bool { return c.Cooperation.Complied != "" }, true},
}

func art17Item(path string) (Art17Item, bool) {
	for _, it := range Art17Items {
		if it.Path == path {
			return it, true
		}
	}
	return Art17Item{}, false
}

func badAnswer(path string, a Answer) error {
	return Problems{problem(path, CodeInvalidValue, Message{
		EN: fmt.Sprintf("%q is not an answer: use yes, no, or leave it not recorded.", a),
		NL: fmt.Sprintf("%q is geen antwoord: gebruik ja, nee, of laat het niet vastgelegd.", a)})}
}
