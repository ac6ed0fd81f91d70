package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// The ICAO 9303 Part 4 specimen passport.
const mrzSpecimenTD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"

type mrzJSON struct {
	Format, DocumentCode, IssuingState, Surname, GivenNames, DocumentNumber string
	Nationality, BirthDate, ExpiryDate, Sex, OptionalData                   string
	Valid                                                                   bool
	Checks                                                                  map[string]bool
	Corrections                                                             []struct {
		Field, From, To string
		Line, Column    int
	}
}

func mrzCtl(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"mrz"}, args...), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestMRZParse(t *testing.T) {
	tests := []struct {
		name, in   string
		code       int
		birth      string
		valid      bool
		failing    string
		correction string
	}{
		{"specimen", mrzSpecimenTD3, 0, "1974-08-12", true, "", ""},
		{"wrong expiry check digit", strings.Replace(mrzSpecimenTD3, "1204159", "1204158", 1), 1, "1974-08-12", false, "expiryDate", ""},
		{"OCR O in the birth date", strings.Replace(mrzSpecimenTD3, "7408122", "74O8122", 1), 0, "1974-08-12", true, "", "birthDate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := mrzCtl(t, tt.in, "parse", "--now", "2026-11-29")
			if code != tt.code || errs != "" {
				t.Fatalf("exit %d stderr %q, want exit %d", code, errs, tt.code)
			}
			var r mrzJSON
			dec := json.NewDecoder(strings.NewReader(out))
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if dec.More() {
				t.Fatalf("more than one JSON value:\n%s", out)
			}
			if r.Format != "TD3" || r.DocumentCode != "P" || r.IssuingState != "UTO" || r.Surname != "ERIKSSON" ||
				r.GivenNames != "ANNA MARIA" || r.DocumentNumber != "L898902C3" || r.Nationality != "UTO" ||
				r.BirthDate != tt.birth || r.ExpiryDate != "2012-04-15" || r.Sex != "F" || r.OptionalData != "ZE184226B" {
				t.Errorf("fields: %+v", r)
			}
			if r.Valid != tt.valid || len(r.Checks) != 5 {
				t.Errorf("valid %v checks %v", r.Valid, r.Checks)
			}
			if tt.failing != "" && r.Checks[tt.failing] {
				t.Errorf("check %s passed", tt.failing)
			}
			if tt.correction != "" && (len(r.Corrections) != 1 || r.Corrections[0].Field != tt.correction ||
				r.Corrections[0].From != "O" || r.Corrections[0].To != "0" || r.Corrections[0].Column != 16) {
				t.Errorf("corrections %+v", r.Corrections)
			}
		})
	}
}

func TestMRZParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		args     []string
		want     string
	}{
		{"not an MRZ", "hello world\n", []string{"parse"}, "not an MRZ: got 1 line(s)"},
		{"huge input", strings.Repeat("<", 5000), []string{"parse"}, "longer than 4096 bytes"},
		{"bad --now", mrzSpecimenTD3, []string{"parse", "--now", "29-11-2026"}, "not a date YYYY-MM-DD"},
		{"argument", mrzSpecimenTD3, []string{"parse", "file.txt"}, "reads the MRZ lines on stdin"},
		{"no subcommand", "", nil, "missing subcommand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := mrzCtl(t, tt.in, tt.args...)
			if code != 2 || out != "" || !strings.Contains(errs, tt.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("exit %d stdout %q stderr %q; want exit 2 and one line with %q", code, out, errs, tt.want)
			}
		})
	}
}

// TestMRZBinary runs the built command as a script would: exit statuses 0, 1 and 2.
func TestMRZBinary(t *testing.T) {
	bin := ctlBin(t)
	for _, tt := range []struct {
		in   string
		code int
	}{
		{mrzSpecimenTD3, 0},
		{strings.Replace(mrzSpecimenTD3, "<<<<<10", "<<<<<11", 1), 1},
		{"P<UTO\n", 2},
	} {
		cmd := exec.Command(bin, "mrz", "parse", "--now", "2026-11-29")
		cmd.Stdin = strings.NewReader(tt.in)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("input %q: exit %d, want %d (stderr %q)", tt.in, code, tt.code, errb.String())
		}
		if tt.code < 2 && !json.Valid(out.Bytes()) {
			t.Errorf("stdout is not JSON: %q", out.String())
		}
		if tt.code == 2 && (out.Len() != 0 || !strings.Contains(errb.String(), "not an MRZ")) {
			t.Errorf("stdout %q stderr %q", out.String(), errb.String())
		}
	}
}
