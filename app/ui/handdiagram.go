package ui

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/forms"
)

// fingerThumbSize is a finger's thumbnail in the hand diagram: fingerprints are taller than
// wide.
var fingerThumbSize = fyne.NewSize(80, 96)

// Verdict colours: quality decides the verdict (app.QualityVerdict), the diagram only paints
// it, and says it in words beside the score.
var verdictFill = map[quality.Verdict]color.NRGBA{
	quality.Pass:  levelFill[forms.LevelNone],    // green
	quality.Retry: levelFill[forms.LevelNotice],  // yellow
	quality.Fail:  levelFill[forms.LevelOverdue], // red
}

// exceptionFill marks a finger recorded as not captured (amputated, unusable, …).
var exceptionFill = color.NRGBA{R: 0x45, G: 0x5a, B: 0x64, A: 0xff}

// handOrder is the diagram's order, as the officer sees both hands palms down on the
// scanner: the left hand from its little finger to its thumb, then the right hand from its
// thumb to its little finger (the order of the slaps, left four, thumbs, right four).
var handOrder = [2][5]forms.FingerPosition{
	{forms.LeftLittle, forms.LeftRing, forms.LeftMiddle, forms.LeftIndex, forms.LeftThumb},
	{forms.RightThumb, forms.RightIndex, forms.RightMiddle, forms.RightRing, forms.RightLittle},
}

// fingerRise is how far each finger of handOrder stands above the lowest one, in thumbnail
// heights: the middle finger highest, the thumb low and apart, as on a hand.
var fingerRise = [2][5]float32{{0.35, 0.6, 0.7, 0.6, 0}, {0, 0.6, 0.7, 0.6, 0.35}}

// fingerCell is one finger in the diagram: its name, its thumbnail (or what stands in its
// place, in words), and its quality score with the verdict.
type fingerCell struct {
	pos     forms.FingerPosition
	img     *canvas.Image
	frame   *canvas.Rectangle // the verdict's colour around the thumbnail
	words   *wordsBox         // what stands in the image's place: an exception, "to capture", …
	thumb   *fyne.Container
	score   *badge
	name    *canvas.Text
	box     *fyne.Container
	verdict quality.Verdict // "" when no score is shown
	// shown is what the cell shows now: the step calls show on every keystroke of its
	// fields, and an unchanged finger is not drawn again (an image refresh re-uploads it)
	shown cellState
}

// cellState is what decides a cell's look.
type cellState struct {
	rec    forms.Finger
	has    bool
	img    image.Image
	loaded bool // thumbnails were loaded (th != nil)
	hidden bool // the role may not see the images
	lang   string
}

func newFingerCell(pos forms.FingerPosition) *fingerCell {
	c := &fingerCell{pos: pos, img: canvas.NewImageFromImage(nil), frame: canvas.NewRectangle(color.Transparent),
		words: newWordsBox(fingerThumbSize.Width), score: newBadge(), name: canvas.NewText(T(fmt.Sprintf("finger.short.%d", pos)), theme.Color(theme.ColorNameForeground))}
	c.img.FillMode = canvas.ImageFillContain
	c.img.ScaleMode = canvas.ImageScaleFastest
	c.img.SetMinSize(fingerThumbSize)
	c.frame.StrokeWidth = 3
	c.frame.CornerRadius = 4
	c.name.TextSize = theme.CaptionTextSize()
	c.name.Alignment = fyne.TextAlignCenter
	c.thumb = container.NewStack(c.frame, container.New(&padLayout{h: 3, v: 3}, c.img), container.New(&padLayout{h: 3, v: 6}, c.words.box))
	c.box = container.NewVBox(c.name, container.NewGridWrap(fingerThumbSize.AddWidthHeight(6, 6), c.thumb), container.NewCenter(c.score.box))
	return c
}

// show puts one finger's state on the cell. rec is the case's last record for the finger
// (nil when none), th the loaded thumbnails (nil while loading).
func (c *fingerCell) show(rec *forms.Finger, th *app.Thumbs) {
	st := cellState{has: rec != nil, loaded: th != nil, lang: Language()}
	if rec != nil {
		st.rec = *rec
	}
	if th != nil {
		st.img, st.hidden = th.Fingers[c.pos].Image, th.Withheld
	}
	if st == c.shown { // images are pointers (*image.Gray, *image.NRGBA): comparable
		return
	}
	c.shown = st
	c.img.Image = nil
	c.verdict = ""
	c.score.hide()
	c.frame.StrokeColor = theme.Color(theme.ColorNameSeparator)
	c.frame.FillColor = color.Transparent
	words := ""
	switch {
	case rec == nil:
		words = T("hand.toCapture")
	case rec.Status != forms.FingerCaptured:
		words = T("fingerstatus." + string(rec.Status))
		if !rec.RetakeOn.IsZero() {
			words += "\n" + Tf("hand.retakeOn", rec.RetakeOn.String())
		}
		c.frame.FillColor = exceptionFill
		c.frame.StrokeColor = exceptionFill
	default:
		c.verdict = app.QualityVerdict(rec.Quality)
		c.score.set(Tf("hand.score", rec.Quality, T("verdict."+string(c.verdict))), verdictFill[c.verdict])
		c.frame.StrokeColor = verdictFill[c.verdict]
		var t app.FingerThumb
		if th != nil {
			t = th.Fingers[c.pos]
		}
		switch {
		case t.Image != nil:
			c.img.Image = t.Image
		case th == nil:
			words = T("hand.loading")
		case th.Withheld:
			words = T("hand.withheld")
		default:
			words = T("hand.imageMissing")
		}
	}
	ink := theme.Color(theme.ColorNameForeground)
	if rec != nil && rec.Status != forms.FingerCaptured {
		ink = inkOnDark // on the exception's dark fill
	}
	c.words.SetText(words, ink)
	c.img.Refresh()
	c.frame.Refresh()
}

// handDiagram shows both hands with every finger's thumbnail, its quality against the
// threshold and its exception in words, for fresh and stored captures alike.
type handDiagram struct {
	cells   [10]*fingerCell // by position − 1
	content fyne.CanvasObject
}

func newHandDiagram() *handDiagram {
	d := &handDiagram{}
	var hands []fyne.CanvasObject
	for h, order := range handOrder {
		fingers := make([]fyne.CanvasObject, 0, 5)
		for _, pos := range order {
			c := newFingerCell(pos)
			d.cells[pos-1] = c
			fingers = append(fingers, c.box)
		}
		palm := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		palm.CornerRadius = 18
		title := widget.NewLabel(T([]string{"hand.left", "hand.right"}[h]))
		title.Alignment = fyne.TextAlignCenter
		title.TextStyle.Bold = true
		hand := container.New(&handLayout{rise: fingerRise[h]}, append([]fyne.CanvasObject{container.NewStack(palm, title)}, fingers...)...)
		hands = append(hands, hand)
	}
	d.content = container.NewHBox(hands[0], widget.NewSeparator(), hands[1])
	return d
}

// show fills every finger from the case (its last record per finger) and the thumbnails.
func (d *handDiagram) show(c *forms.Case, th *app.Thumbs) {
	latest := map[forms.FingerPosition]forms.Finger{}
	for _, f := range c.Biometrics.Fingers {
		latest[f.Position] = f
	}
	for _, cell := range d.cells {
		if f, ok := latest[cell.pos]; ok {
			cell.show(&f, th)
		} else {
			cell.show(nil, th)
		}
	}
}

// images is the number of fingers showing a thumbnail.
func (d *handDiagram) images() int {
	n := 0
	for _, c := range d.cells {
		if c.img.Image != nil {
			n++
		}
	}
	return n
}

// handLayout lays out a hand: its first object is the palm (with the hand's name), below
// five fingers side by side, each raised by rise × its height above the lowest.
type handLayout struct{ rise [5]float32 }

const palmHeight = 40

func (l *handLayout) lift(h float32) (top float32) {
	for _, r := range l.rise {
		top = max(top, r*h)
	}
	return top
}

// cellSize is the largest finger's size: a finger without a score is shorter, and the palm
// must sit below them all.
func cellSize(fingers []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range fingers {
		m = m.Max(o.MinSize())
	}
	return m
}

func (l *handLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 6 {
		return
	}
	cell := cellSize(objs[1:])
	gap := theme.Padding()
	top := l.lift(fingerThumbSize.Height)
	for i, o := range objs[1:] {
		o.Resize(cell)
		o.Move(fyne.NewPos(float32(i)*(cell.Width+gap), top-l.rise[i]*fingerThumbSize.Height))
	}
	objs[0].Move(fyne.NewPos(0, top+cell.Height+gap))
	objs[0].Resize(fyne.NewSize(5*cell.Width+4*gap, palmHeight))
}

func (l *handLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 6 {
		return fyne.Size{}
	}
	cell := cellSize(objs[1:])
	gap := theme.Padding()
	return fyne.NewSize(5*cell.Width+4*gap, l.lift(fingerThumbSize.Height)+cell.Height+gap+palmHeight)
}

// faceThumb is the face's image in the biometrics step, from the loaded thumbnails.
func faceThumb(img image.Image) *canvas.Image {
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScaleFastest
	ci.SetMinSize(faceThumbSize)
	return ci
}

// facePlaceholder stands in the face's place, saying why there is no image.
func facePlaceholder(text string) fyne.CanvasObject {
	frame := canvas.NewRectangle(placeholder)
	frame.CornerRadius = 4
	words := widget.NewLabel(text)
	words.Wrapping = fyne.TextWrapWord
	words.Alignment = fyne.TextAlignCenter
	words.SizeName = theme.SizeNameCaptionText
	return container.NewStack(frame, words)
}

// faceThumbSize is the face in the biometrics step: larger than in the header, so the
// officer can judge it against the listed problems.
var faceThumbSize = fyne.NewSize(120, 150)

// wordsBox is caption text, centred and wrapped at word boundaries to a fixed width, without
// a label's inner padding (which leaves a thumbnail too narrow for "Geamputeerd"). Hidden
// while empty.
type wordsBox struct {
	Text  string
	width float32
	box   *fyne.Container
}

func newWordsBox(width float32) *wordsBox {
	w := &wordsBox{width: width, box: container.NewVBox()}
	w.box.Hide()
	return w
}

// SetText shows s (lines split at "\n", then wrapped) in ink.
func (w *wordsBox) SetText(s string, ink color.Color) {
	w.Text = s
	if s == "" {
		w.box.Objects = nil
		w.box.Hide()
		return
	}
	size := theme.CaptionTextSize()
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && fyne.MeasureText(line+" "+word, size, fyne.TextStyle{}).Width > w.width {
				lines, line = append(lines, line), word
				continue
			}
			line = strings.TrimSpace(line + " " + word)
		}
		lines = append(lines, line)
	}
	objs := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		t := canvas.NewText(l, ink)
		t.TextSize, t.Alignment = size, fyne.TextAlignCenter
		objs[i] = t
	}
	w.box.Objects = objs
	w.box.Show()
	w.box.Refresh()
}

// Visible reports whether any words are shown.
func (w *wordsBox) Visible() bool { return w.box.Visible() }
