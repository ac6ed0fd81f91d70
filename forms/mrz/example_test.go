package mrz_test

import (
	"fmt"
	"time"

	"github.com/fieldscreen/fieldscreen/forms/mrz"
)

func ExampleParseText() {
	// The ICAO 9303 specimen passport, read by an OCR that took the 0 in the birth date for O.
	zone := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" +
		"L898902C36UTO74O8122F1204159ZE184226B<<<<<10"
	r, err := mrz.ParseText(zone, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Format, r.Surname, "/", r.GivenNames, r.BirthDate, r.Sex, r.Valid)
	for _, c := range r.Corrections {
		fmt.Printf("repaired %s at line %d column %d: %s -> %s\n", c.Field, c.Line, c.Column, c.From, c.To)
	}
	// Output:
	// TD3 ERIKSSON / ANNA MARIA 1974-08-12 F true
	// repaired birthDate at line 2 column 16: O -> 0
}
