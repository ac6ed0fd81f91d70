package nist

import "bytes"

// Image returns the image data of the record and its compression code ("WSQ20", "JPEGB",
// "JPEGL", "JP2", "JP2L", "PNG", "NONE"). For Type-4 the code comes from the binary CGA
// byte; for tagged image records from their CGA field (x.011). When the record declares no
// code (user-defined types) the code is recognised from the data's signature, or "" if
// unknown. A record without image data returns nil, "".
func (r *Record) Image() ([]byte, string) {
	if r.raw != nil {
		return nil, ""
	}
	f := r.Field(999)
	if f == nil || len(f.Value) == 0 {
		return nil, ""
	}
	if r.Type == 4 {
		n, err := r.Int(8)
		if err == nil {
			if c := CompressionCode(n); c != "" {
				return f.Value, c
			}
		}
		return f.Value, SniffCompression(f.Value)
	}
	if num, ok := cgaField[r.Type]; ok {
		if c := r.Value(num); c != "" {
			return f.Value, c
		}
	}
	return f.Value, SniffCompression(f.Value)
}

// Signatures of the compressed formats ANSI/NIST-ITL carries.
var (
	sigWSQ  = []byte{0xFF, 0xA0}             // WSQ SOI marker
	sigJPEG = []byte{0xFF, 0xD8}             // JPEG SOI marker
	sigPNG  = []byte("\x89PNG\r\n\x1a\n")    // PNG file signature
	sigJP2  = []byte("\x00\x00\x00\x0cjP  ") // JPEG 2000 signature box
	sigJ2K  = []byte{0xFF, 0x4F, 0xFF, 0x51} // JPEG 2000 codestream SOC + SIZ
)

// SniffCompression recognises the image format from its first bytes: "WSQ20", "JPEGB"
// (baseline and lossless JPEG share the SOI marker), "PNG", "JP2", or "" if unknown.
func SniffCompression(data []byte) string {
	switch {
	case bytes.HasPrefix(data, sigWSQ):
		return "WSQ20"
	case bytes.HasPrefix(data, sigJPEG):
		return "JPEGB"
	case bytes.HasPrefix(data, sigPNG):
		return "PNG"
	case bytes.HasPrefix(data, sigJP2), bytes.HasPrefix(data, sigJ2K):
		return "JP2"
	}
	return ""
}

// signatureMatches reports whether data starts as the compression code requires. NONE (raw
// pixels) and unknown codes have no signature and always match.
func signatureMatches(code string, data []byte) bool {
	switch code {
	case "WSQ20", "WSQ":
		return bytes.HasPrefix(data, sigWSQ)
	case "JPEGB", "JPEGL":
		return bytes.HasPrefix(data, sigJPEG)
	case "PNG":
		return bytes.HasPrefix(data, sigPNG)
	case "JP2", "JP2L":
		return bytes.HasPrefix(data, sigJP2) || bytes.HasPrefix(data, sigJ2K)
	}
	return true
}

// Image is one image found in a transaction.
type Image struct {
	Record      int // index of the record in the transaction
	Type        int
	IDC         int
	Compression string
	Data        []byte
}

// Images lists the image data of every record that carries some, in file order.
func (t *Transaction) Images() []Image {
	var out []Image
	for i, r := range t.records {
		if data, c := r.Image(); data != nil {
			out = append(out, Image{Record: i, Type: r.Type, IDC: r.IDC(), Compression: c, Data: data})
		}
	}
	return out
}
