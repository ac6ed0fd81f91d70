package pdf

import (
	"fmt"
	"html"
	"os/exec"
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
			headingWords := newWordSet(headings...)
			pages, height := wordBoxes(t, renderForm(t, c, lang, testOpts()))
			if len(pages) < 2 {
				t.Fatalf("%d pages: the sample form has at least two", len(pages))
			}
			for i, words := range pages {
				page := strings.NewReplacer("{page}", strconv.Itoa(i+1), "{pages}", strconv.Itoa(len(pages))).Replace(tx.label("page"))
				footerWords := newWordSet(tx.label("reference")+": "+c.Reference, "·", page) // as footer() joins them
				var footer, content []box
				for _, w := range words {
					if w.yMin > height*0.85 && footerWords.has(w.text) {
						footer = append(footer, w)
					} else {
						content = append(content, w)
					}
				}
				if !containsText(footer, c.Reference) {
					t.Fatalf("page %d: no footer with the case reference found among %v", i+1, footer)
				}
				top := footer[0].yMin
				for _, w := range footer {
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
					t.Errorf("page %d ends with the section heading %q, its section on the next page", i+1, strings.Join(line, " "))
				}
			}
		})
	}
}

func containsText(bs []box, text string) bool {
	for _, b := range bs {
		if b.text == text {
			return true
		}
	}
	return false
}
