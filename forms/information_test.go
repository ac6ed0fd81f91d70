package forms

import (
	"strings"
	"testing"

	"github.com/fieldscreen/fieldscreen/assets"
	"github.com/fieldscreen/fieldscreen/forms/codelist"
)

// TestLeafletLanguageWarning: Screening Art 11(3), Eurodac Art 42(1): the information is given
// in a language the person understands; a leaflet in another language is flagged.
func TestLeafletLanguageWarning(t *testing.T) {
	for _, tc := range []struct {
		name    string
		leaflet string
		spoken  []string
		warn    bool
	}{
		{"no leaflet yet", "", []string{"apc"}, false},
		{"Arabic leaflet, Levantine speaker", "ar", []string{"apc"}, false},
		{"Arabic leaflet, Arabic macrolanguage", "ar", []string{"ara"}, false},
		{"Persian leaflet, Dari speaker", "fa", []string{"prs"}, false},
		{"Pashto leaflet, Southern Pashto", "ps", []string{"pbt"}, false},
		{"Sorani leaflet, Kurdish", "ckb", []string{"kur"}, false},
		{"Tigrinya leaflet", "ti", []string{"tir", "amh"}, false},
		{"Somali leaflet", "so", []string{"som"}, false},
		{"Turkish leaflet", "tr", []string{"tur"}, false},
		{"English leaflet to a Tigrinya speaker", "en", []string{"tir"}, true},
		{"Persian leaflet to a Pashto speaker", "fa", []string{"pbu"}, true},
		{"Sorani leaflet to a Kurmanji speaker", "ckb", []string{"kmr"}, true},
		{"languages not recorded", "en", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Case{Info: Information{LeafletLanguage: tc.leaflet}, Identity: Identity{Languages: tc.spoken}}
			p := c.LeafletLanguageWarning()
			if (p != nil) != tc.warn {
				t.Fatalf("warning = %v, want %v", p, tc.warn)
			}
			if p != nil && (p.Code != CodeLeafletNotSpoken || p.Message.EN == "" || p.Message.NL == "") {
				t.Fatalf("problem %+v", p)
			}
		})
	}
}

// Every leaflet language shipped in assets has its readers listed, and every reader code is
// in the language code list.
func TestLeafletReadersCoverEveryLeaflet(t *testing.T) {
	entries, err := assets.Leaflets.ReadDir("leaflets")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "leaflet-")
		if !ok {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(name, ".json"), ".")
		if len(parts) == 2 && len(leafletReaders[parts[1]]) == 0 {
			t.Errorf("leaflet language %s has no readers listed", parts[1])
		}
	}
	for lang, codes := range leafletReaders {
		for _, c := range codes {
			if !codelist.IsLanguage(c) {
				t.Errorf("%s: reader code %s is not in the language code list", lang, c)
			}
		}
	}
}
