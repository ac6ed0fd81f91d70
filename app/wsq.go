package app

import (
	"bytes"
	"fmt"

	"github.com/fieldscreen/fieldscreen/biometrics/wsq"
)

// encodeWSQ compresses a lossless finger image for the Eurodac transaction at the FBI
// encoder #1 rate. The encoder is not FBI-certified, which is why the lossless PNG is kept
// beside it (a certified encoder can re-encode it downstream).
func encodeWSQ(pngBytes []byte, ppi int) ([]byte, error) {
	img, err := decodePNG(pngBytes)
	if err != nil {
		return nil, fmt.Errorf("finger image: %w", err)
	}
	if ppi == 0 {
		ppi = wsq.SpecPPI
	}
	var buf bytes.Buffer
	if err := wsq.Encode(&buf, img, &wsq.Options{Bitrate: wsq.DefaultBitrate, PPI: ppi}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
