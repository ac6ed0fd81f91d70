package app

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"
)

// MinPassphraseLen is the shortest passphrase accepted for a new slot. The slot's Argon2id
// parameters make each guess cost about half a second, but a short passphrase still falls
// to a determined attacker with the laptop.
const MinPassphraseLen = 12

// maxPassphraseLen bounds what the estimator reads (its matching grows faster than the
// length) and what a slot derivation takes.
const maxPassphraseLen = 256

// minGuesses is the estimator's guess count a passphrase must reach: zxcvbn's score 4, "strong
// protection from an offline slow-hash attack", which is the threat of a stolen laptop. (Score
// 3, 10^8, is reached by any three dictionary words in a row, a user's own name twice
// included.) At Argon2id's ≈ 0.5 s per guess, 10^10 guesses are centuries of one terminal.
const minGuesses = 1e10

// commonLocal are words the estimator's English dictionaries miss but that people here pick
// first: Dutch words for password, welcome, secret, the seasons, and the job's own words.
var commonLocal = []string{
	"fieldscreen", "wachtwoord", "welkom", "geheim", "inloggen", "paspoort", "grens", "grenspolitie",
	"marechaussee", "kmar", "politie", "schiphol", "terapel", "ind", "eurodac", "screening",
	"voorjaar", "zomer", "najaar", "herfst", "winter", "lente", "januari", "februari", "maart",
	"april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december",
	"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "nederland",
	"amsterdam", "rotterdam", "denhaag", "utrecht", "officer", "registrar", "medic", "supervisor",
	"technician", "auditor", "monitor",
}

// WeakPassphraseError says why a new passphrase is refused; Sentence gives the reason in
// English or Dutch for the screen, Error the English one for the command line.
type WeakPassphraseError struct {
	Reason  string  // short, long, blank, repeat, sequence, common, date, guessable
	Length  int     // in characters
	Guesses float64 // the estimator's guess count (0 when not estimated)
}

func (e *WeakPassphraseError) Error() string { return e.Sentence("en") }

// Sentence is the reason and what to do, in "en" or "nl".
func (e *WeakPassphraseError) Sentence(lang string) string {
	s, ok := weakSentences[e.Reason]
	if !ok {
		s = weakSentences["guessable"]
	}
	i := 0
	if lang == "nl" {
		i = 1
	}
	return fmt.Sprintf(s[i], e.Length, MinPassphraseLen, maxPassphraseLen)
}

// weakSentences: %[1]d the length, %[2]d the minimum, %[3]d the maximum.
var weakSentences = map[string][2]string{
	"short": {"Passphrase too short: %[1]d characters, at least %[2]d needed. A few unrelated words work well.",
		"Wachtwoordzin te kort: %[1]d tekens, minstens %[2]d nodig. Een paar losse woorden die niets met elkaar te maken hebben werken goed."},
	"long": {"Passphrase too long: at most %[3]d characters.",
		"Wachtwoordzin te lang: hoogstens %[3]d tekens."},
	"blank": {"Passphrase is only spaces or invisible characters: use words.",
		"Wachtwoordzin bestaat alleen uit spaties of onzichtbare tekens: gebruik woorden."},
	"repeat": {"Passphrase too easy to guess: it repeats the same characters or words. Use a few unrelated words.",
		"Wachtwoordzin te makkelijk te raden: dezelfde tekens of woorden worden herhaald. Gebruik een paar losse woorden."},
	"sequence": {"Passphrase too easy to guess: it follows a sequence or a row of the keyboard (abcd, 1234, qwerty). Use a few unrelated words.",
		"Wachtwoordzin te makkelijk te raden: een reeks of een rij op het toetsenbord (abcd, 1234, qwerty). Gebruik een paar losse woorden."},
	"common": {"Passphrase too easy to guess: it is made of a common password, a common word or name, or your own user name or role. Add unrelated words.",
		"Wachtwoordzin te makkelijk te raden: een veelgebruikt wachtwoord, een gewoon woord of naam, of uw eigen gebruikersnaam of rol. Voeg losse woorden toe."},
	"date": {"Passphrase too easy to guess: it leans on a date or a year. Use a few unrelated words.",
		"Wachtwoordzin te makkelijk te raden: er zit een datum of jaartal in dat het draagt. Gebruik een paar losse woorden."},
	"guessable": {"Passphrase too easy to guess. Use a few unrelated words.",
		"Wachtwoordzin te makkelijk te raden. Gebruik een paar losse woorden."},
}

// CheckPassphrase says why a new passphrase is refused, or nil. related are words the
// person's passphrase must not lean on (their user name, their role). The estimate is
// zxcvbn's (github.com/trustelem/zxcvbn, a port of Dropbox's zxcvbn 4.4.2): common
// passwords, names, English words, keyboard rows, sequences, repeats, dates and l33t; its
// dictionaries are English, so commonLocal adds the Dutch words people reach for first.
func CheckPassphrase(p []byte, related ...string) error {
	s := string(p)
	n := len([]rune(s))
	switch {
	case n < MinPassphraseLen:
		return &WeakPassphraseError{Reason: "short", Length: n}
	case n > maxPassphraseLen:
		return &WeakPassphraseError{Reason: "long", Length: n}
	case strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsGraphic(r) }) == "":
		return &WeakPassphraseError{Reason: "blank", Length: n}
	}
	inputs := append([]string(nil), commonLocal...)
	for _, r := range related {
		inputs = append(inputs, strings.Fields(strings.ToLower(r))...)
	}
	res := zxcvbn.PasswordStrength(s, inputs)
	if res.Guesses >= minGuesses {
		return nil
	}
	// the reason is the kind of match that covers most of the passphrase
	cover := map[string]int{}
	for _, m := range res.Sequence {
		kind := m.Pattern
		switch kind {
		case "spatial":
			kind = "sequence"
		case "dictionary":
			kind = "common"
		case "bruteforce", "regex":
			kind = "guessable"
		}
		cover[kind] += m.J - m.I + 1
	}
	reason, best := "guessable", 0
	for _, k := range []string{"repeat", "sequence", "common", "date", "guessable"} {
		if cover[k] > best {
			reason, best = k, cover[k]
		}
	}
	return &WeakPassphraseError{Reason: reason, Length: n, Guesses: res.Guesses}
}
