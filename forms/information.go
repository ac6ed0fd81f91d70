package forms

import (
	"fmt"
	"sort"
	"strings"
)

// CodeLeafletNotSpoken marks a leaflet handed over in a language that is not among the
// languages recorded for the person (or none are recorded). It is advisory: the officer may
// know better (an interpreter read it out), but must see it.
const CodeLeafletNotSpoken = "leaflet_language_not_spoken"

// leafletReaders lists, per leaflet language, the ISO 639-3 codes (individual languages and
// their macrolanguage) whose speakers read that leaflet: the Arabic leaflet is in Modern
// Standard Arabic, read by speakers of the Arabic varieties; the Persian one by Dari and
// Hazaragi speakers; the Sorani one by speakers recorded under the Kurdish macrolanguage.
var leafletReaders = map[string][]string{
	"ar":  {"ara", "arb", "acm", "aeb", "apc", "apd", "arq", "ary", "arz", "ayl", "mey", "shu"},
	"fa":  {"fas", "pes", "prs", "haz"},
	"ps":  {"pus", "pbt", "pbu"},
	"ckb": {"ckb", "kur"},
	"ti":  {"tir"},
	"so":  {"som"},
	"tr":  {"tur"},
	"en":  {"eng"},
	"fr":  {"fra"},
	"nl":  {"nld"},
}

// LeafletLanguageWarning checks that the leaflet was given in a language the person speaks:
// Eurodac Art 42(1) requires the information in a language the person understands or is
// reasonably supposed to understand (and, as we read it, so does Screening Regulation Art 11). It returns nil when no
// leaflet language is recorded yet or when it matches one of Identity.Languages.
func (c *Case) LeafletLanguageWarning() *Problem {
	leaflet := c.Info.LeafletLanguage
	if leaflet == "" {
		return nil
	}
	readers := leafletReaders[leaflet]
	for _, l := range c.Identity.Languages {
		for _, r := range readers {
			if l == r {
				return nil
			}
		}
	}
	if len(c.Identity.Languages) == 0 {
		p := problem("information.leafletLanguage", CodeLeafletNotSpoken, Message{
			EN: fmt.Sprintf("The languages the person speaks are not recorded: check that the leaflet in %q is understood, and record the languages (identity step).", leaflet),
			NL: fmt.Sprintf("De talen die de persoon spreekt zijn niet vastgelegd: controleer of de folder in %q begrepen wordt en leg de talen vast (stap identiteit).", leaflet),
		})
		return &p
	}
	spoken := append([]string(nil), c.Identity.Languages...)
	sort.Strings(spoken)
	p := problem("information.leafletLanguage", CodeLeafletNotSpoken, Message{
		EN: fmt.Sprintf("The leaflet is in %q, which is not one of the languages the person speaks (%s): give the leaflet in one of them, or record that an interpreter read it out.", leaflet, strings.Join(spoken, ", ")),
		NL: fmt.Sprintf("De folder is in %q, geen van de talen die de persoon spreekt (%s): geef de folder in een van die talen, of leg vast dat een tolk hem heeft voorgelezen.", leaflet, strings.Join(spoken, ", ")),
	})
	return &p
}

// LeafletLanguages lists, sorted, the languages that have a leaflet of version in assets
// (leaflet-<version>.<lang>.json): the languages the terminal can hand over and print, since
// forms/pdf prints the leaflet from the same files (TestLeafletLanguagesArePrintable).
func LeafletLanguages(version string) []string {
	var out []string
	for k := range leafletFiles() {
		if k.version == version && version != "" {
			out = append(out, k.lang)
		}
	}
	sort.Strings(out)
	return out
}

// leafletLanguageProblem is the one leaflet-language rule (Screening Regulation Art 11(1) and
// Eurodac Art 42(1): the information in writing, in a language the person understands; the
// terminal can only hand over a leaflet it has): lang must have a leaflet, of version when it
// is given ("" means any version, for a case whose version is not stamped yet). nil when it
// has one.
func leafletLanguageProblem(lang, version string) *Problem {
	have := leafletFiles()
	switch {
	case !isLower(lang, 2, 3) || !have[leafletKey{version: "", lang: lang}]:
		p := problem("information.leafletLanguage", CodeUnknownLanguage, Message{
			EN: fmt.Sprintf("There is no leaflet in language %q; available: %s.", lang, leafletLangs(have)),
			NL: fmt.Sprintf("Er is geen folder in taal %q; beschikbaar: %s.", lang, leafletLangs(have)),
		})
		return &p
	case version != "" && !have[leafletKey{version: version, lang: lang}]:
		p := problem("information.leafletVersion", CodeInvalidValue, Message{
			EN: fmt.Sprintf("There is no leaflet version %q in language %q.", version, lang),
			NL: fmt.Sprintf("Er is geen folderversie %q in taal %q.", version, lang),
		})
		return &p
	}
	return nil
}
