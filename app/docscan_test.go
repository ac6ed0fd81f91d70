package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	"github.com/fieldscreen/fieldscreen/vault"
)

// colourPage is a synthetic colour "scan" of w × h pixels.
func colourPage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 180, 255})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF puts an APP1 Exif segment holding marker right after the JPEG's SOI.
func withEXIF(j []byte, marker string) []byte {
	payload := append([]byte("Exif\x00\x00"), []byte(marker)...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, j[2:]...)
}

// withTextChunk puts a tEXt chunk holding marker after the PNG's IHDR.
func withTextChunk(p []byte, marker string) []byte {
	data := append([]byte("Comment\x00"), []byte(marker)...)
	chunk := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	copy(chunk[4:], "tEXt")
	chunk = append(chunk, data...)
	crc := crc32.ChecksumIEEE(chunk[4:])
	chunk = binary.BigEndian.AppendUint32(chunk, crc)
	ihdrEnd := 8 + 4 + 4 + 13 + 4
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

// hugePNGHeader is a PNG whose header claims w × h pixels and holds no image data.
func hugePNGHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := binary.BigEndian.AppendUint32(nil, 13)
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

// Bad image files are refused with a sentence in English and Dutch that names the cause
// and what to do; nothing is read past the size limit.
func TestPrepareScanRefusesBadFiles(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 800, 500))
	good := encodePNG(t, colourPage(800, 500))
	for _, tc := range []struct {
		name, reason, en string
		file             []byte
	}{
		{"text file", "not_image", "not a PNG or JPEG", []byte("this is not an image\n")},
		{"empty file", "not_image", "not a PNG or JPEG", nil},
		{"gif", "not_image", "not a PNG or JPEG", []byte("GIF89a\x10\x00\x10\x00\x80\x00\x00")},
		{"truncated png", "unreadable", "damaged", good[:len(good)/2]},
		{"black and white: art 17(1)(j) asks for colour", "grey", "colour copy", encodePNG(t, grey)},
		{"grey jpeg", "grey", "colour copy", encodeJPEG(t, grey)},
		{"too small to read", "too_small", "too small", encodePNG(t, colourPage(200, 120))},
		{"header claims 20000 × 20000", "too_big", "more than a scan", hugePNGHeader(20000, 20000)},
		{"file over the size limit", "too_large", "larger than", append(good, make([]byte, ScanMaxFileBytes)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PrepareScan(bytes.NewReader(tc.file))
			var se *ScanError
			if !errors.As(err, &se) || !errors.Is(err, ErrBadScan) {
				t.Fatalf("got %v, want a *ScanError", err)
			}
			if se.Reason != tc.reason || !strings.Contains(se.Sentence("en"), tc.en) || se.Sentence("nl") == "" || se.Sentence("nl") == se.Sentence("en") {
				t.Errorf("reason %q (want %q), en %q, nl %q", se.Reason, tc.reason, se.Sentence("en"), se.Sentence("nl"))
			}
		})
	}
}

// Nothing of the officer's file but its pixels goes through: EXIF and PNG text chunks are
// gone, the result is a JPEG of the same size (or reduced to the stored size).
func TestPrepareScanReencodes(t *testing.T) {
	const marker = "GPS 52.3 4.9 CANARY-SCANNER-SERIAL"
	for _, tc := range []struct {
		name string
		file []byte
		w, h int
	}{
		{"jpeg with exif", withEXIF(encodeJPEG(t, colourPage(900, 600)), marker), 900, 600},
		{"png with a text chunk", withTextChunk(encodePNG(t, colourPage(640, 400)), marker), 640, 400},
		{"600 dpi scan reduced", encodeJPEG(t, colourPage(3000, 2100)), ScanStoreLongSide, 2100 * ScanStoreLongSide / 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := image.Decode(bytes.NewReader(tc.file)); err != nil {
				t.Fatalf("test file does not decode: %v", err)
			}
			s, err := PrepareScan(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(s.JPEG(), []byte("CANARY")) || bytes.Contains(s.JPEG(), []byte("Exif")) {
				t.Error("the file's metadata went through")
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(s.JPEG()))
			if err != nil || format != "jpeg" || cfg.Width != tc.w || cfg.Height != tc.h {
				t.Errorf("stored scan %s %dx%d %v, want jpeg %dx%d", format, cfg.Width, cfg.Height, err, tc.w, tc.h)
			}
			if s.Source() != forms.ScanFromFile {
				t.Errorf("source %q", s.Source())
			}
		})
	}
}

// scanCase makes a case with a passport, for attaching scans.
func scanCase(t *testing.T, s *Session) vault.CaseID {
	t.Helper()
	c := adultCase(s.Now())
	c.Documents = []forms.Document{{Type: "P", Number: "X12345678", IssuingState: "UTO", Source: "manual"}}
	id, err := s.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAttachDocumentScanStoresEncrypted (ER Art 17(1)(j)): the scan is stored in the core
// class (encrypted: its bytes are nowhere in the vault file), referenced by the document,
// with the authenticity indication; without one nothing is stored; a new scan replaces the
// old record; removing the document deletes its scan.
func TestAttachDocumentScanStoresEncrypted(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id := scanCase(t, off)
	scan, err := PrepareScan(bytes.NewReader(encodePNG(t, colourPage(800, 560))))
	if err != nil {
		t.Fatal(err)
	}
	var re *forms.RuleError
	if _, err := off.Do(id, 1, AttachDocumentScan{Index: 0, Scan: scan}); !errors.As(err, &re) || re.Path != "documents[0].authenticity" {
		t.Fatalf("scan without authenticity: %v", err)
	}
	if err := off.Preview(&forms.Case{Documents: []forms.Document{{Type: "P"}}}, AttachDocumentScan{Index: 0, Scan: scan, Authenticity: forms.AuthenticityGenuine}); err == nil {
		t.Error("a scan was previewed (stored outside Do)")
	}
	rev, err := off.Do(id, 1, AttachDocumentScan{Index: 0, Scan: scan, Authenticity: forms.AuthenticityGenuine})
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := off.ReadCase(id)
	d := c.Documents[0]
	if !strings.HasPrefix(d.ScanRef, "docscan-") || d.Authenticity != forms.AuthenticityGenuine || d.ScanSource != forms.ScanFromFile || d.ScanAt.IsZero() {
		t.Fatalf("document after attach: %+v", d)
	}
	got, err := off.DocumentScanImage(id, d.ScanRef)
	if err != nil || !bytes.Equal(got, scan.JPEG()) {
		t.Fatalf("stored scan differs (%v)", err)
	}
	err = off.vs.View(func(tx *vault.Tx) error {
		_, err := tx.GetCase(id, vault.Core, d.ScanRef)
		return err
	})
	if err != nil {
		t.Errorf("scan not in the core class: %v", err)
	}
	// a second scan replaces the first: its record is deleted in the same change
	scan2, err := PrepareScan(bytes.NewReader(encodeJPEG(t, colourPage(700, 500))))
	if err != nil {
		t.Fatal(err)
	}
	if rev, err = off.Do(id, rev, AttachDocumentScan{Index: 0, Scan: scan2, Authenticity: forms.AuthenticitySuspectedFalse}); err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	if c.Documents[0].ScanRef == d.ScanRef || c.Documents[0].Authenticity != forms.AuthenticitySuspectedFalse {
		t.Fatalf("after the second scan: %+v", c.Documents[0])
	}
	if _, err := off.DocumentScanImage(id, d.ScanRef); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("the replaced scan is still stored: %v", err)
	}
	second := c.Documents[0].ScanRef
	if _, err := off.Do(id, rev, RemoveDocument{Index: 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.DocumentScanImage(id, second); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("the removed document's scan is still stored: %v", err)
	}
	term.Close()
	raw, err := os.ReadFile(filepath.Join(term.cfg.VaultDir, "vault.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, scan.JPEG()[200:264]) {
		t.Error("the scan's bytes are in the vault file in the clear")
	}
}

// mrzOnly is a document reader that reads the MRZ and gives no image (the serial readers).
type mrzOnly struct{ *sim.Device }

func (m mrzOnly) Capture(ctx context.Context, req hardware.Request) (*hardware.Capture, error) {
	c, err := m.Device.Capture(ctx, req)
	if c != nil {
		c.Image = nil
	}
	return c, err
}

// The simulated full-page reader delivers a colour image of the data page with its MRZ; a
// reader that reads only the MRZ is refused with the sentence saying what to use instead.
func TestScanDocumentPageFromSimReader(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	reader := sim.New(hardware.Document, sim.Options{Seed: 3})
	if _, err := off.ScanDocumentPage(context.Background(), reader); !errors.Is(err, hardware.ErrNotPaired) {
		t.Fatalf("unpaired reader: %v", err)
	}
	if err := tech.PairDevice(reader.Identity(), -1); err != nil {
		t.Fatal(err)
	}
	scan, err := off.ScanDocumentPage(context.Background(), reader)
	if err != nil {
		t.Fatal(err)
	}
	b := scan.Image().Bounds()
	if scan.Source() != forms.ScanFromReader || b.Dx() != min(sim.PageWidth, ScanStoreLongSide) || b.Dy() < ScanMinSide {
		t.Errorf("scan from the reader: source %q, %v", scan.Source(), b)
	}
	if devs := ScanDevices([]hardware.Device{sim.New(hardware.Face, sim.Options{}), reader, sim.New(hardware.Finger, sim.Options{})}); len(devs) != 1 || devs[0] != reader {
		t.Errorf("scan devices: %v", devs)
	}
	_, err = off.ScanDocumentPage(context.Background(), mrzOnly{reader})
	var se *ScanError
	if !errors.As(err, &se) || se.Reason != "no_image" {
		t.Fatalf("reader without an image: %v", err)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// A screen (or case update) that drops the first of two documents, the one with the scan,
// removes that document and its scan: the scan is not handed on to the document that moves
// up into its place (it would go to Eurodac as that document's copy), nor left orphaned in
// the vault.
func TestRemovingScannedDocumentThroughEditsDropsItsScan(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id := scanCase(t, off)
	second := forms.Document{Type: "I", Number: "Y98765432", IssuingState: "UTO", Source: "manual"}
	rev, err := off.Do(id, 1, RecordDocument{Index: -1, Document: second})
	if err != nil {
		t.Fatal(err)
	}
	scan, err := PrepareScan(bytes.NewReader(encodePNG(t, colourPage(800, 560))))
	if err != nil {
		t.Fatal(err)
	}
	if rev, err = off.Do(id, rev, AttachDocumentScan{Index: 0, Scan: scan, Authenticity: forms.AuthenticityGenuine}); err != nil {
		t.Fatal(err)
	}
	base, _, err := off.ReadCase(id)
	if err != nil {
		t.Fatal(err)
	}
	ref := base.Documents[0].ScanRef
	edited := base.Clone()
	edited.Documents = edited.Documents[1:]
	cmds, err := CommandsFor(base, edited)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Do(id, rev, cmds...); err != nil {
		t.Fatal(err)
	}
	c, _, _ := off.ReadCase(id)
	if len(c.Documents) != 1 || c.Documents[0].Number != second.Number {
		t.Fatalf("documents after removing the first: %+v", c.Documents)
	}
	if d := c.Documents[0]; d.ScanRef != "" || d.Authenticity != "" {
		t.Errorf("the remaining document took the removed one's scan: %+v", d)
	}
	if _, err := off.DocumentScanImage(id, ref); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("the removed document's scan is still stored: %v", err)
	}
}

// TestRecordOtherDocumentDropsScan (ER Art 17(1)(j)): another document recorded over a
// scanned one does not inherit the scan, and the scan's record is deleted in the same change
// (no copy of a document no longer on the case stays behind); the same document re-recorded
// keeps it.
func TestRecordOtherDocumentDropsScan(t *testing.T) {
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	id := scanCase(t, off)
	scan, err := PrepareScan(bytes.NewReader(encodePNG(t, colourPage(800, 560))))
	if err != nil {
		t.Fatal(err)
	}
	rev, err := off.Do(id, 1, AttachDocumentScan{Index: 0, Scan: scan, Authenticity: forms.AuthenticityGenuine})
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := off.ReadCase(id)
	ref := c.Documents[0].ScanRef
	same := c.Documents[0]
	same.ScanRef, same.ScanAt, same.ScanSource = "", time.Time{}, ""
	same.ExpiryDate = forms.PartialDate{Year: 2031}
	if rev, err = off.Do(id, rev, RecordDocument{Index: 0, Document: same}); err != nil {
		t.Fatal(err)
	}
	if c, _, _ = off.ReadCase(id); c.Documents[0].ScanRef != ref {
		t.Fatalf("the same document lost its scan: %+v", c.Documents[0])
	}
	other := forms.Document{Type: "P", Number: "Y87654321", IssuingState: "UTO", Source: "manual"}
	if _, err = off.Do(id, rev, RecordDocument{Index: 0, Document: other}); err != nil {
		t.Fatal(err)
	}
	if c, _, _ = off.ReadCase(id); c.Documents[0].ScanRef != "" || c.EurodacScanDocument() != -1 {
		t.Fatalf("another document took the scan over: %+v", c.Documents[0])
	}
	if _, err := off.DocumentScanImage(id, ref); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("the replaced document's scan is still stored: %v", err)
	}
}
