package mrz

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// BenchmarkParse parses each layout; the baseline in the same loop decodes the same result
// from its JSON (encoding/json), which is what receiving an already-parsed MRZ would cost.
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"TD3", specTD3}, {"TD1-long-number", specTD1L}, {"TD2", specTD2}, {"MRVA", specMRVA},
	} {
		b.Run(c.name, func(b *testing.B) {
			r, err := ParseText(c.in, now)
			if err != nil {
				b.Fatal(err)
			}
			js, err := json.Marshal(r)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var subject, baseline time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := ParseText(c.in, now); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				var back Result
				if err := json.Unmarshal(js, &back); err != nil {
					b.Fatal(err)
				}
				subject += t1.Sub(t0)
				baseline += time.Since(t1)
			}
			b.ReportMetric(float64(subject.Nanoseconds())/float64(b.N), "parse-ns/op")
			b.ReportMetric(float64(baseline.Nanoseconds())/float64(b.N), "json-ns/op")
			b.ReportMetric(float64(subject)/float64(baseline), "ratio")
		})
	}
}

var isoDate = regexp.MustCompile(`^(\d{4}|\d{4}-\d{2}|\d{4}-\d{2}-\d{2})?$`)

func FuzzParse(f *testing.F) {
	for _, s := range []string{specTD3, specTD1, specTD1L, specTD2, specMRVA, specMRVB,
		replaceAt(specTD3, 2, 16, 'O'), replaceAt(specTD1, 1, 15, '<'),
		"I<UTOD23145890<73<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
		"P<UTO\nL898", "", "\n\n\n", "hello\r\nworld", strings.Repeat("<", 44) + "\n" + strings.Repeat("<", 44),
		strings.Repeat("9", 30) + "\n" + strings.Repeat("Z", 30) + "\n" + strings.Repeat("<", 30),
	} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, secs int64) {
		at := now.Add(time.Duration(secs%(200*365*24*3600)) * time.Second)
		r, err := ParseText(s, at)
		if err != nil {
			if r != nil || !errors.Is(err, ErrNotMRZ) {
				t.Fatalf("error %v with result %v; want ErrNotMRZ and no result", err, r)
			}
			return
		}
		switch r.Format {
		case TD1, TD2, TD3, MRVA, MRVB:
		default:
			t.Fatalf("format %q", r.Format)
		}
		valid := true
		for _, ok := range r.Checks {
			valid = valid && ok
		}
		if valid != r.Valid || len(r.Checks) < 3 {
			t.Fatalf("valid %v, checks %v", r.Valid, r.Checks)
		}
		if !isoDate.MatchString(r.BirthDate) || !isoDate.MatchString(r.ExpiryDate) {
			t.Fatalf("dates %q %q", r.BirthDate, r.ExpiryDate)
		}
		if r.BirthDate != "" && r.BirthDate[:4] > at.Format("2006") {
			t.Fatalf("birth %s after now %s", r.BirthDate, at)
		}
		if r.Sex != "M" && r.Sex != "F" && r.Sex != "X" {
			t.Fatalf("sex %q", r.Sex)
		}
		for _, c := range r.Corrections {
			if len(c.To) != 1 || c.To[0] < '0' || c.To[0] > '9' {
				t.Fatalf("correction %+v", c)
			}
		}
		if strings.Contains(r.Surname+r.GivenNames, "  ") || strings.ContainsRune(r.Surname+r.GivenNames, '<') {
			t.Fatalf("names %q %q", r.Surname, r.GivenNames)
		}
		// Parsing is deterministic: the same input gives the same JSON.
		again, err := ParseText(s, at)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("two parses differ:\n%s\n%s", a, b)
		}
	})
}
