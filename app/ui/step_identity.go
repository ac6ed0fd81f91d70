package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/forms"
)

// triggerStep: why and where the person is screened, and when (every deadline runs from it).
type triggerStep struct {
	stepBase
	reason *widget.Select
	place  *widget.Entry
	at     *widget.Entry
	held   *widget.Check
}

func newTriggerStep(cs *caseScreen) stepView {
	s := &triggerStep{stepBase: stepBase{newFieldSet()}, place: widget.NewEntry(), at: widget.NewEntry()}
	labels := make([]string, len(forms.TriggerReasons))
	for i, r := range forms.TriggerReasons {
		labels[i] = T("trigger." + string(r))
	}
	s.reason = widget.NewSelect(labels, nil)
	for i, r := range forms.TriggerReasons {
		if cs.c.Trigger.Reason == r {
			s.reason.SetSelectedIndex(i)
		}
	}
	s.place.SetText(cs.c.Trigger.Place)
	s.at.SetText(timeText(cs.c.Trigger.At))
	s.at.SetPlaceHolder("2026-06-12 03:10")
	s.held = widget.NewCheck(T("trigger.held"), nil)
	s.held.SetChecked(cs.c.Trigger.HeldAtBorderOver72h)
	for _, e := range []*widget.Entry{s.place, s.at} {
		e.OnChanged = func(string) { cs.u.touch() }
	}
	s.fs.add("trigger.reason", "trigger.reason", s.reason)
	s.fs.add("trigger.place", "trigger.place", s.place)
	s.fs.add("trigger.at", "trigger.at", s.at)
	s.fs.add("trigger.heldAtBorderOver72h", "trigger.heldLabel", s.held)
	return s
}

func (s *triggerStep) apply(c *forms.Case) error {
	if i := s.reason.SelectedIndex(); i >= 0 {
		c.Trigger.Reason = forms.TriggerReasons[i]
	}
	c.Trigger.Place = strings.TrimSpace(s.place.Text)
	if s.at.Text != timeText(c.Trigger.At) { // the field shows minutes: untouched, the stored time stays exact
		t, err := parseTime(s.at.Text)
		if err != nil {
			return inputErrorf("%s: %s", T("trigger.at"), T("input.badTime"))
		}
		c.Trigger.At = t
	}
	c.Trigger.HeldAtBorderOver72h = s.held.Checked
	return nil
}

// identityStep: the identity as the person declares it (the documented one is on the
// document step; the two are never merged).
type identityStep struct {
	stepBase
	surnames, givenNames *widget.Entry
	birth, place, nats   *widget.Entry
	langs                *widget.Entry
	countryOfBirth       *widget.Entry
	otherNames           *widget.Entry
	namesAtBirth         *widget.Entry
	residences           *widget.Entry
	estimated, underSix  *widget.Check
	// couldBeMinor answers "could this person be a minor?" (not recorded, yes, no) with its
	// reason, for an unknown or estimated date of birth (forms.Case.AgeDoubtProblems).
	couldBeMinor    *widget.Select
	couldBeMinorWhy *widget.Entry
	sex             *widget.RadioGroup
}

func newIdentityStep(cs *caseScreen) stepView {
	id := cs.c.Identity
	s := &identityStep{stepBase: stepBase{newFieldSet()}}
	entry := cs.u.entry
	s.surnames = entry(joinNames(id.Surnames), "")
	s.givenNames = entry(joinNames(id.GivenNames), "")
	s.birth = entry(dateText(id.BirthDate), T("identity.birthPlaceholder"))
	s.place = entry(id.PlaceOfBirth, "")
	s.nats = entry(strings.Join(id.Nationalities, ", "), T("identity.natPlaceholder"))
	s.langs = entry(strings.Join(id.Languages, ", "), T("identity.langPlaceholder"))
	s.countryOfBirth = entry(id.CountryOfBirth, T("identity.countryPlaceholder"))
	s.otherNames = entry(strings.Join(id.OtherNames, ", "), T("identity.otherNamesPlaceholder"))
	s.namesAtBirth = entry(strings.Join(id.NamesAtBirth, ", "), T("identity.namesAtBirthPlaceholder"))
	s.residences = entry(residencesText(id.Residences), T("identity.residencesPlaceholder"))
	s.estimated = widget.NewCheck(T("identity.estimated"), nil)
	s.estimated.SetChecked(id.BirthDateEstimated)
	s.underSix = widget.NewCheck(T("identity.underSix"), nil)
	s.underSix.SetChecked(id.PossiblyUnderSix)
	s.couldBeMinor = widget.NewSelect([]string{T("answer.notRecorded"), T("answer.yes"), T("answer.no")}, nil)
	s.couldBeMinor.PlaceHolder = T("identity.couldBeMinor")
	for i, a := range ageDoubtAnswers {
		if a == id.AgeDoubt.CouldBeMinor && a != forms.AnswerNotRecorded {
			s.couldBeMinor.SetSelectedIndex(i)
		}
	}
	s.couldBeMinorWhy = entry(id.AgeDoubt.Reason, T("identity.couldBeMinorReason"))
	s.sex = widget.NewRadioGroup([]string{"F", "M", "X"}, nil)
	s.sex.Horizontal = true
	s.sex.SetSelected(string(id.Sex))
	s.fs.add("identity.surnames", "identity.surnames", s.surnames)
	s.fs.add("identity.givenNames", "identity.givenNames", s.givenNames)
	s.fs.add("identity.birthDate", "identity.birthDate", s.birth)
	s.fs.add("identity.birthDateEstimated", "identity.age", container.NewVBox(s.estimated, s.underSix,
		widget.NewLabel(T("identity.couldBeMinor")), s.couldBeMinor, s.couldBeMinorWhy))
	s.fs.add("identity.sex", "identity.sex", s.sex)
	s.fs.add("identity.namesAtBirth", "identity.namesAtBirth", s.namesAtBirth)
	s.fs.add("identity.otherNames", "identity.otherNames", s.otherNames)
	s.fs.add("identity.placeOfBirth", "identity.placeOfBirth", s.place)
	s.fs.add("identity.countryOfBirth", "identity.countryOfBirth", s.countryOfBirth)
	s.fs.add("identity.nationalities", "identity.nationalities", s.nats)
	s.fs.add("identity.residences", "identity.residences", s.residences)
	s.fs.add("identity.languages", "identity.languages", s.langs)
	return s
}

func (s *identityStep) apply(c *forms.Case) error {
	bd, err := parseDate(s.birth.Text)
	if err != nil {
		return inputErrorf("%s: %s", T("identity.birthDate"), T("input.badDate"))
	}
	res, err := parseResidences(s.residences.Text)
	if err != nil {
		return inputErrorf("%s: %s", T("identity.residences"), errorText(err))
	}
	id := &c.Identity
	id.Residences = res
	id.CountryOfBirth = strings.ToUpper(strings.TrimSpace(s.countryOfBirth.Text))
	id.OtherNames = nameList(s.otherNames.Text)
	id.NamesAtBirth = nameList(s.namesAtBirth.Text)
	id.Surnames = splitNames(s.surnames.Text)
	id.GivenNames = splitNames(s.givenNames.Text)
	id.BirthDate = bd
	id.BirthDateEstimated = s.estimated.Checked
	id.PossiblyUnderSix = s.underSix.Checked
	if i := s.couldBeMinor.SelectedIndex(); i >= 0 {
		id.AgeDoubt.CouldBeMinor = ageDoubtAnswers[i]
	}
	id.AgeDoubt.Reason = strings.TrimSpace(s.couldBeMinorWhy.Text)
	if id.AgeDoubt.CouldBeMinor == forms.AnswerNotRecorded && id.AgeDoubt.Reason != "" {
		return inputErrorf("%s", T("identity.couldBeMinorFirst"))
	}
	id.Sex = forms.Sex(s.sex.Selected)
	id.PlaceOfBirth = strings.TrimSpace(s.place.Text)
	id.Nationalities = splitCodes(s.nats.Text)
	id.Languages = splitCodes(s.langs.Text)
	for i := range id.Languages {
		id.Languages[i] = strings.ToLower(id.Languages[i])
	}
	return nil
}

// documentStep: the first document and the identity it states, typed or read from the MRZ.
type documentStep struct {
	stepBase
	typ, number, state, expiry  *widget.Entry
	surnames, givenNames, birth *widget.Entry
	sex                         *widget.RadioGroup
	nationality                 *widget.Entry
	source                      string
	reader                      *docReader  // "Read document (Ctrl+R)", in docread.go
	scan                        *docScanner // the colour scan of the data page, in docscan.go
}

func newDocumentStep(cs *caseScreen) stepView {
	var d forms.Document
	if len(cs.c.Documents) > 0 {
		d = cs.c.Documents[0]
	}
	s := &documentStep{stepBase: stepBase{newFieldSet()}, source: d.Source}
	entry := func(text string) *widget.Entry { return cs.u.entry(text, "") }
	s.typ = entry(d.Type)
	s.typ.SetPlaceHolder("P")
	s.number = entry(d.Number)
	s.state = entry(d.IssuingState)
	s.expiry = entry(dateText(d.ExpiryDate))
	s.expiry.SetPlaceHolder("2031-01-31")
	s.surnames = entry(joinNames(d.Holder.Surnames))
	s.givenNames = entry(joinNames(d.Holder.GivenNames))
	s.birth = entry(dateText(d.Holder.BirthDate))
	s.nationality = entry(strings.Join(d.Holder.Nationalities, ", "))
	s.sex = widget.NewRadioGroup([]string{"F", "M", "X"}, nil)
	s.sex.Horizontal = true
	s.sex.SetSelected(string(d.Holder.Sex))
	p := "documents[0]"
	s.fs.add(p+".type", "document.type", s.typ)
	s.fs.add(p+".number", "document.number", s.number)
	s.fs.add(p+".issuingState", "document.issuingState", s.state)
	s.fs.add(p+".expiryDate", "document.expiryDate", s.expiry)
	s.fs.add(p+".holder.surnames", "identity.surnames", s.surnames)
	s.fs.add(p+".holder.givenNames", "identity.givenNames", s.givenNames)
	s.fs.add(p+".holder.birthDate", "identity.birthDate", s.birth)
	s.fs.add(p+".holder.sex", "identity.sex", s.sex)
	s.fs.add(p+".holder.nationalities", "identity.nationalities", s.nationality)
	s.reader = newDocReader(cs, s)
	s.scan = newDocScanner(cs)
	return s
}

func (s *documentStep) content() fyne.CanvasObject {
	return container.NewVBox(s.reader.content(), s.fs.form(), s.scan.content())
}

func (s *documentStep) apply(c *forms.Case) error {
	exp, err := parseDate(s.expiry.Text)
	if err != nil {
		return inputErrorf("%s: %s", T("document.expiryDate"), T("input.badDate"))
	}
	bd, err := parseDate(s.birth.Text)
	if err != nil {
		return inputErrorf("%s: %s", T("identity.birthDate"), T("input.badDate"))
	}
	d := forms.Document{
		Type:         strings.ToUpper(strings.TrimSpace(s.typ.Text)),
		Number:       strings.ToUpper(strings.TrimSpace(s.number.Text)),
		IssuingState: strings.ToUpper(strings.TrimSpace(s.state.Text)),
		ExpiryDate:   exp,
		Source:       s.source,
		Holder: forms.Identity{
			Surnames:      splitNames(s.surnames.Text),
			GivenNames:    splitNames(s.givenNames.Text),
			BirthDate:     bd,
			Sex:           forms.Sex(s.sex.Selected),
			Nationalities: splitCodes(s.nationality.Text),
		},
	}
	empty := d.Type == "" && d.Number == "" && d.IssuingState == "" && exp.IsZero() && d.Holder.IsZero()
	switch {
	case empty && len(c.Documents) <= 1:
		c.Documents = nil
	case empty:
		c.Documents = c.Documents[1:]
	case len(c.Documents) == 0:
		c.Documents = []forms.Document{d}
	default:
		old := c.Documents[0] // the fields this step does not show stay as they are
		if d.Source == "" {
			d.Source = old.Source
		}
		d.IssueDate, d.Authenticity, d.ScanRef, d.ScanAt, d.ScanSource = old.IssueDate, old.Authenticity, old.ScanRef, old.ScanAt, old.ScanSource
		c.Documents[0] = d
	}
	return nil // a document without a source is recorded as typed by hand (forms.RecordDocument)
}

// residencesText and parseResidences: the countries of residence before arrival (SR Art
// 17(1)(b)), separated by ";", each "CODE [FROM [TO]]" with partial dates.
func residencesText(rs []forms.Residence) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strings.TrimSpace(r.Country + " " + dateText(r.From) + " " + dateText(r.To))
	}
	return strings.Join(parts, "; ")
}

func parseResidences(s string) ([]forms.Residence, error) {
	var out []forms.Residence
	for _, part := range strings.Split(s, ";") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		if len(f) > 3 {
			return nil, inputErrorf(T("identity.badResidence"), part)
		}
		r := forms.Residence{Country: strings.ToUpper(f[0])}
		var err error
		if len(f) > 1 {
			if r.From, err = parseDate(f[1]); err != nil {
				return nil, inputErrorf(T("identity.badResidence"), part)
			}
		}
		if len(f) > 2 {
			if r.To, err = parseDate(f[2]); err != nil {
				return nil, inputErrorf(T("identity.badResidence"), part)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// nameList reads names separated by commas, in capitals, spaces collapsed.
func nameList(text string) []string {
	var out []string
	for _, n := range strings.Split(text, ",") {
		if n = strings.ToUpper(strings.Join(strings.Fields(n), " ")); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// ageDoubtAnswers are the couldBeMinor select's options in order.
var ageDoubtAnswers = []forms.Answer{forms.AnswerNotRecorded, forms.AnswerYes, forms.AnswerNo}
