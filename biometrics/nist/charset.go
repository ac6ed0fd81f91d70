package nist

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// CharSet is the character encoding index of field 1.015 DCS (ANSI/NIST-ITL 1-2011, Table 4).
type CharSet int

// Character encodings of Table 4. Only ASCII and UTF-8 can be carried safely by the
// traditional encoding (UTF-16/32 code units may contain separator bytes), so Text decodes
// only those two.
const (
	CharSetASCII CharSet = 0
	CharSetUTF16 CharSet = 2
	CharSetUTF8  CharSet = 3
	CharSetUTF32 CharSet = 4
)

func (c CharSet) String() string {
	switch c {
	case CharSetASCII:
		return "ASCII"
	case CharSetUTF16:
		return "UTF-16"
	case CharSetUTF8:
		return "UTF-8"
	case CharSetUTF32:
		return "UTF-32"
	}
	return fmt.Sprintf("character set %d", int(c))
}

// ErrCharSet is returned for text that is not valid in the declared character set, or for a
// character set this package does not decode.
var ErrCharSet = errors.New("text not in the declared ANSI/NIST character set")

// CharSet returns the character set declared in 1.015 DCS; ASCII when the field is absent
// (the standard's default for the traditional encoding).
func (t *Transaction) CharSet() (CharSet, error) {
	t1 := t.Type1()
	if t1 == nil {
		return CharSetASCII, nil
	}
	f := t1.Field(15)
	if f == nil {
		return CharSetASCII, nil
	}
	n, err := atoiStrict([]byte(f.Item(0, 0)))
	if err != nil {
		return CharSetASCII, fmt.Errorf("ansi/nist: 1.015 DCS: character set index %q is not a number: %w", f.Item(0, 0), ErrCharSet)
	}
	return CharSet(n), nil
}

// Text returns field num of record r as text, checked against the transaction's character
// set (Type-1 is always 7-bit ASCII). The separators RS and US are left in place.
func (t *Transaction) Text(r *Record, num int) (string, error) {
	f := r.Field(num)
	if f == nil {
		return "", fmt.Errorf("ansi/nist: Type-%d field %s absent", r.Type, FieldName(r.Type, num))
	}
	cs := CharSetASCII
	if r.Type != 1 {
		var err error
		if cs, err = t.CharSet(); err != nil {
			return "", err
		}
	}
	if err := checkText(cs, f.Value); err != nil {
		return "", fmt.Errorf("ansi/nist: field %s: %w", FieldName(r.Type, num), err)
	}
	return string(f.Value), nil
}

func checkText(cs CharSet, b []byte) error {
	switch cs {
	case CharSetASCII:
		for i, c := range b {
			if c >= 0x80 {
				return fmt.Errorf("byte %d is 0x%02X, not 7-bit ASCII (declare UTF-8 in 1.015 DCS): %w", i, c, ErrCharSet)
			}
		}
		return nil
	case CharSetUTF8:
		if !utf8.Valid(b) {
			return fmt.Errorf("invalid UTF-8: %w", ErrCharSet)
		}
		return nil
	}
	return fmt.Errorf("%s is not decoded by this package: %w", cs, ErrCharSet)
}
