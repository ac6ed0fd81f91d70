// Package mrz reads the machine readable zone of travel documents as ICAO Doc 9303 (8th edition)
// lays it out: TD1 identity cards (3×30, Part 5), TD2 cards (2×36, Part 6), TD3 passports
// (2×44, Part 4) and machine readable visas MRV-A (2×44) and MRV-B (2×36, Part 7).
//
// A document reader or a person typing by hand hands over the lines; Parse returns every
// field it could read, whether each check digit is right, and the repairs it made. It never
// fails on a wrong check digit or an impossible date: the officer sees which field is wrong
// and decides. It fails, with ErrNotMRZ, only when the text is not an MRZ at all (line count,
// line lengths, characters outside A–Z, 0–9 and '<').
//
// OCR engines confuse letters and digits that look alike (O/0, I/1, B/8, S/5, Z/2, G/6).
// Parse repairs those only where the layout says a digit must stand (dates and check digits);
// names, document numbers and codes are alphanumeric, so a repair there would be a guess and
// is never made. Every repair is listed in Result.Corrections.
//
// Issuing state and nationality are looked up in forms/codelist (ICAO 9303 Part 3 codes); an
// unknown code is a problem on the field, not an error, because an OCR misread there is for
// the officer to fix. Mapping a Result onto a case's documented identity is for package forms.
package mrz

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/forms/codelist"
)

// Format names the MRZ layout.
type Format string

// The layouts of ICAO 9303.
const (
	TD1  Format = "TD1"  // identity card, 3 lines of 30 (Part 5)
	TD2  Format = "TD2"  // card, 2 lines of 36 (Part 6)
	TD3  Format = "TD3"  // passport, 2 lines of 44 (Part 4)
	MRVA Format = "MRVA" // visa, 2 lines of 44 (Part 7)
	MRVB Format = "MRVB" // visa, 2 lines of 36 (Part 7)
)

// Check names: the keys of Result.Checks.
const (
	CheckDocumentNumber = "documentNumber"
	CheckBirthDate      = "birthDate"
	CheckExpiryDate     = "expiryDate"
	CheckOptionalData   = "optionalData" // TD3 only
	CheckComposite      = "composite"    // TD1, TD2, TD3; visas have none
)

// ErrNotMRZ is wrapped by every error that means "this text is not a machine readable zone".
var ErrNotMRZ = errors.New("not an MRZ")

// FormatError says why the input is not an MRZ and what to do about it. It wraps ErrNotMRZ.
type FormatError struct {
	Reason string // what is wrong, e.g. "line 2 has 43 characters"
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("not an MRZ: %s; an MRZ is 3 lines of 30 characters (TD1), 2 of 36 (TD2, MRV-B) "+
		"or 2 of 44 (TD3, MRV-A) using only A-Z, 0-9 and '<': scan the document again or type the lines "+
		"exactly as printed", e.Reason)
}

func (e *FormatError) Unwrap() error { return ErrNotMRZ }

// Correction is one OCR repair made in a field where only digits may stand.
type Correction struct {
	Field  string `json:"field"`  // the field repaired, e.g. "birthDate" or "birthDate.check"
	Line   int    `json:"line"`   // 1-based
	Column int    `json:"column"` // 1-based
	From   string `json:"from"`
	To     string `json:"to"`
}

// Problem is a field that was read but is not usable as it stands (an impossible date, a sex
// code outside M/F/<, an unknown state code). Check digit mismatches are in Checks. Messages
// never repeat the value, which is personal data: they may end up in a log.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Result is what Parse read. Dates are ISO 8601 strings so that partial birth dates
// ("1974", "1974-08") survive; an unreadable or unknown date is "".
type Result struct {
	Format       Format `json:"format"`
	DocumentCode string `json:"documentCode"` // e.g. "P", "I", "ID", "AC", "V"
	IssuingState string `json:"issuingState"` // as printed, fillers removed ("D" for Germany)
	Surname      string `json:"surname"`
	GivenNames   string `json:"givenNames"` // words separated by single spaces
	// NameTruncated is set when the name fills its field to the last position, which is how
	// ICAO 9303 marks a name that may have been cut short.
	NameTruncated  bool   `json:"nameTruncated"`
	DocumentNumber string `json:"documentNumber"` // the full number, including a TD1/TD2 overflow
	Nationality    string `json:"nationality"`
	BirthDate      string `json:"birthDate"` // YYYY-MM-DD, YYYY-MM or YYYY when parts are '<'
	Sex            string `json:"sex"`       // M, F or X ('<' is X)
	ExpiryDate     string `json:"expiryDate"`
	// Expired compares ExpiryDate with the now given to Parse. It is information, not a
	// check failure: an expired passport still identifies its holder.
	Expired       bool   `json:"expired"`
	OptionalData  string `json:"optionalData"`            // trailing fillers removed
	OptionalData2 string `json:"optionalData2,omitempty"` // TD1 line 2
	// Valid is true when every check digit of the layout is right.
	Valid       bool            `json:"valid"`
	Checks      map[string]bool `json:"checks"`
	Corrections []Correction    `json:"corrections"`
	Problems    []Problem       `json:"problems"`
}

// ParseText splits a block of text (CR, LF or CRLF line ends; blank lines and surrounding
// spaces ignored) into lines and parses them.
func ParseText(s string, now time.Time) (*Result, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return Parse(lines, now)
}

// Parse reads the lines of an MRZ. now resolves two-digit years: a birth date is the latest
// date not after now; an expiry date lies at most 20 years after now (a passport is valid for
// at most 10), otherwise a century earlier. Lower-case letters are read as upper case,
// because hand-typed input often is.
//
// The error is non-nil, and wraps ErrNotMRZ, only when the lines are not an MRZ.
func Parse(lines []string, now time.Time) (*Result, error) {
	f, ls, err := classify(lines)
	if err != nil {
		return nil, err
	}
	// Dates are days: compare with the calendar day of now, wherever now was taken.
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	p := parser{lines: ls, now: today, r: &Result{
		Format:      f,
		Checks:      map[string]bool{},
		Corrections: []Correction{},
		Problems:    []Problem{},
	}}
	switch f {
	case TD1:
		p.td1()
	case TD2, MRVB:
		p.twoLine(36)
	default:
		p.twoLine(44)
	}
	p.stateCode("issuingState", p.r.IssuingState)
	p.stateCode("nationality", p.r.Nationality)
	r := p.r
	r.Valid = true
	for _, ok := range r.Checks {
		r.Valid = r.Valid && ok
	}
	return r, nil
}

// classify works out the layout from the line count and lengths, and rejects characters
// outside the MRZ alphabet. The returned lines are upper case byte slices the parser may
// repair in place.
func classify(lines []string) (Format, [][]byte, error) {
	if len(lines) != 2 && len(lines) != 3 {
		return "", nil, &FormatError{Reason: fmt.Sprintf("got %d line(s), want 2 or 3", len(lines))}
	}
	ls := make([][]byte, len(lines))
	for i, l := range lines {
		b := []byte(strings.ToUpper(l))
		// ToUpper maps a few non-ASCII letters onto ASCII (the Kelvin sign → K); the check
		// below runs on the original so those are still rejected.
		for j := 0; j < len(l); j++ {
			c := l[j]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<' {
				continue
			}
			return "", nil, &FormatError{Reason: fmt.Sprintf("line %d column %d has %s, which is not A-Z, 0-9 or '<'",
				i+1, j+1, describeByte(l, j))}
		}
		ls[i] = b
	}
	n := len(ls[0])
	for i, l := range ls {
		if len(l) != n {
			return "", nil, &FormatError{Reason: fmt.Sprintf("line 1 has %d characters but line %d has %d; all lines of an MRZ are equally long",
				n, i+1, len(l))}
		}
	}
	if n == 0 {
		return "", nil, &FormatError{Reason: "the lines are empty"}
	}
	visa := ls[0][0] == 'V'
	switch {
	case len(ls) == 3 && n == 30:
		return TD1, ls, nil
	case len(ls) == 2 && n == 36 && visa:
		return MRVB, ls, nil
	case len(ls) == 2 && n == 36:
		return TD2, ls, nil
	case len(ls) == 2 && n == 44 && visa:
		return MRVA, ls, nil
	case len(ls) == 2 && n == 44:
		return TD3, ls, nil
	case len(ls) == 3:
		return "", nil, &FormatError{Reason: fmt.Sprintf("3 lines of %d characters; 3 lines must be 30 long (TD1)", n)}
	}
	return "", nil, &FormatError{Reason: fmt.Sprintf("2 lines of %d characters; 2 lines must be 36 (TD2, MRV-B) or 44 (TD3, MRV-A) long", n)}
}

// describeByte names the character at l[j] without echoing control characters to a terminal.
func describeByte(l string, j int) string {
	c := l[j]
	if c < 0x20 || c == 0x7f {
		return fmt.Sprintf("control character 0x%02x", c)
	}
	if c < 0x80 {
		return fmt.Sprintf("%q", string(c))
	}
	return "a non-ASCII character"
}

// parser carries the state of one Parse call.
type parser struct {
	lines [][]byte
	now   time.Time // the calendar day of Parse's now, at 00:00 UTC
	r     *Result
}

// td1 reads a 3×30 card (ICAO 9303 Part 5, 4.2.2).
func (p *parser) td1() {
	l1, l2, l3 := p.lines[0], p.lines[1], p.lines[2]
	p.header(l1)
	p.docNumber(l1, 1, 5, 15, 30)
	p.r.Nationality = text(l2[15:18])
	p.r.OptionalData2 = trimFiller(l2[18:29])
	p.dates(l2, 2, 0, 8)
	p.sex(l2[7], 2, 8)
	p.name(l3, 3)
	p.digitAt(l2, 29, 2, CheckComposite+".check")
	composite := concat(l1[5:30], l2[0:7], l2[8:15], l2[18:29])
	p.r.Checks[CheckComposite] = checkMatches(composite, l2[29])
}

// twoLine reads TD2 (width 36), TD3 (44) and the visas of both widths.
func (p *parser) twoLine(width int) {
	l1, l2 := p.lines[0], p.lines[1]
	p.header(l1)
	p.name(l1[5:], 1)
	f := p.r.Format
	p.r.Nationality = text(l2[10:13])
	p.dates(l2, 2, 13, 21)
	p.sex(l2[20], 2, 21)
	switch f {
	case TD2:
		p.docNumber(l2, 2, 0, 28, 35)
	case TD3, MRVA, MRVB:
		// TD3 and visas have no overflow convention: 9 characters and a check digit.
		p.r.DocumentNumber = trimFiller(l2[0:9])
		p.digitAt(l2, 9, 2, CheckDocumentNumber+".check")
		p.r.Checks[CheckDocumentNumber] = checkMatches(l2[0:9], l2[9])
	}
	switch f {
	case TD2:
		p.composite(l2, concat(l2[0:10], l2[13:20], l2[21:35]), 35)
	case TD3:
		p.r.OptionalData = trimFiller(l2[28:42])
		p.digitAt(l2, 42, 2, CheckOptionalData+".check")
		p.r.Checks[CheckOptionalData] = checkMatches(l2[28:42], l2[42])
		p.composite(l2, concat(l2[0:10], l2[13:20], l2[21:43]), 43)
	default: // visas: optional data runs to the end of the line, no composite
		p.r.OptionalData = trimFiller(l2[28:width])
	}
}

func (p *parser) composite(l2, data []byte, at int) {
	p.digitAt(l2, at, 2, CheckComposite+".check")
	p.r.Checks[CheckComposite] = checkMatches(data, l2[at])
}

// header reads the document code and issuing state that open line 1 of every layout, and
// flags a document code the layout does not allow: P for passports (Part 4); A, C or I for
// cards, never with V second, which would read as a visa (Parts 5 and 6). Visas start with V
// by classification.
func (p *parser) header(l1 []byte) {
	p.r.DocumentCode = trimFiller(l1[0:2])
	p.r.IssuingState = trimFiller(l1[2:5])
	switch p.r.Format {
	case TD3:
		if l1[0] != 'P' {
			p.problem("documentCode", fmt.Sprintf("document code %q: a passport (TD3) code starts with P", p.r.DocumentCode))
		}
	case TD1, TD2:
		if l1[0] != 'A' && l1[0] != 'C' && l1[0] != 'I' || l1[1] == 'V' {
			p.problem("documentCode", fmt.Sprintf("document code %q: a card (%s) code starts with A, C or I and has no V second", p.r.DocumentCode, p.r.Format))
		}
	}
}

// stateCode reports a state code that is not in ICAO 9303 Part 3.
func (p *parser) stateCode(field, code string) {
	if !codelist.IsState(code) {
		p.problem(field, "not an ICAO 9303 state code; check the document and correct the code as printed")
	}
}

// docNumber reads a TD1/TD2 document number with its overflow convention (ICAO 9303 Part 5
// 4.2.2 note j, Part 6 4.2.2): when the number is longer than 9 characters the check digit
// position holds '<', and the optional data starts with the remaining characters followed by
// the check digit over the whole number. What follows in the optional data is optional data.
// l is the line; the number is l[at:at+9], its check digit l[at+9], the optional data
// l[optFrom:optTo].
func (p *parser) docNumber(l []byte, line, at, optFrom, optTo int) {
	num, opt := l[at:at+9], l[optFrom:optTo]
	if l[at+9] == '<' && opt[0] != '<' {
		end := indexByte(opt, '<')
		if end < 0 {
			end = len(opt)
		}
		if end >= 2 {
			p.digitAt(l, optFrom+end-1, line, CheckDocumentNumber+".check")
			full := concat(num, opt[:end-1])
			p.r.DocumentNumber = trimFiller(full)
			p.r.Checks[CheckDocumentNumber] = checkMatches(full, opt[end-1])
			rest := opt[end:]
			for len(rest) > 0 && rest[0] == '<' { // the filler that ends the overflow
				rest = rest[1:]
			}
			p.r.OptionalData = trimFiller(rest)
			return
		}
	}
	p.r.DocumentNumber = trimFiller(num)
	p.digitAt(l, at+9, line, CheckDocumentNumber+".check")
	p.r.Checks[CheckDocumentNumber] = checkMatches(num, l[at+9])
	p.r.OptionalData = trimFiller(opt)
}

// dates reads birth date (6 digits + check at birthAt) and expiry date (at expiryAt) from
// line l2 of the layout.
func (p *parser) dates(l2 []byte, line, birthAt, expiryAt int) {
	p.digits(l2, birthAt, birthAt+6, line, CheckBirthDate, true)
	p.digitAt(l2, birthAt+6, line, CheckBirthDate+".check")
	p.r.Checks[CheckBirthDate] = checkMatches(l2[birthAt:birthAt+6], l2[birthAt+6]) && numeric(l2[birthAt:birthAt+6])
	p.r.BirthDate = p.birth(l2[birthAt : birthAt+6])

	p.digits(l2, expiryAt, expiryAt+6, line, CheckExpiryDate, false)
	p.digitAt(l2, expiryAt+6, line, CheckExpiryDate+".check")
	p.r.Checks[CheckExpiryDate] = checkMatches(l2[expiryAt:expiryAt+6], l2[expiryAt+6]) && numeric(l2[expiryAt:expiryAt+6])
	p.r.ExpiryDate = p.expiry(l2[expiryAt : expiryAt+6])
}

// sex maps the sex position: M, F, and '<' (unspecified) which is reported as X. Some
// issuers print X itself, which ICAO 9303 (8th edition) also allows.
func (p *parser) sex(c byte, line, col int) {
	switch c {
	case 'M', 'F', 'X':
		p.r.Sex = string(c)
	case '<':
		p.r.Sex = "X"
	default:
		p.r.Sex = "X"
		p.problem("sex", fmt.Sprintf("line %d column %d is not M, F or '<' (unspecified); read as X until corrected", line, col))
	}
}

// name reads SURNAME<<GIVEN<NAMES. A name without "<<" is a primary identifier alone.
func (p *parser) name(field []byte, line int) {
	s := string(field)
	p.r.NameTruncated = field[len(field)-1] != '<'
	primary, secondary, _ := strings.Cut(s, "<<")
	p.r.Surname = words(primary)
	p.r.GivenNames = words(secondary)
	if p.r.Surname == "" && p.r.GivenNames == "" {
		p.problem("surname", fmt.Sprintf("the name field on line %d is empty", line))
	}
}

// words turns fillers into single spaces between words.
func words(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

func (p *parser) problem(field, msg string) {
	p.r.Problems = append(p.r.Problems, Problem{Field: field, Message: msg})
}

// ocrDigit maps letters an OCR engine mistakes for digits. Only used where a digit must stand.
// D, Q and L are left out on purpose: they are rarer confusions, and a wrong guess would hide
// a misread behind a check digit that happens to match.
var ocrDigit = [256]byte{'O': '0', 'I': '1', 'Z': '2', 'S': '5', 'G': '6', 'B': '8'}

// digits repairs OCR confusions in l[from:to], a field where only digits may stand. '<' is
// left alone where allowFiller is set (unknown parts of a birth date).
func (p *parser) digits(l []byte, from, to, line int, field string, allowFiller bool) {
	for i := from; i < to; i++ {
		p.repair(l, i, line, field, allowFiller)
	}
}

// digitAt repairs a check digit position. '<' stays (it is a legal check digit only for an
// all-filler field, which checkMatches decides).
func (p *parser) digitAt(l []byte, i, line int, field string) {
	p.repair(l, i, line, field, true)
}

func (p *parser) repair(l []byte, i, line int, field string, allowFiller bool) {
	c := l[i]
	if c >= '0' && c <= '9' || c == '<' && allowFiller {
		return
	}
	if d := ocrDigit[c]; d != 0 {
		l[i] = d
		p.r.Corrections = append(p.r.Corrections, Correction{Field: field, Line: line, Column: i + 1, From: string(c), To: string(d)})
	}
}

// checkDigit is the ICAO 9303 Part 3 4.9 check digit: weights 7, 3, 1 repeating; digits
// count as their value, A–Z as 10–35, '<' as 0. ok is false for a byte outside the alphabet.
func checkDigit(data []byte) (d byte, ok bool) {
	sum := 0
	for i, c := range data {
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, false
		}
		sum += v * [3]int{7, 3, 1}[i%3]
	}
	return byte('0' + sum%10), true
}

// CheckDigit returns the ICAO 9303 check digit of s ('0'–'9'), for tools that build an MRZ.
// ok is false when s holds a character outside A–Z, 0–9 and '<'.
func CheckDigit(s string) (byte, bool) { return checkDigit([]byte(s)) }

// checkMatches compares a printed check digit with the one computed over data. A '<' in the
// check position is accepted only for an all-filler field (TD3 optional data left empty).
func checkMatches(data []byte, printed byte) bool {
	if printed == '<' {
		return allFiller(data)
	}
	d, ok := checkDigit(data)
	return ok && d == printed
}

// numeric reports whether a date field holds only digits and fillers. The check digit alone
// cannot tell: a letter weighs 10-35, so K (20) in place of 0 leaves the sum unchanged mod 10.
func numeric(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && c != '<' {
			return false
		}
	}
	return true
}

func allFiller(b []byte) bool {
	for _, c := range b {
		if c != '<' {
			return false
		}
	}
	return true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// trimFiller drops trailing fillers; inner fillers stay, since they can be meaningful
// (they separate items in some issuers' optional data).
func trimFiller(b []byte) string {
	end := len(b)
	for end > 0 && b[end-1] == '<' {
		end--
	}
	return string(b[:end])
}

// text is a code field such as the nationality: fillers removed ("D<<" → "D").
func text(b []byte) string { return trimFiller(b) }

// birth resolves a YYMMDD birth date. Unknown parts are fillers: "7408<<" is August 1974,
// "74<<<<" is 1974, "<<<<<<" is unknown (""). The century is the one that puts the date
// (or year) not after now.
func (p *parser) birth(b []byte) string {
	yy, okY := num2(b[0:2])
	if !okY {
		if !allFiller(b) {
			p.problem(CheckBirthDate, "the birth year is not two digits")
		}
		return ""
	}
	year := 2000 + yy
	if year > p.now.Year() {
		year -= 100
	}
	if allFiller(b[2:6]) {
		return fmt.Sprintf("%04d", year)
	}
	mm, okM := num2(b[2:4])
	if !okM || mm < 1 || mm > 12 {
		p.problem(CheckBirthDate, "the birth month is not 01-12 (or << when unknown)")
		return ""
	}
	if year == p.now.Year() && mm > int(p.now.Month()) {
		year -= 100
	}
	if allFiller(b[4:6]) {
		return fmt.Sprintf("%04d-%02d", year, mm)
	}
	dd, okD := num2(b[4:6])
	if okD && year == p.now.Year() && mm == int(p.now.Month()) && dd > p.now.Day() {
		year -= 100
	}
	// Checked after the century is known: 29 February 2000 exists, 1900 does not.
	if !okD || dd < 1 || dd > daysIn(year, mm) {
		p.problem(CheckBirthDate, "the birth day does not exist in that month (use << when unknown)")
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, mm, dd)
}

// expiry resolves a YYMMDD expiry date into the 100 years that end 20 years after now. An
// all-filler field means the document does not expire ("").
func (p *parser) expiry(b []byte) string {
	if allFiller(b) {
		return ""
	}
	yy, okY := num2(b[0:2])
	mm, okM := num2(b[2:4])
	dd, okD := num2(b[4:6])
	if !okY || !okM || !okD {
		p.problem(CheckExpiryDate, "the expiry date is not six digits")
		return ""
	}
	limit := p.now.Year() + 20
	year := 2000 + yy
	for year > limit {
		year -= 100
	}
	for year <= limit-100 {
		year += 100
	}
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(year, mm) {
		p.problem(CheckExpiryDate, "the expiry date is not a calendar date")
		return ""
	}
	p.r.Expired = time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC).Before(p.now)
	return fmt.Sprintf("%04d-%02d-%02d", year, mm, dd)
}

func num2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
