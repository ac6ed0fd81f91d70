package codelist

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/fieldscreen/fieldscreen/assets"
)

// TestEmbeddedLists loads every embedded list through the same Parse the lookups use, so a
// malformed file (bad code, duplicate, missing en or nl name) fails here rather than in the field.
func TestEmbeddedLists(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		list     List
		all      func() []Entry
		min      int
		kinds    []string
		needSelf bool
	}{
		{StatesList, States, 279, []string{"iso", "icao", "nonational", "deprecated", "specimen"}, false},
		{LanguagesList, Languages, 60, []string{"macro", "individual"}, true},
		{DocumentTypesList, DocumentTypes, 8, []string{"icao", "practice"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.list.File, func(t *testing.T) {
			data, err := assets.CodeLists.ReadFile("codelists/" + tt.list.File)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := Parse(data, tt.list)
			if err != nil {
				t.Fatal(err)
			}
			all := tt.all()
			if len(all) != len(parsed) || len(all) < tt.min {
				t.Fatalf("%d entries (parsed %d), want at least %d", len(all), len(parsed), tt.min)
			}
			seen := map[string]bool{}
			for i, e := range all {
				if seen[e.Code] || !tt.list.Code(e.Code) {
					t.Errorf("code %q repeated or malformed", e.Code)
				}
				seen[e.Code] = true
				if i > 0 && all[i-1].Code >= e.Code {
					t.Errorf("not sorted at %q", e.Code)
				}
				for _, lang := range []string{"en", "nl"} {
					if n := e.Names[lang]; n == "" || n != strings.TrimSpace(n) {
						t.Errorf("%s: %s name %q", e.Code, lang, n)
					}
				}
				if tt.needSelf && e.Names["self"] == "" {
					t.Errorf("%s: no endonym", e.Code)
				}
				if !contains(tt.kinds, e.Kind) {
					t.Errorf("%s: kind %q, want one of %v", e.Code, e.Kind, tt.kinds)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestStates(t *testing.T) {
	tests := []struct{ code, en, nl, kind string }{
		{"NLD", "Netherlands", "Nederland", "iso"},
		{"SYR", "Syria", "Syrië", "iso"},
		{"AFG", "Afghanistan", "Afghanistan", "iso"},
		{"ERI", "Eritrea", "Eritrea", "iso"},
		{"DEU", "Germany", "Duitsland", "iso"},
		{"D", "Germany", "Duitsland", "icao"},
		{"d", "Germany", "Duitsland", "icao"},
		{Stateless, "Stateless person (1954 Convention)", "Staatloze (Verdrag van 1954)", "nonational"},
		{Refugee, "Refugee (1951 Convention)", "Vluchteling (Verdrag van 1951)", "nonational"},
		{RefugeeOther, "Refugee, other than under XXB", "Vluchteling, anders dan onder XXB", "nonational"},
		{Unspecified, "Unspecified nationality", "Nationaliteit niet gespecificeerd", "nonational"},
		{"RKS", "Kosovo", "Kosovo", "icao"},
		{"UNK", "Resident of Kosovo with a travel document issued by UNMIK", "Ingezetene van Kosovo met een reisdocument van UNMIK", "icao"},
		{"EUE", "European Union", "Europese Unie", "icao"},
		{"UTO", "Utopia (specimen documents only)", "Utopia (alleen voorbeelddocumenten)", "specimen"},
		{"ANT", "Netherlands Antilles", "Nederlandse Antillen", "deprecated"},
	}
	for _, tt := range tests {
		e, ok := State(tt.code)
		if !ok || e.Names["en"] != tt.en || e.Names["nl"] != tt.nl || e.Kind != tt.kind {
			t.Errorf("State(%q) = %+v, %v", tt.code, e, ok)
		}
	}
	// Every ICAO-only code the design note names is present.
	for _, c := range strings.Fields("D GBD GBN GBO GBP GBS UNO UNA UNK XBA XIM XCC XCE XCO XEC XES XMP XOM XPO XDC XXA XXB XXC XXX EUE RKS") {
		if _, ok := State(c); !ok {
			t.Errorf("ICAO code %s missing", c)
		}
	}
	iso := 0
	for _, e := range States() {
		if e.Kind == "iso" {
			iso++
		}
	}
	if iso != 249 {
		t.Errorf("%d ISO 3166-1 codes, want the 249 of iso-codes 4.15.0", iso)
	}
	for _, c := range []string{"", "XKX", "DE", "NLDX", "EUR", "ZZZ"} {
		if e, ok := State(c); ok {
			t.Errorf("State(%q) = %+v; not an ICAO 9303 code", c, e)
		}
	}
}

func TestLanguages(t *testing.T) {
	tests := []struct{ code, en, nl, self string }{
		{"prs", "Dari", "Dari", "دری"},
		{"tir", "Tigrinya", "Tigrinya", "ትግርኛ"},
		{"kmr", "Northern Kurdish", "Noord-Koerdisch (Kurmanci)", "Kurmancî"},
		{"ckb", "Central Kurdish", "Centraal-Koerdisch (Sorani)", "کوردی (سۆرانی)"},
		{"apd", "Sudanese Arabic", "Soedanees Arabisch", "العربية السودانية"},
		{"ukr", "Ukrainian", "Oekraïens", "Українська"},
		{"kat", "Georgian", "Georgisch", "ქართული"},
		{"NLD", "Dutch", "Nederlands", "Nederlands"},
	}
	for _, tt := range tests {
		e, ok := Language(tt.code)
		if !ok || e.Names["en"] != tt.en || e.Names["nl"] != tt.nl || e.Names["self"] != tt.self {
			t.Errorf("Language(%q) = %+v, %v", tt.code, e, ok)
		}
	}
	// The languages the task names are all there.
	for _, c := range strings.Fields("ara arb apc acm arz ary prs pus pbu fas pes kmr ckb tir som amh orm urd ben tur rus ukr fra eng spa por wol bam ful mnk lin swa tam pan hin npi kat hye sqi srp vie zho tzm hau yor ibo twi kri sus emk mlq din nus mey bal uzb tgk aze che") {
		if _, ok := Language(c); !ok {
			t.Errorf("language %s missing", c)
		}
	}
	// Endonyms are written in the language's script, not transliterated: spot-check by Unicode script.
	for code, script := range map[string]*unicode.RangeTable{
		"arb": unicode.Arabic, "prs": unicode.Arabic, "amh": unicode.Ethiopic, "tir": unicode.Ethiopic,
		"rus": unicode.Cyrillic, "che": unicode.Cyrillic, "kat": unicode.Georgian, "hye": unicode.Armenian,
		"ben": unicode.Bengali, "hin": unicode.Devanagari, "tam": unicode.Tamil, "pan": unicode.Gurmukhi,
		"zgh": unicode.Tifinagh, "zho": unicode.Han, "sin": unicode.Sinhala, "mya": unicode.Myanmar, "aii": unicode.Syriac,
	} {
		e, _ := Language(code)
		for _, r := range e.Names["self"] {
			if unicode.IsLetter(r) && !unicode.Is(script, r) {
				t.Errorf("%s endonym %q has %q outside its script", code, e.Names["self"], r)
				break
			}
		}
	}
}

func TestDocumentTypes(t *testing.T) {
	for code, en := range map[string]string{"P": "Passport", "V": "Visa", "I": "Identity card or other official travel document (issuer-defined)", "AC": "Crew member certificate", "id": "Identity card"} {
		if e, ok := DocumentType(code); !ok || e.Names["en"] != en {
			t.Errorf("DocumentType(%q) = %+v, %v", code, e, ok)
		}
	}
	if _, ok := DocumentType("X"); ok {
		t.Error("X is not an MRZ document code")
	}
}

// TestEntriesAreCopies: a caller editing a returned entry must not change the shared table.
func TestEntriesAreCopies(t *testing.T) {
	e, _ := State("NLD")
	e.Names["en"] = "changed"
	States()[0].Names["en"] = "changed"
	if e2, _ := State("NLD"); e2.Names["en"] != "Netherlands" {
		t.Fatalf("table changed through a returned entry: %q", e2.Names["en"])
	}
	if States()[0].Names["en"] == "changed" {
		t.Fatal("table changed through States()")
	}
}

func TestIs(t *testing.T) {
	for code, want := range map[string]bool{"NLD": true, "D": true, "XXA": true, "nld": false, "": false, "ZZZ": false} {
		if IsState(code) != want {
			t.Errorf("IsState(%q) = %v", code, !want)
		}
	}
	for code, want := range map[string]bool{"tir": true, "prs": true, "TIR": false, "xyz": false} {
		if IsLanguage(code) != want {
			t.Errorf("IsLanguage(%q) = %v", code, !want)
		}
	}
}

func TestEntryName(t *testing.T) {
	e, _ := Language("tir")
	if e.Name("nl") != "Tigrinya" || e.Name("self") != "ትግርኛ" || e.Name("de") != "Tigrinya" {
		t.Errorf("names %q %q %q", e.Name("nl"), e.Name("self"), e.Name("de"))
	}
	if (Entry{Code: "QQQ"}).Name("en") != "QQQ" {
		t.Error("no names: want the code")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "no header row"},
		{"only comments", "# x\n# y\n", "no header row"},
		{"header without code", "en,nl\nNLD,x\n", `must start with "code"`},
		{"header without nl", "code,en\nNLD,Netherlands\n", "needs en and nl columns"},
		{"repeated column", "code,en,en,nl\nNLD,a,b,c\n", "empty or repeated"},
		{"no entries", "code,en,nl\n", "no entries"},
		{"lower-case state", "code,en,nl\nnld,Netherlands,Nederland\n", `line 2: code "nld" is not well-formed`},
		{"duplicate", "code,en,nl\nNLD,a,b\nNLD,a,b\n", `line 3: code "NLD" appears twice`},
		{"missing nl", "code,en,nl\nNLD,Netherlands,\n", "needs both an en and an nl name"},
		{"blank nl", "code,en,nl\nNLD,Netherlands,  \n", "needs both an en and an nl name"},
		{"short row", "code,en,nl\nNLD,Netherlands\n", "wrong number of fields"},
		{"bad quote", "code,en,nl\nNLD,\"Nether\"lands,x\n", `extraneous or missing "`},
		{"not UTF-8", "code,en,nl\nNLD,\xff,x\n", "not UTF-8"},
		{"too big", "code,en,nl\n" + strings.Repeat("#", maxListSize), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := Parse([]byte(tt.in), StatesList)
			if err == nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, %v; want ErrMalformed with %q", es, err, tt.want)
			}
		})
	}
}

func TestParseColumns(t *testing.T) {
	es, err := Parse([]byte("# provenance\ncode,scope,en,nl,self\nzzz,individual,Z,Zet,Zzz\naaa,macro,A,Aa,\"A, a\"\n"), LanguagesList)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Code != "aaa" || es[0].Kind != "macro" || es[0].Names["self"] != "A, a" || es[1].Names["nl"] != "Zet" {
		t.Fatalf("%+v", es)
	}
	if _, ok := es[0].Names["scope"]; ok {
		t.Error("the scope column is a kind, not a name")
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"states.csv", "languages.csv", "documents.csv"} {
		data, err := assets.CodeLists.ReadFile("codelists/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), 2000)])
	}
	f.Add([]byte("code,en,nl\nNLD,\"a\"\"b\",c\n"))
	f.Add([]byte("code,kind,en,nl\r\nD,icao,Germany,Duitsland\r\n"))
	f.Add([]byte("\ufeffcode,en,nl\n"))
	lists := []List{StatesList, LanguagesList, DocumentTypesList}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range lists {
			es, err := Parse(data, l)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error does not wrap ErrMalformed: %v", err)
				}
				continue
			}
			seen := map[string]bool{}
			for _, e := range es {
				if !l.Code(e.Code) || seen[e.Code] || e.Names["en"] == "" || e.Names["nl"] == "" {
					t.Fatalf("accepted a bad entry %+v", e)
				}
				seen[e.Code] = true
			}
		}
	})
}
