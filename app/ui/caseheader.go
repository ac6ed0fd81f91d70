package ui

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
)

// headerFaceSize is the face thumbnail in the case header: a passport photo's proportions.
var headerFaceSize = fyne.NewSize(64, 80)

// Badge colours. A deadline badge takes its colour from forms' level (never from a sum made
// here); the text says the same in words, so the colour is never the only sign.
var (
	levelFill = map[forms.Level]color.NRGBA{
		forms.LevelNone:    {R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}, // green: under half the time used
		forms.LevelNotice:  {R: 0xf9, G: 0xc7, B: 0x2b, A: 0xff}, // yellow: half used
		forms.LevelWarning: {R: 0xef, G: 0x6c, B: 0x00, A: 0xff}, // orange: 80 % used
		forms.LevelOverdue: {R: 0xc6, G: 0x28, B: 0x28, A: 0xff}, // red: passed
	}
	metFill     = color.NRGBA{R: 0x61, G: 0x61, B: 0x61, A: 0xff} // grey: fulfilled, or no clock yet
	minorFill   = color.NRGBA{R: 0x6a, G: 0x1b, B: 0x9a, A: 0xff} // purple: the minors' rules apply
	inkOnLight  = color.NRGBA{A: 0xff}
	inkOnDark   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	placeholder = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0x40}
)

// badge is a short bold text on a coloured, rounded background.
type badge struct {
	bg   *canvas.Rectangle
	text *canvas.Text
	box  *fyne.Container
}

func newBadge() *badge {
	b := &badge{bg: canvas.NewRectangle(metFill), text: canvas.NewText("", inkOnDark)}
	b.bg.CornerRadius = 4
	b.text.TextStyle.Bold = true
	b.box = container.NewStack(b.bg, container.New(&padLayout{h: 8, v: 3}, b.text))
	return b
}

// set shows text on fill, in dark ink on the light yellow and white ink otherwise.
func (b *badge) set(text string, fill color.NRGBA) {
	ink := inkOnDark
	if fill == levelFill[forms.LevelNotice] {
		ink = inkOnLight
	}
	b.text.Text, b.text.Color, b.bg.FillColor = text, ink, fill
	b.box.Show()
	b.text.Refresh()
	b.bg.Refresh()
}

func (b *badge) hide() { b.box.Hide() }

// padLayout pads its one object by h horizontally and v vertically (theme padding is too
// wide for a badge).
type padLayout struct{ h, v float32 }

func (p *padLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(p.h, p.v))
		o.Resize(fyne.NewSize(size.Width-2*p.h, size.Height-2*p.v))
	}
}

func (p *padLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m.Add(fyne.NewSize(2*p.h, 2*p.v))
}

// caseHeader is the top of the case screen, the same on every step: who the person is
// (name, age, a badge when the minors' rules apply, the face once captured), the case
// reference, both legal limits coloured by forms' level, and what must not be forgotten
// (biometrics due, the companion of a minor, the Eurodac retention).
type caseHeader struct {
	face     *fyne.Container // the thumbnail, or a placeholder while none is shown
	faceImg  *canvas.Image
	name     *widget.Label
	age      *widget.Label
	minor    *badge
	limits   [2]*badge // screening, Eurodac
	bioDue   *badge
	notes    *widget.Label
	content  *fyne.Container
	hasImage bool
}

func newCaseHeader() *caseHeader {
	h := &caseHeader{name: widget.NewLabel(""), age: widget.NewLabel(""), minor: newBadge(), bioDue: newBadge(), notes: widget.NewLabel("")}
	h.limits = [2]*badge{newBadge(), newBadge()}
	h.name.TextStyle.Bold = true
	h.name.SizeName = theme.SizeNameSubHeadingText
	h.name.Truncation = fyne.TextTruncateEllipsis
	h.notes.Wrapping = fyne.TextWrapWord
	h.faceImg = canvas.NewImageFromImage(nil)
	h.faceImg.FillMode = canvas.ImageFillContain
	h.faceImg.SetMinSize(headerFaceSize)
	h.face = container.NewGridWrap(headerFaceSize)
	h.setFace(nil)
	h.minor.hide()
	h.bioDue.hide()
	who := container.NewHBox(h.minor.box, h.age)
	clocks := container.NewHBox(h.limits[0].box, h.limits[1].box, h.bioDue.box)
	h.content = container.NewBorder(nil, nil, container.NewCenter(h.face), nil,
		container.NewVBox(container.NewBorder(nil, nil, nil, who, h.name), clocks, h.notes))
	return h
}

// setFace shows the face thumbnail, or a placeholder (an outline with a person icon) when
// img is nil: before capture, while the image loads, or for a role without the biometric
// class.
func (h *caseHeader) setFace(img image.Image) {
	h.hasImage = img != nil
	if img != nil {
		h.faceImg.Image = img
		h.face.Objects = []fyne.CanvasObject{h.faceImg}
		h.faceImg.Refresh()
	} else {
		frame := canvas.NewRectangle(placeholder)
		frame.CornerRadius = 4
		h.face.Objects = []fyne.CanvasObject{container.NewStack(frame, widget.NewIcon(theme.AccountIcon()))}
	}
	h.face.Refresh()
}

// show fills the header from the case as the screen holds it, at now.
func (h *caseHeader) show(c *forms.Case, now time.Time) {
	ref := c.Reference
	if ref == "" {
		ref = T("case.unsaved")
	}
	h.name.SetText(personName(c.Identity))
	h.age.SetText(ageText(c.Identity, now) + "   ·   " + ref)

	// the minors' rules are forms' (IsMinor counts the benefit of the doubt); the header
	// only says which way they came to apply
	switch {
	case c.IsMinor(now) && c.AgeUncertain(now) && c.Identity.AgeDoubt.CouldBeMinor.Yes():
		h.minor.set(T("header.minorDoubt"), minorFill)
	case c.IsMinor(now):
		h.minor.set(T("header.minor"), minorFill)
	case len(c.AgeDoubtProblems(now)) > 0:
		h.minor.set(T("header.ageQuestion"), levelFill[forms.LevelWarning])
	default:
		h.minor.hide()
	}

	var lines []string
	if c.Trigger.At.IsZero() {
		h.limits[0].set(Tf("header.limitNoStart", T("cases.screening")), metFill)
		h.limits[1].set(Tf("header.limitNoStart", "Eurodac"), metFill)
	} else {
		d := c.Deadlines()
		h.showLimit(h.limits[0], T("cases.screening"), d.Screening, now)
		h.showLimit(h.limits[1], "Eurodac", d.Eurodac, now)
		// the category forms picks and the retention it implies in Eurodac (ER Art 29)
		cat := c.EurodacCategory()
		if r, _ := forms.RetentionOf(cat); r.Years > 0 {
			lines = append(lines, Tf("case.eurodacRetention", T("eurodaccat."+string(cat)), r.Years, r.Article))
		} else {
			lines = append(lines, Tf("case.eurodacRetentionUnknown", T("eurodaccat."+string(cat)), r.Article))
		}
	}
	if c.BiometricsDue() {
		h.bioDue.set(T("case.biometricsDue"), levelFill[forms.LevelWarning])
	} else {
		h.bioDue.hide()
	}
	// the companion of a (possible) minor accompanies every step, so every step shows it
	// (SR Art 13(2)-(3))
	if c.IsMinor(now) {
		if cp := c.Biometrics.Companion; cp != nil {
			who := []string{T("companion." + string(cp.Role))}
			for _, v := range []string{cp.Relationship, cp.ID} {
				if v != "" {
					who = append(who, v)
				}
			}
			lines = append(lines, Tf("case.minorCompanion", strings.Join(who, ", ")))
		} else {
			lines = append(lines, T("case.minorNoCompanion"))
		}
	}
	h.notes.SetText(strings.Join(lines, "\n"))
	if len(lines) == 0 {
		h.notes.Hide()
	} else {
		h.notes.Show()
	}
	h.content.Refresh() // the badges' texts changed length: lay them out again
}

// showLimit puts one legal clock on its badge: its length, the time left and the due
// moment, coloured by forms' level at now, with the level in words.
func (h *caseHeader) showLimit(b *badge, name string, d forms.Deadline, now time.Time) {
	label := name + " " + limitText(d.Limit)
	if !d.MetAt.IsZero() {
		b.set(Tf("header.limitMet", label, timeText(d.MetAt)), metFill)
		return
	}
	lvl := d.Level(now)
	text := Tf("header.limitLeft", label, left(d.Due(), now), timeText(d.Due()))
	if lvl == forms.LevelOverdue {
		text = Tf("header.limitOverdue", label, timeText(d.Due()))
	} else if lvl > forms.LevelNone {
		text += " · " + T("level."+lvl.String())
	}
	b.set(text, levelFill[lvl])
}

// limitText is a legal limit as the Regulations state it: hours up to 72, days above.
func limitText(d time.Duration) string {
	if d <= 72*time.Hour {
		return Tf("header.hours", int(d.Hours()))
	}
	return Tf("header.days", int(d.Hours())/24)
}

// personName is the declared name as an officer reads it, SURNAMES, Given names; "not
// recorded" when neither was given (never a placeholder name).
func personName(id forms.Identity) string {
	sur, given := strings.Join(id.Surnames, " "), strings.Join(id.GivenNames, " ")
	switch {
	case sur == "" && given == "":
		return T("header.nameNotRecorded")
	case given == "":
		return sur
	case sur == "":
		return Tf("header.givenOnly", given)
	}
	return sur + ", " + given
}

// ageText is the age forms computes from the (possibly partial) date of birth on the day of
// now: one number, or the range a partial date leaves; "not recorded" without a date.
func ageText(id forms.Identity, now time.Time) string {
	r, ok := id.AgeOn(now)
	if !ok {
		return T("header.ageNotRecorded")
	}
	text := Tf("header.age", r.Min)
	if r.Max != r.Min {
		text = Tf("header.ageRange", r.Min, r.Max)
	}
	if id.BirthDateEstimated {
		text += " " + T("header.estimated")
	}
	return text + " (" + Tf("header.born", id.BirthDate.String()) + ")"
}

// loadThumbs reads the stored captures' thumbnails off the UI goroutine when the images the
// case records differ from those shown; the header and the open step get them through the
// UI goroutine. The first frame shows placeholders.
func (cs *caseScreen) loadThumbs() {
	key := thumbKey(cs.c)
	if cs.id == "" || key == cs.thumbsKey {
		return
	}
	cs.thumbsKey = key
	cs.thumbsGen++
	gen, id, sess := cs.thumbsGen, cs.id, cs.u.sess
	if key == "" {
		cs.showThumbs(&app.Thumbs{}, nil)
		return
	}
	var th *app.Thumbs
	var err error
	runAsync(func() { th, err = sess.Thumbnails(id) }, func() {
		if cs.u.openCase != cs || gen != cs.thumbsGen {
			return // the officer moved on, or a newer capture is loading
		}
		cs.showThumbs(th, err)
	})
}

// showThumbs hands loaded thumbnails to the header and, when open, the biometrics step.
func (cs *caseScreen) showThumbs(th *app.Thumbs, err error) {
	if err != nil {
		cs.thumbsKey = "" // try again on the next change
		cs.notice.Importance = widget.WarningImportance
		cs.notice.SetText(Tf("header.imagesUnread", errorText(err)))
		cs.notice.Show()
		return
	}
	cs.thumbs = th
	cs.head.setFace(th.Face)
	if v, ok := cs.view.(thumbShower); ok {
		v.showThumbs(th)
	}
}

// thumbShower is a step that shows the stored captures' thumbnails.
type thumbShower interface{ showThumbs(th *app.Thumbs) }

// thumbKey names the stored images the case records, so a capture or a retake (a new
// record) loads the thumbnails again and nothing else does.
func thumbKey(c *forms.Case) string {
	var b strings.Builder
	for _, f := range c.Biometrics.Fingers {
		if f.Status == forms.FingerCaptured {
			fmt.Fprintf(&b, "%d:%s@%d;", f.Position, f.ImageRef, f.At.UnixNano())
		}
	}
	if f := c.Biometrics.Face; f.Status == forms.FaceCaptured {
		fmt.Fprintf(&b, "face:%s@%d", f.ImageRef, f.At.UnixNano())
	}
	return b.String()
}
