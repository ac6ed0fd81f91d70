package pdf

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldscreen/fieldscreen/forms"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/")

// printedAt is fixed so renderings are byte-identical run to run.
var printedAt = time.Date(2026, 6, 21, 10, 0, 0, 0, time.UTC)

func testOpts() Options { return Options{Now: printedAt, Deterministic: true} }

// allLanguages are the leaflet and form languages: the five first ones and Tigrinya, Pashto,
// Sorani Kurdish, Somali and Turkish (issue 13).
const allLanguages = "ar,ckb,en,fa,fr,nl,ps,so,ti,tr"

// needTool fails (never skips) when a Debian tool is missing: the rendering checks are the
// point of these tests.
func needTool(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package poppler-utils (apt-get install poppler-utils)", tool)
	}
	return p
}

func renderForm(t *testing.T, c *forms.Case, lang string, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderForm(&buf, c, lang, opts); err != nil {
		t.Fatalf("render %s: %v", lang, err)
	}
	path := filepath.Join(t.TempDir(), "form-"+lang+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return normalise(string(out))
}

// normalise makes pdftotext output comparable: NFKC folds Arabic presentation forms (what a
// shaped PDF holds) back to the base letters, bidi controls and ZWNJ go, spaces collapse.
func normalise(s string) string {
	s = unshapeExtended(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0x202A && r <= 0x202E, r == 0x200E, r == 0x200F, r == 0x200C, r == 0x2066, r == 0x2067, r == 0x2068, r == 0x2069:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// hasStandIn reports whether the (unshaped) word holds a letter that shape.go sets through a
// stand-in.
func hasStandIn(w string) bool {
	for _, r := range w {
		if _, ok := isExtended[r]; ok {
			return true
		}
	}
	return false
}

// letterSet is the word's letters in code point order.
func letterSet(w string) string {
	r := []rune(w)
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	return string(r)
}

var stripPunct = strings.NewReplacer("(", "", ")", "", ".", "", ",", "", ":", "", ";", "", "?", "", "\u060c", "", "\u061f", "", "\u1361", "", "\u1362", "", "\u1363", "", "\u1364", "").Replace

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// reverseLigated is reverse for a word joined by shape.go: a lam-alef ligature is one glyph,
// so its two letters keep their logical order in the visual string.
func reverseLigated(s string) string {
	return strings.NewReplacer("\u0627\u0644", "\u0644\u0627", "\u0622\u0644", "\u0644\u0622",
		"\u0623\u0644", "\u0644\u0623", "\u0625\u0644", "\u0644\u0625").Replace(reverse(s))
}

// containsWords reports whether every word of want appears in text, in logical order or
// reversed. pdftotext gives right-to-left words in visual order (letters reversed) or in
// logical order depending on the PDF's ActualText and poppler's version; both are accepted,
// word by word.
//
// A word with a letter that shape.go joins through a stand-in is also accepted when a word of
// the text has the same letters: poppler does not know the stand-ins' direction and orders a
// run of them left to right inside the right-to-left word (the printed page is right; look at
// it with pdftoppm). Punctuation is left out on both sides for the same reason: poppler orders the stand-in code points of joined
// Pashto and Sorani letters (shape.go) as left-to-right, so a full stop after such a letter
// can land inside the extracted word.
func containsWords(text, want string) (missing []string) {
	text = stripPunct(text)
	anagrams := map[string]bool{}
	for _, f := range strings.Fields(text) {
		anagrams[letterSet(f)] = true
	}
	for _, w := range strings.Fields(normalise(want)) {
		w = stripPunct(w)
		if w == "" {
			continue
		}
		if !strings.Contains(text, w) && !strings.Contains(text, reverse(w)) && !strings.Contains(text, reverseLigated(w)) &&
			!(hasStandIn(w) && anagrams[letterSet(w)]) {
			missing = append(missing, w)
		}
	}
	return missing
}

func TestFormTextInEveryLanguage(t *testing.T) {
	langs := Languages()
	if strings.Join(langs, ",") != allLanguages {
		t.Fatalf("languages %v, want %s", langs, allLanguages)
	}
	c := SampleCase()
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			text := pdfText(t, renderForm(t, c, lang, testOpts()))
			labels, err := formLabels(lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"title", "reference", "sec.identity", "surnames", "birthDate", "sec.documents",
				"sec.checks", "check.open_at_completion", "check.no_hit", "sec.health", "health.no_further_check_needed",
				"sec.biometrics", "referral.asylum", "signatureOfficer", "vuln.pregnancy", "estimated"} {
				if miss := containsWords(text, labels.Labels[key]); len(miss) > 0 {
					t.Errorf("label %s (%q): words %q not in the PDF text", key, labels.Labels[key], miss)
				}
			}
			for _, data := range []string{"SPL-2026-000123", "TESTPERSON", "X1234567", "2029-03-01", "ECRIS_TCN", "1990-04"} {
				if !strings.Contains(text, data) {
					t.Errorf("data %q not in the PDF text", data)
				}
			}
			// The case's original-script name is printed too.
			if miss := containsWords(text, "تستبرسون"); len(miss) > 0 {
				t.Errorf("original-script name missing")
			}
		})
	}
}

func TestPendingCheckNeverPrintedAsNoHit(t *testing.T) {
	c := SampleCase()
	c.Status, c.Outcome, c.OpenChecks, c.History = forms.StatusSecurityQueried, "", nil, nil
	c.Checks = []forms.SecurityCheck{{System: "SIS", Status: forms.CheckPending}, {System: "VIS", Status: forms.CheckPending}}
	text := pdfText(t, renderForm(t, c, "en", testOpts()))
	if strings.Contains(text, "no hit") {
		t.Errorf("pending checks printed as no hit:\n%s", text)
	}
	if n := strings.Count(text, "pending: no result yet"); n != 2 {
		t.Errorf("pending printed %d times, want 2", n)
	}
}

// TestChecksPrintedPerSystem: each system prints its own state (Art 17(1)(h) with Art 15(2)):
// a SIS hit stays in SIS, the others print no hit, a system that could not be queried prints
// not possible with its reason, and a check still pending when the form was completed at the
// deadline prints as still open (Art 18(5)), never as no hit.
func TestChecksPrintedPerSystem(t *testing.T) {
	c := SampleCase()
	c.Checks = []forms.SecurityCheck{
		{System: "SIS", Status: forms.CheckHit}, {System: "VIS", Status: forms.CheckNoHit},
		{System: "EES", Status: forms.CheckNoHit}, {System: "ETIAS", Status: forms.CheckNotPossible, Reason: "ETIAS did not answer (system unavailable)"},
		{System: "ECRIS_TCN", Status: forms.CheckPending},
	}
	out, err := exec.Command(needTool(t, "pdftotext"), "-layout", "-enc", "UTF-8", renderForm(t, c, "en", testOpts()), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	lines := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		for _, ch := range c.Checks {
			if f := strings.Fields(l); len(f) > 1 && f[0] == ch.System {
				lines[ch.System] = strings.Join(f[1:], " ")
			}
		}
	}
	want := map[string]string{
		"SIS": "hit: follow-up required", "VIS": "no hit", "EES": "no hit",
		"ETIAS":     "not possible: ETIAS did not answer (system unavailable)",
		"ECRIS_TCN": "still open when the form was completed",
	}
	for sys, w := range want {
		if lines[sys] != w {
			t.Errorf("%s printed as %q, want %q", sys, lines[sys], w)
		}
	}
	if n := strings.Count(text, "hit: follow-up required"); n != 1 {
		t.Errorf("a hit printed %d times, want once (SIS only)", n)
	}
}

func TestLeafletTextInEveryLanguage(t *testing.T) {
	type tcase struct {
		lang  string
		child bool
	}
	var cases []tcase
	for _, lang := range strings.Split(allLanguages, ",") {
		cases = append(cases, tcase{lang, false}, tcase{lang, true})
	}
	for _, tc := range cases {
		lang := tc.lang
		t.Run(fmt.Sprintf("%s/child=%v", lang, tc.child), func(t *testing.T) {
			var buf bytes.Buffer
			opts := testOpts()
			opts.ChildFriendly = tc.child
			if err := RenderLeaflet(&buf, lang, opts); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "leaflet.pdf")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, path)
			l, err := LeafletText(lang, tc.child)
			if err != nil {
				t.Fatal(err)
			}
			if (l.Variant == "child") != tc.child {
				t.Fatalf("variant %q", l.Variant)
			}
			want := []string{l.Title}
			for _, s := range l.Sections {
				want = append(want, s.Heading)
			}
			// One full paragraph checked word by word: the body text, not only headings.
			want = append(want, l.Sections[2].Paragraphs[0])
			if !strings.Contains(text, l.Version) {
				t.Error("leaflet version not printed")
			}
			for _, w := range want {
				if miss := containsWords(text, w); len(miss) > 0 {
					t.Errorf("%q: words %q missing", w, miss)
				}
			}
			if lang != "en" && !strings.Contains(text, "DRAFT translation") {
				t.Error("draft translation notice not printed")
			}
		})
	}
}

func TestTextAssetsComplete(t *testing.T) {
	en, err := formLabels("en")
	if err != nil {
		t.Fatal(err)
	}
	enLeaflet, _ := LeafletText("en", false)
	enChild, err := LeafletText("en", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		f, _ := formLabels(lang)
		for k := range en.Labels {
			if strings.TrimSpace(f.Labels[k]) == "" {
				t.Errorf("%s: label %s missing", lang, k)
			}
		}
		for k := range f.Labels {
			if _, ok := en.Labels[k]; !ok {
				t.Errorf("%s: label %s not in the English source", lang, k)
			}
		}
		l, _ := LeafletText(lang, false)
		if len(l.Sections) != len(enLeaflet.Sections) {
			t.Errorf("%s: %d leaflet sections, English has %d", lang, len(l.Sections), len(enLeaflet.Sections))
		}
		cl, err := LeafletText(lang, true)
		if err != nil {
			t.Fatalf("%s: no child-friendly leaflet: %v", lang, err)
		}
		if len(cl.Sections) != len(enChild.Sections) || cl.Dir != l.Dir || (lang != "en" && !cl.Draft()) {
			t.Errorf("%s: child leaflet sections %d (en %d), dir %s, draft %v", lang, len(cl.Sections), len(enChild.Sections), cl.Dir, cl.Draft())
		}
		wantDir := map[string]string{"ar": "rtl", "fa": "rtl", "ps": "rtl", "ckb": "rtl"}[lang]
		if wantDir == "" {
			wantDir = "ltr"
		}
		if f.Dir != wantDir || l.Dir != wantDir {
			t.Errorf("%s: dir %s/%s, want %s", lang, f.Dir, l.Dir, wantDir)
		}
		if lang != "en" && (!l.Draft() || !strings.HasPrefix(f.TranslationStatus, "DRAFT")) {
			t.Errorf("%s: translation not marked as draft for sworn-translator review", lang)
		}
	}
	// Every enum value the form prints has a label.
	var keys []string
	for _, r := range forms.TriggerReasons {
		keys = append(keys, "reason."+string(r))
	}
	for _, r := range forms.HealthResults {
		keys = append(keys, "health."+string(r))
	}
	for _, v := range forms.VulnerabilityIndicators {
		keys = append(keys, "vuln."+v)
	}
	for _, s := range forms.CheckStatuses {
		keys = append(keys, "check."+string(s))
	}
	for _, s := range forms.FingerStatuses {
		keys = append(keys, "finger."+string(s))
	}
	for _, k := range keys {
		if _, ok := en.Labels[k]; !ok {
			t.Errorf("no label for %s", k)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderForm(&buf, SampleCase(), "de", testOpts()); !errors.Is(err, ErrLanguage) || !strings.Contains(err.Error(), strings.ReplaceAll(allLanguages, ",", ", ")) {
		t.Errorf("unknown language: %v", err)
	}
	c := SampleCase()
	c.Reference = " "
	if err := RenderForm(&buf, c, "en", testOpts()); !errors.Is(err, ErrNoReference) {
		t.Errorf("no reference: %v", err)
	}
	if err := RenderForm(&buf, nil, "en", testOpts()); err == nil {
		t.Error("nil case accepted")
	}
	if err := RenderLeaflet(&buf, "xx", testOpts()); !errors.Is(err, ErrLanguage) {
		t.Errorf("leaflet unknown language: %v", err)
	}
	if buf.Len() != 0 {
		t.Error("failed renderings wrote output")
	}
	if err := RenderForm(failWriter{}, SampleCase(), "en", testOpts()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error: %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := RenderForm(&a, SampleCase(), "fa", testOpts()); err != nil {
		t.Fatal(err)
	}
	if err := RenderForm(&b, SampleCase(), "fa", testOpts()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("deterministic rendering differs between runs")
	}
}

// The QR code in the PDF decodes to the case reference and nothing else.
func TestQRCarriesOnlyTheReference(t *testing.T) {
	path := renderForm(t, SampleCase(), "en", testOpts())
	dir := t.TempDir()
	if out, err := exec.Command(needTool(t, "pdfimages"), "-png", "-f", "1", "-l", "1", path, filepath.Join(dir, "img")).CombinedOutput(); err != nil {
		t.Fatalf("pdfimages: %v %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "img-*.png"))
	if len(files) != 1 {
		t.Fatalf("%d images on page 1, want exactly the QR code", len(files))
	}
	img := readPNG(t, files[0])
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	if res.GetText() != "SPL-2026-000123" {
		t.Errorf("QR holds %q, want only the case reference", res.GetText())
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

// rasterise renders page 1 at 50 dpi in grey.
func rasterise(t *testing.T, pdfPath string) *image.Gray {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(needTool(t, "pdftoppm"), "-r", "50", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", pdfPath, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	img := readPNG(t, prefix+".png")
	g := image.NewGray(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

// meanAbsDiff is the mean absolute grey difference per pixel (0-255); a size mismatch is
// the maximum.
func meanAbsDiff(a, b *image.Gray) float64 {
	if a.Bounds() != b.Bounds() {
		return 255
	}
	var sum int
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a.Pix))
}

// goldenTolerance allows small anti-aliasing differences between poppler builds (identical
// renderings give 0; changing one table value such as a country name gives about 0.3); a broken Arabic
// rendering differs by several times this (TestGoldenCatchesUnshapedArabic).
const goldenTolerance = 0.15

func TestFormGoldenImages(t *testing.T) {
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			got := rasterise(t, renderForm(t, SampleCase(), lang, testOpts()))
			golden := filepath.Join("testdata", "form-"+lang+"-p1.png")
			if *update {
				var buf bytes.Buffer
				if err := png.Encode(&buf, got); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := readPNG(t, golden)
			wantGray, ok := want.(*image.Gray)
			if !ok {
				t.Fatalf("%s is not a grey PNG", golden)
			}
			d := meanAbsDiff(got, wantGray)
			t.Logf("mean abs diff %.3f", d)
			if d > goldenTolerance {
				dump := filepath.Join(os.TempDir(), "fieldscreen-form-"+lang+"-p1.png")
				var buf bytes.Buffer
				_ = png.Encode(&buf, got)
				_ = os.WriteFile(dump, buf.Bytes(), 0o644)
				t.Errorf("page 1 differs from %s: mean abs diff %.2f > %.2f (rendering written to %s; run with -update if the change is intended)", golden, d, goldenTolerance, dump)
			}
		})
	}
}

// A rendering with isolated Arabic letters in left-to-right order must fail the golden
// comparison: the check is only worth having if it catches exactly that.
func TestGoldenCatchesUnshapedArabic(t *testing.T) {
	for _, lang := range []string{"ar", "fa", "ps", "ckb"} {
		opts := testOpts()
		opts.unshaped = true
		bad := rasterise(t, renderForm(t, SampleCase(), lang, opts))
		want, ok := readPNG(t, filepath.Join("testdata", "form-"+lang+"-p1.png")).(*image.Gray)
		if !ok {
			t.Fatal("golden is not grey")
		}
		d := meanAbsDiff(bad, want)
		t.Logf("%s: unshaped rendering differs by %.2f", lang, d)
		if d <= 3*goldenTolerance {
			t.Errorf("%s: unshaped rendering is within %.2f of the golden image (tolerance %.2f): the golden test would not catch broken shaping", lang, d, goldenTolerance)
		}
	}
}

func ExampleRenderForm() {
	var buf bytes.Buffer
	err := RenderForm(&buf, SampleCase(), "ar", Options{Now: printedAt})
	fmt.Println(err, bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")))
	// Output: <nil> true
}

func TestSampleCaseIsValid(t *testing.T) {
	if ps := SampleCase().Validate(printedAt); len(ps) != 0 {
		t.Errorf("sample case invalid: %v", ps)
	}
}

// TestNoFalseDefaultsArt17 (SR Art 17(1)(f), (g), (i)): an application case with nothing
// recorded for the application, family members and cooperation prints "not recorded" for
// each, in every interface language, and never a "no" nobody gave; a recorded no prints no.
func TestNoFalseDefaultsArt17(t *testing.T) {
	c := SampleCase()
	c.Application, c.Family, c.FamilyInMemberState, c.Cooperation = forms.Application{}, nil, forms.AnswerNotRecorded, forms.Cooperation{}
	for _, tc := range []struct{ lang, made, notRecorded, no string }{
		{"en", "Application made", "not recorded", "no"},
		{"nl", "Verzoek gedaan", "niet vastgelegd", "nee"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			rows := layoutRows(t, c, tc.lang)
			labels, _ := formLabels(tc.lang)
			for _, key := range []string{"applicationMade", "familyInMemberState", "complied"} {
				if got := rows[labels.Labels[key]]; got != tc.notRecorded {
					t.Errorf("%s printed as %q, want %q", labels.Labels[key], got, tc.notRecorded)
				}
			}
			if rows[tc.made] == tc.no {
				t.Errorf("%q printed as %q", tc.made, tc.no)
			}
		})
	}
	c.Application.Made, c.FamilyInMemberState, c.Cooperation.Complied = forms.AnswerNo, forms.AnswerNo, "no"
	rows := layoutRows(t, c, "en")
	for _, l := range []string{"Application made", "Family members in a Member State", "Complied with the obligations"} {
		if rows[l] != "no" {
			t.Errorf("recorded no: %s printed as %q", l, rows[l])
		}
	}
	// not established, with its reason, in place of a value
	c.Identity.PlaceOfBirth, c.Identity.CountryOfBirth = "", ""
	if err := c.SetNotEstablished("identity.placeOfBirth", "person does not know", time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := layoutRows(t, c, "en")["Place of birth"]; got != "could not be established: person does not know" {
		t.Errorf("place of birth printed as %q", got)
	}
}

// TestStatementAndRemarksPrinted: SR Art 17(2) items and the person's remarks are printed.
func TestStatementAndRemarksPrinted(t *testing.T) {
	c := SampleCase()
	c.Statement = forms.Statement{ReasonsForEntry: "fled conflict", Route: "TUR GRC by boat", Smugglers: "paid a driver"}
	c.Remarks = forms.Remarks{Incorrect: "date of birth", Correct: "1990-04-18", CopyReceived: forms.AnswerYes}
	rows := layoutRows(t, c, "en")
	for label, want := range map[string]string{
		"Reasons for the irregular arrival or entry": "fled conflict",
		"Route travelled":                    "TUR GRC by boat",
		"Assistance by smugglers":            "paid a driver",
		"Data the person says are incorrect": "date of birth",
		"What the person says is correct":    "1990-04-18",
		"Copy of this form received":         "yes",
	} {
		if rows[label] != want {
			t.Errorf("%s printed as %q, want %q", label, rows[label], want)
		}
	}
}

// layoutRows renders c and maps each label of the form's language to the value printed
// beside it (pdftotext -layout; a long label wraps, so a line that starts with the first
// words of a label carries its value).
func layoutRows(t *testing.T, c *forms.Case, lang string) map[string]string {
	t.Helper()
	out, err := exec.Command(needTool(t, "pdftotext"), "-layout", "-enc", "UTF-8", renderForm(t, c, lang, testOpts()), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	labels, err := formLabels(lang)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		for _, label := range labels.Labels {
			words := strings.Fields(label)
			for k := len(words); k >= 2 || k == len(words) && k > 0; k-- {
				p := strings.Join(words[:k], " ")
				if strings.HasPrefix(l, p+" ") {
					if _, seen := rows[label]; !seen {
						rows[label] = strings.TrimSpace(l[len(p):])
					}
					break
				}
			}
		}
	}
	return rows
}

// TestHandoverPrinted: the form prints whether the person received the leaflet and the form's
// copy (SR Art 11, Art 17): received or refused to accept with language, version, time and
// who; not recorded when nobody recorded it, never "received".
func TestHandoverPrinted(t *testing.T) {
	c := SampleCase()
	c.Handover.Form = forms.HandedOver{}
	rows := layoutRows(t, c, "en")
	if got, want := rows["Leaflet handed over"], "received, ar v1, 2026-06-14 10:30 UTC, KMAR-1201"; got != want {
		t.Errorf("leaflet handover printed as %q, want %q", got, want)
	}
	if got := rows["Form copy handed over"]; got != "not recorded" {
		t.Errorf("form handover not recorded printed as %q", got)
	}
	c.Handover.Form = forms.HandedOver{Status: forms.HandoverRefused, Language: "ar", Version: "v1", At: c.Trigger.At, By: "KMAR-1201"}
	if got := layoutRows(t, c, "en")["Form copy handed over"]; !strings.HasPrefix(got, "refused to accept, ar v1") {
		t.Errorf("refused form printed as %q", got)
	}
}
