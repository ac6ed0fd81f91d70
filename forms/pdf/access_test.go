package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
)

// sampleAccess is an access report of the sample case, with health details when medic is true.
func sampleAccess(t *testing.T, lang string, medic bool) *forms.AccessReport {
	t.Helper()
	c := SampleCase()
	rec, err := forms.AccessRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	r := &forms.AccessReport{Case: c, Lang: lang, Record: rec, Fingers: forms.AccessBiometrics(c), Face: c.Biometrics.Face,
		PrintedAt: printedAt, Supervisor: "sup-anna",
		Packets: []forms.AccessPacket{{Kind: "eurodac-registration", Created: printedAt.Add(-48 * time.Hour), State: "delivered", DeliveredAt: printedAt.Add(-47 * time.Hour)}},
		Audit:   forms.AccessAudit([]forms.AuditFact{{At: printedAt.Add(-time.Hour), User: "officer-bob", Role: "officer", Action: "case.update", Class: "core", Detail: "set-identity"}}),
	}
	r.Corrections = []forms.AccessCorrection{{At: printedAt.Add(-2 * time.Hour), Field: "identity.placeOfBirth", Old: "ALEPO", New: "ALEPPO", Reason: "TYPO7", Role: "supervisor"}}
	r.HealthLeftOut = forms.LeftOutNoMedic
	if medic {
		r.Health = &forms.HealthDetails{CaseReference: c.Reference, Examiner: "MED-7", At: printedAt.Add(-72 * time.Hour), Findings: "SYNTHETIC-FINDING mild dehydration"}
		r.HealthLeftOut = ""
		r.CoSigners = []string{"medic-carla"}
	}
	return r
}

func renderAccess(t *testing.T, r *forms.AccessReport) string {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderAccessReport(&buf, r, testOpts()); err != nil {
		t.Fatalf("render %s: %v", r.Lang, err)
	}
	path := filepath.Join(t.TempDir(), "access-"+r.Lang+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return pdfText(t, path)
}

// TestAccessReportPrintsHeldData checks with pdftotext, in English and in scripts set right to
// left (Arabic) and in Ethiopic (Tigrinya), that the access report (GDPR Art 15, ER Art 43)
// carries the case reference, its section and field labels in the person's language, the
// security flag's and Eurodac's data, the per-system checks, and the health details only with
// a medic's co-sign (else the sentence saying why they are left out).
func TestAccessReportPrintsHeldData(t *testing.T) {
	for _, lang := range []string{"en", "ar", "ti"} {
		t.Run(lang, func(t *testing.T) {
			all, err := loadAccessTexts()
			if err != nil {
				t.Fatal(err)
			}
			a := all[lang]
			f, _ := formLabels(lang)
			without := renderAccess(t, sampleAccess(t, lang, false))
			with := renderAccess(t, sampleAccess(t, lang, true))
			for _, txt := range []string{without, with} {
				if !strings.Contains(txt, "SPL-2026-000123") {
					t.Errorf("case reference missing")
				}
				for _, want := range []string{a.Labels["title"], a.Labels["sec.biometricsHeld"], a.Labels["sec.checks"], a.Labels["sec.packets"],
					a.Labels["sec.audit"], a.Labels["sec.record"], a.Labels["finger.9"], f.Labels["surnames"], f.Labels["birthDate"]} {
					if m := containsWords(txt, want); len(m) > 0 {
						t.Errorf("label %q: words %q missing", want, m)
					}
				}
				for _, want := range []string{"TESTPERSON", "X1234567", "NLD-SPL-000123", "ECRIS_TCN", "eurodac.memberStateOfOrigin", "sup-anna", "ALEPO", "TYPO7"} {
					if !strings.Contains(txt, want) {
						t.Errorf("%q missing", want)
					}
				}
				if strings.Contains(txt, "officer-bob") {
					t.Errorf("a staff member's user name from the audit log is printed")
				}
			}
			if strings.Contains(without, "SYNTHETIC-FINDING") {
				t.Errorf("health details printed without a medic's co-sign")
			}
			if m := containsWords(without, a.Labels["leftOut.no_medic_cosign"]); len(m) > 0 {
				t.Errorf("no sentence saying health details are left out: %q missing", m)
			}
			if !strings.Contains(with, "SYNTHETIC-FINDING") || !strings.Contains(with, "medic-carla") {
				t.Errorf("health details or the co-signer missing with a medic's co-sign")
			}
		})
	}
}

// TestAccessReportLanguageFallbackNote: a report printed in English for a person whose
// languages have no leaflet says so.
func TestAccessReportLanguageFallbackNote(t *testing.T) {
	r := sampleAccess(t, "en", false)
	r.LangFallback = true
	all, _ := loadAccessTexts()
	if txt := renderAccess(t, r); !strings.Contains(txt, normalise(all["en"].Labels["langNote"])) {
		t.Errorf("no note that the report is in English")
	}
}

// TestAccessTextsComplete: every form language has access report labels, with every English key.
func TestAccessTextsComplete(t *testing.T) {
	all, err := loadAccessTexts()
	if err != nil {
		t.Fatal(err)
	}
	en := all["en"]
	if en == nil {
		t.Fatal("no English access report labels")
	}
	for _, lang := range Languages() {
		a := all[lang]
		if a == nil {
			t.Errorf("%s: no access-%s.%s.json", lang, AccessVersion, lang)
			continue
		}
		for k := range en.Labels {
			if strings.TrimSpace(a.Labels[k]) == "" {
				t.Errorf("%s: label %s missing", lang, k)
			}
		}
		for k := range a.Labels {
			if _, ok := en.Labels[k]; !ok {
				t.Errorf("%s: label %s not in the English source", lang, k)
			}
		}
		if lang != "en" && !strings.HasPrefix(a.TranslationStatus, "DRAFT") {
			t.Errorf("%s: not marked as a draft translation", lang)
		}
	}
	for _, why := range []string{forms.LeftOutNoMedic, forms.LeftOutNoAuditor, forms.LeftOutNoneHeld} {
		if en.Labels["leftOut."+why] == "" {
			t.Errorf("no sentence for left-out reason %s", why)
		}
	}
}
