package nist

import "fmt"

// mnemonics names the fields this package knows, per record type, so that errors and dumps
// say "14.013 FGP" rather than a bare number. Source: ANSI/NIST-ITL 1-2011 (Update 2015)
// record layout tables; Type-4 names follow the binary header order of the same standard.
var mnemonics = map[int]map[int]string{
	1: {1: "LEN", 2: "VER", 3: "CNT", 4: "TOT", 5: "DAT", 6: "PRY", 7: "DAI", 8: "ORI", 9: "TCN",
		10: "TCR", 11: "NSR", 12: "NTR", 13: "DOM", 14: "GMT", 15: "DCS", 16: "APS", 17: "ANM", 18: "GNS"},
	2: {1: "LEN", 2: "IDC"},
	4: {1: "LEN", 2: "IDC", 3: "IMP", 4: "FGP", 5: "ISR", 6: "HLL", 7: "VLL", 8: "CGA", 999: "DATA"},
	9: {1: "LEN", 2: "IDC", 3: "IMP", 4: "FMT"},
	10: {1: "LEN", 2: "IDC", 3: "IMT", 4: "SRC", 5: "PHD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "CSP", 13: "SAP", 14: "FIP", 15: "FPFI", 16: "SHPS", 17: "SVPS",
		18: "DIST", 19: "LAF", 20: "POS", 21: "POA", 23: "PAS", 24: "SQS", 25: "SPA", 26: "SXS",
		27: "SEC", 28: "SFP", 29: "FFP", 30: "DMM", 31: "TMC", 40: "SMT", 41: "SMS", 42: "SMD",
		43: "COL", 999: "DATA"},
	13: {1: "LEN", 2: "IDC", 3: "IMP", 4: "SRC", 5: "LCD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "BPX", 13: "FGP", 14: "SPD", 15: "PPC", 16: "SHPS", 17: "SVPS",
		20: "COM", 24: "LQM", 999: "DATA"},
	14: {1: "LEN", 2: "IDC", 3: "IMP", 4: "SRC", 5: "FCD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "BPX", 13: "FGP", 14: "PPD", 15: "PPC", 16: "SHPS", 17: "SVPS",
		18: "AMP", 20: "COM", 21: "SEG", 22: "NQM", 23: "SQM", 24: "FQM", 25: "ASEG", 26: "SCF",
		27: "SIF", 30: "DMM", 31: "FAP", 999: "DATA"},
	15: {1: "LEN", 2: "IDC", 3: "IMP", 4: "SRC", 5: "PCD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "BPX", 13: "FGP", 16: "SHPS", 17: "SVPS", 18: "AMP", 20: "COM",
		24: "PQM", 999: "DATA"},
	16: {1: "LEN", 2: "IDC", 3: "UDI", 4: "SRC", 5: "UTD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "BPX", 13: "CSP", 999: "DATA"},
	20: {1: "LEN", 2: "IDC", 3: "CAR", 4: "SRC", 5: "SRD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "BPX", 13: "CSP", 14: "AQS", 15: "SFT", 16: "SEG", 17: "SHPS", 18: "SVPS",
		19: "TIX", 20: "COM", 21: "SRN", 22: "ICDR", 999: "DATA"},
	17: {1: "LEN", 2: "IDC", 3: "ELR", 4: "SRC", 5: "ICD", 6: "HLL", 7: "VLL", 8: "SLC", 9: "THPS",
		10: "TVPS", 11: "CGA", 12: "BPX", 13: "CSP", 999: "DATA"},
}

// FieldName returns "T.NNN MNEMONIC" (or "T.NNN" for a field without a known mnemonic),
// the form used in error messages.
func FieldName(typ, num int) string {
	if m := Mnemonic(typ, num); m != "" {
		return Tag(typ, num) + " " + m
	}
	return Tag(typ, num)
}

// Tag returns the canonical tag "T.NNN" of field num in a Type-typ record.
func Tag(typ, num int) string { return fmt.Sprintf("%d.%03d", typ, num) }

// Mnemonic returns the standard's short name of a field ("FGP" for 14.013), or "" if this
// package does not know it.
func Mnemonic(typ, num int) string {
	if m, ok := mnemonics[typ][num]; ok {
		return m
	}
	switch {
	case num == 1:
		return "LEN"
	case num == 2 && typ != 1:
		return "IDC"
	case num == 999:
		return "DATA"
	}
	return ""
}

// taggedType reports record types that the standard defines with tagged fields: every type
// except the binary 3-8. Unknown numbers may be either; their bytes decide.
func taggedType(typ int) bool {
	switch typ {
	case 1, 2, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 98, 99:
		return true
	}
	return false
}

// binLayout describes a fixed binary record header: the byte width of each header field in
// order, after which the image data follows.
type binLayout struct {
	nums   []int
	widths []int
}

func (l *binLayout) index(num int) int {
	if l == nil {
		return -1
	}
	if num == 999 {
		return len(l.nums)
	}
	for i, n := range l.nums {
		if n == num {
			return i
		}
	}
	return -1
}

func (l *binLayout) headerSize() int {
	n := 0
	for _, w := range l.widths {
		n += w
	}
	return n
}

// type4 is the 18-byte Type-4 header: LEN 4, IDC 1, IMP 1, FGP 6, ISR 1, HLL 2, VLL 2, CGA 1.
// FGP's six bytes are presented as six subfields (255 = unused position).
var type4 = &binLayout{nums: []int{1, 2, 3, 4, 5, 6, 7, 8}, widths: []int{4, 1, 1, 6, 1, 2, 2, 1}}

// binaryLayout returns the header layout of binary record types this package decodes into
// fields; only Type-4 (the others are kept opaque).
func binaryLayout(typ int) *binLayout {
	if typ == 4 {
		return type4
	}
	return nil
}

// opaqueBinary reports binary record types kept verbatim: Types 3, 5, 6 (legacy images),
// 7 (user-defined image) and 8 (signature). They carry a 4-byte length and a 1-byte IDC.
func opaqueBinary(typ int) bool {
	return typ == 3 || typ == 5 || typ == 6 || typ == 7 || typ == 8
}

// Compression codes of Table 15 (ANSI/NIST-ITL 1-2011): the text code used in tagged
// records and the number used in the binary Type-4 CGA/GCA byte.
var compressionCodes = []string{"NONE", "WSQ20", "JPEGB", "JPEGL", "JP2", "JP2L", "PNG"}

// CompressionCode maps a Type-4 binary compression number to its text code ("" if unknown).
func CompressionCode(n int) string {
	if n >= 0 && n < len(compressionCodes) {
		return compressionCodes[n]
	}
	return ""
}

// compressionNumber is the inverse of CompressionCode (-1 if unknown).
func compressionNumber(code string) int {
	for i, c := range compressionCodes {
		if c == code {
			return i
		}
	}
	return -1
}

// cgaField is the field holding the compression code of a tagged image record.
var cgaField = map[int]int{10: 11, 13: 11, 14: 11, 15: 11, 16: 11, 17: 11, 20: 11}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
