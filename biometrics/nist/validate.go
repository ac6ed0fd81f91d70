package nist

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Problem is one finding of Validate: which record and field break which rule.
type Problem struct {
	Record int    // index in the transaction, 0 = Type-1
	Type   int    // record type
	Field  string // "14.013 FGP"; empty for a problem with the whole record
	Reason string
}

func (p Problem) String() string {
	s := fmt.Sprintf("record %d (Type-%d)", p.Record, p.Type)
	if p.Field != "" {
		s += " field " + p.Field
	}
	return s + ": " + p.Reason
}

// Condition of a field in a record layout.
type cond int

const (
	mandatory cond = iota // always required
	withImage             // required when the record carries image data (x.999), else absent
)

type fieldRule struct {
	num   int
	cond  cond
	check func(v string) string // returns a reason, "" if fine; nil = no value check
}

// rules lists, per record type, the fields ANSI/NIST-ITL 1-2011 (Update 2015) requires and
// the value checks this package applies. Image-describing fields of Types 10, 13, 14, 15 and
// 17 are conditional on the image being present (the standard's "D" condition code).
var rules = map[int][]fieldRule{
	1: {
		{1, mandatory, nil}, {2, mandatory, checkVersion}, {3, mandatory, nil}, {4, mandatory, checkNonEmpty},
		{5, mandatory, checkDate}, {7, mandatory, checkNonEmpty}, {8, mandatory, checkNonEmpty},
		{9, mandatory, checkNonEmpty}, {11, mandatory, checkScale}, {12, mandatory, checkScale},
	},
	2: {{1, mandatory, nil}, {2, mandatory, checkIDC}},
	4: {
		{1, mandatory, nil}, {2, mandatory, checkIDC}, {3, mandatory, checkRange(0, 29)}, {4, mandatory, checkType4FGP},
		{5, mandatory, checkRange(0, 1)}, {6, mandatory, checkRange(1, 65535)}, {7, mandatory, checkRange(1, 65535)},
		{8, mandatory, checkRange(0, 6)}, {999, mandatory, nil},
	},
	9: {{1, mandatory, nil}, {2, mandatory, checkIDC}, {3, mandatory, checkRange(0, 99)}, {4, mandatory, checkOneOf("S", "U")}},
	10: {
		{1, mandatory, nil}, {2, mandatory, checkIDC}, {3, mandatory, checkOneOf("FACE", "SCAR", "MARK", "TATTOO")},
		{4, mandatory, checkNonEmpty}, {5, mandatory, checkDate},
		{6, withImage, checkRange(10, 99999)}, {7, withImage, checkRange(10, 99999)}, {8, withImage, checkRange(0, 2)},
		{9, withImage, checkRange(1, 99999)}, {10, withImage, checkRange(1, 99999)}, {11, withImage, checkCompression},
		{12, withImage, checkOneOf("GRAY", "RGB", "SRGB", "YCC", "SYCC", "UNK")}, {999, mandatory, nil},
	},
	13: imageRules(checkDate),
	14: imageRules(checkDate),
	15: imageRules(checkDate),
	17: {
		{1, mandatory, nil}, {2, mandatory, checkIDC}, {3, mandatory, checkRange(0, 2)}, {4, mandatory, checkNonEmpty},
		{5, mandatory, checkDate}, {6, withImage, checkRange(10, 99999)}, {7, withImage, checkRange(10, 99999)},
		{8, withImage, checkRange(0, 2)}, {9, withImage, checkRange(1, 99999)}, {10, withImage, checkRange(1, 99999)},
		{11, withImage, checkCompression}, {12, withImage, checkRange(1, 99)},
	},
	// Type-20 source representation: CAR, SRC, SFT (file type) and SRN (1-255) always;
	// the image-describing fields when it carries an image.
	20: {
		{1, mandatory, nil}, {2, mandatory, checkIDC}, {3, mandatory, checkNonEmpty}, {4, mandatory, checkNonEmpty},
		{6, withImage, checkRange(10, 99999)}, {7, withImage, checkRange(10, 99999)}, {8, withImage, checkRange(0, 2)},
		{9, withImage, checkRange(1, 99999)}, {10, withImage, checkRange(1, 99999)}, {11, withImage, checkCompression},
		{12, withImage, checkRange(1, 99)}, {15, mandatory, checkNonEmpty}, {21, mandatory, checkRange(1, 255)},
	},
}

// imageRules is the shared layout of the friction-ridge image records 13, 14 and 15:
// IMP, SRC, capture date, HLL, VLL, SLC, THPS, TVPS, CGA, BPX, FGP and the image.
func imageRules(date func(string) string) []fieldRule {
	return []fieldRule{
		{1, mandatory, nil}, {2, mandatory, checkIDC}, {3, mandatory, checkRange(0, 99)}, {4, mandatory, checkNonEmpty},
		{5, mandatory, date}, {6, withImage, checkRange(10, 99999)}, {7, withImage, checkRange(10, 99999)},
		{8, withImage, checkRange(0, 2)}, {9, withImage, checkRange(1, 99999)}, {10, withImage, checkRange(1, 99999)},
		{11, withImage, checkCompression}, {12, withImage, checkRange(1, 99)}, {13, mandatory, nil},
	}
}

// fgpRanges are the friction-ridge positions each record type may carry (Table 8).
var fgpRanges = map[int][][2]int{
	13: {{0, 19}, {20, 38}, {40, 50}, {60, 79}, {81, 86}},
	14: {{0, 15}, {19, 19}, {33, 33}, {36, 36}, {40, 50}},
	15: {{20, 38}, {81, 86}},
}

// Validate checks the transaction against the ANSI/NIST-ITL rules this package knows:
// mandatory fields per record type, value formats, the CNT record list, the declared
// character set, and that image data matches its compression code and dimensions. It does
// not check a receiver's profile (see package eurodac for that).
func (t *Transaction) Validate() []Problem {
	var ps []Problem
	add := func(i int, r *Record, num int, format string, args ...any) {
		p := Problem{Record: i, Type: r.Type, Reason: fmt.Sprintf(format, args...)}
		if num > 0 {
			p.Field = FieldName(r.Type, num)
		}
		ps = append(ps, p)
	}
	if len(t.records) == 0 || t.records[0].Type != 1 {
		return []Problem{{Record: 0, Type: 0, Reason: "the transaction does not start with a Type-1 record"}}
	}
	cs, csErr := t.CharSet()
	t1 := t.records[0]
	if csErr != nil {
		add(0, t1, 15, "%v", csErr)
	} else if cs != CharSetASCII && cs != CharSetUTF8 && cs < 128 {
		add(0, t1, 15, "character set %s cannot be carried safely in the traditional encoding; use 0 (ASCII) or 3 (UTF-8)", cs)
	}
	ps = append(ps, t.checkCNT()...)
	idcs := map[int]int{}
	for i, r := range t.records {
		if i > 0 && r.Type == 1 {
			add(i, r, 0, "a second Type-1 record; a transaction has exactly one")
			continue
		}
		if r.raw != nil {
			continue // opaque binary records: only their length, checked while parsing
		}
		if i > 0 {
			if prev, dup := idcs[r.IDC()]; dup && t.records[prev].Type == r.Type {
				add(i, r, 2, "IDC %d is also used by record %d of the same type", r.IDC(), prev)
			}
			idcs[r.IDC()] = i
		}
		hasImage := r.Field(999) != nil && len(r.Field(999).Value) > 0
		for _, rule := range rules[r.Type] {
			f := r.Field(rule.num)
			if f == nil {
				switch {
				case rule.num == 999 && r.Type == 14 && r.Field(18) != nil:
					// A finger recorded only as amputated / unprintable (14.018 AMP) has no image.
				case rule.cond == mandatory || (rule.cond == withImage && hasImage):
					add(i, r, rule.num, "mandatory field missing")
				}
				continue
			}
			if rule.check != nil {
				if reason := rule.check(string(f.Value)); reason != "" {
					add(i, r, rule.num, "%s", reason)
				}
			}
		}
		if rules[r.Type] == nil && r.Type != 1 {
			// Types without a layout table here: the header fields every tagged record has.
			if r.Field(2) == nil {
				add(i, r, 2, "mandatory field missing")
			} else if reason := checkIDC(r.Value(2)); reason != "" {
				add(i, r, 2, "%s", reason)
			}
		}
		if i == 0 {
			for _, f := range r.fields {
				if err := checkText(CharSetASCII, f.Value); err != nil {
					add(i, r, f.Num, "Type-1 fields must be 7-bit ASCII: %v", err)
				}
			}
			if v := r.Value(14); v != "" {
				if _, err := time.Parse("20060102150405Z", v); err != nil {
					add(i, r, 14, "%q is not a UTC time YYYYMMDDhhmmssZ", v)
				}
			}
		} else if csErr == nil && (cs == CharSetASCII || cs == CharSetUTF8) && r.Type != 4 {
			// Text fields of every tagged record follow the declared character set; the
			// binary image field 999 is exempt.
			for _, f := range r.fields {
				if f.Num == 999 {
					continue
				}
				if err := checkText(cs, f.Value); err != nil {
					add(i, r, f.Num, "%v", err)
				}
			}
		}
		if r.Type == 10 && r.Value(3) == "FACE" {
			// The subject acquisition profile is required for faces (10.013 SAP).
			if f := r.Field(13); f == nil {
				add(i, r, 13, "mandatory for a facial image (10.003 IMT FACE)")
			} else if reason := checkRange(0, 99)(string(f.Value)); reason != "" {
				add(i, r, 13, "%s", reason)
			}
		}
		if ranges, ok := fgpRanges[r.Type]; ok {
			if f := r.Field(13); f != nil {
				for _, s := range f.Subfields() {
					if reason := checkInRanges(s, ranges); reason != "" {
						add(i, r, 13, "%s", reason)
					}
				}
			}
		}
		if r.Type == 14 || r.Type == 15 {
			if f := r.Field(18); f != nil {
				for _, items := range f.Items() {
					if len(items) != 2 || (items[1] != "XX" && items[1] != "UP") {
						add(i, r, 18, "each subfield must be position US XX (amputated) or UP (unable to print), got %q", strings.Join(items, "/"))
					} else if _, err := atoiStrict([]byte(items[0])); err != nil {
						add(i, r, 18, "position %q is not a number", items[0])
					}
				}
			}
		}
		if hasImage {
			ps = append(ps, checkImage(i, r)...)
		} else if r.Field(999) != nil && r.Type != 14 {
			add(i, r, 999, "image field is empty")
		}
	}
	return ps
}

// checkCNT compares the Type-1 record list with the records actually present.
func (t *Transaction) checkCNT() []Problem {
	t1 := t.records[0]
	f := t1.Field(3)
	if f == nil {
		return nil // reported as a missing mandatory field
	}
	p := func(format string, args ...any) []Problem {
		return []Problem{{Record: 0, Type: 1, Field: FieldName(1, 3), Reason: fmt.Sprintf(format, args...)}}
	}
	entries, err := parseCNT(t1)
	if err != nil {
		return p("%v", err)
	}
	if n, err := atoiStrict([]byte(f.Item(0, 1))); err != nil || n != len(entries) {
		return p("first subfield announces %s records but %d are listed", f.Item(0, 1), len(entries))
	}
	if len(entries) != len(t.records)-1 {
		return p("lists %d records, the transaction has %d (it is rewritten on output)", len(entries), len(t.records)-1)
	}
	for i, e := range entries {
		r := t.records[i+1]
		if e.typ != r.Type || e.idc != r.IDC() {
			return p("entry %d says Type-%d IDC %d, record %d is Type-%d IDC %d", i+1, e.typ, e.idc, i+1, r.Type, r.IDC())
		}
	}
	return nil
}

// checkImage compares the image bytes with the declared compression and dimensions.
func checkImage(i int, r *Record) []Problem {
	data, code := r.Image()
	var ps []Problem
	num := 999
	if code == "" {
		return nil
	}
	if !signatureMatches(code, data) {
		found := SniffCompression(data)
		if found == "" {
			found = "an unknown format"
		}
		ps = append(ps, Problem{Record: i, Type: r.Type, Field: FieldName(r.Type, num),
			Reason: fmt.Sprintf("declared %s but the data is %s (starts % X)", code, found, data[:min(4, len(data))])})
	}
	if code == "NONE" {
		w, err1 := r.Int(6)
		h, err2 := r.Int(7)
		bpx := 8
		if r.Type != 4 {
			if v, err := r.Int(12); err == nil && r.Type != 10 {
				bpx = v
			}
		}
		if err1 == nil && err2 == nil {
			if want := (w*h*bpx + 7) / 8; len(data) != want {
				ps = append(ps, Problem{Record: i, Type: r.Type, Field: FieldName(r.Type, num),
					Reason: fmt.Sprintf("uncompressed image has %d bytes, HLL×VLL×BPX gives %d", len(data), want)})
			}
		}
	}
	return ps
}

func checkNonEmpty(v string) string {
	if strings.TrimSpace(v) == "" {
		return "must not be empty"
	}
	return ""
}

func checkIDC(v string) string {
	n, err := atoiStrict([]byte(v))
	if err != nil || n > 99 {
		return fmt.Sprintf("%q is not an IDC 0-99", v)
	}
	return ""
}

func checkVersion(v string) string {
	if len(v) != 4 {
		return fmt.Sprintf("%q is not a four-digit version such as 0502", v)
	}
	if _, err := atoiStrict([]byte(v)); err != nil {
		return fmt.Sprintf("%q is not a four-digit version such as 0502", v)
	}
	return ""
}

func checkDate(v string) string {
	if len(v) != 8 {
		return fmt.Sprintf("%q is not a date YYYYMMDD", v)
	}
	if _, err := time.Parse("20060102", v); err != nil {
		return fmt.Sprintf("%q is not a valid date YYYYMMDD", v)
	}
	return ""
}

// checkScale checks NSR/NTR: pixels per millimetre as NN.NN (00.00 when not applicable).
func checkScale(v string) string {
	if len(v) != 5 || v[2] != '.' {
		return fmt.Sprintf("%q is not a resolution NN.NN in pixels per mm", v)
	}
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return fmt.Sprintf("%q is not a resolution NN.NN in pixels per mm", v)
	}
	return ""
}

func checkCompression(v string) string {
	if compressionNumber(v) < 0 {
		return fmt.Sprintf("%q is not a compression code (%s)", v, strings.Join(compressionCodes, ", "))
	}
	return ""
}

func checkRange(lo, hi int) func(string) string {
	return func(v string) string {
		n, err := atoiStrict([]byte(v))
		if err != nil || n < lo || n > hi {
			return fmt.Sprintf("%q is not an integer %d-%d", v, lo, hi)
		}
		return ""
	}
}

func checkOneOf(choices ...string) func(string) string {
	return func(v string) string {
		for _, c := range choices {
			if v == c {
				return ""
			}
		}
		return fmt.Sprintf("%q is not one of %s", v, strings.Join(choices, ", "))
	}
}

// checkType4FGP: six positions, each 0-14 or 255 (unused), the first one used.
func checkType4FGP(v string) string {
	subs := strings.Split(v, string(rune(RS)))
	if len(subs) != 6 {
		return fmt.Sprintf("needs 6 positions, has %d", len(subs))
	}
	for i, s := range subs {
		n, err := atoiStrict([]byte(s))
		if err != nil || (n > 14 && n != 255) || (i == 0 && n == 255) {
			return fmt.Sprintf("position %d is %q, want 0-14 (or 255 for unused after the first)", i+1, s)
		}
	}
	return ""
}

func checkInRanges(v string, ranges [][2]int) string {
	n, err := atoiStrict([]byte(v))
	if err == nil {
		for _, r := range ranges {
			if n >= r[0] && n <= r[1] {
				return ""
			}
		}
	}
	return fmt.Sprintf("position %q is not valid for this record type (Table 8)", v)
}
