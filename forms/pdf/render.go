// Package pdf renders the screening form (Regulation (EU) 2024/1356 Art 17) and the
// information leaflet to PDF for printing, in the person's language: en, nl, fr, ar and fa,
// with Arabic and Farsi set right to left with joined letters.
//
// Text is set with folio (bidi and Arabic shaping) in the embedded DejaVu Sans font from
// assets, which covers Latin and Arabic script, so no glyph ever falls back to a standard PDF
// font. The QR code on the form carries the case reference only, never personal data.
package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/carlos7ags/folio/document"
	"github.com/carlos7ags/folio/font"
	folioimage "github.com/carlos7ags/folio/image"
	"github.com/carlos7ags/folio/layout"

	"github.com/fieldscreen/fieldscreen/assets"
	"github.com/fieldscreen/fieldscreen/forms"
)

// Options control a rendering.
type Options struct {
	// Now is the printing time shown on the form and written as the PDF creation date; zero
	// means time.Now().
	Now time.Time
	// Location is the time zone for printed times; nil means UTC.
	Location *time.Location
	// Deterministic makes the output byte-identical for identical input (fixed /ID), for
	// golden tests and reproducible archives.
	Deterministic bool

	// ChildFriendly selects the child-friendly leaflet (RenderLeaflet only).
	ChildFriendly bool
	// DataProtection are the controller, its representative, the data protection officer and
	// the supervisory authority printed on the leaflet, from central's signed config; nil
	// prints that they are not configured and the person should ask the staff (nothing is
	// made up). RenderLeaflet only.
	DataProtection *forms.DataProtection
	// PurgeAfter is how long this terminal keeps a case after central's receipt, printed with
	// the retention periods; zero leaves that line out. RenderLeaflet only.
	PurgeAfter time.Duration

	// unshaped breaks Arabic joining (isolated letter forms, direction and layout unchanged):
	// tests use it to prove that the golden-image comparison catches broken shaping. Not
	// settable outside the package.
	unshaped bool
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// faceSet is the parsed embedded fonts, shared by every document.
type faceSet struct {
	regular, bold                 font.Face // DejaVu Sans: Latin, Arabic, Persian
	arabicRegular, arabicBold     font.Face // Noto Sans Arabic with the Pashto/Sorani stand-ins
	ethiopicRegular, ethiopicBold font.Face // Noto Sans Ethiopic
}

var (
	facesOnce sync.Once
	faces     faceSet
	facesErr  error
)

func parseFaces() (*faceSet, error) {
	facesOnce.Do(func() {
		parse := func(name string, data []byte) font.Face {
			if facesErr != nil {
				return nil
			}
			f, err := font.ParseFont(data)
			if err != nil {
				facesErr = fmt.Errorf("parse embedded font %s: %w", name, err)
			}
			return f
		}
		faces.regular = parse("DejaVu Sans", assets.FontRegular)
		faces.bold = parse("DejaVu Sans Bold", assets.FontBold)
		ar := parse("Noto Sans Arabic", assets.FontArabicRegular)
		arb := parse("Noto Sans Arabic Bold", assets.FontArabicBold)
		faces.ethiopicRegular = parse("Noto Sans Ethiopic", assets.FontEthiopicRegular)
		faces.ethiopicBold = parse("Noto Sans Ethiopic Bold", assets.FontEthiopicBold)
		if facesErr == nil {
			faces.arabicRegular, faces.arabicBold = newShapedFace(ar), newShapedFace(arb)
		}
	})
	if facesErr != nil {
		return nil, facesErr
	}
	return &faces, nil
}

// fonts returns fresh per-document embedded fonts for a language (an EmbeddedFont records the
// glyphs one document uses, for subsetting): DejaVu Sans for Latin, Arabic and Persian; for
// Pashto and Sorani, Noto Sans Arabic with DejaVu for what it lacks (Latin names, e-mail
// addresses); for Tigrinya, Noto Sans Ethiopic with DejaVu. second maps the regular and bold
// font to the font that sets the characters they lack, nil for a single-font language.
func fonts(lang string) (regular, bold *font.EmbeddedFont, second map[*font.EmbeddedFont]*font.EmbeddedFont, err error) {
	fs, err := parseFaces()
	if err != nil {
		return nil, nil, nil, err
	}
	latinReg, latinBold := font.NewEmbeddedFont(fs.regular), font.NewEmbeddedFont(fs.bold)
	var reg, b *font.EmbeddedFont
	switch scriptOf(lang) {
	case scriptArabicExtended:
		reg, b = font.NewEmbeddedFont(fs.arabicRegular), font.NewEmbeddedFont(fs.arabicBold)
	case scriptEthiopic:
		reg, b = font.NewEmbeddedFont(fs.ethiopicRegular), font.NewEmbeddedFont(fs.ethiopicBold)
	default:
		return latinReg, latinBold, nil, nil
	}
	return reg, b, map[*font.EmbeddedFont]*font.EmbeddedFont{reg: latinReg, b: latinBold}, nil
}

// runs splits text into runs set in f or in second, by which font has the glyph: a letter
// goes to f when f has it, else to second; a space, digit or punctuation mark stays in the
// run it is in when that font has it, so a word is never split. (folio's own per-script
// fallback does not know the Ethiopic script and would set a line that mixes Ethiopic and
// Latin in the Latin font.)
func runs(text string, f, second *font.EmbeddedFont, size float64) []layout.TextRun {
	has := func(ef *font.EmbeddedFont, r rune) bool { return ef.Face().GlyphIndex(r) != 0 }
	var out []layout.TextRun
	var cur *font.EmbeddedFont
	start := 0
	for i, r := range text {
		var pick *font.EmbeddedFont
		switch {
		case cur != nil && !unicode.IsLetter(r) && !unicode.IsMark(r) && has(cur, r):
			pick = cur
		case has(f, r):
			pick = f
		case has(second, r):
			pick = second
		case cur != nil:
			pick = cur
		default:
			pick = f
		}
		if pick != cur {
			if cur != nil && i > start {
				out = append(out, layout.TextRun{Text: text[start:i], Embedded: cur, FontSize: size})
			}
			cur, start = pick, i
		}
	}
	if cur == nil {
		cur = f
	}
	return append(out, layout.TextRun{Text: text[start:], Embedded: cur, FontSize: size})
}

type script int

const (
	scriptDefault        script = iota
	scriptArabicExtended        // Pashto, Sorani Kurdish: letters folio cannot join on its own
	scriptEthiopic              // Tigrinya
)

func scriptOf(lang string) script {
	switch lang {
	case "ps", "ckb":
		return scriptArabicExtended
	case "ti":
		return scriptEthiopic
	}
	return scriptDefault
}

// page geometry (points, A4)
const (
	margin    = 48.0
	pageWidth = 595.28
	contentW  = pageWidth - 2*margin
	labelW    = 170.0
	bodySize  = 9.5
	headSize  = 11.5
	titleSize = 17.0
	smallSize = 7.5
	// Space between the content and the footer: the form's rows end in cell padding, so
	// 5 pt do (more would cost the English form a third page); the leaflet's last line of
	// running text needs 8.
	formFooterGap    = 5.0
	leafletFooterGap = 8.0
	qrSizePt         = 78.0
	qrPixels         = 300
	cellPad          = 3.5
	rowShading       = 0.94
)

// pagedDoc is the document with one correction to folio's page breaking: folio places the
// first line of a paragraph even where less than a line of room is left on the page, so it
// was drawn over the footer. Add wraps every element so that one which would overflow the
// room left moves to the next page instead.
type pagedDoc struct{ *document.Document }

func (d pagedDoc) Add(e layout.Element) { d.Document.Add(fitted{e}) }

// fitted reports that nothing fits where its element's plan needs more height than the
// area has (at the top of a page the renderer then places it anyway, as it must).
type fitted struct{ layout.Element }

func (f fitted) PlanLayout(area layout.LayoutArea) layout.LayoutPlan {
	plan := f.Element.PlanLayout(area)
	if plan.Status != layout.LayoutNothing && plan.Consumed > area.Height+0.01 {
		return layout.LayoutPlan{Status: layout.LayoutNothing}
	}
	if plan.Overflow != nil {
		plan.Overflow = fitted{plan.Overflow}
	}
	return plan
}

// KeepTogether passes on a Div's keep-together (the renderer asks the element it was given).
func (f fitted) KeepTogether() bool {
	kt, ok := f.Element.(interface{ KeepTogether() bool })
	return ok && kt.KeepTogether()
}

// writer builds one document in one language and direction.
type writer struct {
	doc       pagedDoc
	reg, bold *font.EmbeddedFont
	second    map[*font.EmbeddedFont]*font.EmbeddedFont // font for what reg/bold lack, nil for one font
	extended  bool                                      // join Pashto and Sorani letters (shape.go)
	rtl       bool
	opts      Options
}

func newWriter(lang, dir, title string, opts Options) (*writer, error) {
	reg, bold, second, err := fonts(lang)
	if err != nil {
		return nil, err
	}
	doc := document.NewDocument(document.PageSizeA4)
	doc.SetMargins(layout.Margins{Top: margin, Right: margin, Bottom: margin, Left: margin})
	doc.Info.Title = title
	doc.Info.Language = lang
	doc.Info.Creator = "fieldscreen"
	doc.Info.Producer = "fieldscreen (folio)"
	doc.Info.CreationDate = opts.now().UTC()
	doc.Info.ModDate = doc.Info.CreationDate
	return &writer{doc: pagedDoc{doc}, reg: reg, bold: bold, second: second, extended: scriptOf(lang) == scriptArabicExtended,
		rtl: dir == "rtl", opts: opts}, nil
}

func (w *writer) para(text string, f *font.EmbeddedFont, size float64) *layout.Paragraph {
	if w.opts.unshaped {
		text = isolateLetters(text)
	} else if w.extended {
		text = shapeExtended(text)
	}
	var p *layout.Paragraph
	if sf := w.second[f]; sf != nil {
		p = layout.NewStyledParagraph(runs(text, f, sf, size)...)
	} else {
		p = layout.NewParagraphEmbedded(text, f, size)
	}
	if w.rtl {
		p.SetDirection(layout.DirectionRTL).SetAlign(layout.AlignRight)
	} else {
		p.SetDirection(layout.DirectionLTR)
	}
	return p
}

func (w *writer) table(widths ...float64) *layout.Table {
	t := layout.NewTable().SetColumnWidths(widths)
	if w.rtl {
		t.SetDirection(layout.DirectionRTL)
	}
	return t
}

func (w *writer) cell(r *layout.Row, text string, f *font.EmbeddedFont, size float64) *layout.Cell {
	c := r.AddCellElement(w.para(text, f, size))
	c.SetPadding(cellPad).SetBorders(layout.AllBorders(layout.SolidBorder(0.4, layout.Gray(0.6))))
	return c
}

// footer sets the line at the foot of every page. folio reserves the footer's measured
// height below the content and draws the footer right under it; gap, part of that height,
// keeps the last line of content clear of the footer: the fonts' descent reaches up to
// about 5 pt below a line box (Farsi and Arabic in DejaVu Sans, Noto for Pashto and
// Sorani) and the footer's ascent as far above its own. TestFooterClearOfContent and
// TestLeafletFooterClearOfContent check it in every language.
func (w *writer) footer(left string, pageFmt string, gap float64) {
	w.doc.SetFooterElement(func(ctx document.PageContext) layout.Element {
		pg := strings.NewReplacer("{page}", fmt.Sprint(ctx.PageIndex+1), "{pages}", fmt.Sprint(ctx.TotalPages)).Replace(pageFmt)
		// padding, not space before: folio drops an element's leading space at the top of
		// the footer's area
		return layout.NewDiv().SetPaddingAll(layout.Padding{Top: gap}).
			Add(w.para(left+"   ·   "+pg, w.reg, smallSize).SetAlign(layout.AlignCenter))
	})
}

func (w *writer) finish(out io.Writer) error {
	var buf bytes.Buffer
	if _, err := w.doc.WriteToWithOptions(&buf, document.WriteOptions{Deterministic: w.opts.Deterministic}); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	if _, err := out.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// qrImage encodes the case reference, and nothing else, as a QR code image.
func qrImage(reference string) (*folioimage.Image, error) {
	code, err := qr.Encode(reference, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("qr code for case reference: %w", err)
	}
	scaled, err := barcode.Scale(code, qrPixels, qrPixels)
	if err != nil {
		return nil, fmt.Errorf("scale qr code: %w", err)
	}
	rgba := image.NewRGBA(scaled.Bounds())
	draw.Draw(rgba, rgba.Bounds(), scaled, scaled.Bounds().Min, draw.Src)
	return folioimage.NewFromGoImage(rgba), nil
}

// RenderLeaflet writes the information leaflet in lang as PDF (the child-friendly variant
// with opts.ChildFriendly): the text of Screening Regulation Art 11 and Eurodac Art 42 in the
// person's language, with the contact details of the controller, the DPO and the supervisory
// authority (opts.DataProtection) and the retention periods (forms.EurodacRetention,
// opts.PurgeAfter) where the leaflet's sections ask for them.
func RenderLeaflet(out io.Writer, lang string, opts Options) error {
	l, err := LeafletText(lang, opts.ChildFriendly)
	if err != nil {
		return err
	}
	if opts.DataProtection != nil {
		if err := opts.DataProtection.Validate(); err != nil {
			return fmt.Errorf("render leaflet: %w", err)
		}
	}
	w, err := newWriter(lang, l.Dir, l.Title, opts)
	if err != nil {
		return err
	}
	id := l.Version
	if l.Variant != "" {
		id += "-" + l.Variant
	}
	w.footer(l.Title+" "+id+" ("+l.Lang+")", "{page}/{pages}", leafletFooterGap)
	w.doc.Add(w.para(l.Title, w.bold, titleSize).SetSpaceAfter(4))
	if l.Draft() {
		w.doc.Add(w.para(l.TranslationStatus, w.reg, smallSize).SetSpaceAfter(6))
	}
	for _, s := range l.Sections {
		// a heading stays on the page of its section's first paragraph
		head := layout.NewDiv().SetKeepTogether(true)
		head.Add(w.para(s.Heading, w.bold, headSize+1).SetSpaceBefore(10).SetSpaceAfter(4))
		ps := s.Paragraphs
		if len(ps) > 0 {
			head.Add(w.bodyPara(ps[0]))
			ps = ps[1:]
		}
		w.doc.Add(head)
		for _, p := range ps {
			w.body(p)
		}
		switch s.Insert {
		case "contacts":
			w.contacts(l, opts.DataProtection)
		case "retention":
			w.retention(l, opts.PurgeAfter)
		}
	}
	return w.finish(out)
}

func (w *writer) body(text string) { w.doc.Add(w.bodyPara(text)) }

func (w *writer) bodyPara(text string) *layout.Paragraph {
	return w.para(text, w.reg, bodySize+1.5).SetLeading(1.45).SetSpaceAfter(4)
}

// contacts prints who is responsible for the person's data and whom to complain to (Eurodac
// Art 42(1)(a); GDPR Art 13(1)(a)(b), 13(2)(d)). Each value is printed as central signed it.
func (w *writer) contacts(l *Leaflet, d *forms.DataProtection) {
	type entry struct {
		label string
		c     *forms.Contact
	}
	var es []entry
	if d != nil {
		es = append(es, entry{"contacts.controller", &d.Controller})
		if d.Representative != nil {
			es = append(es, entry{"contacts.representative", d.Representative})
		}
		es = append(es, entry{"contacts.dpo", &d.DPO}, entry{"contacts.authority", &d.SupervisoryAuthority})
	} else {
		es = []entry{{"contacts.controller", nil}, {"contacts.dpo", nil}, {"contacts.authority", nil}}
	}
	for _, e := range es {
		// One block per contact, never split over two pages.
		block := layout.NewDiv().SetKeepTogether(true)
		block.Add(w.para(l.Labels[e.label], w.bold, bodySize+1.5).SetSpaceBefore(4).SetSpaceAfter(1))
		if e.c == nil {
			block.Add(w.bodyPara(l.Labels["contacts.notConfigured"]))
			w.doc.Add(block)
			continue
		}
		block.Add(w.bodyPara(e.c.Name))
		for _, f := range []struct{ key, v string }{{"contacts.address", e.c.Address}, {"contacts.phone", e.c.Phone},
			{"contacts.email", e.c.Email}, {"contacts.web", e.c.Web}} {
			if strings.TrimSpace(f.v) != "" {
				block.Add(w.bodyPara(l.Labels[f.key] + ": " + f.v))
			}
		}
		w.doc.Add(block)
	}
}

// retention prints how long each category of data is kept in Eurodac (Eurodac Art 29) and
// on this terminal.
func (w *writer) retention(l *Leaflet, purgeAfter time.Duration) {
	for _, r := range forms.EurodacRetention() {
		text := l.Labels["retention."+r.Category]
		w.body("• " + strings.ReplaceAll(text, "{years}", fmt.Sprint(r.Years)))
	}
	if purgeAfter > 0 {
		t := forms.TerminalRetention(purgeAfter)
		w.body("• " + strings.ReplaceAll(l.Labels["retention.terminal"], "{hours}", fmt.Sprint(t.Hours)))
	}
	w.body("• " + l.Labels["retention.form"])
}

// isolateLetters puts a zero-width non-joiner after every Arabic letter, so the letters take
// their isolated forms: the rendering a broken shaper would produce.
func isolateLetters(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
		if unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
			b.WriteRune('\u200c')
		}
	}
	return b.String()
}
