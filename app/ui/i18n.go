package ui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/fieldscreen/fieldscreen/assets"
)

// Languages the interface speaks. The screening form and leaflet have their own, wider list.
var Languages = []string{"en", "nl"}

// catalog holds every interface string by language and key. The same files are handed to
// Fyne's lang package so its own widgets (dialogs, entries) follow the system locale, while
// our screens follow the language chosen in Settings, switchable without a restart.
type catalog struct {
	mu      sync.RWMutex
	current string
	msgs    map[string]map[string]string
}

var strs = mustLoadCatalog()

func mustLoadCatalog() *catalog {
	c, err := loadCatalog(assets.Translations)
	if err != nil {
		panic(err) // the embedded files are checked by TestTranslationsComplete
	}
	return c
}

func loadCatalog(fsys fs.FS) (*catalog, error) {
	c := &catalog{current: "en", msgs: map[string]map[string]string{}}
	// Each language is en.json (or nl.json) plus any <screen>.en.json beside it, so screens
	// can keep their strings in their own file; a key defined twice is an error.
	for _, l := range Languages {
		files, err := fs.Glob(fsys, "translations/*"+l+".json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("interface strings for %s: no translations/%s.json", l, l)
		}
		m := map[string]string{}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("interface strings %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("interface strings %s: key %q is defined twice", f, k)
				}
				m[k] = v
			}
			if err := lang.AddTranslationsForLocale(b, fyne.Locale(l)); err != nil {
				return nil, fmt.Errorf("register %s with fyne: %w", f, err)
			}
		}
		c.msgs[l] = m
	}
	return c, nil
}

// SetLanguage switches the interface language ("en" or "nl"); unknown languages are ignored.
func SetLanguage(l string) {
	strs.mu.Lock()
	defer strs.mu.Unlock()
	if _, ok := strs.msgs[l]; ok {
		strs.current = l
	}
}

// Language is the current interface language.
func Language() string {
	strs.mu.RLock()
	defer strs.mu.RUnlock()
	return strs.current
}

// T translates a key; a missing key shows itself in brackets so a test or a tester sees it.
func T(key string) string {
	strs.mu.RLock()
	defer strs.mu.RUnlock()
	if s, ok := strs.msgs[strs.current][key]; ok {
		return s
	}
	if s, ok := strs.msgs["en"][key]; ok {
		return s
	}
	return "[" + key + "]"
}

// Tf translates a key and fills in fmt verbs.
func Tf(key string, args ...any) string { return fmt.Sprintf(T(key), args...) }

// missingKeys lists keys present in one language but not another, for the completeness test.
func missingKeys() []string {
	var out []string
	for _, a := range Languages {
		for k := range strs.msgs[a] {
			for _, b := range Languages {
				if _, ok := strs.msgs[b][k]; !ok {
					out = append(out, b+":"+k)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// pick chooses the translation of a bilingual message from forms (validation problems carry
// both English and Dutch text).
func pick(en, nl string) string {
	if Language() == "nl" && strings.TrimSpace(nl) != "" {
		return nl
	}
	return en
}
