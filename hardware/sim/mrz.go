package sim

import "strings"

// TestMRZ is a TD3 (passport) machine-readable zone for the synthetic person
// TESTPERSON ALPHA, with correct check digits (built by MRZ below).
var TestMRZ = TD3("P", "UTO", "TESTPERSON", "ALPHA", "X12345678", "UTO", "900101", "F", "310101", "")

// TD3 builds the two 44-character lines of a passport MRZ (ICAO 9303 part 4)
// with check digits, for synthetic documents only. dates are YYMMDD.
func TD3(docType, issuer, surname, given, number, nationality, birth, sex, expiry, optional string) []string {
	name := strings.ReplaceAll(surname, " ", "<") + "<<" + strings.ReplaceAll(given, " ", "<")
	l1 := pad(docType, 2) + pad(issuer, 3) + pad(name, 39)
	num := pad(number, 9)
	opt := pad(optional, 14)
	l2 := num + string(check(num)) + pad(nationality, 3) + birth + string(check(birth)) + pad(sex, 1) +
		expiry + string(check(expiry)) + opt + string(check(opt))
	composite := num + string(check(num)) + birth + string(check(birth)) + expiry + string(check(expiry)) + opt + string(check(opt))
	l2 += string(check(composite))
	return []string{l1, l2}
}

func pad(s string, n int) string {
	s = strings.ToUpper(s)
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

// check is the ICAO 9303 check digit (weights 7, 3, 1).
func check(s string) byte {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i%3]
	}
	return byte('0' + sum%10)
}
