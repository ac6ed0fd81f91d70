package pdf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

func renderLeaflet(t *testing.T, lang string, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderLeaflet(&buf, lang, opts); err != nil {
		t.Fatalf("render leaflet %s: %v", lang, err)
	}
	path := filepath.Join(t.TempDir(), "leaflet-"+lang+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLeafletContactsInEveryLanguage is the Eurodac Art 42(1)(a) check: in every language and
// both variants the printed leaflet names the controller, the data protection officer and the
// supervisory authority with the details from central's config, under their translated
// labels, and lists the retention periods (Art 29) with this terminal's purge time.
func TestLeafletContactsInEveryLanguage(t *testing.T) {
	d := SampleDataProtection()
	for _, lang := range strings.Split(allLanguages, ",") {
		for _, child := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/child=%v", lang, child), func(t *testing.T) {
				opts := testOpts()
				opts.ChildFriendly, opts.DataProtection, opts.PurgeAfter = child, d, 72*time.Hour
				text := pdfText(t, renderLeaflet(t, lang, opts))
				for _, v := range []string{d.Controller.Name, d.Controller.Email, d.Controller.Phone, d.Controller.Web,
					d.Controller.Address, d.DPO.Name, d.DPO.Email, d.DPO.Phone, d.SupervisoryAuthority.Name,
					d.SupervisoryAuthority.Web, d.SupervisoryAuthority.Address} {
					if !strings.Contains(text, normalise(v)) {
						t.Errorf("%q not printed", v)
					}
				}
				l, err := LeafletText(lang, child)
				if err != nil {
					t.Fatal(err)
				}
				for _, key := range []string{"contacts.controller", "contacts.dpo", "contacts.authority", "contacts.email",
					"contacts.phone", "contacts.web", "contacts.address"} {
					if miss := containsWords(text, l.Labels[key]); len(miss) > 0 {
						t.Errorf("label %s (%q): words %q missing", key, l.Labels[key], miss)
					}
				}
				for _, r := range forms.EurodacRetention() {
					label := strings.ReplaceAll(l.Labels["retention."+r.Category], "{years}", fmt.Sprint(r.Years))
					if miss := containsWords(text, label); len(miss) > 0 {
						t.Errorf("retention %s (%q): words %q missing", r.Category, label, miss)
					}
				}
				if miss := containsWords(text, strings.ReplaceAll(l.Labels["retention.terminal"], "{hours}", "72")); len(miss) > 0 {
					t.Errorf("terminal retention: words %q missing", miss)
				}
				if strings.Contains(text, l.Labels["contacts.notConfigured"]) {
					t.Error("the not-configured notice is printed although contacts were given")
				}
			})
		}
	}
}

// TestLeafletWithoutContactsSaysSo: a terminal whose central config has no contact details
// prints that they are not set and to ask the staff, never a made-up or default contact.
func TestLeafletWithoutContactsSaysSo(t *testing.T) {
	for _, lang := range []string{"en", "ar", "ps", "ti"} {
		text := pdfText(t, renderLeaflet(t, lang, testOpts()))
		l, _ := LeafletText(lang, false)
		if miss := containsWords(text, l.Labels["contacts.notConfigured"]); len(miss) > 0 {
			t.Errorf("%s: not-configured notice missing words %q", lang, miss)
		}
		if strings.Contains(text, "@") || strings.Contains(text, "border.example") {
			t.Errorf("%s: a contact detail was printed without config:\n%s", lang, text)
		}
	}
}

func TestLeafletRefusesInvalidContacts(t *testing.T) {
	d := SampleDataProtection()
	d.DPO.Email = "not an address"
	var buf bytes.Buffer
	err := RenderLeaflet(&buf, "en", Options{DataProtection: d})
	if err == nil || !strings.Contains(err.Error(), "dpo.email") {
		t.Fatalf("err = %v, want the dpo.email problem", err)
	}
	if buf.Len() != 0 {
		t.Fatal("a leaflet was written with invalid contacts")
	}
}

// TestLeafletAssetsComplete: every language has every label the renderer fills in, the same
// inserts at the same sections as the English source, and placeholders kept.
func TestLeafletAssetsComplete(t *testing.T) {
	for _, child := range []bool{false, true} {
		en, err := LeafletText("en", child)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range Languages() {
			l, err := LeafletText(lang, child)
			if err != nil {
				t.Fatalf("%s child=%v: %v", lang, child, err)
			}
			if l.Version != Version {
				t.Errorf("%s: version %s", lang, l.Version)
			}
			for k, v := range en.Labels {
				got := l.Labels[k]
				if strings.TrimSpace(got) == "" {
					t.Errorf("%s child=%v: label %s missing", lang, child, k)
				}
				for _, ph := range []string{"{years}", "{hours}"} {
					if strings.Contains(v, ph) != strings.Contains(got, ph) {
						t.Errorf("%s child=%v: label %s placeholder %s", lang, child, k, ph)
					}
				}
			}
			for i, s := range en.Sections {
				if i < len(l.Sections) && l.Sections[i].Insert != s.Insert {
					t.Errorf("%s child=%v: section %d insert %q, English %q", lang, child, i, l.Sections[i].Insert, s.Insert)
				}
			}
		}
	}
}

// TestLeafletLanguagesArePrintable: the languages forms accepts as the leaflet handed over
// (forms.LeafletLanguages, the rule of forms.Case.RecordInformation) are exactly the ones
// this package prints a leaflet and a form in, for the version the terminal stamps.
func TestLeafletLanguagesArePrintable(t *testing.T) {
	got, want := forms.LeafletLanguages(Version), Languages()
	if strings.Join(got, ",") != strings.Join(want, ",") || len(want) < 10 {
		t.Fatalf("forms accepts leaflets in %v, pdf prints %v", got, want)
	}
}
