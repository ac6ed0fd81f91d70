package pdf

import (
	"testing"
)

// TestShapeExtended pins the joining of Pashto and Sorani letters: each letter takes the form
// its neighbours call for, from presentation forms where Unicode has them and stand-ins where
// it has none, and a text without such letters is left to folio unchanged.
func TestShapeExtended(t *testing.T) {
	si := func(letter rune, p position) rune { return standIn(isExtended[letter], p) }
	for _, tc := range []struct {
		name, in string
		want     []rune
	}{
		{"plain Arabic is folio's", "سلام", []rune("سلام")},
		{"Latin is untouched", "Controller: TEST", []rune("Controller: TEST")},
		// ټولنه: teh-tah initial, waw final (right-joining), lam initial, noon medial, heh final
		{"ټولنه", "ټولنه", []rune{si(0x067C, initial), 0xFEEE, 0xFEDF, 0xFEE8, 0xFEEA}},
		// ښه: sheen-dot initial, heh final
		{"ښه", "ښه", []rune{si(0x069A, initial), 0xFEEA}},
		// ډېر: ddal isolated (nothing before it), e initial (presentation form FBE6), reh final
		{"ډېر", "ډېر", []rune{0x0689, 0xFBE6, 0xFEAE}},
		// وړ: waw isolated, rreh-ring stays isolated: a right-joining letter after waw cannot join
		{"وړ", "وړ", []rune{0x0648, 0x0693}},
		// پاڼه: peh initial, alef final, noon-ring isolated then heh? alef does not join left
		{"پاڼه", "پاڼه", []rune{0xFB58, 0xFE8E, si(0x06BC, initial), 0xFEEA}},
		// بڵێ: beh initial, lam-bar medial, yeh-v final
		{"بڵێ", "بڵێ", []rune{0xFE91, si(0x06B5, medial), si(0x06CE, final)}},
		// in a text with a Pashto letter every word is joined here: خلاص takes the lam-alef
		// ligature in its final form after khah, and sad after it stands alone
		{"lam-alef", "ټ خلاص", []rune{0x067C, ' ', 0xFEA7, 0xFEFC, 0x0635}},
		// a mark between letters does not break the join: بَڵ
		{"mark is transparent", "بَڵ", []rune{0xFE91, 0x064E, si(0x06B5, final)}},
		// ZWNJ breaks the join: ښ‌ه
		{"ZWNJ breaks", "ښ\u200cه", []rune{0x069A, 0x200C, 0x0647}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := []rune(shapeExtended(tc.in))
			if string(got) != string(tc.want) {
				t.Errorf("shapeExtended(%q) = %U, want %U", tc.in, got, tc.want)
			}
			if u, w := unshapeExtended(string(got)), unshapeExtended(tc.in); u != w {
				t.Errorf("unshape = %q, want %q", u, w)
			}
		})
	}
}

// TestShapedFaceHasEveryForm: Noto Sans Arabic gives a glyph, distinct from the letter's own,
// for every stand-in the shaper can emit (a missing one would print the letter unjoined), and
// every stand-in has bidi class AL so it stays in right-to-left order.
func TestShapedFaceHasEveryForm(t *testing.T) {
	fs, err := parseFaces()
	if err != nil {
		t.Fatal(err)
	}
	face := fs.arabicRegular
	for i, r := range extendedLetters {
		ps := []position{final, initial, medial}
		if joiningOf(r) == joinRight {
			ps = []position{final}
		}
		for _, p := range ps {
			if arabicForms[r][p] != 0 {
				continue
			}
			s := standIn(i, p)
			g := face.GlyphIndex(s)
			if g == 0 || g == face.GlyphIndex(r) {
				t.Errorf("%U position %d: stand-in %U has glyph %d (letter's own %d)", r, p, s, g, face.GlyphIndex(r))
			}
			if !isStandInAL(s) {
				t.Errorf("stand-in %U is not of bidi class AL", s)
			}
		}
	}
}
