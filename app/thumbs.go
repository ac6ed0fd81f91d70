package app

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/draw"

	"github.com/fieldscreen/fieldscreen/biometrics/quality"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware"
	"github.com/fieldscreen/fieldscreen/vault"
)

// ThumbSize is the longest side, in pixels, of the images Thumbnails returns: sharp enough
// for the hand diagram and the case header on a 2× screen, small enough that ten of them
// upload to the GPU in well under a frame.
const ThumbSize = 160

// AuditThumbnails is the audit action of the screens' thumbnail read (detail: the records).
const AuditThumbnails = "biometrics.read"

// FingerThumb is one captured finger as the screens show it: a small image, the stored
// capture-quality score and what that score means against the capture threshold.
type FingerThumb struct {
	Position forms.FingerPosition
	Quality  int
	Verdict  quality.Verdict
	// Image is nil when the case records the capture but the stored image is missing or
	// does not decode (Missing says so), or when the session may not read biometric images.
	Image   image.Image
	Missing bool
}

// Thumbs are the small images of a case's stored captures.
type Thumbs struct {
	// Fingers holds the captured fingers by position (the case's last record for each).
	Fingers map[forms.FingerPosition]FingerThumb
	// Face is the facial image, nil when none was captured (or Withheld).
	Face image.Image
	// FaceProblems are the ICAO-style problems found on the stored face, in Dutch and
	// English; empty when it passes or there is none.
	FaceProblems []hardware.Problem
	// FaceMissing: the case records a captured face whose stored image is missing or does
	// not decode.
	FaceMissing bool
	// Withheld: the session's role holds no biometric key (a registrar, a supervisor), so
	// no image was read; the scores are still given.
	Withheld bool
}

// QualityVerdict is what a capture-quality score means against the terminal's capture
// threshold (biometrics/quality decides): the screens colour a finger by it.
func QualityVerdict(score int) quality.Verdict { return quality.Judge(score, CaptureThreshold) }

// Thumbnails reads a stored case's captured fingers and face and returns them decoded and
// shrunk to ThumbSize, with each finger's quality verdict and the face's ICAO problems. The
// images are read in one transaction, audited as one read of the biometric class naming the
// records; a role without the biometric class gets the scores only (Withheld), with nothing
// read or audited. It decodes on the calling goroutine: screens call it off the UI one.
func (s *Session) Thumbnails(id vault.CaseID) (*Thumbs, error) {
	s.Touch()
	th := &Thumbs{Fingers: map[forms.FingerPosition]FingerThumb{}, Withheld: !s.Role().Can(vault.Biometric, false)}
	// one stored image to read: the finger it belongs to (0 for the face), its record, bytes
	type record struct {
		pos  forms.FingerPosition
		name string
		raw  []byte
		img  image.Image
	}
	var recs []record
	read := func(tx *vault.Tx) error {
		c, _, err := loadCase(tx, id)
		if err != nil {
			return err
		}
		latest := map[forms.FingerPosition]forms.Finger{}
		for _, f := range c.Biometrics.Fingers {
			latest[f.Position] = f // the last record for a position wins
		}
		for pos := forms.RightThumb; pos <= forms.LeftLittle; pos++ {
			f, ok := latest[pos]
			if !ok || f.Status != forms.FingerCaptured {
				continue
			}
			th.Fingers[pos] = FingerThumb{Position: pos, Quality: f.Quality, Verdict: QualityVerdict(f.Quality), Missing: f.ImageRef == ""}
			if f.ImageRef != "" {
				recs = append(recs, record{pos: pos, name: f.ImageRef})
			}
		}
		if fc := c.Biometrics.Face; fc.Status == forms.FaceCaptured && fc.ImageRef != "" {
			recs = append(recs, record{name: fc.ImageRef})
		}
		if th.Withheld || len(recs) == 0 {
			return nil
		}
		names := make([]string, len(recs))
		for i := range recs {
			b, err := tx.GetCase(id, vault.Biometric, recs[i].name)
			if err != nil && !errors.Is(err, vault.ErrNotFound) {
				return fmt.Errorf("image %s: %w", recs[i].name, err)
			}
			recs[i].raw, names[i] = b, recs[i].name
		}
		return tx.Audit(vault.AuditEvent{Action: AuditThumbnails, Case: id, Class: vault.Biometric,
			Detail: "thumbnails " + strings.Join(names, ",")})
	}
	var err error
	if th.Withheld {
		err = s.vs.View(read) // nothing personal leaves the vault: no audit entry to write
	} else {
		err = s.vs.Update(read)
	}
	if err != nil {
		return nil, fmt.Errorf("read the images of case %s: %w", id, err)
	}
	if th.Withheld {
		return th, nil
	}
	// decode in parallel: PNG decoding is most of the cost, and the images are independent
	var wg sync.WaitGroup
	for i := range recs {
		if recs[i].raw == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			full, err := png.Decode(bytes.NewReader(recs[i].raw))
			if err != nil {
				return
			}
			recs[i].img = shrink(full, ThumbSize)
			if recs[i].pos == 0 {
				// the ICAO checks measure the stored image (eye distance is in its pixels)
				th.FaceProblems = faceProblems(full)
			}
		}()
	}
	wg.Wait()
	for _, r := range recs {
		if r.pos == 0 {
			th.Face, th.FaceMissing = r.img, r.img == nil
			continue
		}
		f := th.Fingers[r.pos]
		f.Image, f.Missing = r.img, r.img == nil
		th.Fingers[r.pos] = f
	}
	return th, nil
}

// shrink scales img so its longest side is at most max pixels (never up), as grey for
// fingers and in colour for the face.
func shrink(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	if w >= h {
		h, w = h*max/w, max
	} else {
		w, h = w*max/h, max
	}
	var dst draw.Image
	if _, grey := img.(*image.Gray); grey {
		dst = image.NewGray(image.Rect(0, 0, max1(w), max1(h)))
	} else {
		dst = image.NewNRGBA(image.Rect(0, 0, max1(w), max1(h)))
	}
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
