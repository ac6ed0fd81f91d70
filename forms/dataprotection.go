package forms

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Contact is an organisation the person can write to, call or visit. Every field is printed
// as given; none is invented when missing.
type Contact struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	Web     string `json:"web,omitempty"`
}

// DataProtection is who the person may turn to about their personal data, printed on the
// leaflet: the controller and its representative if any, and the data protection officer
// (Eurodac Regulation (EU) 2024/1358 Art 42(1)(a)), and the supervisory authority that takes
// complaints (Art 42(1) on the right to lodge a complaint; GDPR Art 13(2)(d), 77). The values
// come from central's signed config ("dataProtection"), so every terminal prints the same,
// authentic details; the terminal never makes them up.
type DataProtection struct {
	Controller           Contact  `json:"controller"`
	Representative       *Contact `json:"representative,omitempty"`
	DPO                  Contact  `json:"dpo"`
	SupervisoryAuthority Contact  `json:"supervisoryAuthority"`
}

// ErrDataProtection is wrapped by the errors of ParseDataProtection and Validate.
var ErrDataProtection = errors.New("data protection contacts")

const maxContactField = 300

// Validate checks that the controller, the DPO and the supervisory authority each have a
// name and at least one way to reach them, that e-mail addresses parse, and that no field
// holds control characters or is longer than 300 characters (a leaflet line, not a letter).
func (d *DataProtection) Validate() error {
	var problems []string
	check := func(what string, c *Contact, required bool) {
		if c == nil {
			return
		}
		for _, f := range []struct{ name, v string }{{"name", c.Name}, {"address", c.Address}, {"phone", c.Phone}, {"email", c.Email}, {"web", c.Web}} {
			switch {
			case !utf8.ValidString(f.v):
				problems = append(problems, what+"."+f.name+" is not valid UTF-8")
			case utf8.RuneCountInString(f.v) > maxContactField:
				problems = append(problems, fmt.Sprintf("%s.%s is longer than %d characters", what, f.name, maxContactField))
			case strings.IndexFunc(f.v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
				problems = append(problems, what+"."+f.name+" holds a control character")
			}
		}
		if required && strings.TrimSpace(c.Name) == "" {
			problems = append(problems, what+".name is missing")
		}
		if required && strings.TrimSpace(c.Address+c.Phone+c.Email+c.Web) == "" {
			problems = append(problems, what+" has no address, phone, email or web address")
		}
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				problems = append(problems, fmt.Sprintf("%s.email %q is not an e-mail address such as dpo@example.org", what, c.Email))
			}
		}
	}
	check("controller", &d.Controller, true)
	check("representative", d.Representative, d.Representative != nil)
	check("dpo", &d.DPO, true)
	check("supervisoryAuthority", &d.SupervisoryAuthority, true)
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrDataProtection, strings.Join(problems, "; "))
	}
	return nil
}

// ParseDataProtection reads the "dataProtection" member of central's config data (the whole
// config object). It returns nil, nil when the config has none: the leaflet then says the
// details are not configured instead of printing anything made up.
func ParseDataProtection(config []byte) (*DataProtection, error) {
	if len(config) == 0 {
		return nil, nil
	}
	var wrap struct {
		DataProtection *json.RawMessage `json:"dataProtection"`
	}
	if err := json.Unmarshal(config, &wrap); err != nil {
		return nil, fmt.Errorf("%w: config is not a JSON object: %v", ErrDataProtection, err)
	}
	if wrap.DataProtection == nil || string(*wrap.DataProtection) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(*wrap.DataProtection)))
	dec.DisallowUnknownFields()
	var d DataProtection
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDataProtection, err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Retention is how long one category of data is kept, and by whom.
type Retention struct {
	// Category is the Eurodac category (EurodacCategory) or "terminal" for this terminal.
	Category string
	// Years is the storage period in Eurodac from the transmission of the biometric data;
	// 0 when the period is not a whole number of years (see Hours, or Note).
	Years int
	// Hours is the terminal's own keeping time after central confirmed receipt (purge).
	Hours int
	// Article is the legal basis of the period.
	Article string
	// Assumption marks a period whose article text could not be read; docs/legal-basis.md
	// says what was assumed.
	Assumption bool
}

// EurodacRetention lists the storage periods of Eurodac datasets by category (Eurodac Art 29),
// in the order the leaflet prints them. The Art 29(1), (6)-(8) periods are SOURCED; the period
// for beneficiaries of temporary protection (29(9)) could not be read and is left to the staff
// to explain (Years 0, Assumption).
func EurodacRetention() []Retention {
	return []Retention{
		{Category: string(EurodacApplicant), Years: 10, Article: "Eurodac Art 29(1)"},
		{Category: string(EurodacIrregularCrossing), Years: 5, Article: "Eurodac Art 29(6)"},
		{Category: string(EurodacIllegalStay), Years: 5, Article: "Eurodac Art 29(7)"},
		{Category: string(EurodacDisembarked), Years: 5, Article: "Eurodac Art 29(8)"},
		{Category: string(EurodacTemporaryProtection), Article: "Eurodac Art 29(9)", Assumption: true},
	}
}

// TerminalRetention is this terminal's keeping time: a case's personal data are destroyed
// (its keys deleted) the grace period after central confirmed receipt of its packets
// (Eurodac Art 29 and GDPR Art 5(1)(e): the terminal is a transit store, not a register).
func TerminalRetention(grace time.Duration) Retention {
	return Retention{Category: "terminal", Hours: int(grace.Round(time.Hour) / time.Hour), Article: "GDPR Art 5(1)(e)"}
}
