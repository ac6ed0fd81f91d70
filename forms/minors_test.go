package forms

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCompanionProblemsArt14: Eurodac Art 14(1) and Screening Art 13(2)-(3): before capture
// from a (possible) minor the companion is recorded by relationship or role and an ID, badge
// or register number; an unaccompanied minor's companion is a representative or trained
// person, who is neither the capturing official nor an official of the case.
func TestCompanionProblemsArt14(t *testing.T) {
	family := &Companion{Role: CompanionFamily, Relationship: "mother", ID: "NLD-P-1234567"}
	rep := &Companion{Role: CompanionRepresentative, ID: "NIDOS-REG-0042", Organisation: "guardianship body"}
	trained := &Companion{Role: CompanionTrainedPerson, ID: "TR-77"}
	staff := []string{"kmar-officer", "kmar-supervisor"}
	tests := []struct {
		name          string
		adult         bool
		unaccompanied bool
		companion     *Companion
		path, code    string // "" when nothing is missing
	}{
		{"adult needs nobody", true, false, nil, "", ""},
		{"accompanied minor, nobody", false, false, nil, "biometrics.companion", CodeCompanionMissing},
		{"unaccompanied minor, nobody", false, true, nil, "biometrics.companion", CodeCompanionMissing},
		{"accompanied minor, family member", false, false, family, "", ""},
		{"family member without relationship", false, false, &Companion{Role: CompanionFamily, ID: "B-1"}, "biometrics.companion.relationship", CodeRequired},
		{"family member without ID (a name only)", false, false, &Companion{Role: CompanionFamily, Relationship: "uncle", Name: "TESTPERSON"}, "biometrics.companion.id", CodeRequired},
		{"accompanied minor, representative instead of the family", false, false, rep, "biometrics.companion.role", CodeCompanionRole},
		{"unaccompanied minor, representative", false, true, rep, "", ""},
		{"unaccompanied minor, trained person", false, true, trained, "", ""},
		{"unaccompanied minor, family member", false, true, family, "biometrics.companion.role", CodeCompanionRole},
		{"representative without register number", false, true, &Companion{Role: CompanionRepresentative}, "biometrics.companion.id", CodeRequired},
		{"the capturing official as representative", false, true, &Companion{Role: CompanionRepresentative, ID: " Capturer "}, "biometrics.companion.id", CodeCompanionRole},
		{"the capturing official as family member", false, false, &Companion{Role: CompanionFamily, Relationship: "father", ID: "capturer"}, "biometrics.companion.id", CodeCompanionRole},
		{"another official of the terminal", false, true, &Companion{Role: CompanionTrainedPerson, ID: "KMAR-SUPERVISOR"}, "biometrics.companion.id", CodeCompanionRole},
		{"the case's vulnerability screener", false, true, &Companion{Role: CompanionTrainedPerson, ID: "VS-3"}, "biometrics.companion.id", CodeCompanionRole},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCase()
			c.Biometrics = Biometrics{Companion: tc.companion}
			c.Identity.BirthDate, c.Identity.BirthDateEstimated = PartialDate{1990, 4, 17}, false
			if !tc.adult {
				c.Identity.BirthDate = PartialDate{2014, 5, 1}
			}
			if tc.unaccompanied {
				c.Vulnerability.Indicators = []string{VulnUnaccompaniedMinor}
			}
			ps := c.CompanionProblems(t0, "capturer", staff)
			if tc.path == "" {
				if len(ps) != 0 {
					t.Fatalf("problems %v, want none", ps)
				}
				return
			}
			if !ps.Has(tc.path, tc.code) {
				t.Fatalf("problems %v, want %s %s", ps, tc.path, tc.code)
			}
			for _, p := range ps {
				if p.Message.EN == "" || p.Message.NL == "" {
					t.Errorf("problem %s lacks a sentence in both languages", p.Path)
				}
			}
		})
	}
}

// TestCapturerProblemsArt14: Eurodac Art 14(1): a minor's biometrics are taken only by an
// official trained for it; an adult's by any officer; doubt about age counts as a minor.
func TestCapturerProblemsArt14(t *testing.T) {
	tests := []struct {
		name    string
		birth   PartialDate
		trained bool
		refused bool
	}{
		{"adult, untrained", PartialDate{1990, 4, 17}, false, false},
		{"adult, trained", PartialDate{1990, 4, 17}, true, false},
		{"minor, untrained", PartialDate{2014, 5, 1}, false, true},
		{"minor, trained", PartialDate{2014, 5, 1}, true, false},
		{"year only leaves 17 or 18 open, untrained", PartialDate{Year: 2008}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCase()
			c.Identity.BirthDate, c.Identity.BirthDateEstimated = tc.birth, false
			ps := c.CapturerProblems(t0, tc.trained)
			if got := ps.Has("biometrics.operator", CodeNotTrainedForMinors); got != tc.refused {
				t.Fatalf("refused %v, want %v (%v)", got, tc.refused, ps)
			}
		})
	}
}

// TestRefusalMessageEveryCombination: the refusal consequence never offers coercion for a
// person who is or may be a minor (Eurodac Art 14(1)); the implicit withdrawal of APR Art
// 41(1)(b) is named for applicants only (Eurodac Art 13(4)); coercion as a last resort only
// for an adult who did not apply (Eurodac Art 13(3)). Every minor/adult x applicant/not, in
// both languages.
func TestRefusalMessageEveryCombination(t *testing.T) {
	now := t0
	for _, minor := range []bool{false, true} {
		for _, applicant := range []bool{false, true} {
			c := &Case{Trigger: Trigger{Reason: TriggerIrregularCrossing}, Identity: Identity{BirthDate: PartialDate{1990, 1, 1}}}
			if minor {
				c.Identity.BirthDate = PartialDate{2012, 1, 1}
			}
			if applicant {
				c.Application.Made = AnswerYes
			}
			m := c.RefusalMessage(now)
			offersCoercion := strings.Contains(m.EN, "coercion only as a last resort") || strings.Contains(m.NL, "dwang alleen als laatste middel")
			noCoercion := strings.Contains(m.EN, "no coercion may be used") && strings.Contains(m.NL, "er mag geen dwang")
			apr := strings.Contains(m.EN, "Art 41(1)(b) Regulation (EU) 2024/1348") && strings.Contains(m.NL, "art. 41, lid 1, onder b")
			name := map[bool]string{true: "minor", false: "adult"}[minor] + "/" + map[bool]string{true: "applicant", false: "not applicant"}[applicant]
			if minor && (offersCoercion || !noCoercion) {
				t.Errorf("%s: coercion offered or not excluded: %+v", name, m)
			}
			if !minor && (noCoercion || offersCoercion == applicant) {
				t.Errorf("%s: coercion as a last resort should be named only for a non-applicant: %+v", name, m)
			}
			if apr != applicant {
				t.Errorf("%s: APR Art 41(1)(b) named %v, want %v: %+v", name, apr, applicant, m)
			}
		}
	}
}

// TestAgeDoubtBenefitOfTheDoubt: ER Art 14(1), SR Art 13(1): while the date of birth is
// unknown or estimated, capture first needs the answer to "could this person be a minor?"
// with its reason; "yes" applies the minors' rules until a date settles the age.
func TestAgeDoubtBenefitOfTheDoubt(t *testing.T) {
	yes := AgeDoubt{CouldBeMinor: AnswerYes, Reason: "no document, looks 16 to 19"}
	no := AgeDoubt{CouldBeMinor: AnswerNo, Reason: "documented adult child with them"}
	tests := []struct {
		name      string
		birth     PartialDate
		estimated bool
		doubt     AgeDoubt
		asked     bool // AgeDoubtProblems asks for the answer
		minor     bool
	}{
		{"documented adult: nothing asked", PartialDate{1990, 4, 17}, false, AgeDoubt{}, false, false},
		{"documented minor: nothing asked", PartialDate{2014, 5, 1}, false, AgeDoubt{}, false, true},
		{"unknown date, not answered", PartialDate{}, false, AgeDoubt{}, true, false},
		{"unknown date, could be a minor", PartialDate{}, false, yes, false, true},
		{"unknown date, answered no", PartialDate{}, false, no, false, false},
		{"estimated adult date, not answered", PartialDate{2007, 1, 1}, true, AgeDoubt{}, true, false},
		{"estimated adult date, could be a minor", PartialDate{2007, 1, 1}, true, yes, false, true},
		{"estimated minor date answered no stays a minor", PartialDate{2012, 1, 1}, true, no, false, true},
		{"year leaving 18 open, not answered", PartialDate{Year: 2008}, false, AgeDoubt{}, true, true},
		{"documented adult, an old yes no longer applies", PartialDate{1990, 4, 17}, false, yes, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Identity: Identity{BirthDate: tc.birth, BirthDateEstimated: tc.estimated, AgeDoubt: tc.doubt}}
			if got := c.AgeDoubtProblems(t0).Has("identity.ageDoubt.couldBeMinor", CodeRequired); got != tc.asked {
				t.Errorf("asked %v, want %v", got, tc.asked)
			}
			if got := c.IsMinor(t0); got != tc.minor {
				t.Errorf("minor %v, want %v", got, tc.minor)
			}
		})
	}
}

// TestSetIdentityStampsAgeDoubt: the answer needs its reason and is stamped with who and
// when; an unchanged answer keeps its stamp.
func TestSetIdentityStampsAgeDoubt(t *testing.T) {
	c := &Case{}
	if err := c.SetIdentity(Identity{AgeDoubt: AgeDoubt{CouldBeMinor: AnswerYes}}, "off1", t0); err == nil {
		t.Fatal("an answer without a reason was accepted")
	}
	if err := c.SetIdentity(Identity{AgeDoubt: AgeDoubt{CouldBeMinor: "maybe", Reason: "x"}}, "off1", t0); err == nil {
		t.Fatal("a bad answer was accepted")
	}
	id := Identity{AgeDoubt: AgeDoubt{CouldBeMinor: AnswerYes, Reason: " looks 16 "}}
	if err := c.SetIdentity(id, "off1", t0); err != nil {
		t.Fatal(err)
	}
	if d := c.Identity.AgeDoubt; d.By != "off1" || !d.At.Equal(t0) || d.Reason != "looks 16" {
		t.Fatalf("stamp %+v", d)
	}
	id = c.Identity
	id.Sex = SexFemale
	if err := c.SetIdentity(id, "off2", t0.Add(hour)); err != nil {
		t.Fatal(err)
	}
	if d := c.Identity.AgeDoubt; d.By != "off1" || !d.At.Equal(t0) {
		t.Fatalf("an unchanged answer was stamped again: %+v", d)
	}
}

// TestChildLeafletProblemsArt42: a (possible) minor is given the child-friendly leaflet,
// recorded, before capture; an adult is not asked for it.
func TestChildLeafletProblemsArt42(t *testing.T) {
	tests := []struct {
		name  string
		birth PartialDate
		info  Information
		asked bool
	}{
		{"adult, no leaflet", PartialDate{1990, 4, 17}, Information{}, false},
		{"minor, no leaflet", PartialDate{2014, 5, 1}, Information{}, true},
		{"minor, adult leaflet", PartialDate{2014, 5, 1}, Information{LeafletLanguage: "ar"}, true},
		{"minor, child-friendly leaflet", PartialDate{2014, 5, 1}, Information{LeafletLanguage: "ar", ChildFriendly: true}, false},
		{"minor, child-friendly ticked but no leaflet handed over", PartialDate{2014, 5, 1}, Information{ChildFriendly: true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Case{Identity: Identity{BirthDate: tc.birth}, Info: tc.info}
			if got := c.ChildLeafletProblems(t0).Has("information.childFriendly", CodeRequired); got != tc.asked {
				t.Fatalf("asked %v, want %v", got, tc.asked)
			}
		})
	}
}

// TestScreeningEndMinorsArt13: the minors' rules hold for the whole screening, so the form is
// not completed, nor the case closed, for a person who is or may be a minor while the age
// answer, the companion of the information, health and vulnerability steps or the
// child-friendly leaflet is missing; each refusal names what is missing in NL and EN.
func TestScreeningEndMinorsArt13(t *testing.T) {
	at := t0.Add(2 * day)
	minor := func(c *Case) {
		c.Identity.BirthDate, c.Identity.BirthDateEstimated, c.Identity.AgeDoubt = PartialDate{2014, 3, 1}, false, AgeDoubt{}
	}
	family := &Companion{Role: CompanionFamily, Relationship: "mother", ID: "TEST-BADGE-7", Since: t0}
	representative := &Companion{Role: CompanionRepresentative, Organisation: "Nidos", ID: "REG-4411", Since: t0}
	childLeaflet := func(c *Case) { c.Info.ChildFriendly = true }
	for _, tc := range []struct {
		name string
		edit func(c *Case)
		to   Status
		want string // path of the first problem; "" = allowed
	}{
		{"adult with a known date of birth completes", func(c *Case) {
			c.Identity.BirthDate, c.Identity.BirthDateEstimated, c.Identity.AgeDoubt = PartialDate{1990, 4, 17}, false, AgeDoubt{}
		}, StatusFormCompleted, ""},
		{"SR Art 13(1): estimated date of birth, age question unanswered", func(c *Case) { c.Identity.AgeDoubt = AgeDoubt{} },
			StatusFormCompleted, "identity.ageDoubt.couldBeMinor"},
		{"SR Art 13(1): answered no: the officer's recorded judgement", func(c *Case) {}, StatusFormCompleted, ""},
		{"SR Art 13(1): benefit of the doubt applies the minors' rules", func(c *Case) {
			c.Identity.AgeDoubt = AgeDoubt{CouldBeMinor: AnswerYes, Reason: "looks 16"}
		}, StatusFormCompleted, "biometrics.companion"},
		{"SR Art 13(2): minor without the family member on record", minor, StatusFormCompleted, "biometrics.companion"},
		{"SR Art 13(2): family member without relationship", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Biometrics.Companion = &Companion{Role: CompanionFamily, ID: "TEST-BADGE-7", Since: t0}
		}, StatusFormCompleted, "biometrics.companion.relationship"},
		{"SR Art 13(2): accompanied minor with family member and child leaflet completes", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Biometrics.Companion = family
		}, StatusFormCompleted, ""},
		{"SR Art 13(3): unaccompanied minor with a family member", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Vulnerability.Indicators = []string{VulnUnaccompaniedMinor}
			c.Biometrics.Companion = family
		}, StatusFormCompleted, "biometrics.companion.role"},
		{"SR Art 13(3): the screener as representative", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Vulnerability.Indicators = []string{VulnUnaccompaniedMinor}
			c.Biometrics.Companion = &Companion{Role: CompanionRepresentative, ID: c.Vulnerability.Screener, Since: t0}
		}, StatusFormCompleted, "biometrics.companion.id"},
		{"SR Art 13(3): unaccompanied minor with representative completes", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Vulnerability.Indicators = []string{VulnUnaccompaniedMinor}
			c.Biometrics.Companion = representative
		}, StatusFormCompleted, ""},
		{"ER Art 42(1): minor informed without the child-friendly leaflet", func(c *Case) {
			minor(c)
			c.Biometrics.Companion = family
		}, StatusFormCompleted, "information.childFriendly"},
		{"SR Art 13(2): closing a minor's referred case without the companion", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Status = StatusReferred
		}, StatusClosed, "biometrics.companion"},
		{"SR Art 13(2): closing with the companion on record", func(c *Case) {
			minor(c)
			childLeaflet(c)
			c.Status, c.Biometrics.Companion = StatusReferred, family
		}, StatusClosed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fullCase()
			tc.edit(c)
			before := c.Status
			err := c.Transition(tc.to, at)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var te *TransitionError
			if !errors.As(err, &te) || !errors.Is(err, ErrMinorsSafeguards) || len(te.Problems) == 0 || te.Problems[0].Path != tc.want {
				t.Fatalf("got %v, want ErrMinorsSafeguards naming %s", err, tc.want)
			}
			en, nl := te.Sentence("en"), te.Sentence("nl")
			if !strings.Contains(en, te.Problems[0].Message.EN) || !strings.Contains(nl, te.Problems[0].Message.NL) || en == nl {
				t.Fatalf("the sentence does not say what is missing in both languages:\n%s\n%s", en, nl)
			}
			if c.Status != before {
				t.Fatalf("a refused end moved the case to %s", c.Status)
			}
		})
	}
}

// TestMinorsNeverHoldTheScreeningPastItsLimitArt18: a missing minors' safeguard refuses
// ending a minor's screening early, but once the screening limit has passed the form is
// completed and the person referred (SR Art 8(3), 18(1) "at the latest"; Art 13(1) best
// interests): a child is not kept in screening for want of a record.
func TestMinorsNeverHoldTheScreeningPastItsLimitArt18(t *testing.T) {
	c := fullCase()
	c.Identity.BirthDate, c.Identity.BirthDateEstimated, c.Identity.AgeDoubt = PartialDate{2014, 3, 1}, false, AgeDoubt{}
	due := c.Deadlines().Screening.Due()
	if err := c.Transition(StatusFormCompleted, due.Add(-time.Hour)); !errors.Is(err, ErrMinorsSafeguards) {
		t.Fatalf("ending early without the companion: %v, want ErrMinorsSafeguards", err)
	}
	if ps := c.ScreeningEndProblems(due, nil); len(ps) != 0 {
		t.Fatalf("at the limit the safeguards still hold the screening: %v", ps)
	}
	if err := c.Transition(StatusFormCompleted, due.Add(time.Hour)); err != nil {
		t.Fatalf("after the limit the form cannot be completed: %v", err)
	}
}
