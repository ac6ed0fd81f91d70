package pdf

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// box is one word of `pdftotext -bbox` (points, y down from the top of the page).
type box struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

func (b box) String() string {
	return fmt.Sprintf("%q [%.1f,%.1f]-[%.1f,%.1f]", b.text, b.xMin, b.yMin, b.xMax, b.yMax)
}

var (
	bboxPage = regexp.MustCompile(`<page width="[0-9.]+" height="([0-9.]+)">`)
	bboxWord = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

// wordBoxes runs pdftotext -bbox on the PDF at path: the words of each page and the page
// height.
func wordBoxes(t *testing.T, path string) (pages [][]box, height float64) {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext"), "-bbox", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	for _, chunk := range strings.Split(string(out), "</page>") {
		m := bboxPage.FindStringSubmatch(chunk)
		if m == nil {
			continue
		}
		height, _ = strconv.ParseFloat(m[1], 64)
		var words []box
		for _, w := range bboxWord.FindAllStringSubmatch(chunk, -1) {
			b := box{text: html.UnescapeString(w[5])}
			for i, p := range []*float64{&b.xMin, &b.yMin, &b.xMax, &b.yMax} {
				*p, _ = strconv.ParseFloat(w[i+1], 64)
			}
			words = append(words, b)
		}
		pages = append(pages, words)
	}
	return pages, height
}

// wordSet holds the words of some texts as pdftotext may give them back: normalised, without
// punctuation, in logical or visual order, and by their letters for words joined through
// shape.go's stand-ins (see containsWords).
type wordSet struct{ words, anagrams map[string]bool }

func newWordSet(texts ...string) wordSet {
	s := wordSet{words: map[string]bool{}, anagrams: map[string]bool{}}
	for _, text := range texts {
		for _, w := range strings.Fields(stripPunct(normalise(text))) {
			s.words[w] = true
			s.anagrams[letterSet(w)] = true
		}
	}
	return s
}

func (s wordSet) has(word string) bool {
	w := stripPunct(normalise(word))
	if w == "" {
		return true // punctuation alone
	}
	return s.words[w] || s.words[reverse(w)] || s.words[reverseLigated(w)] || s.anagrams[letterSet(w)]
}

// TestFooterClearOfContent: on page 1 of the sample form the heading "8." stood at the foot
// of the page, in the band of the footer (in Arabic, Farsi, Pashto, Sorani and Tigrinya),
// with its section on the next page. On every page of the form, in every language, no word
// of the content now reaches into the footer's band (pdftotext -bbox boxes, which hold the
// fonts' full ascent and descent), and no page ends with a section heading.
func TestFooterClearOfContent(t *testing.T) {
	c := SampleCase()
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			tx, err := formLabels(lang)
			if err != nil {
				t.Fatal(err)
			}
			var headings []string
			for k, v := range tx.Labels {
				if strings.HasPrefix(k, "sec.") {
					headings = append(headings, v)
				}
			}
			checkFooterClear(t, renderForm(t, c, lang, testOpts()), 2, newWordSet(headings...), func(page, pages int) (wordSet, string) {
				n := strings.NewReplacer("{page}", strconv.Itoa(page), "{pages}", strconv.Itoa(pages)).Replace(tx.label("page"))
				return newWordSet(tx.label("reference")+": "+c.Reference, "·", n), c.Reference // as footer() joins them
			})
		})
	}
}

// TestLeafletFooterClearOfContent: the same for the leaflet, both variants, in every
// language. The child-friendly English leaflet set the first line of "After screening"'s
// paragraph over the footer of page 1: folio places a paragraph's first line even where
// less than a line of room is left (pagedDoc moves it to the next page).
func TestLeafletFooterClearOfContent(t *testing.T) {
	for _, lang := range Languages() {
		for _, child := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/child=%v", lang, child), func(t *testing.T) {
				l, err := LeafletText(lang, child)
				if err != nil {
					t.Fatal(err)
				}
				id := l.Version
				if l.Variant != "" {
					id += "-" + l.Variant
				}
				var headings []string
				for _, s := range l.Sections {
					headings = append(headings, s.Heading)
				}
				opts := testOpts()
				opts.ChildFriendly = child
				var buf bytes.Buffer
				if err := RenderLeaflet(&buf, lang, opts); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), "leaflet.pdf")
				if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				checkFooterClear(t, path, 1, newWordSet(headings...), func(page, pages int) (wordSet, string) {
					n := fmt.Sprintf("%d/%d", page, pages)
					return newWordSet(l.Title, id, "("+l.Lang+")", "·", n), n
				})
			})
		}
	}
}

// checkFooterClear checks every page of the PDF at path (at least minPages): the footer,
// the words of footer(page, pages) on the line of its mark word at the foot of the page, has
// no word of the content in its band, and no page but the last ends with a line made only
// of heading words.
func checkFooterClear(t *testing.T, path string, minPages int, headingWords wordSet, footer func(page, pages int) (wordSet, string)) {
	t.Helper()
	pages, height := wordBoxes(t, path)
	if len(pages) < minPages {
		t.Fatalf("%d pages, want at least %d", len(pages), minPages)
	}
	for i, words := range pages {
		footerWords, mark := footer(i+1, len(pages))
		var at box
		for _, w := range words {
			if w.text == mark && w.yMin > height*0.85 {
				at = w
			}
		}
		if at.text == "" {
			t.Fatalf("page %d: no footer (the word %q at the foot of the page) among %v", i+1, mark, words)
		}
		var foot, content []box
		for _, w := range words {
			if mid := (w.yMin + w.yMax) / 2; mid >= at.yMin && mid <= at.yMax && footerWords.has(w.text) {
				foot = append(foot, w)
			} else {
				content = append(content, w)
			}
		}
		top := at.yMin
		for _, w := range foot {
			top = min(top, w.yMin)
		}
		var last box
		for _, w := range content {
			if w.yMax > top {
				t.Errorf("page %d: %v reaches into the footer's band (from y %.1f)", i+1, w, top)
			}
			if w.yMax > last.yMax {
				last = w
			}
		}
		if i == len(pages)-1 {
			continue
		}
		// the last line: the words beside the lowest one
		var line []string
		allHeading := true
		for _, w := range content {
			if mid := (w.yMin + w.yMax) / 2; mid >= last.yMin && mid <= last.yMax {
				line = append(line, w.text)
				allHeading = allHeading && headingWords.has(w.text)
			}
		}
		if allHeading {
			t.Errorf("page %d ends with the heading %q, its text on the next page", i+1, strings.Join(line, " "))
		}
	}
}

// TestNoLineOverTheFooter: folio places the first line of a paragraph even where less than a
// line of room is left, so a run of paragraphs drew a line over the footer wherever the page
// did not hold a whole number of them (the child-friendly English leaflet did so on page 1).
// pagedDoc moves such a paragraph to the next page: 150 one-line paragraphs, in a Latin
// and an Arabic-script language, never reach into the footer's band.
func TestNoLineOverTheFooter(t *testing.T) {
	for _, lang := range []string{"en", "ps"} {
		t.Run(lang, func(t *testing.T) {
			w, err := newWriter(lang, "ltr", "test", testOpts())
			if err != nil {
				t.Fatal(err)
			}
			w.footer("fieldscreen", "{page}/{pages}", leafletFooterGap) // running text, as on the leaflet
			for i := range 150 {
				w.body(fmt.Sprintf("Line %d of a run of paragraphs", i+1))
			}
			var buf bytes.Buffer
			if err := w.finish(&buf); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "lines.pdf")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			checkFooterClear(t, path, 3, newWordSet(), func(page, pages int) (wordSet, string) {
				n := fmt.Sprintf("%d/%d", page, pages)
				return newWordSet("fieldscreen", "·", n), n
			})
		})
	}
}
