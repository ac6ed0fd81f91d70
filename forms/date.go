package forms

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// PartialDate is a calendar date whose day, or day and month, may be unknown: "YYYY",
// "YYYY-MM" or "YYYY-MM-DD". Dates of birth are often known only partly; the form and the
// age rules must not invent the missing part. The zero value means "no date".
type PartialDate struct {
	Year  int        // 0 = no date
	Month time.Month // 0 = unknown
	Day   int        // 0 = unknown
}

// ErrBadDate is wrapped by every PartialDate parse error.
var ErrBadDate = errors.New("not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")

// ParsePartialDate parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" and rejects impossible dates
// such as 2023-02-29.
func ParsePartialDate(s string) (PartialDate, error) {
	bad := func(why string) (PartialDate, error) {
		return PartialDate{}, fmt.Errorf("date %q: %s: %w", s, why, ErrBadDate)
	}
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return bad("wrong length")
	}
	num := func(part string) (int, bool) {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(part)
		return n, err == nil
	}
	y, ok := num(s[:4])
	if !ok || y < 1 {
		return bad("year must be four digits from 0001")
	}
	d := PartialDate{Year: y}
	if len(s) == 4 {
		return d, nil
	}
	if s[4] != '-' {
		return bad("expected '-' after the year")
	}
	m, ok := num(s[5:7])
	if !ok || m < 1 || m > 12 {
		return bad("month must be 01-12")
	}
	d.Month = time.Month(m)
	if len(s) == 7 {
		return d, nil
	}
	if s[7] != '-' {
		return bad("expected '-' after the month")
	}
	day, ok := num(s[8:10])
	if !ok || day < 1 || day > daysIn(y, d.Month) {
		return bad(fmt.Sprintf("day must be 01-%02d in that month", daysIn(y, d.Month)))
	}
	d.Day = day
	return d, nil
}

// DateOf is the full date of t in t's own location.
func DateOf(t time.Time) PartialDate {
	y, m, d := t.Date()
	return PartialDate{Year: y, Month: m, Day: d}
}

// IsZero reports whether no date is set.
func (d PartialDate) IsZero() bool { return d.Year == 0 }

// Full reports whether year, month and day are all known.
func (d PartialDate) Full() bool { return d.Year != 0 && d.Month != 0 && d.Day != 0 }

func (d PartialDate) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Earliest is the first day the partial date can stand for (1 January for "YYYY").
func (d PartialDate) Earliest() PartialDate {
	e := d
	if e.Month == 0 {
		e.Month = time.January
	}
	if e.Day == 0 {
		e.Day = 1
	}
	return e
}

// Latest is the last day the partial date can stand for (31 December for "YYYY").
func (d PartialDate) Latest() PartialDate {
	l := d
	if l.Month == 0 {
		l.Month = time.December
	}
	if l.Day == 0 {
		l.Day = daysIn(l.Year, l.Month)
	}
	return l
}

// Before reports whether full date d is strictly before full date o.
func (d PartialDate) Before(o PartialDate) bool { return d.compare(o) < 0 }

func (d PartialDate) compare(o PartialDate) int {
	switch {
	case d.Year != o.Year:
		return d.Year - o.Year
	case d.Month != o.Month:
		return int(d.Month) - int(o.Month)
	}
	return d.Day - o.Day
}

// MarshalText writes the date in its own precision ("1990", "1990-04", "1990-04-17").
func (d PartialDate) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText accepts what ParsePartialDate accepts; the empty string is the zero date.
func (d *PartialDate) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = PartialDate{}
		return nil
	}
	v, err := ParsePartialDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ageOn is the age in whole years of someone born on full date birth, on full date day.
// A 29 February birthday is reached on 1 March in common years: the later choice, so that an
// age limit is never applied a day early.
func ageOn(birth, day PartialDate) int {
	age := day.Year - birth.Year
	bm, bd := birth.Month, birth.Day
	if bm == time.February && bd == 29 && daysIn(day.Year, time.February) == 28 {
		bm, bd = time.March, 1
	}
	if day.Month < bm || (day.Month == bm && day.Day < bd) {
		age--
	}
	return age
}
