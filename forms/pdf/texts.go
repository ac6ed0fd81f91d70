package pdf

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/fieldscreen/fieldscreen/assets"
)

// Version is the leaflet version this package renders and a case records as handed over
// (information.leafletVersion). v2 added the controller, DPO and supervisory authority, the
// retention periods, the data subject's rights and the Art 11 items in full (issue 13);
// v1 files stay in assets because cases refer to them.
const Version = "v2"

// FormVersion is the version of the screening form's labels.
const FormVersion = "v1"

// ErrLanguage is returned for a language without form labels or leaflet text.
var ErrLanguage = errors.New("no screening form or leaflet text in this language")

// formTexts is one form-v1.<lang>.json file.
type formTexts struct {
	Lang              string            `json:"lang"`
	Name              string            `json:"name"`
	Dir               string            `json:"dir"`
	TranslationStatus string            `json:"translationStatus"`
	Version           string            `json:"version"`
	Labels            map[string]string `json:"labels"`
}

// Leaflet is one leaflet-v1.<lang>.json file: the information given to the person.
type Leaflet struct {
	Lang              string           `json:"lang"`
	Dir               string           `json:"dir"`
	Version           string           `json:"version"`
	Variant           string           `json:"variant,omitempty"` // "child" for the child-friendly leaflet
	TranslationStatus string           `json:"translationStatus"`
	Title             string           `json:"title"`
	Sections          []LeafletSection `json:"sections"`
	// Labels are the texts around the values the terminal fills in: the contact details from
	// central's signed config and the retention periods from forms (see RenderLeaflet).
	Labels map[string]string `json:"labels,omitempty"`
}

// LeafletSection is a heading with its paragraphs.
type LeafletSection struct {
	Heading    string   `json:"heading"`
	Paragraphs []string `json:"paragraphs"`
	// Insert names a block the renderer adds after the paragraphs: "contacts" (controller,
	// DPO, supervisory authority) or "retention" (storage periods).
	Insert string `json:"insert,omitempty"`
}

// Draft reports whether the text is a translation still to be reviewed by a sworn translator.
func (l *Leaflet) Draft() bool { return strings.HasPrefix(l.TranslationStatus, "DRAFT") }

type texts struct {
	forms    map[string]*formTexts
	leaflets map[string]*Leaflet
	child    map[string]*Leaflet // child-friendly variant
}

var (
	loadOnce sync.Once
	loaded   *texts
	loadErr  error
)

// loadTexts parses the embedded JSON once. A broken asset is a build mistake, but it is still
// reported as an error rather than a panic so a terminal keeps working for other languages.
func loadTexts() (*texts, error) {
	loadOnce.Do(func() {
		t := &texts{forms: map[string]*formTexts{}, leaflets: map[string]*Leaflet{}, child: map[string]*Leaflet{}}
		names, err := assets.Leaflets.ReadDir("leaflets")
		if err != nil {
			loadErr = fmt.Errorf("read leaflet assets: %w", err)
			return
		}
		for _, n := range names {
			name := n.Name()
			if !strings.HasSuffix(name, ".json") {
				continue
			}
			data, err := assets.Leaflets.ReadFile("leaflets/" + name)
			if err != nil {
				loadErr = fmt.Errorf("read %s: %w", name, err)
				return
			}
			switch {
			case strings.HasPrefix(name, "form-"+FormVersion+"."):
				var f formTexts
				if err := json.Unmarshal(data, &f); err != nil {
					loadErr = fmt.Errorf("parse %s: %w", name, err)
					return
				}
				t.forms[f.Lang] = &f
			case strings.HasPrefix(name, "leaflet-"+Version+"."), strings.HasPrefix(name, "child-leaflet-"+Version+"."):
				var l Leaflet
				if err := json.Unmarshal(data, &l); err != nil {
					loadErr = fmt.Errorf("parse %s: %w", name, err)
					return
				}
				if strings.HasPrefix(name, "child-") {
					t.child[l.Lang] = &l
				} else {
					t.leaflets[l.Lang] = &l
				}
			}
		}
		loaded = t
	})
	return loaded, loadErr
}

// Languages lists the languages that have both form labels and a leaflet, sorted.
func Languages() []string {
	t, err := loadTexts()
	if err != nil {
		return nil
	}
	var out []string
	for lang := range t.forms {
		if _, ok := t.leaflets[lang]; ok {
			out = append(out, lang)
		}
	}
	sort.Strings(out)
	return out
}

// LeafletText returns the leaflet in lang, or its child-friendly variant.
func LeafletText(lang string, child bool) (*Leaflet, error) {
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	set := t.leaflets
	if child {
		set = t.child
	}
	l, ok := set[lang]
	if !ok {
		return nil, fmt.Errorf("leaflet %q: %w (have %s)", lang, ErrLanguage, strings.Join(Languages(), ", "))
	}
	return l, nil
}

func formLabels(lang string) (*formTexts, error) {
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	f, ok := t.forms[lang]
	if !ok {
		return nil, fmt.Errorf("screening form %q: %w (have %s)", lang, ErrLanguage, strings.Join(Languages(), ", "))
	}
	return f, nil
}

// label returns the text for key, or the English text when a translation lacks it (a test
// makes sure none does), or the key itself as a last resort so nothing is silently blank.
func (f *formTexts) label(key string) string {
	if s, ok := f.Labels[key]; ok {
		return s
	}
	if en, err := formLabels("en"); err == nil {
		if s, ok := en.Labels[key]; ok {
			return s
		}
	}
	return key
}

// LanguageName returns the language's own name (from its form labels) and its translation
// status: "source" for English, "draft translation" until a sworn translation replaces it.
func LanguageName(lang string) (name, status string) {
	f, err := formLabels(lang)
	if err != nil {
		return lang, "unknown"
	}
	l, err := LeafletText(lang, false)
	switch {
	case err != nil:
		status = "no leaflet"
	case l.Draft() || strings.HasPrefix(f.TranslationStatus, "DRAFT"):
		status = "draft translation"
	default:
		status = "source"
	}
	return f.Name, status
}
