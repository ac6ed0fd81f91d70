package eurodac

import (
	"bytes"
	"image"
	"image/jpeg"
	"slices"
	"testing"

	"github.com/fieldscreen/fieldscreen/biometrics/nist"
)

// FuzzRead feeds arbitrary transactions to Read: it must never panic, and what it accepts
// must be a complete data set (ten finger positions, each with a status) or a rectification
// naming what it corrects and the transmission it rectifies, without biometrics.
func FuzzRead(f *testing.F) {
	s, fingers, face, tr := syntheticCase(f)
	// Small images keep the seed corpus small: a WSQ start marker and a 16×16 JPEG.
	for i := range fingers {
		if fingers[i].Status == Captured {
			fingers[i].ImageWSQ = []byte{0xFF, 0xA0, 0xFF, 0xA8, 0, 2}
		}
	}
	var small bytes.Buffer
	if err := jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		f.Fatal(err)
	}
	face.Image, face.Width, face.Height = small.Bytes(), 16, 16
	// the document scan (Type-20 with 2.024): a 16×16 colour JPEG
	var colour bytes.Buffer
	if err := jpeg.Encode(&colour, image.NewRGBA(image.Rect(0, 0, 16, 16)), nil); err != nil {
		f.Fatal(err)
	}
	s.Scan = &DocumentScan{Image: colour.Bytes(), Width: 16, Height: 16, Authenticity: "genuine", DocumentType: "P", Acquisition: AcquisitionCamera}
	tx, err := Build(s, fingers, face, tr)
	if err != nil {
		f.Fatal(err)
	}
	b, err := tx.Bytes()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for i := range fingers {
		fingers[i] = Finger{Position: i + 1, Status: Refused}
	}
	if tx, err = Build(s, fingers, face, tr); err != nil {
		f.Fatal(err)
	}
	if b, err = tx.Bytes(); err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	tr.ControlRef = tr.ControlNum
	if tx, err = BuildRectification(s, []string{"c", "i"}, tr); err != nil {
		f.Fatal(err)
	}
	if b, err = tx.Bytes(); err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, in []byte) {
		tx, err := nist.ParseBytes(in)
		if err != nil {
			return
		}
		d, err := Read(tx)
		if err != nil {
			return
		}
		if d.Rectified != nil {
			if len(d.Fingers) != 0 || d.Face != nil || d.Transmission.ControlRef == "" {
				t.Fatalf("a rectification with %d fingers, face %v, TCR %q", len(d.Fingers), d.Face != nil, d.Transmission.ControlRef)
			}
			return
		}
		if len(d.Fingers) != 10 {
			t.Fatalf("%d finger positions", len(d.Fingers))
		}
		if sc := d.Subject.Scan; sc != nil && (len(sc.Image) == 0 || !slices.Contains(scanAuthenticities, sc.Authenticity)) {
			t.Fatalf("scan accepted without an image or a known authenticity: %+v", sc)
		}
		for i, fg := range d.Fingers {
			if fg.Position != i+1 || fg.Status == 0 {
				t.Fatalf("finger %d: position %d status %v", i+1, fg.Position, fg.Status)
			}
		}
	})
}
