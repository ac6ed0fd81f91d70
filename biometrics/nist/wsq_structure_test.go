package nist

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// wsqFrameSize walks the marker segments of a WSQ file up to its frame header (SOF, FFA2)
// and returns the width and height recorded there. It is a structural check only (no
// decoding), written from the FBI WSQ specification's marker layout: SOI FFA0, then
// table/comment segments each with a 2-byte length, then SOF with L, A, B, Y (lines),
// X (columns).
func wsqFrameSize(data []byte) (w, h int, err error) {
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xA0 {
		return 0, 0, fmt.Errorf("no SOI marker")
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return 0, 0, fmt.Errorf("byte %d: expected a marker, got 0x%02X", p, data[p])
		}
		marker := data[p+1]
		length := int(binary.BigEndian.Uint16(data[p+2:]))
		if marker == 0xA2 {
			if p+10 > len(data) || length < 8 {
				return 0, 0, fmt.Errorf("short frame header")
			}
			h = int(binary.BigEndian.Uint16(data[p+6:]))
			w = int(binary.BigEndian.Uint16(data[p+8:]))
			return w, h, nil
		}
		if marker < 0xA3 || marker > 0xA8 {
			return 0, 0, fmt.Errorf("byte %d: unexpected marker FF%02X before the frame header", p, marker)
		}
		p += 2 + length
	}
	return 0, 0, fmt.Errorf("no frame header")
}

// TestWSQImagesMatchRecords: every WSQ image inside the reference files is a well-formed
// WSQ stream whose frame size equals the record's HLL/VLL, so Image() returns the whole
// stream from its first byte. Full decoding is in wsq_decode_test.go.
func TestWSQImagesMatchRecords(t *testing.T) {
	n := forEachImage(t, "WSQ20", func(name string, r *Record, hll, vll int, data []byte) {
		w, h, err := wsqFrameSize(data)
		if err != nil {
			t.Errorf("%s Type-%d IDC %d: %v", name, r.Type, r.IDC(), err)
			return
		}
		if w != hll || h != vll {
			t.Errorf("%s Type-%d IDC %d: WSQ frame %dx%d, record says %dx%d", name, r.Type, r.IDC(), w, h, hll, vll)
		}
		if tail := data[len(data)-2:]; tail[0] != 0xFF || tail[1] != 0xA1 {
			t.Errorf("%s Type-%d IDC %d: WSQ stream does not end with EOI FFA1 (ends % X)", name, r.Type, r.IDC(), tail)
		}
	})
	if n != 17 {
		t.Errorf("checked %d WSQ images, want 17", n)
	}
}
