// Package codelist holds the reference lists a screening form is filled in with: ICAO 9303
// state codes (issuing state, nationality, including stateless and refugee), ISO 639-3
// languages, and MRZ document codes, each with English and Dutch names (and, for languages,
// the language's own name so a person can point at it).
//
// The lists are CSV files embedded from assets/codelists; they are parsed once, on first use.
// The package only answers "is this a known code and what is it called"; it does not decide
// which codes a field accepts (that is forms' validation) and it does not fetch newer lists
// (central ships those as signed reference data; Parse reads them).
package codelist

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fieldscreen/fieldscreen/assets"
)

// Well-known state codes of ICAO 9303 Part 3 for people without a defined nationality.
const (
	Stateless    = "XXA" // stateless person (1954 Convention)
	Refugee      = "XXB" // refugee (1951 Convention)
	RefugeeOther = "XXC" // refugee other than XXB
	Unspecified  = "XXX" // nationality not specified by the issuer
)

// Entry is one code with its names, keyed by "en", "nl" and, for languages, "self" (the
// endonym in its usual script).
type Entry struct {
	Code  string
	Names map[string]string
	// Kind classifies the entry: for states iso, icao, nonational, deprecated or specimen;
	// for languages macro or individual; for documents icao or practice.
	Kind string
}

// Name returns the name in lang, falling back to English, then to the code.
func (e Entry) Name(lang string) string {
	if n := e.Names[lang]; n != "" {
		return n
	}
	if n := e.Names["en"]; n != "" {
		return n
	}
	return e.Code
}

// List names one of the embedded lists and says what a code in it looks like.
type List struct {
	File string // file name under assets/codelists
	// Code reports whether a code is well-formed for this list.
	Code func(string) bool
}

// The embedded lists.
var (
	StatesList = List{File: "states.csv", Code: func(c string) bool {
		return c == "D" || len(c) == 3 && isUpper(c)
	}}
	LanguagesList = List{File: "languages.csv", Code: func(c string) bool {
		return len(c) == 3 && isLower(c)
	}}
	DocumentTypesList = List{File: "documents.csv", Code: func(c string) bool {
		return (len(c) == 1 || len(c) == 2) && isUpper(c)
	}}
)

// ErrMalformed is wrapped by every error Parse returns.
var ErrMalformed = errors.New("malformed code list")

// maxListSize bounds what Parse reads: the largest real list is a few tens of kilobytes.
const maxListSize = 1 << 20

// Parse reads a code list in the CSV layout of assets/codelists: '#' comment lines, a header
// whose first column is "code" and which has "en" and "nl" columns, then one entry per row.
// A column named kind, scope or basis fills Entry.Kind; every other column is a name. Codes
// must be well-formed for the list and unique, and every entry needs en and nl names.
func Parse(data []byte, l List) ([]Entry, error) {
	if len(data) > maxListSize {
		return nil, fmt.Errorf("%w %s: %d bytes is more than the %d a code list may have", ErrMalformed, l.File, len(data), maxListSize)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w %s: not UTF-8; save the file as UTF-8", ErrMalformed, l.File)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("%w %s: no header row", ErrMalformed, l.File)
		}
		return nil, fmt.Errorf("%w %s: %v", ErrMalformed, l.File, err)
	}
	cols := append([]string(nil), head...)
	if cols[0] != "code" {
		return nil, fmt.Errorf("%w %s: the header must start with \"code\", got %q", ErrMalformed, l.File, cols[0])
	}
	kindCol := -1
	seenCol := map[string]bool{}
	for i, c := range cols {
		if c == "" || seenCol[c] {
			return nil, fmt.Errorf("%w %s: header column %d is empty or repeated (%q)", ErrMalformed, l.File, i+1, c)
		}
		seenCol[c] = true
		if c == "kind" || c == "scope" || c == "basis" {
			kindCol = i
		}
	}
	if !seenCol["en"] || !seenCol["nl"] {
		return nil, fmt.Errorf("%w %s: the header needs en and nl columns, got %s", ErrMalformed, l.File, strings.Join(cols, ","))
	}
	var out []Entry
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w %s: %v", ErrMalformed, l.File, err)
		}
		line, _ := r.FieldPos(0)
		code := rec[0]
		if !l.Code(code) {
			return nil, fmt.Errorf("%w %s line %d: code %q is not well-formed for this list", ErrMalformed, l.File, line, code)
		}
		if seen[code] {
			return nil, fmt.Errorf("%w %s line %d: code %q appears twice", ErrMalformed, l.File, line, code)
		}
		seen[code] = true
		e := Entry{Code: code, Names: make(map[string]string, len(cols)-1)}
		for i := 1; i < len(cols); i++ {
			v := strings.TrimSpace(rec[i])
			if i == kindCol {
				e.Kind = v
			} else if v != "" {
				e.Names[cols[i]] = v
			}
		}
		if e.Names["en"] == "" || e.Names["nl"] == "" {
			return nil, fmt.Errorf("%w %s line %d: code %q needs both an en and an nl name", ErrMalformed, l.File, line, code)
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w %s: no entries", ErrMalformed, l.File)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// table is one parsed embedded list with an index by code.
type table struct {
	entries []Entry
	byCode  map[string]int
}

type loaded struct {
	once sync.Once
	t    table
	err  error
}

var states, languages, documents loaded

// load parses an embedded list once. The embedded files are checked by this package's tests,
// so an error here means a broken build; it is returned, not panicked, so callers degrade to
// "unknown code" rather than crash a terminal in the field.
func (ld *loaded) load(l List) (table, error) {
	ld.once.Do(func() {
		data, err := assets.CodeLists.ReadFile("codelists/" + l.File)
		if err != nil {
			ld.err = fmt.Errorf("read embedded code list: %w", err)
			return
		}
		es, err := Parse(data, l)
		if err != nil {
			ld.err = err
			return
		}
		ld.t = table{entries: es, byCode: make(map[string]int, len(es))}
		for i, e := range es {
			ld.t.byCode[e.Code] = i
		}
	})
	return ld.t, ld.err
}

func (t table) get(code string) (Entry, bool) {
	i, ok := t.byCode[code]
	if !ok {
		return Entry{}, false
	}
	return clone(t.entries[i]), true
}

func (t table) all() []Entry {
	out := make([]Entry, len(t.entries))
	for i, e := range t.entries {
		out[i] = clone(e)
	}
	return out
}

// clone keeps callers from changing the shared tables through the Names map.
func clone(e Entry) Entry {
	e.Names = maps.Clone(e.Names)
	return e
}

// State looks up an ICAO 9303 state code ("NLD", "D", "XXA"); case is ignored.
func State(code string) (Entry, bool) {
	t, _ := states.load(StatesList)
	return t.get(strings.ToUpper(strings.TrimSpace(code)))
}

// IsState reports whether code is an ICAO 9303 state code, exactly as printed (upper case).
// It is State without the copy, for hot paths such as MRZ parsing.
func IsState(code string) bool {
	t, _ := states.load(StatesList)
	_, ok := t.byCode[code]
	return ok
}

// IsLanguage reports whether code is a listed ISO 639-3 code, exactly as written (lower case).
func IsLanguage(code string) bool {
	t, _ := languages.load(LanguagesList)
	_, ok := t.byCode[code]
	return ok
}

// Language looks up an ISO 639-3 code ("prs", "tir"); case is ignored.
func Language(code string) (Entry, bool) {
	t, _ := languages.load(LanguagesList)
	return t.get(strings.ToLower(strings.TrimSpace(code)))
}

// DocumentType looks up an MRZ document code ("P", "ID", "V"); case is ignored.
func DocumentType(code string) (Entry, bool) {
	t, _ := documents.load(DocumentTypesList)
	return t.get(strings.ToUpper(strings.TrimSpace(code)))
}

// States returns every state code, sorted by code.
func States() []Entry { t, _ := states.load(StatesList); return t.all() }

// Languages returns every language, sorted by code.
func Languages() []Entry { t, _ := languages.load(LanguagesList); return t.all() }

// DocumentTypes returns every document code, sorted by code.
func DocumentTypes() []Entry { t, _ := documents.load(DocumentTypesList); return t.all() }

// Err reports whether the embedded lists parse; the app calls it at start-up to log a broken
// build once instead of finding out through lookups that all fail.
func Err() error {
	_, e1 := states.load(StatesList)
	_, e2 := languages.load(LanguagesList)
	_, e3 := documents.load(DocumentTypesList)
	return errors.Join(e1, e2, e3)
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
