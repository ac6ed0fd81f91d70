package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // scans arrive as PNG or JPEG files
	"io"

	xdraw "golang.org/x/image/draw"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// The colour scan of a document's data page, Eurodac element (j) (ER Art 17(1)(j), see
// forms/docscan.go). It comes from a device that delivers an image of the page (a full-page
// document reader, a camera) or from an image file the officer picks (a flatbed scanner's
// PNG or JPEG). Whatever the source, the pixels are decoded and encoded again as a baseline
// JPEG by this package: nothing of the original file (EXIF, GPS, ICC profiles, comments,
// thumbnails, trailing bytes) reaches the vault or Eurodac.
//
// Data class: core. The scan is a copy of the identity document, part of the identity the
// registrar and the officer record (both hold core; a registrar holds no biometric key), and
// it is not processed for biometric identification, so it is not the biometric class's.
// The supervisor (core) may read it to review a case; the monitor (oversight only) cannot.

// Limits of a document scan. A data page (ID-3, 125 × 88 mm) at 300 dpi is about 1500 ×
// 1000 pixels; 600 dpi twice that. Larger scans are reduced to ScanStoreLongSide, which
// keeps the page legible and the Eurodac transaction small.
const (
	ScanMaxFileBytes  = 25 << 20   // a file larger than this is refused unread
	ScanMinSide       = 300        // pixels on the short side: below this the page is unreadable
	ScanMaxSide       = 12000      // pixels on the long side (a whole A4 page at 1200 dpi is ~14000)
	ScanMaxPixels     = 60_000_000 // checked on the header before the pixels are decoded
	ScanStoreLongSide = 2400       // stored and sent at most this long
	scanJPEGQuality   = 90
)

// AuditDocumentScan is the audit action of attaching a scan (detail: source and size, never
// the image or a name); AuditDocumentScanRead of showing one.
const (
	AuditDocumentScan     = "document.scan"
	AuditDocumentScanRead = "document.scan.read"
)

// ErrBadScan is what every *ScanError matches: the image cannot be the document's scan.
var ErrBadScan = errors.New("document scan refused")

// ScanError says, in English and Dutch, why an image cannot be attached as the scan and
// what to do instead.
type ScanError struct {
	Reason  string // not_image, too_large, too_small, too_big, grey, no_image, unreadable
	Message forms.Message
}

func (e *ScanError) Error() string { return "document scan: " + e.Message.EN }

// Unwrap makes errors.Is(err, ErrBadScan) true.
func (e *ScanError) Unwrap() error { return ErrBadScan }

// Sentence is the message in "nl" or (otherwise) English.
func (e *ScanError) Sentence(lang string) string {
	if lang == "nl" {
		return e.Message.NL
	}
	return e.Message.EN
}

func scanError(reason, en, nl string) *ScanError {
	return &ScanError{Reason: reason, Message: forms.Message{EN: en, NL: nl}}
}

// DocumentScan is a scan ready to be attached: re-encoded, within the limits. Only this
// package makes one (PrepareScan, ScanDocumentPage), so AttachDocumentScan stores what the
// checks let through and nothing else.
type DocumentScan struct {
	jpeg   []byte
	img    image.Image
	source string
}

// JPEG returns the encoded scan as it will be stored and sent.
func (d *DocumentScan) JPEG() []byte { return d.jpeg }

// Image returns the decoded scan, for a thumbnail.
func (d *DocumentScan) Image() image.Image { return d.img }

// Source is where the scan came from (forms.ScanFromReader, ScanFromCamera, ScanFromFile).
func (d *DocumentScan) Source() string { return d.source }

// PrepareScan reads an image file the officer picked (PNG or JPEG from a flatbed scanner),
// checks it and encodes it again. Bad files give a *ScanError with the reason.
func PrepareScan(r io.Reader) (*DocumentScan, error) {
	b, err := io.ReadAll(io.LimitReader(r, ScanMaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the scan file: %w", err)
	}
	if len(b) > ScanMaxFileBytes {
		return nil, scanError("too_large",
			fmt.Sprintf("The file is larger than %d MB. Scan the data page only, in colour at 300 dpi, and save it as JPEG or PNG.", ScanMaxFileBytes>>20),
			fmt.Sprintf("Het bestand is groter dan %d MB. Scan alleen de gegevenspagina, in kleur op 300 dpi, en sla die op als JPEG of PNG.", ScanMaxFileBytes>>20))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, scanError("not_image",
			"The file is not a PNG or JPEG image. Save the scan as PNG or JPEG and pick that file.",
			"Het bestand is geen PNG- of JPEG-afbeelding. Sla de scan op als PNG of JPEG en kies dat bestand.")
	}
	if err := checkScanSize(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	if isGreyModel(cfg.ColorModel) {
		return nil, errGreyScan()
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, scanError("unreadable",
			"The image is damaged and cannot be read. Scan the page again.",
			"De afbeelding is beschadigd en kan niet worden gelezen. Scan de pagina opnieuw.")
	}
	return encodeScan(img, forms.ScanFromFile)
}

func errGreyScan() *ScanError {
	return scanError("grey",
		"The scan is in black and white or greys. Eurodac asks for a colour copy (Art 17(1)(j) Regulation (EU) 2024/1358): set the scanner to colour and scan again.",
		"De scan is zwart-wit of grijs. Eurodac vraagt een kopie in kleur (art. 17, lid 1, onder j, Verordening (EU) 2024/1358): zet de scanner op kleur en scan opnieuw.")
}

func checkScanSize(w, h int) error {
	short, long := min(w, h), max(w, h)
	switch {
	case long > ScanMaxSide || w*h > ScanMaxPixels:
		return scanError("too_big",
			fmt.Sprintf("The image is %d × %d pixels, more than a scan of a document page needs (at most %d on the long side). Scan at 300 dpi.", w, h, ScanMaxSide),
			fmt.Sprintf("De afbeelding is %d × %d pixels, meer dan een scan van een documentpagina nodig heeft (hoogstens %d aan de lange kant). Scan op 300 dpi.", w, h, ScanMaxSide))
	case short < ScanMinSide:
		return scanError("too_small",
			fmt.Sprintf("The image is %d × %d pixels: too small to read the page (at least %d on the short side). Scan at 300 dpi.", w, h, ScanMinSide),
			fmt.Sprintf("De afbeelding is %d × %d pixels: te klein om de pagina te lezen (minstens %d aan de korte kant). Scan op 300 dpi.", w, h, ScanMinSide))
	}
	return nil
}

func isGreyModel(m color.Model) bool {
	return m == color.GrayModel || m == color.Gray16Model
}

// encodeScan reduces an image larger than ScanStoreLongSide and encodes it as JPEG: the
// only bytes that are stored and sent.
func encodeScan(img image.Image, source string) (*DocumentScan, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if err := checkScanSize(w, h); err != nil {
		return nil, err
	}
	if long := max(w, h); long > ScanStoreLongSide {
		nw, nh := w*ScanStoreLongSide/long, h*ScanStoreLongSide/long
		dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
		xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
		img = dst
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: scanJPEGQuality}); err != nil {
		return nil, fmt.Errorf("encode the scan: %w", err)
	}
	return &DocumentScan{jpeg: buf.Bytes(), img: img, source: source}, nil
}

// ScanDocumentPage takes a colour image of the document's data page from a paired device: a
// document reader that delivers one with its reading, or a camera. The scan is not stored
// until AttachDocumentScan runs.
func (s *Session) ScanDocumentPage(ctx context.Context, dev hardware.Device) (*DocumentScan, error) {
	s.Touch()
	pairings, err := s.Pairings()
	if err != nil {
		return nil, fmt.Errorf("scan document: %w", err)
	}
	if err := hardware.Check(pairings, dev.Identity()); err != nil {
		return nil, err
	}
	target := hardware.Target{Kind: hardware.Document}
	if !dev.Supports(target) {
		return nil, errNoPageImage()
	}
	c, err := dev.Capture(ctx, hardware.Request{Target: target})
	if err != nil {
		return nil, err
	}
	if err := hardware.Check(pairings, c.Device); err != nil {
		return nil, err
	}
	if c.Image == nil {
		return nil, errNoPageImage()
	}
	if isGreyModel(c.Image.ColorModel()) {
		return nil, errGreyScan()
	}
	source := forms.ScanFromCamera
	if dev.Identity().Kind == hardware.Document {
		source = forms.ScanFromReader
	}
	return encodeScan(c.Image, source)
}

func errNoPageImage() *ScanError {
	return scanError("no_image",
		"This device reads the MRZ only and gives no image of the page. Use a camera, or scan the page on a flatbed scanner and attach the file.",
		"Dit apparaat leest alleen de MRZ en geeft geen afbeelding van de pagina. Gebruik een camera, of scan de pagina op een flatbedscanner en voeg het bestand toe.")
}

// ScanDevices lists the paired devices that can deliver an image of a document page:
// document readers first, then cameras.
func ScanDevices(devs []hardware.Device) []hardware.Device {
	var readers, cameras []hardware.Device
	for _, d := range devs {
		if !d.Supports(hardware.Target{Kind: hardware.Document}) {
			continue
		}
		if d.Identity().Kind == hardware.Document {
			readers = append(readers, d)
		} else {
			cameras = append(cameras, d)
		}
	}
	return append(readers, cameras...)
}

// AttachDocumentScan stores a prepared scan as document Index's colour copy, with the
// officer's authenticity indication (required, ER Art 17(1)(j)), in the core data class and
// in the same transaction as the case change; a scan it replaces is deleted. Run it through
// Session.Do like every other command.
type AttachDocumentScan struct {
	Index        int
	Scan         *DocumentScan
	Authenticity string
}

func (AttachDocumentScan) Name() string { return "attach-document-scan" }

func (cmd AttachDocumentScan) run(c *forms.Case, x *cmdContext) error {
	if err := x.editor(); err != nil {
		return err
	}
	if cmd.Scan == nil || len(cmd.Scan.jpeg) == 0 {
		return errors.New("no scan to attach: take one from a device or pick a file first")
	}
	if x.tx == nil {
		return errors.New("a scan is attached through Do, never previewed")
	}
	ref, err := newScanRecord()
	if err != nil {
		return err
	}
	replaced, err := c.AttachDocumentScan(cmd.Index, ref, cmd.Scan.source, cmd.Authenticity, x.now)
	if err != nil {
		return err
	}
	if err := x.tx.PutCase(x.id, vault.Core, ref, cmd.Scan.jpeg); err != nil {
		return fmt.Errorf("store the scan: %w", err)
	}
	if replaced != "" {
		if err := x.tx.DeleteCaseRecord(x.id, vault.Core, replaced); err != nil && !errors.Is(err, vault.ErrNotFound) {
			return fmt.Errorf("delete the scan it replaces: %w", err)
		}
	}
	b := cmd.Scan.img.Bounds()
	x.audit = append(x.audit, vault.AuditEvent{Action: AuditDocumentScan, Case: x.id, Class: vault.Core,
		Detail: fmt.Sprintf("document=%d source=%s size=%dx%d authenticity=%s", cmd.Index, cmd.Scan.source, b.Dx(), b.Dy(), cmd.Authenticity)})
	return nil
}

// newScanRecord names a scan's record: random, so the name says nothing of the person.
func newScanRecord() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("name the scan record: %w", err)
	}
	return "docscan-" + hex.EncodeToString(b[:]) + ".jpg", nil
}

// DocumentScanImage reads the stored scan ref of case id (Document.ScanRef), for showing it;
// audited as a read of personal data.
func (s *Session) DocumentScanImage(id vault.CaseID, ref string) ([]byte, error) {
	s.Touch()
	var b []byte
	err := s.vs.Update(func(tx *vault.Tx) error {
		var err error
		if b, err = tx.GetCase(id, vault.Core, ref); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: AuditDocumentScanRead, Case: id, Class: vault.Core})
	})
	if err != nil {
		return nil, fmt.Errorf("read the document scan: %w", err)
	}
	return b, nil
}
