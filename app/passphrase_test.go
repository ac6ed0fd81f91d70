package app

import (
	"errors"
	"strings"
	"testing"
)

// TestWeakPassphrasesRefused (issue 14 item 12): length alone let "aaaaaaaaaaaa" and twelve
// spaces through. Each refusal names its reason in English and Dutch.
func TestWeakPassphrasesRefused(t *testing.T) {
	for _, tc := range []struct {
		pass, user, reason string
	}{
		{"aaaaaaaaaaaa", "", "repeat"},
		{"            ", "", "blank"},
		{"\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b", "", "blank"},
		{"short", "", "short"},
		{"abcdefghijkl", "", "sequence"},
		{"qwertyuiopas", "", "common"}, // in the common-password list before it is a keyboard row
		{"123456789012", "", "common"},
		{"qwertyuiop[]\\", "", "sequence"},
		{"password1234", "", "common"},
		{"wachtwoord2026", "", "common"},
		{"fieldscreen1", "", "common"},
		{"janssen janssen", "TESTPERSON JANSSEN", "common"}, // the user's own name twice
		{"testpersonbakker1", "testperson bakker", "common"},
		{strings.Repeat("x", 300), "", "long"},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4", "", "guessable"}, // not UTF-8: the estimator scores it 0
	} {
		err := CheckPassphrase([]byte(tc.pass), tc.user)
		var we *WeakPassphraseError
		if !errors.As(err, &we) {
			t.Errorf("%q accepted", tc.pass)
			continue
		}
		if we.Reason != tc.reason {
			t.Errorf("%q: reason %q, want %q", tc.pass, we.Reason, tc.reason)
		}
		if en, nl := we.Sentence("en"), we.Sentence("nl"); en == nl || !strings.Contains(en, "Passphrase") || !strings.Contains(nl, "Wachtwoordzin") {
			t.Errorf("%q: sentences %q / %q", tc.pass, en, nl)
		}
	}
	for _, good := range []string{"correct horse battery staple", "tulpen fiets regen 42", "officer passphrase one", "Grote rivieren stromen traag"} {
		if err := CheckPassphrase([]byte(good), "officer"); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}

// TestWeakPassphraseRefusedEverywhere: first run, adding a user and changing one's own
// passphrase all use the estimator.
func TestWeakPassphraseRefusedEverywhere(t *testing.T) {
	term := newTestTerminal(t, 0)
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	var we *WeakPassphraseError
	if err := sup.AddUser("off", "officer", []byte("aaaaaaaaaaaa")); !errors.As(err, &we) {
		t.Fatalf("add user with a weak passphrase: %v", err)
	}
	if err := sup.ChangePassphrase([]byte(testPass), []byte("            ")); !errors.As(err, &we) {
		t.Fatalf("change to twelve spaces: %v", err)
	}
}
