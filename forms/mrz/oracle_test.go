package mrz

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The oracle test compares Parse with the npm package mrz 5.0.2, an independent implementation,
// on generated TD1, TD2 and TD3 zones (that package has no visa layouts). Its answers are
// recorded in testdata/oracle.json so the test needs neither node nor the network. To
// regenerate (see testdata/README.md):
//
//	go test -run TestOracle -gen-oracle-input ./forms/mrz     # writes testdata/oracle-input.json
//	(cd /tmp/o && npm install mrz@5.0.2) && MRZ_ORACLE=/tmp/o/node_modules/mrz/lib/index.js \
//	    node forms/mrz/testdata/oracle.mjs < forms/mrz/testdata/oracle-input.json > forms/mrz/testdata/oracle.json
var genOracleInput = flag.Bool("gen-oracle-input", false, "write testdata/oracle-input.json (generated MRZs for the npm mrz oracle)")

// oracleCase is one generated MRZ and what the oracle read from it.
type oracleCase struct {
	Lines  []string `json:"lines"`
	Oracle struct {
		Format         string          `json:"format"`
		DocumentCode   string          `json:"documentCode"`
		DocumentNumber string          `json:"documentNumber"`
		LastName       string          `json:"lastName"`
		FirstName      string          `json:"firstName"`
		BirthDate      string          `json:"birthDate"`      // YYMMDD as printed
		ExpirationDate string          `json:"expirationDate"` // YYMMDD as printed
		Sex            string          `json:"sex"`            // male, female, nonspecified
		Checks         map[string]bool `json:"checks"`         // our check names
	} `json:"oracle"`
}

var (
	syllables = []string{"TEST", "PER", "SON", "AL", "PHA", "BRA", "VO", "CHAR", "LIE", "DEL", "TA", "ECHO"}
	states    = []string{"NLD", "SYR", "AFG", "ERI", "D", "GBR", "XXA", "TUR", "IRQ", "SOM"}
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

func randWord(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(3) {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return b.String()
}

func randChars(r *rand.Rand, n int, set string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

// randDate is a YYMMDD that is a real date most of the time.
func randDate(r *rand.Rand) string {
	d := []byte{byte('0' + r.IntN(10)), byte('0' + r.IntN(10)), '0', byte('1' + r.IntN(9)), byte('0' + r.IntN(3)), byte('1' + r.IntN(8))}
	if r.IntN(4) == 0 {
		d[2], d[3] = '1', byte('0'+r.IntN(3))
	}
	return string(d)
}

// randomDoc makes a synthetic document; about a third get one character changed for another of
// the same class (digit for digit, letter for letter), so that check digits fail without
// handing either parser an OCR repair to make.
func randomDoc(r *rand.Rand) []string {
	f := []Format{TD1, TD2, TD3}[r.IntN(3)]
	code := map[Format]string{TD1: "I", TD2: "I", TD3: "P"}[f]
	if r.IntN(2) == 0 {
		code += string(alnum[r.IntN(26)])
	}
	numLen := 6 + r.IntN(4)
	if f != TD3 && r.IntN(3) == 0 {
		numLen = 10 + r.IntN(3) // overflow into the optional data
	}
	name := randWord(r) + "<<" + randWord(r)
	if r.IntN(2) == 0 {
		name += "<" + randWord(r)
	}
	d := doc{format: f, code: code, state: states[r.IntN(len(states))], name: name,
		number: randChars(r, numLen, alnum), nat: states[r.IntN(len(states))],
		birth: randDate(r), sex: []string{"M", "F", "<"}[r.IntN(3)], expiry: randDate(r)}
	if r.IntN(2) == 0 {
		d.opt = randChars(r, 1+r.IntN(5), alnum)
	}
	lines := d.lines()
	if r.IntN(3) == 0 {
		li := r.IntN(len(lines))
		if f == TD1 {
			li = r.IntN(2)
		}
		b := []byte(lines[li])
		for {
			i := r.IntN(len(b))
			c := b[i]
			switch {
			case c >= '0' && c <= '9':
				b[i] = byte('0' + (int(c-'0')+1+r.IntN(9))%10)
			case c >= 'A' && c <= 'Z':
				b[i] = byte('A' + (int(c-'A')+1+r.IntN(25))%26)
			default:
				continue
			}
			break
		}
		lines[li] = string(b)
	}
	return lines
}

func TestOracle(t *testing.T) {
	if *genOracleInput {
		r := rand.New(rand.NewPCG(9303, 2026))
		var in [][]string
		for range 300 {
			in = append(in, randomDoc(r))
		}
		b, err := json.MarshalIndent(in, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "oracle-input.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "oracle.json"))
	if err != nil {
		t.Fatalf("%v (see testdata/README.md for how the oracle file is made)", err)
	}
	var cases []oracleCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 300 {
		t.Fatalf("%d oracle cases, want 300", len(cases))
	}
	failing, variant := 0, 0
	for i, c := range cases {
		o := c.Oracle
		r, err := Parse(c.Lines, now)
		if err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		if !r.Valid {
			failing++
		}
		sex := map[string]string{"male": "M", "female": "F", "nonspecified": "X"}[o.Sex]
		got := []string{string(r.Format), r.DocumentCode, r.DocumentNumber, r.Surname, r.GivenNames, r.Sex,
			yymmdd(r.BirthDate), yymmdd(r.ExpiryDate)}
		want := []string{o.Format, o.DocumentCode, o.DocumentNumber, o.LastName, o.FirstName, sex,
			o.BirthDate, o.ExpirationDate}
		for k := range got {
			switch {
			case k >= 6 && got[k] == "":
				// An impossible date is "" for us and the raw digits for the oracle; the
				// birth and expiry check results below still have to agree.
				continue
			case k == 1 && want[k] == "" || k == 5 && want[k] == "":
				// The oracle blanks a document code or sex it rejects; we keep what is
				// printed and report a problem on the field.
				if !hasProblem(r, map[int]string{1: "documentCode", 5: "sex"}[k]) {
					t.Errorf("case %d: oracle rejects field %d, we report no problem: %v", i, k, r.Problems)
				}
				continue
			}
			if got[k] != want[k] {
				t.Errorf("case %d field %d: %q, oracle %q\n%s", i, k, got[k], want[k], strings.Join(c.Lines, "\n"))
			}
		}
		for name, ok := range o.Checks {
			if name == CheckDocumentNumber && ok && !r.Checks[name] && overflowVariant(c.Lines, r.Format) {
				// Known difference: for a long TD1/TD2 number the oracle also accepts a check
				// digit computed with the '<' at the check position included; ICAO 9303 computes
				// it over the number alone, and so do we.
				variant++
				continue
			}
			if r.Checks[name] != ok {
				t.Errorf("case %d check %s: %v, oracle %v\n%s", i, name, r.Checks[name], ok, strings.Join(c.Lines, "\n"))
			}
		}
		if len(r.Checks) != len(o.Checks) {
			t.Errorf("case %d: checks %v, oracle %v", i, r.Checks, o.Checks)
		}
	}
	t.Logf("%d cases, %d fail a check; %d long numbers accepted only by the oracle's '<' variant", len(cases), failing, variant)
	if failing < 30 || failing > 150 {
		t.Errorf("%d of %d cases fail a check; the corpus should mix valid and corrupted zones", failing, len(cases))
	}
}

// yymmdd turns our YYYY-MM-DD back into the printed digits the oracle reports.
func yymmdd(iso string) string {
	if len(iso) != 10 {
		return ""
	}
	return iso[2:4] + iso[5:7] + iso[8:10]
}

func hasProblem(r *Result, field string) bool {
	for _, p := range r.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// overflowVariant reports whether a long TD1/TD2 document number's check digit matches when
// computed over number + '<' + overflow, the reading the oracle accepts besides ICAO's.
func overflowVariant(lines []string, f Format) bool {
	var num, opt string
	switch f {
	case TD1:
		num, opt = lines[0][5:15], lines[0][15:30]
	case TD2:
		num, opt = lines[1][0:10], lines[1][28:35]
	default:
		return false
	}
	end := strings.IndexByte(opt, '<')
	if num[9] != '<' || end < 2 {
		return false
	}
	d, _ := CheckDigit(num + opt[:end-1])
	return d == opt[end-1]
}
