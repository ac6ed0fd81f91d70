package pdf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/carlos7ags/folio/layout"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/codelist"
)

// ErrNoReference is returned for a case without a reference: the QR code and the footer need
// one, and a printed form that cannot be matched to its case is worse than none.
var ErrNoReference = errors.New("case has no reference")

// RenderForm writes the screening form of c in lang (en, nl, fr, ar, fa) as PDF. It prints what
// is recorded and says "not recorded" for what is not; it never prints a pending security
// check as "no hit". The health section holds the outcome only. Validate the case first: the
// renderer does not judge content.
func RenderForm(out io.Writer, c *forms.Case, lang string, opts Options) error {
	if c == nil {
		return errors.New("render screening form: no case")
	}
	if strings.TrimSpace(c.Reference) == "" {
		return fmt.Errorf("render screening form: %w", ErrNoReference)
	}
	t, err := formLabels(lang)
	if err != nil {
		return fmt.Errorf("render screening form: %w", err)
	}
	w, err := newWriter(lang, t.Dir, t.label("title")+" "+c.Reference, opts)
	if err != nil {
		return fmt.Errorf("render screening form: %w", err)
	}
	f := &formWriter{writer: w, t: t, c: c}
	if err := f.header(); err != nil {
		return fmt.Errorf("render screening form: %w", err)
	}
	f.sections(f.signatures()...)
	if err := w.finish(out); err != nil {
		return fmt.Errorf("render screening form: %w", err)
	}
	return nil
}

type formWriter struct {
	*writer
	t *formTexts
	c *forms.Case
	// A section is its heading, a head table of its first keepRows rows kept on one page
	// with the heading, and the rest of its rows in a table that may break across pages:
	// a heading never stands alone at the foot of a page, next to the footer.
	heading    *layout.Paragraph
	head, rest *layout.Table
	newTable   func() *layout.Table
	odd        bool
}

// keepRows is how many rows of a section stay on the page of its heading.
const keepRows = 2

func (f *formWriter) l(key string) string { return f.t.label(key) }

func (f *formWriter) header() error {
	img, err := qrImage(f.c.Reference)
	if err != nil {
		return err
	}
	f.footer(f.l("reference")+": "+f.c.Reference, f.l("page"), formFooterGap)
	head := f.table(contentW-qrSizePt-8, qrSizePt+8)
	r := head.AddRow()
	title := layout.NewDiv()
	title.Add(f.para(f.l("title"), f.bold, titleSize).SetSpaceAfter(2))
	title.Add(f.para(f.l("subtitle"), f.reg, bodySize))
	title.Add(f.para(f.l("reference")+": "+f.c.Reference, f.bold, headSize).SetSpaceBefore(6))
	title.Add(f.para(f.l("printed")+": "+f.stamp(f.opts.now()), f.reg, bodySize))
	r.AddCellElement(title).SetBorders(layout.NoBorders()).SetPadding(0)
	qrCell := layout.NewDiv()
	qrCell.Add(layout.NewImageElement(img).SetSize(qrSizePt, qrSizePt))
	r.AddCellElement(qrCell).SetBorders(layout.NoBorders()).SetPadding(0)
	f.doc.Add(head)
	note := f.l("qrNote")
	if strings.HasPrefix(f.t.TranslationStatus, "DRAFT") {
		note += "  " + f.t.TranslationStatus
	}
	f.doc.Add(f.para(note, f.reg, smallSize).SetSpaceBefore(2).SetSpaceAfter(4))
	return nil
}

// section starts a heading and a fresh label/value table.
func (f *formWriter) section(key string) {
	f.flush()
	f.heading = f.para(f.l(key), f.bold, headSize).SetSpaceBefore(9).SetSpaceAfter(3)
	f.columns(labelW, contentW-labelW)
	f.odd = false
}

// columns sets the column widths of the current section's tables.
func (f *formWriter) columns(widths ...float64) {
	f.newTable = func() *layout.Table { return f.table(widths...) }
	f.head, f.rest = f.newTable(), nil
}

// addRow adds a row to the current section: to the head table kept with the heading while
// it has fewer than keepRows rows, else to the rest.
func (f *formWriter) addRow() *layout.Row {
	if f.rest == nil && len(f.head.Rows()) < keepRows {
		return f.head.AddRow()
	}
	if f.rest == nil {
		f.rest = f.newTable()
	}
	return f.rest.AddRow()
}

func (f *formWriter) row(labelKey, value string) {
	r := f.addRow()
	lc := f.cell(r, f.l(labelKey), f.bold, bodySize)
	vc := f.cell(r, value, f.reg, bodySize)
	if f.odd {
		lc.SetBackground(layout.Gray(rowShading))
		vc.SetBackground(layout.Gray(rowShading))
	}
	f.odd = !f.odd
}

// flush adds the current section to the document: the heading and the head table as one
// block that moves to the next page rather than split, then the rest. With tail, the whole
// section and tail are that block (the person's remarks and the signatures under them).
func (f *formWriter) flush(tail ...layout.Element) {
	block := layout.NewDiv().SetKeepTogether(true)
	var parts []layout.Element
	if f.heading != nil {
		parts = append(parts, f.heading)
	}
	if f.head != nil && len(f.head.Rows()) > 0 {
		parts = append(parts, f.head)
	}
	rest := f.rest != nil && len(f.rest.Rows()) > 0
	if rest && len(tail) > 0 {
		parts = append(parts, f.rest)
		rest = false
	}
	for _, e := range append(parts, tail...) {
		block.Add(e)
	}
	if len(parts)+len(tail) > 0 {
		f.doc.Add(block)
	}
	if rest {
		f.doc.Add(f.rest)
	}
	f.heading, f.head, f.rest = nil, nil, nil
}

func (f *formWriter) or(s string) string {
	if strings.TrimSpace(s) == "" {
		return f.l("notRecorded")
	}
	return s
}

func (f *formWriter) list(items []string) string { return f.or(strings.Join(items, ", ")) }

// enum translates a code with the label "prefix.code", keeping the code if it is unknown.
func (f *formWriter) enum(prefix, code string) string {
	if code == "" {
		return f.l("notRecorded")
	}
	if s, ok := f.t.Labels[prefix+"."+code]; ok {
		return s
	}
	return code
}

func (f *formWriter) stamp(t time.Time) string {
	if t.IsZero() {
		return f.l("notRecorded")
	}
	return t.In(f.opts.loc()).Format("2006-01-02 15:04 MST")
}

// state prints an ICAO code with its name where the code list has one in the form's language
// (en, nl); other languages get the code, which is what the person's documents show.
func (f *formWriter) state(code string) string {
	if e, ok := codelist.State(code); ok && e.Names[f.t.Lang] != "" {
		return e.Names[f.t.Lang] + " (" + code + ")"
	}
	return code
}

// language prints an ISO 639-3 code with its name in the form's language, else the
// language's own name (endonym), so the person can recognise it.
func (f *formWriter) language(code string) string {
	if e, ok := codelist.Language(code); ok {
		if n := e.Names[f.t.Lang]; n != "" {
			return n + " (" + code + ")"
		}
		if n := e.Names["self"]; n != "" {
			return n + " (" + code + ")"
		}
	}
	return code
}

func (f *formWriter) yesNo(b bool) string {
	if b {
		return f.l("yes")
	}
	return f.l("no")
}

// sections prints the form's sections 1-14 and, kept with the last one, tail (the form's
// signatures; the access report prints the sections without them).
func (f *formWriter) sections(tail ...layout.Element) {
	c := f.c
	f.section("sec.screening")
	f.row("reason", f.enum("reason", string(c.Trigger.Reason)))
	f.row("place", f.or(c.Trigger.Place))
	f.row("datetime", f.stamp(c.Trigger.At))
	f.row("status", f.outcome())

	f.identity()
	f.documents()

	f.section("sec.information")
	leaflet := c.Info.LeafletLanguage
	if c.Info.LeafletVersion != "" {
		leaflet += ", " + c.Info.LeafletVersion
	}
	f.row("leaflet", f.or(leaflet))
	interp := f.yesNo(c.Info.Interpreter.Used)
	if c.Info.Interpreter.Used && c.Info.Interpreter.Language != "" {
		interp += ": " + f.language(c.Info.Interpreter.Language)
	}
	f.row("interpreter", interp)
	if c.Info.ChildFriendly {
		f.row("childFriendly", f.l("yes"))
	}
	f.row("datetime", f.stamp(c.Info.At))
	f.row("handover.leaflet", f.handover(c.Handover.Leaflet))
	f.row("handover.form", f.handover(c.Handover.Form))

	f.section("sec.health")
	f.row("outcome", f.item("health.result", f.enum("health", string(c.Health.Result))))

	f.section("sec.vulnerability")
	var ind []string
	for _, i := range c.Vulnerability.Indicators {
		ind = append(ind, f.enum("vuln", i))
	}
	switch {
	case len(ind) > 0:
		f.row("indicators", strings.Join(ind, ", "))
	case c.Vulnerability.Checked:
		f.row("indicators", f.l("noIndication"))
	default:
		f.row("indicators", f.item("vulnerability.checked", f.l("notRecorded")))
	}
	if len(c.Vulnerability.ReceptionNeeds) > 0 {
		f.row("receptionNeeds", strings.Join(c.Vulnerability.ReceptionNeeds, ", "))
	}
	if len(c.Vulnerability.ProceduralNeeds) > 0 {
		f.row("proceduralNeeds", strings.Join(c.Vulnerability.ProceduralNeeds, ", "))
	}

	// SR Art 17(1)(f), (g): yes, no or not recorded; never a "no" nobody gave.
	f.section("sec.application")
	f.row("applicationMade", f.item("application.made", f.answer(c.Application.Made)))
	if c.Application.Made.Yes() {
		f.row("datetime", f.stamp(c.Application.At))
		f.row("place", f.or(c.Application.Place))
	}

	f.section("sec.family")
	f.row("familyInMemberState", f.item("familyInMemberState", f.answer(c.FamilyAnswer())))
	for _, m := range c.Family {
		r := f.addRow()
		f.cell(r, m.Relation, f.bold, bodySize)
		f.cell(r, m.Name+", "+f.state(m.MemberState), f.reg, bodySize)
	}

	f.section("sec.checks")
	if len(c.Checks) == 0 {
		f.row("status", f.l("notRecorded"))
	}
	for _, ch := range c.Checks {
		r := f.addRow()
		f.cell(r, ch.System, f.bold, bodySize)
		// Each system prints its own state: pending prints as pending (or as still open
		// once the form is completed, Art 18(5)), never as no hit; not possible with why.
		st := f.enum("check", string(ch.Status))
		switch {
		case ch.Status == forms.CheckPending && c.Outcome != "":
			st = f.l("check.open_at_completion")
		case ch.Status == forms.CheckNotPossible && ch.Reason != "":
			st += ": " + ch.Reason
		}
		f.cell(r, st, f.reg, bodySize)
	}

	f.biometrics()

	f.section("sec.cooperation")
	f.row("complied", f.item("cooperation.complied", f.enumOr(c.Cooperation.Complied)))

	f.statement()

	f.section("sec.outcome")
	f.row("status", f.outcome())
	if c.Referral.To != "" {
		ref := f.enum("referral", string(c.Referral.To))
		if c.Referral.MemberState != "" {
			ref += ": " + f.state(c.Referral.MemberState)
		}
		f.row("referral", ref)
		f.row("authority", f.or(c.Referral.Authority))
	} else {
		f.row("referral", f.l("notRecorded"))
	}
	f.remarks()
	f.flush(tail...)
}

// handover prints whether the person received a document (SR Art 11, Art 17): received or
// refused to accept, with its language, version, time and who handed it over; not recorded
// when nobody recorded it (never read as received).
func (f *formWriter) handover(h forms.HandedOver) string {
	if h.Status == "" {
		return f.l("notRecorded")
	}
	parts := []string{f.enum("handover", string(h.Status))}
	if doc := strings.TrimSpace(h.Language + " " + h.Version); doc != "" {
		parts = append(parts, doc)
	}
	if !h.At.IsZero() {
		parts = append(parts, f.stamp(h.At))
	}
	if h.By != "" {
		parts = append(parts, h.By)
	}
	return strings.Join(parts, ", ")
}

// answer prints a three-state answer: yes, no, or not recorded.
func (f *formWriter) answer(a forms.Answer) string {
	switch a {
	case forms.AnswerYes:
		return f.l("yes")
	case forms.AnswerNo:
		return f.l("no")
	}
	return f.l("notRecorded")
}

// item prints the value of an Art 17(1) item, or, where it is not recorded and was marked
// as could not be established, that with its reason.
func (f *formWriter) item(path, value string) string {
	if value != f.l("notRecorded") {
		return value
	}
	if why := f.c.NotEstablishedReason(path); why != "" {
		return f.l("notEstablished") + ": " + why
	}
	return value
}

// statement prints what the person states on their arrival (SR Art 17(2)), marked as
// their statement.
func (f *formWriter) statement() {
	s := f.c.Statement
	f.section("sec.statement")
	f.row("arrivalReasons", f.or(s.ReasonsForEntry))
	f.row("route", f.or(s.Route))
	f.row("smugglers", f.or(s.Smugglers))
}

// remarks prints the person's own section: what they say is incorrect and what is right,
// and whether they received a copy.
func (f *formWriter) remarks() {
	r := f.c.Remarks
	f.section("sec.remarks")
	f.row("remarksIncorrect", f.or(r.Incorrect))
	f.row("remarksCorrect", f.or(r.Correct))
	copyAt := f.answer(r.CopyReceived)
	if r.CopyReceived.Yes() && !r.CopyAt.IsZero() {
		copyAt += ", " + f.stamp(r.CopyAt)
	}
	f.row("copyReceived", copyAt)
}

func (f *formWriter) enumOr(code string) string {
	switch code {
	case "yes", "no", "partly":
		return f.l(code)
	}
	return f.or(code)
}

func (f *formWriter) outcome() string {
	switch f.c.Outcome {
	case forms.OutcomeCompleted:
		return f.l("outcome.completed")
	case forms.OutcomeEndedAtDeadlineWithOpenChecks:
		return f.l("outcome.ended_at_deadline_with_open_checks") + " " + strings.Join(f.c.OpenChecks, ", ")
	}
	return f.l("inProgress")
}

func (f *formWriter) identity() {
	id := f.c.Identity
	f.section("sec.identity")
	f.row("surnames", f.item("identity.surnames", f.list(id.Surnames)))
	f.row("givenNames", f.list(id.GivenNames))
	if orig := strings.TrimSpace(strings.Join(append(append([]string{}, id.GivenNamesOriginal...), id.SurnamesOriginal...), " ")); orig != "" {
		f.row("originalScript", orig)
	}
	if other := append(append([]string(nil), id.NamesAtBirth...), id.OtherNames...); len(other) > 0 {
		f.row("otherNames", strings.Join(other, ", "))
	}
	dob := f.or(id.BirthDate.String())
	if id.BirthDateEstimated {
		dob += " (" + f.l("estimated") + ")"
	}
	f.row("birthDate", f.item("identity.birthDate", dob))
	pob := id.PlaceOfBirth
	if id.CountryOfBirth != "" {
		pob = strings.TrimSpace(pob + ", " + f.state(id.CountryOfBirth))
	}
	f.row("placeOfBirth", f.item("identity.placeOfBirth", f.or(pob)))
	f.row("sex", f.item("identity.sex", f.enum("sex", string(id.Sex))))
	var nats []string
	for _, n := range id.Nationalities {
		if s, ok := f.t.Labels["nat."+n]; ok {
			nats = append(nats, s+" ("+n+")")
			continue
		}
		nats = append(nats, f.state(n))
	}
	f.row("nationalities", f.item("identity.nationalities", f.list(nats)))
	var langs []string
	for _, l := range id.Languages {
		langs = append(langs, f.language(l))
	}
	f.row("languages", f.item("identity.languages", f.list(langs)))
	var rs []string
	for _, r := range id.Residences {
		s := f.state(r.Country)
		if !r.From.IsZero() || !r.To.IsZero() {
			s += " " + r.From.String() + "–" + r.To.String()
		}
		rs = append(rs, s)
	}
	f.row("residences", f.item("identity.residences", f.or(strings.Join(rs, "; "))))
}

func (f *formWriter) documents() {
	f.section("sec.documents")
	if len(f.c.Documents) == 0 {
		f.row("docNumber", f.l("none"))
		return
	}
	f.columns(contentW*0.14, contentW*0.34, contentW*0.24, contentW*0.28)
	h := f.addRow()
	for _, k := range []string{"docType", "docNumber", "issuingState", "expiryDate"} {
		f.cell(h, f.l(k), f.bold, bodySize).SetBackground(layout.Gray(rowShading))
	}
	for _, d := range f.c.Documents {
		r := f.addRow()
		for _, v := range []string{d.Type, d.Number, f.state(d.IssuingState), d.ExpiryDate.String()} {
			f.cell(r, f.or(v), f.reg, bodySize)
		}
	}
}

func (f *formWriter) biometrics() {
	c, b := f.c, f.c.Biometrics
	f.section("sec.biometrics")
	at := b.CapturedAt
	if at.IsZero() {
		at = f.opts.now()
	}
	if req, _ := c.BiometricsRequired(at); !req {
		f.row("fingersTaken", f.l("biometricsNotRequired"))
		return
	}
	latest := map[forms.FingerPosition]forms.Finger{}
	for _, fg := range b.Fingers {
		latest[fg.Position] = fg
	}
	taken := 0
	var not []string
	for p := forms.RightThumb; p <= forms.LeftLittle; p++ {
		fg, ok := latest[p]
		switch {
		case !ok:
		case fg.Status == forms.FingerCaptured:
			taken++
		default:
			// Status first, the ANSI/NIST position in parentheses after it: a number at the
			// start of a right-to-left line is misplaced by the bidi layout.
			s := fmt.Sprintf("%s (%d)", f.enum("finger", string(fg.Status)), p)
			if !fg.RetakeOn.IsZero() {
				s += " " + fg.RetakeOn.String()
			}
			not = append(not, s)
		}
	}
	// No spaces around the slash: "9/10" stays one number run in right-to-left text.
	f.row("fingersTaken", fmt.Sprintf("%d/10", taken))
	if len(not) > 0 {
		f.row("fingersNotTaken", strings.Join(not, "; "))
	}
	f.row("face", f.enum("face", string(b.Face.Status)))
	if b.Companion != nil {
		f.row("companion", companionText(b.Companion, f.enum("companion", string(b.Companion.Role))))
	}
	if !b.CapturedAt.IsZero() {
		f.row("datetime", f.stamp(b.CapturedAt))
	}
}

// signatures are the lines the officer and the person sign on, kept on the page of the
// person's remarks.
func (f *formWriter) signatures() []layout.Element {
	t := f.table(contentW/2, contentW/2)
	r := t.AddRow()
	for _, k := range []string{"signatureOfficer", "signaturePerson"} {
		d := layout.NewDiv()
		d.Add(f.para(f.l(k), f.bold, bodySize).SetSpaceAfter(28))
		d.Add(f.para("______________________________", f.reg, bodySize))
		d.Add(f.para(f.l("date")+": ____________", f.reg, bodySize).SetSpaceBefore(6))
		r.AddCellElement(d).SetBorders(layout.NoBorders()).SetPadding(4)
	}
	return []layout.Element{layout.NewParagraphEmbedded(" ", f.reg, bodySize).SetSpaceBefore(8), t}
}

// companionText prints the minor's companion as recorded: role, relationship and ID, badge
// or register number; a name only for a case recorded before names were no longer asked.
func companionText(cp *forms.Companion, role string) string {
	parts := []string{role}
	for _, s := range []string{cp.Relationship, cp.ID, cp.Name} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
