// Package nist reads and writes ANSI/NIST-ITL 1-2011 (Update 2015) transactions in the
// traditional binary encoding: the format in which fingerprints and faces travel to Eurodac,
// SIS and most AFIS systems.
//
// The package is generic. It knows the record layouts, separators, lengths and mandatory
// fields of the standard, but no profile: which fields a particular receiver (for example
// Eurodac, see package eurodac) expects is decided by the caller. Images are opaque bytes
// plus a compression code ("WSQ20", "JPEGB", "PNG", ...); decoding them is the job of other
// packages, so this one has no codec dependency.
//
// A parsed transaction keeps every record, field, tag spelling and value byte as read, so
// writing back an unmodified transaction reproduces the input byte for byte. Record types
// the package does not model (binary Types 3, 5, 6, 7, 8 and unknown binary types) are kept
// as opaque bytes; tagged records of any type number are parsed field by field.
//
// Not supported: the XML (NIEM) encoding, and the legacy <STX>/<ETX> embedded character-set
// switches (the bytes are preserved but not interpreted).
package nist

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Separators of the traditional encoding.
const (
	FS = 0x1C // file separator: ends a record
	GS = 0x1D // group separator: between fields
	RS = 0x1E // record separator: between subfields
	US = 0x1F // unit separator: between information items
)

// ErrFormat is wrapped by every error that reports a structurally broken transaction, so a
// caller can tell "this file is not ANSI/NIST" apart from I/O errors.
var ErrFormat = errors.New("malformed ANSI/NIST transaction")

// ParseError says where a transaction is broken.
type ParseError struct {
	Offset int    // byte offset in the input where the problem was found
	Record int    // record index (0 = the Type-1 record), -1 if unknown
	Type   int    // record type, 0 if unknown
	Field  string // tag such as "14.013", empty if not field-specific
	Reason string
}

func (e *ParseError) Error() string {
	where := fmt.Sprintf("offset %d", e.Offset)
	if e.Record >= 0 {
		where = fmt.Sprintf("record %d (Type-%d) at offset %d", e.Record, e.Type, e.Offset)
	}
	if e.Field != "" {
		where += " field " + e.Field
	}
	return fmt.Sprintf("ansi/nist: %s: %s", where, e.Reason)
}

func (e *ParseError) Unwrap() error { return ErrFormat }

// Transaction is one ANSI/NIST-ITL file: a Type-1 record followed by the records its CNT
// field lists.
type Transaction struct {
	records []*Record
}

// Records returns the records in file order; Records()[0] is the Type-1 record. The slice
// is the transaction's own: change records through their methods, and add or remove them
// with Add and Remove so that CNT stays consistent.
func (t *Transaction) Records() []*Record { return t.records }

// Type1 returns the transaction information record.
func (t *Transaction) Type1() *Record {
	if len(t.records) == 0 {
		return nil
	}
	return t.records[0]
}

// RecordsOfType returns the records of one type in file order.
func (t *Transaction) RecordsOfType(typ int) []*Record {
	var out []*Record
	for _, r := range t.records {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Add appends a record and updates the Type-1 CNT field. Type-1 cannot be added (a
// transaction has exactly one).
func (t *Transaction) Add(r *Record) error {
	if r == nil {
		return errors.New("ansi/nist: add: nil record")
	}
	if r.Type == 1 {
		return errors.New("ansi/nist: add: a transaction has exactly one Type-1 record")
	}
	if r.Type < 2 || r.Type > 99 {
		return fmt.Errorf("ansi/nist: add: record type %d outside 2-99", r.Type)
	}
	t.records = append(t.records, r)
	t.syncCNT()
	return nil
}

// Remove deletes the record at index i (i ≥ 1) and updates the Type-1 CNT field.
func (t *Transaction) Remove(i int) error {
	if i < 1 || i >= len(t.records) {
		return fmt.Errorf("ansi/nist: remove: no record at index %d (have 1-%d)", i, len(t.records)-1)
	}
	t.records = append(t.records[:i], t.records[i+1:]...)
	t.syncCNT()
	return nil
}

// syncCNT brings the Type-1 CNT field in line with the records (the writer does the same
// for changes made behind the transaction's back, such as a new IDC).
func (t *Transaction) syncCNT() {
	if len(t.records) > 0 && t.records[0].Type == 1 && t.records[0].raw == nil {
		_ = t.records[0].set(3, t.cntValue())
	}
}

// Field is one field of a record. Value holds the bytes between ':' and the next separator,
// with subfield (RS) and item (US) separators left in place; for field 999 of a tagged
// record it is the binary image data.
type Field struct {
	Num   int
	tag   []byte // tag exactly as read ("1.001", "01.001"); nil for fields built in code
	Value []byte
}

// tagText returns the tag as written in the file, or the canonical "T.NNN" for a field
// built in code.
func (f *Field) tagText(typ int) []byte {
	if f.tag != nil {
		return f.tag
	}
	return []byte(fmt.Sprintf("%d.%03d", typ, f.Num))
}

// String returns the value as text (separators included).
func (f *Field) String() string { return string(f.Value) }

// Subfields splits the value at RS.
func (f *Field) Subfields() []string {
	return splitString(f.Value, RS)
}

// Items splits the value into subfields (RS) and those into information items (US).
func (f *Field) Items() [][]string {
	subs := bytes.Split(f.Value, []byte{RS})
	out := make([][]string, len(subs))
	for i, s := range subs {
		out[i] = splitString(s, US)
	}
	return out
}

// Item returns information item j of subfield i (both from 0), or "" when absent.
func (f *Field) Item(i, j int) string {
	items := f.Items()
	if i < 0 || i >= len(items) || j < 0 || j >= len(items[i]) {
		return ""
	}
	return items[i][j]
}

func splitString(b []byte, sep byte) []string {
	parts := bytes.Split(b, []byte{sep})
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}

// Record is one logical record. Tagged records (Types 1, 2, 9-99 except the binary ones)
// and the binary Type-4 expose fields; Type-4's fixed header is presented as fields
// 4.001-4.008 plus 4.999 for the image, all as decimal text, so every record is read the
// same way. Other binary records are opaque.
type Record struct {
	Type   int
	fields []*Field
	raw    []byte // opaque binary records only
}

// NewRecord returns an empty tagged record of the given type with its IDC (field .002) set.
// Field .001 LEN is computed when the transaction is written.
func NewRecord(typ, idc int) (*Record, error) {
	if typ < 2 || typ > 99 || binaryLayout(typ) != nil || opaqueBinary(typ) {
		return nil, fmt.Errorf("ansi/nist: new record: Type-%d is not a tagged record type", typ)
	}
	if idc < 0 || idc > 99 {
		return nil, fmt.Errorf("ansi/nist: new record: IDC %d outside 0-99", idc)
	}
	r := &Record{Type: typ}
	r.fields = []*Field{{Num: 1}, {Num: 2, Value: []byte(fmt.Sprintf("%02d", idc))}}
	return r, nil
}

// NewOpaqueRecord wraps the complete bytes of a binary record (its 4-byte length included)
// that this package does not model, such as a Type-7 or Type-8 record.
func NewOpaqueRecord(typ int, raw []byte) (*Record, error) {
	if typ == 1 || typ == 4 || !opaqueBinary(typ) {
		return nil, fmt.Errorf("ansi/nist: opaque record: Type-%d is not kept as opaque bytes", typ)
	}
	if len(raw) < 5 || int(be32(raw)) != len(raw) {
		return nil, fmt.Errorf("ansi/nist: opaque record: the 4-byte length must equal the record size %d", len(raw))
	}
	return &Record{Type: typ, raw: bytes.Clone(raw)}, nil
}

// Opaque reports whether the record is kept as raw bytes without fields.
func (r *Record) Opaque() bool { return r.raw != nil }

// Raw returns the bytes of an opaque record (nil for other records).
func (r *Record) Raw() []byte { return r.raw }

// Fields returns the fields in record order (nil for opaque records).
func (r *Record) Fields() []*Field { return r.fields }

// Field returns field num of the record (e.g. 13 for 14.013), or nil when absent.
func (r *Record) Field(num int) *Field {
	for _, f := range r.fields {
		if f.Num == num {
			return f
		}
	}
	return nil
}

// Value returns field num as text, or "" when absent.
func (r *Record) Value(num int) string {
	if f := r.Field(num); f != nil {
		return string(f.Value)
	}
	return ""
}

// Int returns field num as a decimal integer.
func (r *Record) Int(num int) (int, error) {
	f := r.Field(num)
	if f == nil {
		return 0, fmt.Errorf("ansi/nist: Type-%d field %s absent", r.Type, FieldName(r.Type, num))
	}
	n, err := strconv.Atoi(string(f.Value))
	if err != nil {
		return 0, fmt.Errorf("ansi/nist: Type-%d field %s: %q is not an integer", r.Type, FieldName(r.Type, num), f.Value)
	}
	return n, nil
}

// IDC returns the information designation character that links the record to the CNT
// entry of the Type-1 record; Type-1 itself has none and returns 0. -1 means unreadable.
func (r *Record) IDC() int {
	if r.Type == 1 {
		return 0
	}
	if r.raw != nil {
		if len(r.raw) < 5 {
			return -1
		}
		return int(r.raw[4])
	}
	n, err := r.Int(2)
	if err != nil {
		return -1
	}
	return n
}

// SetField sets field num to a text value, replacing it in place or inserting it in field
// number order (field 999 always stays last). RS and US may be used to build subfields and
// items; FS and GS would end the field early and are refused. Field 1 (LEN) is computed by
// the writer and cannot be set.
func (r *Record) SetField(num int, value string) error {
	if containsByte(value, FS, GS) {
		return fmt.Errorf("ansi/nist: set %s: value contains a field or record separator", FieldName(r.Type, num))
	}
	return r.set(num, []byte(value))
}

// SetItems sets field num from subfields of information items, joining them with RS and US.
func (r *Record) SetItems(num int, subfields ...[]string) error {
	var b bytes.Buffer
	for i, sub := range subfields {
		if i > 0 {
			b.WriteByte(RS)
		}
		for j, it := range sub {
			if containsByte(it, FS, GS, RS, US) {
				return fmt.Errorf("ansi/nist: set %s: item %d.%d contains a separator", FieldName(r.Type, num), i+1, j+1)
			}
			if j > 0 {
				b.WriteByte(US)
			}
			b.WriteString(it)
		}
	}
	return r.set(num, b.Bytes())
}

// SetData sets the binary field 999 of a tagged record (image data) or the image of a
// Type-4 record. The bytes are not copied.
func (r *Record) SetData(data []byte) error {
	return r.set(999, data)
}

// DeleteField removes field num if present.
func (r *Record) DeleteField(num int) {
	for i, f := range r.fields {
		if f.Num == num {
			r.fields = append(r.fields[:i], r.fields[i+1:]...)
			return
		}
	}
}

func (r *Record) set(num int, v []byte) error {
	if r.raw != nil {
		return fmt.Errorf("ansi/nist: set %s: Type-%d records are kept as opaque bytes", FieldName(r.Type, num), r.Type)
	}
	if num < 2 || num > 999 {
		return fmt.Errorf("ansi/nist: set field %d: field numbers run from 2 to 999 (LEN is computed)", num)
	}
	if r.Type == 4 && binaryLayout(4).index(num) < 0 {
		return fmt.Errorf("ansi/nist: set %s: Type-4 has no such field", FieldName(r.Type, num))
	}
	if f := r.Field(num); f != nil {
		f.Value = v
		return nil
	}
	nf := &Field{Num: num, Value: v}
	at := len(r.fields)
	for i, f := range r.fields {
		if f.Num > num {
			at = i
			break
		}
	}
	r.fields = append(r.fields, nil)
	copy(r.fields[at+1:], r.fields[at:])
	r.fields[at] = nf
	return nil
}

func containsByte(s string, seps ...byte) bool {
	for i := 0; i < len(s); i++ {
		for _, c := range seps {
			if s[i] == c {
				return true
			}
		}
	}
	return false
}
