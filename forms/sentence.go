package forms

import (
	"fmt"
	"strings"
)

// In is the message in the interface language lang ("nl" or "en"; English when the Dutch
// text is missing).
func (m Message) In(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "nl") && strings.TrimSpace(m.NL) != "" {
		return m.NL
	}
	return m.EN
}

// The Sentence methods below give a refusal of this package as one or more sentences for
// the person at the screen, in English ("en") or Dutch ("nl"), saying what to do. app finds
// them in an error's chain (app.Sentence), as it finds hardware's; Error stays the English
// line with the field paths for the command line and the logs.

// Sentence: see above.
func (e *RuleError) Sentence(lang string) string { return e.Message.In(lang) }

// Sentence: see above.
func (e *PurgeRefusal) Sentence(lang string) string { return e.Message.In(lang) }

// maxSentences bounds how many problems one error sentence lists; the screen shows each
// problem beside its field anyway.
const maxSentences = 3

// Sentence: the first few problems' messages, then how many more there are.
func (ps Problems) Sentence(lang string) string {
	var parts []string
	for i, p := range ps {
		if i == maxSentences {
			parts = append(parts, fmt.Sprintf(pickLang(lang, "(%d more problems are shown beside their fields.)",
				"(Nog %d problemen staan bij hun velden.)"), len(ps)-maxSentences))
			break
		}
		parts = append(parts, p.Message.In(lang))
	}
	return strings.Join(parts, " ")
}

// Sentence: why the case cannot move to the next status, and what to do.
func (e *TransitionError) Sentence(lang string) string {
	switch e.Err {
	case ErrIncomplete:
		head := pickLang(lang, "The screening form is not complete yet.", "Het screeningsformulier is nog niet volledig.")
		if len(e.Problems) == 0 {
			return head + " " + pickLang(lang, "Fill in the fields marked on the steps and try again.",
				"Vul de gemarkeerde velden in de stappen in en probeer het opnieuw.")
		}
		return head + " " + e.Problems.Sentence(lang)
	case ErrMinorsSafeguards:
		return pickLang(lang, "The person is or may be a minor: the screening cannot be completed or closed yet.",
			"De persoon is of is mogelijk minderjarig: de screening kan nog niet worden afgerond of gesloten.") + " " + e.Problems.Sentence(lang)
	case ErrOpenChecks:
		return fmt.Sprintf(pickLang(lang,
			"Security checks are still waiting for an answer (%s): the form can be completed with checks open only once the screening deadline has passed. Wait for the answers or send again from the Security checks step.",
			"Er wachten nog veiligheidscontroles op antwoord (%s): het formulier kan met open controles pas worden afgerond als de screeningstermijn verstreken is. Wacht op de antwoorden of verstuur opnieuw bij de stap Veiligheidscontroles."),
			strings.Join(e.Pending, ", "))
	case ErrRule:
		if s := e.Reason.Message.In(lang); s != "" {
			return s
		}
		return pickLang(lang, "The age rule for fingerprints does not allow this step: check the date of birth.",
			"De leeftijdsregel voor vingerafdrukken staat deze stap niet toe: controleer de geboortedatum.")
	}
	return pickLang(lang,
		"This step does not follow from the case's current status (a closed case, for example, cannot be informed again): check the status on the case's first step.",
		"Deze stap past niet bij de huidige status van de zaak (een gesloten zaak kan bijvoorbeeld niet opnieuw worden geïnformeerd): controleer de status bij de eerste stap van de zaak.")
}

func pickLang(lang, en, nl string) string {
	return Message{EN: en, NL: nl}.In(lang)
}
