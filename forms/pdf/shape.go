package pdf

import (
	"unicode/utf8"

	"github.com/carlos7ags/folio/font"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// Joining of the Pashto and Sorani Kurdish letters.
//
// folio joins Arabic letters by replacing each with its positional form from Unicode's Arabic
// Presentation Forms, and knows the Arabic and Persian letters only. The letters below, used
// by Pashto and Sorani, have no presentation forms at all (ټ ځ څ ډ ړ ږ ښ ګ ڼ ۍ ڕ ڵ ێ ە), or
// forms folio does not list (ې ۆ ڤ ھ), so folio would set them, and the letters next to them,
// unjoined. shapeExtended joins a text that holds any of them itself, before folio sees it:
//
//   - a letter's joining class comes from Unicode's ArabicShaping data (joiningOf);
//   - a positional form that has a presentation-form code point is written as that code
//     point (its table is derived at start-up from Unicode compatibility decompositions,
//     so nothing is typed in by hand), and folio leaves it alone;
//   - a form that has none is written as a stand-in code point from 1EEC0–1EEEF, an unassigned
//     range of the Arabic Mathematical Alphabetic Symbols block whose default bidirectional
//     class is Arabic letter (so right-to-left ordering stays right), and shapedFace maps that
//     stand-in to the font's own initial, medial or final glyph (its GSUB init/medi/fina).
//
// Known limit: text extraction (copy and paste, pdftotext) yields the stand-in code point for
// those forms, not the letter; the printed page is right, and the tests map stand-ins back
// with standIns before comparing words.

// extendedLetters are the letters that may need stand-ins, in a fixed order: the stand-in of
// letter i in position p (0 final, 1 initial, 2 medial) is standInBase + 3i + p. Never
// reorder: only append.
var extendedLetters = []rune{
	0x067C, 0x0681, 0x0685, 0x0689, 0x0693, 0x0695, 0x0696, 0x069A,
	0x06AB, 0x06B5, 0x06BC, 0x06CD, 0x06CE, 0x06D5,
}

const standInBase = 0x1EEC0

// position of a letter in a joined word; also the index of its form in arabicForms.
type position int

const (
	isolated position = iota
	final
	initial
	medial
)

var featureOf = map[position]font.GSUBFeature{final: font.GSUBFina, initial: font.GSUBInit, medial: font.GSUBMedi}

func standIn(letterIndex int, p position) rune {
	return standInBase + rune(3*letterIndex) + rune(p-final)
}

// joinType is a letter's joining class (Unicode ArabicShaping.txt).
type joinType uint8

const (
	joinNone joinType = iota
	joinRight
	joinDual
	joinCausing     // tatweel, zero-width joiner: join on both sides, print nothing of their own
	joinTransparent // marks: skipped when finding a letter's neighbours
)

func joiningOf(r rune) joinType {
	switch {
	case r == 0x200D || r == 0x0640:
		return joinCausing
	case r >= 0x0610 && r <= 0x061A, r >= 0x064B && r <= 0x065F, r == 0x0670, r >= 0x06D6 && r <= 0x06ED && r != 0x06E5 && r != 0x06E6:
		return joinTransparent
	}
	switch r {
	case 0x0622, 0x0623, 0x0624, 0x0625, 0x0627, 0x0629, 0x062F, 0x0630, 0x0631, 0x0632, 0x0648,
		0x0671, 0x0672, 0x0673, 0x0675, 0x0676, 0x0677, 0x06C0, 0x06C3, 0x06C4, 0x06C5, 0x06C6, 0x06C7,
		0x06C8, 0x06C9, 0x06CA, 0x06CB, 0x06CD, 0x06CF, 0x06D2, 0x06D3, 0x06D5, 0x06EE, 0x06EF:
		return joinRight
	case 0x0621, 0x0674, 0x06E5, 0x06E6:
		return joinNone
	}
	switch {
	case r >= 0x0688 && r <= 0x0699:
		return joinRight
	case r >= 0x0620 && r <= 0x064A, r >= 0x066E && r <= 0x066F, r >= 0x0678 && r <= 0x0687,
		r >= 0x069A && r <= 0x06BF, r == 0x06C1, r == 0x06C2, r == 0x06CC, r == 0x06CE, r == 0x06D0, r == 0x06D1,
		r >= 0x06FA && r <= 0x06FC, r == 0x06FF:
		return joinDual
	}
	return joinNone
}

var (
	// arabicForms maps a letter to its presentation-form code points by position (0 where
	// Unicode has none); lamAlef maps an alef to the lam-alef ligature (isolated, final).
	arabicForms = map[rune][4]rune{}
	lamAlef     = map[rune][2]rune{}
	isExtended  = map[rune]int{}
)

func init() {
	// Presentation forms come in runs of consecutive code points that decompose to one letter:
	// 1 (isolated), 2 (isolated, final) or 4 (isolated, final, initial, medial). Forms-B is
	// read first, so the few stray Forms-A runs (Uighur initial/medial alef maksura) cannot
	// replace a letter's regular forms.
	for _, block := range [][2]rune{{0xFE70, 0xFEFC}, {0xFB50, 0xFBFF}} {
		var run []rune
		var base rune
		flush := func() {
			if len(run) == 0 {
				return
			}
			if _, seen := arabicForms[base]; !seen && (len(run) == 1 || len(run) == 2 || len(run) == 4) {
				var f [4]rune
				copy(f[:], run)
				arabicForms[base] = f
			}
			run = run[:0]
		}
		for r := block[0]; r <= block[1]; r++ {
			d := []rune(norm.NFKC.String(string(r)))
			if len(d) == 2 && d[0] == 0x0644 && joiningOf(d[1]) == joinRight {
				l := lamAlef[d[1]]
				if l[0] == 0 {
					l[0] = r
				} else {
					l[1] = r
				}
				lamAlef[d[1]] = l
				flush()
				continue
			}
			if len(d) != 1 || d[0] == r || d[0] < 0x0620 || d[0] > 0x06FF {
				flush()
				continue
			}
			if d[0] != base {
				flush()
				base = d[0]
			}
			run = append(run, r)
		}
		flush()
	}
	for i, r := range extendedLetters {
		isExtended[r] = i
	}
}

// needsExtendedShaping reports whether s holds a letter folio cannot join.
func needsExtendedShaping(s string) bool {
	for _, r := range s {
		if _, ok := isExtended[r]; ok {
			return true
		}
		if r == 0x06D0 || r == 0x06C6 || r == 0x06A4 || r == 0x06BE {
			return true
		}
	}
	return false
}

// shapeExtended joins the Arabic-script letters of s (see the comment at the top of the file).
// A text without Pashto or Sorani letters is returned unchanged, for folio to shape.
func shapeExtended(s string) string {
	if !needsExtendedShaping(s) {
		return s
	}
	in := []rune(s)
	// neighbour finds the next letter in direction step, skipping transparent marks.
	neighbour := func(i, step int) joinType {
		for j := i + step; j >= 0 && j < len(in); j += step {
			if t := joiningOf(in[j]); t != joinTransparent {
				return t
			}
		}
		return joinNone
	}
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		r := in[i]
		t := joiningOf(r)
		if t != joinRight && t != joinDual {
			out = append(out, r)
			continue
		}
		prev := neighbour(i, -1)
		joinsBefore := prev == joinDual || prev == joinCausing
		if r == 0x0644 && i+1 < len(in) {
			if lig, ok := lamAlef[in[i+1]]; ok && lig[0] != 0 {
				if joinsBefore && lig[1] != 0 {
					out = append(out, lig[1])
				} else {
					out = append(out, lig[0])
				}
				i++
				continue
			}
		}
		next := neighbour(i, +1)
		joinsAfter := t == joinDual && (next == joinRight || next == joinDual || next == joinCausing)
		p := isolated
		switch {
		case joinsBefore && joinsAfter:
			p = medial
		case joinsBefore:
			p = final
		case joinsAfter:
			p = initial
		}
		out = append(out, formOf(r, p))
	}
	return string(out)
}

// formOf is the code point for letter r in position p: the letter itself when isolated, its
// presentation form where Unicode has one, else its stand-in, else the letter unjoined.
func formOf(r rune, p position) rune {
	if p == isolated {
		return r
	}
	if f := arabicForms[r][p]; f != 0 {
		return f
	}
	if i, ok := isExtended[r]; ok {
		return standIn(i, p)
	}
	return r
}

// shapedFace is a font whose cmap also maps the stand-ins to the positional glyphs its GSUB
// init/medi/fina features give for the extended letters.
type shapedFace struct {
	font.Face
	glyphs map[rune]uint16
}

func newShapedFace(f font.Face) *shapedFace {
	s := &shapedFace{Face: f, glyphs: map[rune]uint16{}}
	gsub := f.GSUB()
	if gsub == nil {
		return s
	}
	for i, r := range extendedLetters {
		gid := f.GlyphIndex(r)
		if gid == 0 {
			continue
		}
		for _, p := range []position{final, initial, medial} {
			if g, ok := gsub.Single[featureOf[p]][gid]; ok {
				s.glyphs[standIn(i, p)] = g
			}
		}
	}
	return s
}

func (s *shapedFace) GlyphIndex(r rune) uint16 {
	if g, ok := s.glyphs[r]; ok {
		return g
	}
	return s.Face.GlyphIndex(r)
}

// unshapeExtended maps stand-ins back to their letters and presentation forms to theirs: what
// a reader of the PDF's text gets, for comparing words in tests.
func unshapeExtended(s string) string {
	out := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		if r >= standInBase && r < standInBase+rune(3*len(extendedLetters)) {
			r = extendedLetters[(r-standInBase)/3]
		}
		out = append(out, r)
	}
	return norm.NFKC.String(string(out))
}

// isStandInAL reports whether stand-in r has bidirectional class Arabic letter.
func isStandInAL(r rune) bool {
	p, _ := bidi.LookupRune(r)
	return p.Class() == bidi.AL
}
