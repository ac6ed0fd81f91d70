package ui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
)

// docScanner is the document step's "colour scan of the data page" (Eurodac element (j)):
// take one from a paired reader or camera, or pick an image file; it shows the thumbnail and
// asks for the authenticity indication. The scan is attached with the step's save
// (app.AttachDocumentScan, in the save's transaction); app checks and encodes the image.
type docScanner struct {
	cs       *caseScreen
	thumb    *canvas.Image
	status   *widget.Label
	auth     *widget.RadioGroup
	device   *widget.Button
	file     *widget.Button
	bar      *widget.ProgressBarInfinite
	msg      *widget.Label
	pending  *app.DocumentScan
	box, row *fyne.Container // laid out again when the thumbnail or the question appears
	card     *widget.Card
	authKeys map[string]string // radio label → forms authenticity code
}

func newDocScanner(cs *caseScreen) *docScanner {
	s := &docScanner{cs: cs, status: widget.NewLabel(""), bar: newBusyBar(), msg: errorLabel(), authKeys: map[string]string{}}
	s.status.Wrapping = fyne.TextWrapWord
	s.thumb = canvas.NewImageFromImage(nil)
	s.thumb.FillMode = canvas.ImageFillContain
	// the thumbnail and the question keep their place, empty or disabled, so nothing jumps
	s.thumb.SetMinSize(fyne.NewSize(240, 170))
	var labels []string
	for _, a := range forms.Authenticities {
		l := T("docscan.auth." + a)
		labels = append(labels, l)
		s.authKeys[l] = a
	}
	// no option chosen: the officer gives the indication (never a default)
	s.auth = widget.NewRadioGroup(labels, nil)
	s.auth.Horizontal = true
	s.auth.Disable()
	s.device = widget.NewButton(T("docscan.fromDevice"), s.scanFromDevice)
	s.file = widget.NewButton(T("docscan.fromFile"), s.pickFile)
	s.showStored()
	return s
}

func (s *docScanner) content() fyne.CanvasObject {
	s.row = container.NewBorder(nil, nil, s.thumb, nil, container.NewVBox(s.status, s.auth))
	s.box = container.NewVBox(container.NewHBox(s.device, s.file), s.bar, s.msg, s.row)
	s.card = widget.NewCard(T("docscan.title"), T("docscan.intro"), s.box)
	return s.card
}

// showStored shows the scan the case holds: its thumbnail (an audited read) and how it
// was taken.
func (s *docScanner) showStored() {
	c := s.cs.c
	if len(c.Documents) == 0 || c.Documents[0].ScanRef == "" || s.cs.id == "" {
		s.status.SetText(T("docscan.none"))
		return
	}
	d := c.Documents[0]
	s.status.SetText(Tf("docscan.stored", T("docscan.source."+d.ScanSource), timeText(d.ScanAt), T("docscan.auth."+d.Authenticity)))
	sess, id := s.cs.u.sess, s.cs.id
	var img image.Image
	runAsync(func() {
		b, err := sess.DocumentScanImage(id, d.ScanRef)
		if err == nil {
			img, _, _ = image.Decode(bytes.NewReader(b))
		}
	}, func() {
		if img != nil && s.pending == nil {
			s.show(img)
		}
	})
}

func (s *docScanner) show(img image.Image) {
	s.thumb.Image = img
	s.thumb.Refresh()
	s.relayout()
}

func (s *docScanner) relayout() {
	if s.card != nil {
		s.row.Refresh()
		s.box.Refresh()
		s.card.Refresh()
	}
}

// scanFromDevice takes the page from the first paired device that gives an image of it: a
// full-page document reader, else a camera.
func (s *docScanner) scanFromDevice() {
	s.cs.u.touch()
	setError(s.msg, "")
	sess := s.cs.u.sess
	var scan *app.DocumentScan
	busy(s.bar, s.device, func() error {
		dev, err := findPaired(sess, hardware.Document)
		if err != nil || !dev.Supports(hardware.Target{Kind: hardware.Document}) {
			if cam, cerr := findPaired(sess, hardware.Face); cerr == nil && cam.Supports(hardware.Target{Kind: hardware.Document}) {
				dev, err = cam, nil
			}
		}
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		scan, err = sess.ScanDocumentPage(ctx, dev)
		return err
	}, func(err error) {
		if errors.Is(err, errNoReader) {
			setError(s.msg, T("docscan.noDevice"))
			return
		}
		s.prepared(scan, err)
	})
}

// pickFile asks for a PNG or JPEG file (a flatbed scanner's output).
func (s *docScanner) pickFile() {
	s.cs.u.touch()
	setError(s.msg, "")
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		s.readFile(rc)
	}, s.cs.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".PNG", ".JPG", ".JPEG"}))
	d.Show()
}

// readFile hands the picked file to app, which checks and re-encodes it off the UI
// goroutine (a 600 dpi page takes about half a second, docs/BENCHMARKS.md).
func (s *docScanner) readFile(r io.Reader) {
	var scan *app.DocumentScan
	busy(s.bar, s.file, func() (err error) {
		if c, ok := r.(io.Closer); ok {
			defer c.Close()
		}
		scan, err = app.PrepareScan(r)
		return err
	}, func(err error) { s.prepared(scan, err) })
}

// prepared shows a scan ready to attach, and asks for its authenticity.
func (s *docScanner) prepared(scan *app.DocumentScan, err error) {
	if err != nil {
		setError(s.msg, errorText(err))
		return
	}
	s.pending = scan
	s.show(scan.Image())
	s.auth.SetSelected("")
	s.auth.Enable()
	s.status.SetText(Tf("docscan.pending", T("docscan.source."+scan.Source())))
	s.relayout()
}

// commands adds the pending scan to the save, after the document's own commands.
func (s *documentStep) commands(cmds []app.Command) []app.Command {
	if s.scan == nil || s.scan.pending == nil {
		return cmds
	}
	return append(cmds, app.AttachDocumentScan{Index: 0, Scan: s.scan.pending, Authenticity: s.scan.authKeys[s.scan.auth.Selected]})
}

// stored: the save took the scan.
func (s *documentStep) stored() {
	sc := s.scan
	if sc == nil || sc.pending == nil {
		return
	}
	sc.status.SetText(Tf("docscan.attached", T("docscan.source."+sc.pending.Source()), sc.auth.Selected))
	sc.pending = nil
	sc.auth.SetSelected("")
	sc.auth.Disable()
	sc.relayout()
}
