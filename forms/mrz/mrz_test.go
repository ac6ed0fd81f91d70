package mrz

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// now is fixed so that two-digit years resolve the same way on every run.
var now = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// The ICAO 9303 specimens (Part 4 TD3, Part 5 TD1 with and without a long document number,
// Part 6 TD2, Part 7 MRV-A and MRV-B). Every check digit was recomputed by hand with the
// 7-3-1 weights and agrees with the printed one.
const (
	specTD3  = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	specTD1  = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
	specTD1L = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
	specTD2  = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
	specMRVA = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
	specMRVB = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<"
)

func TestSpecimens(t *testing.T) {
	tests := []struct {
		name, in                                 string
		format                                   Format
		code, state, surname, given, number, nat string
		birth, sex, expiry, opt, opt2            string
		checks                                   []string
	}{
		{"TD3 passport", specTD3, TD3, "P", "UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO",
			"1974-08-12", "F", "2012-04-15", "ZE184226B", "", []string{"documentNumber", "birthDate", "expiryDate", "optionalData", "composite"}},
		{"TD1 card", specTD1, TD1, "I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "UTO",
			"1974-08-12", "F", "2012-04-15", "", "", []string{"documentNumber", "birthDate", "expiryDate", "composite"}},
		{"TD1 long document number", specTD1L, TD1, "I", "UTO", "STEVENSON", "PETER JOHN", "D23145890734", "UTO",
			"1934-07-12", "M", "1995-07-12", "", "", []string{"documentNumber", "birthDate", "expiryDate", "composite"}},
		{"TD2 card", specTD2, TD2, "I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "UTO",
			"1974-08-12", "F", "2012-04-15", "", "", []string{"documentNumber", "birthDate", "expiryDate", "composite"}},
		{"MRV-A visa", specMRVA, MRVA, "V", "UTO", "ERIKSSON", "ANNA MARIA", "L8988901C", "XXX",
			"1940-09-07", "F", "1996-12-10", "6ZE184226B", "", []string{"documentNumber", "birthDate", "expiryDate"}},
		{"MRV-B visa", specMRVB, MRVB, "V", "UTO", "ERIKSSON", "ANNA MARIA", "L8988901C", "XXX",
			"1940-09-07", "F", "1996-12-10", "", "", []string{"documentNumber", "birthDate", "expiryDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseText(tt.in, now)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{string(r.Format), r.DocumentCode, r.IssuingState, r.Surname, r.GivenNames, r.DocumentNumber,
				r.Nationality, r.BirthDate, r.Sex, r.ExpiryDate, r.OptionalData, r.OptionalData2}
			want := []string{string(tt.format), tt.code, tt.state, tt.surname, tt.given, tt.number,
				tt.nat, tt.birth, tt.sex, tt.expiry, tt.opt, tt.opt2}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d = %q, want %q", i, got[i], want[i])
				}
			}
			if !r.Valid || len(r.Checks) != len(tt.checks) {
				t.Errorf("valid %v checks %v, want all of %v", r.Valid, r.Checks, tt.checks)
			}
			for _, c := range tt.checks {
				if !r.Checks[c] {
					t.Errorf("check %s = false", c)
				}
			}
			if len(r.Corrections) != 0 || len(r.Problems) != 0 || r.NameTruncated {
				t.Errorf("corrections %v problems %v truncated %v", r.Corrections, r.Problems, r.NameTruncated)
			}
			if !r.Expired {
				t.Error("specimen dates lie before 2026: want expired")
			}
		})
	}
}

func TestCheckDigit(t *testing.T) {
	for in, want := range map[string]byte{
		"L898902C3": '6', "740812": '2', "120415": '9', "ZE184226B<<<<<": '1', "D23145890": '7',
		"520727": '3', "<<<<<<": '0', "AB2134<<<": '5',
	} {
		if got, ok := CheckDigit(in); !ok || got != want {
			t.Errorf("CheckDigit(%q) = %c, %v; want %c", in, got, ok, want)
		}
	}
	if _, ok := CheckDigit("ab"); ok {
		t.Error("lower case accepted by CheckDigit")
	}
}

// replaceAt returns s with the byte at line/col (1-based) replaced.
func replaceAt(s string, line, col int, c byte) string {
	ls := strings.Split(s, "\n")
	b := []byte(ls[line-1])
	b[col-1] = c
	ls[line-1] = string(b)
	return strings.Join(ls, "\n")
}

func TestCorruptedDigits(t *testing.T) {
	tests := []struct {
		name, in string
		failing  []string // checks expected false; all others true
	}{
		{"TD3 document number", replaceAt(specTD3, 2, 1, 'M'), []string{"documentNumber", "composite"}},
		{"TD3 document number check", replaceAt(specTD3, 2, 10, '5'), []string{"documentNumber", "composite"}},
		{"TD3 birth date", replaceAt(specTD3, 2, 18, '3'), []string{"birthDate", "composite"}},
		{"TD3 expiry check", replaceAt(specTD3, 2, 28, '8'), []string{"expiryDate", "composite"}},
		{"TD3 optional data", replaceAt(specTD3, 2, 30, 'F'), []string{"optionalData", "composite"}},
		{"TD3 composite only", replaceAt(specTD3, 2, 44, '9'), []string{"composite"}},
		{"TD3 nationality is outside every check", replaceAt(specTD3, 2, 11, 'S'), nil},
		{"TD1 optional data line 1 is in the composite", replaceAt(specTD1, 1, 20, 'B'), []string{"composite"}},
		{"TD1 optional data line 2 is in the composite", replaceAt(specTD1, 2, 20, 'B'), []string{"composite"}},
		{"TD1 long number check", replaceAt(specTD1L, 1, 19, '8'), []string{"documentNumber", "composite"}},
		{"TD1 long number part", replaceAt(specTD1L, 1, 17, '5'), []string{"documentNumber", "composite"}},
		{"TD2 expiry", replaceAt(specTD2, 2, 23, '3'), []string{"expiryDate", "composite"}},
		{"TD2 composite", replaceAt(specTD2, 2, 36, '0'), []string{"composite"}},
		{"MRV-A birth check", replaceAt(specMRVA, 2, 20, '0'), []string{"birthDate"}},
		{"MRV-B document number", replaceAt(specMRVB, 2, 2, '9'), []string{"documentNumber"}},
		{"TD3 '<' check digit over a non-empty field", replaceAt(specTD3, 2, 10, '<'), []string{"documentNumber", "composite"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseText(tt.in, now)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, f := range tt.failing {
				want[f] = true
			}
			for k, ok := range r.Checks {
				if ok == want[k] {
					t.Errorf("check %s = %v, want %v", k, ok, !want[k])
				}
			}
			if r.Valid != (len(tt.failing) == 0) {
				t.Errorf("valid = %v", r.Valid)
			}
		})
	}
}

func TestOCRCorrections(t *testing.T) {
	// Birth date 740812 read as 74O8I2, expiry 120415 as I2041S, the composite 0 as O; the
	// document number L898902C3 keeps its letters.
	in := replaceAt(replaceAt(replaceAt(specTD3, 2, 16, 'O'), 2, 18, 'I'), 2, 44, 'O')
	in = replaceAt(in, 2, 22, 'I') // expiry 120415 → I20415
	in = replaceAt(in, 2, 27, 'S')
	r, err := ParseText(in, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Valid || r.BirthDate != "1974-08-12" || r.ExpiryDate != "2012-04-15" || r.DocumentNumber != "L898902C3" {
		t.Fatalf("after repair: valid %v birth %s expiry %s number %s checks %v", r.Valid, r.BirthDate, r.ExpiryDate, r.DocumentNumber, r.Checks)
	}
	want := []Correction{
		{"birthDate", 2, 16, "O", "0"}, {"birthDate", 2, 18, "I", "1"},
		{"expiryDate", 2, 22, "I", "1"}, {"expiryDate", 2, 27, "S", "5"},
		{"composite.check", 2, 44, "O", "0"},
	}
	if len(r.Corrections) != len(want) {
		t.Fatalf("corrections %v, want %v", r.Corrections, want)
	}
	for i := range want {
		if r.Corrections[i] != want[i] {
			t.Errorf("correction %d = %v, want %v", i, r.Corrections[i], want[i])
		}
	}

	// Every listed confusion maps to its digit.
	for letter, digit := range map[byte]byte{'O': '0', 'I': '1', 'Z': '2', 'S': '5', 'G': '6', 'B': '8'} {
		// Put the digit into a TD2 birth date by changing 740812 at column 14 and fixing
		// nothing else: the check fails unless the repaired digit equals the original.
		r, err := ParseText(replaceAt(specTD2, 2, 14, letter), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Corrections) != 1 || r.Corrections[0].To != string(digit) {
			t.Errorf("%c: corrections %v", letter, r.Corrections)
		}
	}

	// Letters in alphanumeric fields are never touched: an O in the document number stays.
	r, err = ParseText(replaceAt(specTD3, 2, 2, 'O'), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.DocumentNumber != "LO98902C3" || len(r.Corrections) != 0 || r.Checks["documentNumber"] {
		t.Errorf("document number %s corrections %v checks %v", r.DocumentNumber, r.Corrections, r.Checks)
	}

	// A letter with no digit look-alike in a date stays, and the date is reported unusable.
	r, err = ParseText(replaceAt(specTD3, 2, 16, 'K'), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.BirthDate != "" || len(r.Problems) != 1 || r.Problems[0].Field != "birthDate" || r.Checks["birthDate"] {
		t.Errorf("birth %q problems %v checks %v", r.BirthDate, r.Problems, r.Checks)
	}
}

// td3 builds a TD3 MRZ with correct check digits from its parts, so dates and names can vary.
func td3(name, number, birth, sex, expiry, opt string) string {
	return doc{format: TD3, code: "P", state: "UTO", name: name, number: number, nat: "UTO",
		birth: birth, sex: sex, expiry: expiry, opt: opt}.text()
}

func TestDatesAndNames(t *testing.T) {
	tests := []struct {
		name, in                     string
		birth, expiry, sex           string
		surname, given               string
		truncated, expired, problems bool
	}{
		{"born this century", td3("TESTPERSON<<ALPHA", "X1", "150301", "M", "300301", ""), "2015-03-01", "2030-03-01", "M", "TESTPERSON", "ALPHA", false, false, false},
		{"born today", td3("TESTPERSON<<ALPHA", "X1", "261129", "F", "361129", ""), "2026-11-29", "2036-11-29", "F", "TESTPERSON", "ALPHA", false, false, false},
		{"born tomorrow is last century", td3("TESTPERSON<<ALPHA", "X1", "261130", "F", "361129", ""), "1926-11-30", "2036-11-29", "F", "TESTPERSON", "ALPHA", false, false, false},
		{"unknown day", td3("TESTPERSON<<ALPHA", "X1", "8807<<", "<", "300301", ""), "1988-07", "2030-03-01", "X", "TESTPERSON", "ALPHA", false, false, false},
		{"unknown day and month", td3("TESTPERSON<<ALPHA", "X1", "88<<<<", "X", "300301", ""), "1988", "2030-03-01", "X", "TESTPERSON", "ALPHA", false, false, false},
		{"unknown birth date", td3("TESTPERSON<<ALPHA", "X1", "<<<<<<", "M", "300301", ""), "", "2030-03-01", "M", "TESTPERSON", "ALPHA", false, false, false},
		{"expiry 20 years out", td3("TESTPERSON<<ALPHA", "X1", "900101", "M", "461231", ""), "1990-01-01", "2046-12-31", "M", "TESTPERSON", "ALPHA", false, false, false},
		{"expiry 21 years out is last century", td3("TESTPERSON<<ALPHA", "X1", "900101", "M", "470101", ""), "1990-01-01", "1947-01-01", "M", "TESTPERSON", "ALPHA", false, true, false},
		{"expired yesterday", td3("TESTPERSON<<ALPHA", "X1", "900101", "M", "261128", ""), "1990-01-01", "2026-11-28", "M", "TESTPERSON", "ALPHA", false, true, false},
		{"leap day", td3("TESTPERSON<<ALPHA", "X1", "000229", "M", "280229", ""), "2000-02-29", "2028-02-29", "M", "TESTPERSON", "ALPHA", false, false, false},
		{"no leap day", td3("TESTPERSON<<ALPHA", "X1", "010229", "M", "270229", ""), "", "", "M", "TESTPERSON", "ALPHA", false, false, true},
		{"month 13", td3("TESTPERSON<<ALPHA", "X1", "011301", "M", "300101", ""), "", "2030-01-01", "M", "TESTPERSON", "ALPHA", false, false, true},
		{"bad sex code", td3("TESTPERSON<<ALPHA", "X1", "900101", "Q", "300101", ""), "1990-01-01", "2030-01-01", "X", "TESTPERSON", "ALPHA", false, false, true},
		{"fillers collapse", td3("TEST<PERSON<<ALPHA<<BRAVO<CHARLIE", "X1", "900101", "F", "300101", ""), "1990-01-01", "2030-01-01", "F", "TEST PERSON", "ALPHA BRAVO CHARLIE", false, false, false},
		{"primary identifier only", td3("TESTPERSON", "X1", "900101", "F", "300101", ""), "1990-01-01", "2030-01-01", "F", "TESTPERSON", "", false, false, false},
		{"truncated name", td3("TESTPERSONWITHAVERYLONGNAME<<ALPHABRAVO", "X1", "900101", "F", "300101", ""), "1990-01-01", "2030-01-01", "F", "TESTPERSONWITHAVERYLONGNAME", "ALPHABRAVO", true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseText(tt.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Valid {
				t.Errorf("checks %v", r.Checks)
			}
			if r.BirthDate != tt.birth || r.ExpiryDate != tt.expiry || r.Sex != tt.sex {
				t.Errorf("birth %q expiry %q sex %q; want %q %q %q", r.BirthDate, r.ExpiryDate, r.Sex, tt.birth, tt.expiry, tt.sex)
			}
			if r.Surname != tt.surname || r.GivenNames != tt.given || r.NameTruncated != tt.truncated {
				t.Errorf("name %q / %q truncated %v", r.Surname, r.GivenNames, r.NameTruncated)
			}
			if r.Expired != tt.expired || (len(r.Problems) > 0) != tt.problems {
				t.Errorf("expired %v problems %v", r.Expired, r.Problems)
			}
		})
	}
}

func TestNotMRZ(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"nothing", nil, "got 0 line(s)"},
		{"one line", []string{strings.Repeat("<", 44)}, "got 1 line(s)"},
		{"four lines", []string{"A", "B", "C", "D"}, "got 4 line(s)"},
		{"uneven", []string{strings.Repeat("<", 44), strings.Repeat("<", 43)}, "line 2 has 43"},
		{"two lines of 30", []string{strings.Repeat("<", 30), strings.Repeat("<", 30)}, "2 lines of 30"},
		{"three lines of 44", []string{strings.Repeat("<", 44), strings.Repeat("<", 44), strings.Repeat("<", 44)}, "3 lines of 44"},
		{"space inside", []string{"P<UTO ERIKSSON", "L898902C36UTO"}, `column 6 has " "`},
		{"umlaut", []string{"P<UTOMÜLLER", "X"}, "non-ASCII"},
		{"control", []string{"P<UTO\x1b[31m", "X"}, "control character 0x1b"},
		{"empty lines", []string{"", ""}, "the lines are empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in, now)
			if r != nil || !errors.Is(err, ErrNotMRZ) {
				t.Fatalf("got %v, %v; want ErrNotMRZ", r, err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "scan the document again") {
				t.Errorf("error %q, want it to contain %q and advice", err, tt.want)
			}
		})
	}
}

func TestParseTextTolerance(t *testing.T) {
	in := "\r\n  " + strings.ToLower(strings.ReplaceAll(specTD3, "\n", "\r\n")) + "  \r\n\n"
	r, err := ParseText(in, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Valid || r.Surname != "ERIKSSON" {
		t.Errorf("valid %v surname %q", r.Valid, r.Surname)
	}
	if r2, err := ParseText(strings.ReplaceAll(specTD1, "\n", "\r"), now); err != nil || !r2.Valid {
		t.Errorf("CR line ends: %v", err)
	}
}

// TestBuilderMatchesSpecimens: the test builder prints the ICAO specimens byte for byte, so the
// generated MRZs used elsewhere follow the same layouts.
func TestBuilderMatchesSpecimens(t *testing.T) {
	anna := doc{code: "I", state: "UTO", name: "ERIKSSON<<ANNA<MARIA", number: "D23145890", nat: "UTO",
		birth: "740812", sex: "F", expiry: "120415"}
	visa := doc{code: "V", state: "UTO", name: "ERIKSSON<<ANNA<MARIA", number: "L8988901C", nat: "XXX",
		birth: "400907", sex: "F", expiry: "961210"}
	for name, tt := range map[string]struct {
		d    doc
		want string
	}{
		"TD1":      {withFormat(anna, TD1), specTD1},
		"TD1 long": {doc{format: TD1, code: "I", state: "UTO", name: "STEVENSON<<PETER<JOHN", number: "D23145890734", nat: "UTO", birth: "340712", sex: "M", expiry: "950712"}, specTD1L},
		"TD2":      {withFormat(anna, TD2), specTD2},
		"TD3":      {doc{format: TD3, code: "P", state: "UTO", name: "ERIKSSON<<ANNA<MARIA", number: "L898902C3", nat: "UTO", birth: "740812", sex: "F", expiry: "120415", opt: "ZE184226B"}, specTD3},
		"MRVA":     {func() doc { v := withFormat(visa, MRVA); v.opt = "6ZE184226B"; return v }(), specMRVA},
		"MRVB":     {withFormat(visa, MRVB), specMRVB},
	} {
		if got := tt.d.text(); got != tt.want {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, tt.want)
		}
	}
}

func withFormat(d doc, f Format) doc { d.format = f; return d }

func TestLongDocumentNumbers(t *testing.T) {
	for _, f := range []Format{TD1, TD2} {
		for _, number := range []string{"AB1234567", "AB12345678", "AB123456789", "AB1234567890"} {
			d := doc{format: f, code: "ID", state: "NLD", name: "TESTPERSON<<BRAVO", number: number, nat: "SYR",
				birth: "990101", sex: "M", expiry: "300101", opt: "X"}
			r, err := ParseText(d.text(), now)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Valid || r.DocumentNumber != number || r.OptionalData != "X" && f == TD1 {
				t.Errorf("%s %s: number %q optional %q checks %v\n%s", f, number, r.DocumentNumber, r.OptionalData, r.Checks, d.text())
			}
		}
	}
	// A '<' check digit with nothing in the optional data is a wrong check digit, not a long number.
	r, err := ParseText(replaceAt(specTD1, 1, 15, '<'), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Checks["documentNumber"] || r.DocumentNumber != "D23145890" {
		t.Errorf("number %q checks %v", r.DocumentNumber, r.Checks)
	}
}

func TestUnknownStateCodes(t *testing.T) {
	r, err := ParseText(replaceAt(replaceAt(specTD3, 1, 3, 'Q'), 2, 11, 'Q'), now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Valid || r.IssuingState != "QTO" || r.Nationality != "QTO" || len(r.Problems) != 2 ||
		r.Problems[0].Field != "issuingState" || r.Problems[1].Field != "nationality" {
		t.Errorf("valid %v state %q nationality %q problems %v", r.Valid, r.IssuingState, r.Nationality, r.Problems)
	}
	// Germany's one-letter code is read with its fillers removed and is known.
	d := doc{format: TD3, code: "P", state: "D", name: "TESTPERSON<<CHARLIE", number: "C01X00T47", nat: "D",
		birth: "640812", sex: "F", expiry: "300101"}
	r, err = ParseText(d.text(), now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Valid || r.IssuingState != "D" || r.Nationality != "D" || len(r.Problems) != 0 {
		t.Errorf("valid %v state %q nationality %q problems %v", r.Valid, r.IssuingState, r.Nationality, r.Problems)
	}
}

// TestCenturyEdges moves now instead of the document: the century follows the day Parse is told.
func TestCenturyEdges(t *testing.T) {
	tests := []struct {
		name, birth, expiry string
		now                 time.Time
		wantBirth, wantExp  string
		problem             bool
	}{
		{"29 Feb 2000 read on 28 Feb 2000 is 1900, which has no 29 Feb", "000229", "100101",
			time.Date(2000, 2, 28, 23, 0, 0, 0, time.UTC), "", "2010-01-01", true},
		{"29 Feb 2000 read on 29 Feb 2000", "000229", "100101",
			time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), "2000-02-29", "2010-01-01", false},
		{"now late in the day in another zone is still that day", "261129", "361129",
			time.Date(2026, 11, 29, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)), "2026-11-29", "2036-11-29", false},
		{"year-only birth in the current year", "26<<<<", "361129", now, "2026", "2036-11-29", false},
		{"month-only birth next month is last century", "2612<<", "361129", now, "1926-12", "2036-11-29", false},
		{"read in 2090: expiry 10 wraps to 2110", "850101", "100101",
			time.Date(2090, 6, 1, 0, 0, 0, 0, time.UTC), "2085-01-01", "2110-01-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseText(td3("TESTPERSON<<DELTA", "X1", tt.birth, "M", tt.expiry, ""), tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if r.BirthDate != tt.wantBirth || r.ExpiryDate != tt.wantExp || (len(r.Problems) > 0) != tt.problem || !r.Valid {
				t.Errorf("birth %q expiry %q problems %v valid %v", r.BirthDate, r.ExpiryDate, r.Problems, r.Valid)
			}
		})
	}
}

// TestProblemsDoNotEchoValues: problem messages may be logged, so they name the field and the
// rule but never repeat the birth date, sex or nationality that was read.
func TestProblemsDoNotEchoValues(t *testing.T) {
	d := doc{format: TD3, code: "P", state: "QQQ", name: "TESTPERSON<<ECHO", number: "X1", nat: "QQQ",
		birth: "871345", sex: "Q", expiry: "991399"}
	r, err := ParseText(d.text(), now)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	for _, p := range r.Problems {
		fields[p.Field] = true
		for _, v := range []string{"871345", "1345", "991399", "1399", "QQQ", `"Q"`} {
			if strings.Contains(p.Message, v) {
				t.Errorf("problem %s repeats %q: %s", p.Field, v, p.Message)
			}
		}
	}
	for _, f := range []string{"birthDate", "expiryDate", "sex", "issuingState", "nationality"} {
		if !fields[f] {
			t.Errorf("no problem for %s: %v", f, r.Problems)
		}
	}
}
