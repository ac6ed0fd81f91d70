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

var (
	facesOnce          sync.Once
	regularFace, bFace font.Face
	facesErr           error
)

// fonts parses the embedded faces once and returns fresh per-document embedded fonts (an
// EmbeddedFont records the glyphs one document uses, for subsetting).
func fonts() (regular, bold *font.EmbeddedFont, err error) {
	facesOnce.Do(func() {
		if regularFace, facesErr = font.ParseFont(assets.FontRegular); facesErr != nil {
			facesErr = fmt.Errorf("parse embedded regular font: %w", facesErr)
			return
		}
		if bFace, facesErr = font.ParseFont(assets.FontBold); facesErr != nil {
			facesErr = fmt.Errorf("parse embedded bold font: %w", facesErr)
		}
	})
	if facesErr != nil {
		return nil, nil, facesErr
	}
	return font.NewEmbeddedFont(regularFace), font.NewEmbeddedFont(bFace), nil
}

// page geometry (points, A4)
const (
	margin     = 48.0
	pageWidth  = 595.28
	contentW   = pageWidth - 2*margin
	labelW     = 170.0
	bodySize   = 9.5
	headSize   = 11.5
	titleSize  = 17.0
	smallSize  = 7.5
	qrSizePt   = 78.0
	qrPixels   = 300
	cellPad    = 3.5
	rowShading = 0.94
)

// writer builds one document in one language and direction.
type writer struct {
	doc       *document.Document
	reg, bold *font.EmbeddedFont
	rtl       bool
	opts      Options
}

func newWriter(lang, dir, title string, opts Options) (*writer, error) {
	reg, bold, err := fonts()
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
	return &writer{doc: doc, reg: reg, bold: bold, rtl: dir == "rtl", opts: opts}, nil
}

func (w *writer) para(text string, f *font.EmbeddedFont, size float64) *layout.Paragraph {
	if w.opts.unshaped {
		text = isolateLetters(text)
	}
	p := layout.NewParagraphEmbedded(text, f, size)
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

func (w *writer) footer(left string, pageFmt string) {
	w.doc.SetFooterElement(func(ctx document.PageContext) layout.Element {
		pg := strings.NewReplacer("{page}", fmt.Sprint(ctx.PageIndex+1), "{pages}", fmt.Sprint(ctx.TotalPages)).Replace(pageFmt)
		return w.para(left+"   ·   "+pg, w.reg, smallSize).SetAlign(layout.AlignCenter)
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
// with opts.ChildFriendly).
func RenderLeaflet(out io.Writer, lang string, opts Options) error {
	l, err := LeafletText(lang, opts.ChildFriendly)
	if err != nil {
		return err
	}
	w, err := newWriter(lang, l.Dir, l.Title, opts)
	if err != nil {
		return err
	}
	id := l.Version
	if l.Variant != "" {
		id += "-" + l.Variant
	}
	w.footer(l.Title+" "+id+" ("+l.Lang+")", "{page}/{pages}")
	w.doc.Add(w.para(l.Title, w.bold, titleSize).SetSpaceAfter(4))
	if l.Draft() {
		w.doc.Add(w.para(l.TranslationStatus, w.reg, smallSize).SetSpaceAfter(6))
	}
	for _, s := range l.Sections {
		w.doc.Add(w.para(s.Heading, w.bold, headSize+1).SetSpaceBefore(10).SetSpaceAfter(4))
		for _, p := range s.Paragraphs {
			w.doc.Add(w.para(p, w.reg, bodySize+1.5).SetLeading(1.45).SetSpaceAfter(4))
		}
	}
	return w.finish(out)
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
