package nist

import (
	"errors"
	"fmt"
	"time"
)

// VersionCurrent is the 1.002 VER value of ANSI/NIST-ITL 1-2011 Update 2015.
const VersionCurrent = "0502"

// Header holds the Type-1 transaction information for a new transaction.
type Header struct {
	Version     string    // 1.002 VER; VersionCurrent when empty
	Type        string    // 1.004 TOT, the transaction type the receiver defines
	Date        time.Time // 1.005 DAT (local date of the transaction) and 1.014 GMT
	Priority    int       // 1.006 PRY 1-9; 0 leaves the field out
	Destination string    // 1.007 DAI
	Originator  string    // 1.008 ORI
	ControlNum  string    // 1.009 TCN, unique per transaction
	ControlRef  string    // 1.010 TCR, the TCN this transaction answers or replaces; optional
	NativePPMM  string    // 1.011 NSR, "NN.NN" pixels/mm; "00.00" when empty
	NominalPPMM string    // 1.012 NTR, "NN.NN" pixels/mm; "00.00" when empty
	Domain      string    // 1.013 DOM domain name; optional
	DomainVer   string    // 1.013 DOM domain version; optional
	UTF8        bool      // declare 1.015 DCS 3 (UTF-8) for text in the other records
}

// New starts a transaction with its Type-1 record. Records are added with Add; LEN and CNT
// are filled in when it is written.
func New(h Header) (*Transaction, error) {
	if h.Version == "" {
		h.Version = VersionCurrent
	}
	if h.NativePPMM == "" {
		h.NativePPMM = "00.00"
	}
	if h.NominalPPMM == "" {
		h.NominalPPMM = "00.00"
	}
	var missing []string
	for _, m := range []struct{ name, v string }{{"transaction type (TOT)", h.Type}, {"destination agency (DAI)", h.Destination},
		{"originating agency (ORI)", h.Originator}, {"control number (TCN)", h.ControlNum}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if h.Date.IsZero() {
		missing = append(missing, "date")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("ansi/nist: new transaction: missing %v", missing)
	}
	if h.Priority < 0 || h.Priority > 9 {
		return nil, fmt.Errorf("ansi/nist: new transaction: priority %d outside 1-9", h.Priority)
	}
	t1 := &Record{Type: 1, fields: []*Field{{Num: 1}}}
	set := func(num int, v string) error {
		if err := checkText(CharSetASCII, []byte(v)); err != nil {
			return fmt.Errorf("ansi/nist: new transaction: %s: %w", FieldName(1, num), err)
		}
		return t1.SetField(num, v)
	}
	type kv struct {
		num int
		v   string
	}
	steps := []kv{
		{2, h.Version}, {3, "1\x1f0"}, {4, h.Type}, {5, h.Date.Format("20060102")},
		{7, h.Destination}, {8, h.Originator}, {9, h.ControlNum}, {11, h.NativePPMM}, {12, h.NominalPPMM},
		{14, h.Date.UTC().Format("20060102150405Z")},
	}
	if h.Priority > 0 {
		steps = append(steps, kv{6, fmt.Sprint(h.Priority)})
	}
	if h.ControlRef != "" {
		steps = append(steps, kv{10, h.ControlRef})
	}
	if h.Domain != "" {
		steps = append(steps, kv{13, h.Domain + "\x1f" + h.DomainVer})
	}
	if h.UTF8 {
		steps = append(steps, kv{15, "3\x1fUTF-8"})
	}
	for _, s := range steps {
		if err := set(s.num, s.v); err != nil {
			return nil, err
		}
	}
	return &Transaction{records: []*Record{t1}}, nil
}

// NextIDC returns the lowest IDC above those already used by records after Type-1.
func (t *Transaction) NextIDC() int {
	max := -1
	for _, r := range t.records[1:] {
		if r.IDC() > max {
			max = r.IDC()
		}
	}
	return max + 1
}

// ErrImage is wrapped by errors about image data given to the record builders.
var ErrImage = errors.New("unusable image for ANSI/NIST record")

// Finger describes one friction-ridge image (or a missing finger) for a Type-14 record.
type Finger struct {
	IDC        int
	Position   int       // 14.013 FGP: 1-10 single fingers, 13-15 slaps, 0 unknown
	Impression int       // 14.003 IMP (Table 7): 0 plain live-scan, 1 rolled live-scan, ...
	Source     string    // 14.004 SRC: agency that captured the image
	Captured   time.Time // 14.005 FCD
	Width      int       // 14.006 HLL in pixels
	Height     int       // 14.007 VLL
	PPI        int       // 14.009/14.010 with SLC 1 (pixels per inch)
	Data       []byte    // 14.999: the compressed image; nil for a missing finger
	// Compression is the 14.011 CGA code; recognised from Data when empty.
	Compression string
	// Missing is "XX" (amputated) or "UP" (unable to print) for a finger without image;
	// it becomes 14.018 AMP.
	Missing string
	Comment string // 14.020 COM; optional
}

// NewFingerprint builds a Type-14 variable-resolution friction-ridge record. For a finger
// without image (Missing set) the record carries 14.018 AMP and no image fields.
func NewFingerprint(f Finger) (*Record, error) {
	r, err := NewRecord(14, f.IDC)
	if err != nil {
		return nil, err
	}
	if f.Position < 0 || f.Position > 50 {
		return nil, fmt.Errorf("ansi/nist: fingerprint: position %d outside Table 8", f.Position)
	}
	if f.Source == "" || f.Captured.IsZero() {
		return nil, fmt.Errorf("ansi/nist: fingerprint %d: source agency and capture date are required", f.Position)
	}
	fields := map[int]string{3: fmt.Sprint(f.Impression), 4: f.Source, 5: f.Captured.Format("20060102"), 13: fmt.Sprint(f.Position)}
	if f.Comment != "" {
		fields[20] = f.Comment
	}
	switch {
	case f.Missing != "":
		if f.Missing != "XX" && f.Missing != "UP" {
			return nil, fmt.Errorf("ansi/nist: fingerprint %d: missing code %q, want XX (amputated) or UP (unable to print)", f.Position, f.Missing)
		}
		if len(f.Data) > 0 {
			return nil, fmt.Errorf("ansi/nist: fingerprint %d: marked %s but has image data", f.Position, f.Missing)
		}
		fields[18] = fmt.Sprintf("%d\x1f%s", f.Position, f.Missing)
	default:
		code, err := imageCode(fmt.Sprintf("fingerprint %d", f.Position), f.Compression, f.Data, f.Width, f.Height)
		if err != nil {
			return nil, err
		}
		if f.PPI <= 0 || f.PPI > 99999 {
			return nil, fmt.Errorf("ansi/nist: fingerprint %d: resolution %d ppi is not usable", f.Position, f.PPI)
		}
		for num, v := range map[int]string{6: fmt.Sprint(f.Width), 7: fmt.Sprint(f.Height), 8: "1", 9: fmt.Sprint(f.PPI),
			10: fmt.Sprint(f.PPI), 11: code, 12: "8"} {
			fields[num] = v
		}
	}
	for num, v := range fields {
		if err := r.SetField(num, v); err != nil {
			return nil, err
		}
	}
	if f.Missing == "" {
		_ = r.SetData(f.Data)
	}
	return r, nil
}

// Face describes a facial image for a Type-10 record.
type Face struct {
	IDC      int
	Source   string    // 10.004 SRC
	Captured time.Time // 10.005 PHD
	Width    int       // 10.006 HLL
	Height   int       // 10.007 VLL
	// ColorSpace is 10.012 CSP: "SRGB" for colour (the default), "GRAY" for greyscale.
	ColorSpace string
	// Profile is 10.013 SAP, the subject acquisition profile (Table 22 of the standard);
	// 0 leaves it out.
	Profile int
	Data    []byte
	// Compression is the 10.011 CGA code: "JPEGB", "PNG", "JP2", ...; recognised from Data
	// when empty.
	Compression string
}

// NewFaceRecord builds a Type-10 facial record (IMT FACE). Pixel aspect ratio is given as
// 1:1 with no scale (SLC 0), the usual encoding for photographs whose resolution in pixels
// per inch is not meaningful.
func NewFaceRecord(f Face) (*Record, error) {
	r, err := NewRecord(10, f.IDC)
	if err != nil {
		return nil, err
	}
	if f.Source == "" || f.Captured.IsZero() {
		return nil, errors.New("ansi/nist: face: source agency and capture date are required")
	}
	code, err := imageCode("face", f.Compression, f.Data, f.Width, f.Height)
	if err != nil {
		return nil, err
	}
	if code == "WSQ20" {
		return nil, fmt.Errorf("ansi/nist: face: WSQ is for fingerprints; use JPEG, JPEG 2000 or PNG: %w", ErrImage)
	}
	csp := f.ColorSpace
	if csp == "" {
		csp = "SRGB"
	}
	fields := map[int]string{3: "FACE", 4: f.Source, 5: f.Captured.Format("20060102"), 6: fmt.Sprint(f.Width),
		7: fmt.Sprint(f.Height), 8: "0", 9: "1", 10: "1", 11: code, 12: csp}
	if f.Profile > 0 {
		fields[13] = fmt.Sprint(f.Profile)
	}
	for num, v := range fields {
		if err := r.SetField(num, v); err != nil {
			return nil, err
		}
	}
	_ = r.SetData(f.Data)
	return r, nil
}

// imageCode checks image bytes and dimensions and settles the compression code.
func imageCode(what, code string, data []byte, w, h int) (string, error) {
	if len(data) == 0 {
		return "", fmt.Errorf("ansi/nist: %s: no image data: %w", what, ErrImage)
	}
	if w < 10 || h < 10 || w > 99999 || h > 99999 {
		return "", fmt.Errorf("ansi/nist: %s: size %dx%d outside 10-99999 pixels: %w", what, w, h, ErrImage)
	}
	if code == "" {
		code = SniffCompression(data)
		if code == "" {
			return "", fmt.Errorf("ansi/nist: %s: image format not recognised (starts % X); give the compression code: %w", what, data[:min(4, len(data))], ErrImage)
		}
	}
	if compressionNumber(code) < 0 {
		return "", fmt.Errorf("ansi/nist: %s: %q is not a compression code: %w", what, code, ErrImage)
	}
	if !signatureMatches(code, data) {
		return "", fmt.Errorf("ansi/nist: %s: data does not start like %s (starts % X): %w", what, code, data[:min(4, len(data))], ErrImage)
	}
	if code == "NONE" && len(data) != w*h {
		return "", fmt.Errorf("ansi/nist: %s: %d raw bytes for %dx%d 8-bit pixels: %w", what, len(data), w, h, ErrImage)
	}
	return code, nil
}

// SourceImage describes a source representation for a Type-20 record: an original image
// (here: the scanned page of an identity document) kept as it was acquired, from which
// other records may be derived.
type SourceImage struct {
	IDC int
	// Cardinality is 20.003 CAR, the code for how many derived representations the
	// source feeds ("D": one).
	Cardinality string
	Source      string    // 20.004 SRC: agency that acquired the image
	Date        time.Time // 20.005 SRD: date the source representation was acquired
	Width       int       // 20.006 HLL
	Height      int       // 20.007 VLL
	// ColorSpace is 20.013 CSP: "SRGB" (the default) or "GRAY".
	ColorSpace string
	// Acquisition is the 20.014 AQS acquisition source type (first information item).
	Acquisition string
	// FileType is 20.015 SFT's file type item (3-6 characters, e.g. "JPG").
	FileType string
	Number   int    // 20.021 SRN 1-255: the number derived records refer to
	Comment  string // 20.020 COM; optional
	Data     []byte // 20.999
	// Compression is the 20.011 CGA code; recognised from Data when empty.
	Compression string
}

// NewSourceRecord builds a Type-20 source representation record with its image. Pixel
// aspect ratio is given as 1:1 with no scale (SLC 0), as for photographs; the image is
// 8 bits per colour channel (BPX 24 for colour, 8 for grey).
func NewSourceRecord(s SourceImage) (*Record, error) {
	r, err := NewRecord(20, s.IDC)
	if err != nil {
		return nil, err
	}
	if s.Cardinality == "" || s.Source == "" || s.Date.IsZero() {
		return nil, errors.New("ansi/nist: source representation: cardinality, source agency and date are required")
	}
	if s.Number < 1 || s.Number > 255 {
		return nil, fmt.Errorf("ansi/nist: source representation: number %d outside 1-255", s.Number)
	}
	if n := len(s.FileType); n < 3 || n > 6 {
		return nil, fmt.Errorf("ansi/nist: source representation: file type %q must be 3-6 characters", s.FileType)
	}
	code, err := imageCode("source representation", s.Compression, s.Data, s.Width, s.Height)
	if err != nil {
		return nil, err
	}
	csp, bpx := s.ColorSpace, "24"
	switch csp {
	case "":
		csp = "SRGB"
	case "GRAY":
		bpx = "8"
	}
	fields := map[int]string{3: s.Cardinality, 4: s.Source, 5: s.Date.Format("20060102"), 6: fmt.Sprint(s.Width),
		7: fmt.Sprint(s.Height), 8: "0", 9: "1", 10: "1", 11: code, 12: bpx, 13: csp, 15: s.FileType, 21: fmt.Sprint(s.Number)}
	if s.Acquisition != "" {
		fields[14] = s.Acquisition
	}
	if s.Comment != "" {
		fields[20] = s.Comment
	}
	for num, v := range fields {
		if err := r.SetField(num, v); err != nil {
			return nil, err
		}
	}
	_ = r.SetData(s.Data)
	return r, nil
}
