package forms

import (
	"fmt"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/forms/codelist"
)

// CheckCodes says why a case that arrives whole (an import, `fieldscreenctl case import`)
// cannot be stored, naming the first field: every coded value must be on its list and pass
// the rule the commands apply to it, because no officer saw the file being typed and a code
// stored off its list travels on to the form, the packets and the monitoring export. It is
// CheckNew's companion (what a new case may carry at all) and runs the same rules as the
// screens' commands and the validator:
//   - leaflet language: the leaflet-language rule of RecordInformation, for the version the
//     terminal prints (leafletVersion; SR Art 11(1), ER Art 42(1));
//   - document source "mrz" is refused: it means a document reader on this terminal verified
//     the check digits (Document.Source), and no reader read a file (the rule a case update
//     patch meets in app);
//   - state codes (ICAO 9303), document types and ISO 639-3 languages must be on the
//     terminal's code lists (forms/codelist); a screen user may type a well-formed language
//     the list lacks because they hear the person, a file may not;
//   - every other code (trigger ground, deadline, missed-deadline reason, health result,
//     vulnerability indicator, finger and face status, companion role, referral target,
//     Eurodac category, answers, sex, authenticity) through the validator's lists, which the
//     Record rules share.
//
// now is the terminal's time (for the validator's dates). The error is a *RuleError
// wrapping ErrBadValue, or ErrNotNew for a source only a reader sets.
func (c *Case) CheckCodes(leafletVersion string, now time.Time) error {
	for i, d := range c.Documents {
		if d.Source == "mrz" {
			return &RuleError{Path: fmt.Sprintf("documents[%d].source", i), Err: ErrNotNew, Message: Message{
				EN: `source "mrz" means a document reader verified the check digits on this terminal; a document from a file is "manual": set source to manual or leave it out`,
				NL: `bron "mrz" betekent dat een documentlezer op deze terminal de controlecijfers heeft gecontroleerd; een document uit een bestand is "manual": zet de bron op manual of laat haar weg`,
			}}
		}
	}
	if l := c.Info.LeafletLanguage; l != "" {
		if p := leafletLanguageProblem(l, leafletVersion); p != nil {
			return &RuleError{Path: "information.leafletLanguage", Err: ErrBadValue, Message: p.Message}
		}
	}
	if p := offListLanguage(c); p != nil {
		return &RuleError{Path: p.Path, Err: ErrBadValue, Message: p.Message}
	}
	for i, d := range c.Documents {
		if _, ok := codelist.DocumentType(d.Type); !ok && d.Type != "" {
			var codes []string
			for _, e := range codelist.DocumentTypes() {
				codes = append(codes, e.Code)
			}
			list := strings.Join(codes, ", ")
			return &RuleError{Path: fmt.Sprintf("documents[%d].type", i), Err: ErrBadValue, Message: Message{
				EN: fmt.Sprintf("Document type %q is not on the terminal's list of MRZ document codes (%s).", d.Type, list),
				NL: fmt.Sprintf("Documentsoort %q staat niet op de lijst van MRZ-documentcodes van de terminal (%s).", d.Type, list),
			}}
		}
	}
	for _, p := range c.Validate(now) {
		if strings.HasSuffix(p.Path, ".number") {
			continue // a document number is the person's data, not a code: the screen shows its form
		}
		switch p.Code {
		case CodeInvalidValue, CodeUnknownState, CodeUnknownLanguage:
			return &RuleError{Path: p.Path, Err: ErrBadValue, Message: p.Message}
		}
	}
	return nil
}

// offListLanguage finds the first ISO 639-3 code of c that is not on the terminal's language
// list: the person's languages, a document holder's and the interpreter's.
func offListLanguage(c *Case) *Problem {
	check := func(path, code string) *Problem {
		if code == "" || codelist.IsLanguage(code) {
			return nil
		}
		p := problem(path, CodeUnknownLanguage, Message{
			EN: fmt.Sprintf("Language %q is not on the terminal's language list (ISO 639-3, e.g. ara, prs, tir): use a listed code, or leave it out and record the language on the identity step.", code),
			NL: fmt.Sprintf("Taal %q staat niet op de talenlijst van de terminal (ISO 639-3, bijv. ara, prs, tir): gebruik een code van de lijst, of laat haar weg en leg de taal vast bij de stap identiteit.", code),
		})
		return &p
	}
	for i, l := range c.Identity.Languages {
		if p := check(fmt.Sprintf("identity.languages[%d]", i), l); p != nil {
			return p
		}
	}
	for i, d := range c.Documents {
		for j, l := range d.Holder.Languages {
			if p := check(fmt.Sprintf("documents[%d].holder.languages[%d]", i, j), l); p != nil {
				return p
			}
		}
	}
	return check("information.interpreter.language", c.Info.Interpreter.Language)
}
