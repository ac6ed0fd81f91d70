package mrz

import "strings"

// doc is a document to print as an MRZ in tests, so that names, dates and long document
// numbers can vary while every check digit stays right.
type doc struct {
	format                    Format
	code, state, name, number string
	nat, birth, sex, expiry   string
	opt, opt2                 string // opt2: TD1 line 2 only
}

func pad(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func cd(s string) string {
	d, ok := CheckDigit(s)
	if !ok {
		panic("test MRZ with a character outside the MRZ alphabet: " + s)
	}
	return string(d)
}

// numberAndOpt lays out a TD1/TD2 document number and optional data of width n, using the
// overflow convention for numbers longer than 9 characters.
func numberAndOpt(number, opt string, n int) (num9, check, optField string) {
	if len(number) <= 9 {
		return pad(number, 9), cd(pad(number, 9)), pad(opt, n)
	}
	return number[:9], "<", pad(number[9:]+cd(number)+"<"+opt, n)
}

// lines prints d as MRZ lines.
func (d doc) lines() []string {
	switch d.format {
	case TD1:
		num, check, opt := numberAndOpt(d.number, d.opt, 15)
		l1 := pad(d.code, 2) + pad(d.state, 3) + num + check + opt
		l2 := d.birth + cd(d.birth) + d.sex + d.expiry + cd(d.expiry) + pad(d.nat, 3) + pad(d.opt2, 11)
		l2 += cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
		return []string{l1, l2, pad(d.name, 30)}
	case TD2:
		num, check, opt := numberAndOpt(d.number, d.opt, 7)
		l1 := pad(d.code, 2) + pad(d.state, 3) + pad(d.name, 31)
		l2 := num + check + pad(d.nat, 3) + d.birth + cd(d.birth) + d.sex + d.expiry + cd(d.expiry) + opt
		return []string{l1, l2 + cd(l2[0:10]+l2[13:20]+l2[21:35])}
	case TD3:
		l1 := pad(d.code, 2) + pad(d.state, 3) + pad(d.name, 39)
		op := pad(d.opt, 14)
		l2 := pad(d.number, 9) + cd(pad(d.number, 9)) + pad(d.nat, 3) + d.birth + cd(d.birth) + d.sex +
			d.expiry + cd(d.expiry) + op + cd(op)
		return []string{l1, l2 + cd(l2[0:10]+l2[13:20]+l2[21:43])}
	default: // visas
		width := 44
		if d.format == MRVB {
			width = 36
		}
		l1 := pad(d.code, 2) + pad(d.state, 3) + pad(d.name, width-5)
		l2 := pad(d.number, 9) + cd(pad(d.number, 9)) + pad(d.nat, 3) + d.birth + cd(d.birth) + d.sex +
			d.expiry + cd(d.expiry) + pad(d.opt, width-28)
		return []string{l1, l2}
	}
}

func (d doc) text() string { return strings.Join(d.lines(), "\n") }
