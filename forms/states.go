package forms

import "github.com/fieldscreen/fieldscreen/forms/codelist"

// knownState reports whether code is an ICAO 9303 state code as printed (upper case),
// including Germany's "D" and the stateless/refugee/unspecified codes.
func knownState(code string) bool { return codelist.IsState(code) }
