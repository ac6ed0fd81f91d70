package serial

import (
	"errors"
	"fmt"
	"strings"
)

// Reading errors a caller can tell apart. Both are wrapped in a hardware
// capture-failed *Error, so the UI shows one sentence and the log the detail.
var (
	// ErrNoise: bytes outside the MRZ alphabet, typically a wrong baud rate,
	// parity or framing, or a reader that sends something else.
	ErrNoise = errors.New("serial data is not MRZ text")
	// ErrPartial: MRZ-like lines, but not a whole zone (a document pulled
	// out too early or a line lost).
	ErrPartial = errors.New("incomplete MRZ")
)

// Shapes of a machine-readable zone (ICAO 9303): lines × characters.
var shapes = []struct{ lines, width int }{{2, 44}, {2, 36}, {3, 30}}

// ExtractMRZ finds the MRZ in one burst of reader output: it splits on the
// line ending ("" = any of CR, LF, CRLF), drops framing control characters
// (STX, ETX) and blank lines, and checks the alphabet and the shape
// (2×44 passport, 2×36 TD2, 3×30 ID card). It does not check check digits:
// that is the MRZ parser's job.
func ExtractMRZ(data []byte, ending string) ([]string, error) {
	s := string(data)
	s = strings.Map(func(r rune) rune {
		if r == 0x02 || r == 0x03 {
			return -1
		}
		return r
	}, s)
	var raw []string
	if ending == "" {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		raw = strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	} else {
		raw = strings.Split(s, ending)
	}
	var lines []string
	for _, l := range raw {
		l = strings.TrimSpace(l)
		if l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: no lines received", ErrPartial)
	}
	for i, l := range lines {
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<') {
				return nil, fmt.Errorf("%w: line %d has byte 0x%02x at column %d (check baud rate, parity and line ending)", ErrNoise, i+1, c, j+1)
			}
		}
	}
	for _, sh := range shapes {
		if len(lines) != sh.lines {
			continue
		}
		ok := true
		for _, l := range lines {
			ok = ok && len(l) == sh.width
		}
		if ok {
			return lines, nil
		}
	}
	lens := make([]string, len(lines))
	for i, l := range lines {
		lens[i] = fmt.Sprint(len(l))
	}
	return nil, fmt.Errorf("%w: %d line(s) of %s characters, want 2×44, 2×36 or 3×30 (read the document again)", ErrPartial, len(lines), strings.Join(lens, ", "))
}
