package nist

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// MaxTransactionSize bounds what Parse reads from a stream (1 GiB). Every length inside a
// transaction is checked against the bytes actually present before anything is allocated,
// so a hostile length field cannot make the parser allocate more than the input size.
const MaxTransactionSize = 1 << 30

// Parse reads a whole transaction from r.
func Parse(r io.Reader) (*Transaction, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxTransactionSize+1))
	if err != nil {
		return nil, fmt.Errorf("ansi/nist: read transaction: %w", err)
	}
	if len(b) > MaxTransactionSize {
		return nil, &ParseError{Offset: MaxTransactionSize, Record: -1, Reason: fmt.Sprintf("transaction larger than %d bytes", MaxTransactionSize)}
	}
	return ParseBytes(b)
}

// ParseBytes parses a transaction held in memory. The transaction refers to b (no copy is
// made, which keeps parsing cheap for multi-megabyte image files), so b must not be changed
// afterwards.
func ParseBytes(b []byte) (*Transaction, error) {
	if len(b) == 0 {
		return nil, &ParseError{Record: -1, Reason: "empty input: not an ANSI/NIST transaction"}
	}
	t1, n, err := parseTagged(b, 0, 0, 1)
	if err != nil {
		return nil, err
	}
	entries, err := parseCNT(t1)
	if err != nil {
		return nil, err
	}
	t := &Transaction{records: make([]*Record, 0, 1+len(entries))}
	t.records = append(t.records, t1)
	off := n
	for i, e := range entries {
		idx := i + 1
		if off >= len(b) {
			return nil, &ParseError{Offset: off, Record: idx, Type: e.typ,
				Reason: fmt.Sprintf("the Type-1 CNT field lists %d records but the file ends after record %d; the file is truncated", len(entries), i)}
		}
		var rec *Record
		var size int
		switch {
		case binaryLayout(e.typ) != nil:
			rec, size, err = parseType4(b, off, idx)
		case opaqueBinary(e.typ) || (!taggedType(e.typ) && !looksTagged(b[off:])):
			rec, size, err = parseOpaque(b, off, idx, e.typ)
		default:
			rec, size, err = parseTagged(b, off, idx, e.typ)
		}
		if err != nil {
			return nil, err
		}
		if rec.raw == nil {
			if err := checkIDCField(rec); err != nil {
				return nil, &ParseError{Offset: off, Record: idx, Type: e.typ, Field: FieldName(e.typ, 2), Reason: err.Error()}
			}
		}
		t.records = append(t.records, rec)
		off += size
	}
	if off != len(b) {
		return nil, &ParseError{Offset: off, Record: -1,
			Reason: fmt.Sprintf("%d bytes after the last record listed in the Type-1 CNT field (1.003); CNT or a record length is wrong", len(b)-off)}
	}
	return t, nil
}

type cntEntry struct{ typ, idc int }

// parseCNT reads the record list from field 1.003. The first subfield is "1 US count"; each
// further subfield is "type US IDC".
func parseCNT(t1 *Record) ([]cntEntry, error) {
	f := t1.Field(3)
	if f == nil {
		return nil, &ParseError{Record: 0, Type: 1, Field: "1.003 CNT", Reason: "missing: the record list is needed to read the rest of the file"}
	}
	subs := bytes.Split(f.Value, []byte{RS})
	var out []cntEntry
	for i, s := range subs {
		items := bytes.Split(s, []byte{US})
		if len(items) != 2 {
			return nil, &ParseError{Record: 0, Type: 1, Field: "1.003 CNT", Reason: fmt.Sprintf("subfield %d has %d items, want 2 (type and IDC)", i+1, len(items))}
		}
		typ, err1 := atoiStrict(items[0])
		idc, err2 := atoiStrict(items[1])
		if err1 != nil || err2 != nil {
			return nil, &ParseError{Record: 0, Type: 1, Field: "1.003 CNT", Reason: fmt.Sprintf("subfield %d: %q is not two integers", i+1, s)}
		}
		if i == 0 {
			if typ != 1 {
				return nil, &ParseError{Record: 0, Type: 1, Field: "1.003 CNT", Reason: fmt.Sprintf("first subfield names Type-%d, want Type-1", typ)}
			}
			continue
		}
		if typ < 2 || typ > 99 {
			return nil, &ParseError{Record: 0, Type: 1, Field: "1.003 CNT", Reason: fmt.Sprintf("subfield %d: record type %d outside 2-99", i+1, typ)}
		}
		out = append(out, cntEntry{typ, idc})
	}
	return out, nil
}

// looksTagged reports whether b starts like a tagged record ("NN.").
func looksTagged(b []byte) bool {
	i := 0
	for i < len(b) && i < 3 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i > 0 && i < len(b) && b[i] == '.'
}

// parseTagged parses one tagged record at b[off:]. The record's LEN field (always first)
// gives its size; the record must end with FS at exactly that position.
func parseTagged(b []byte, off, idx, typ int) (*Record, int, error) {
	perr := func(at int, field, format string, args ...any) error {
		return &ParseError{Offset: at, Record: idx, Type: typ, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	rest := b[off:]
	tag, tTyp, num, p, err := readTag(rest, typ)
	if err != nil {
		return nil, 0, perr(off, "", "%v", err)
	}
	if num != 1 {
		return nil, 0, perr(off, "", "record starts with field %s, want the length field %d.001", tag, typ)
	}
	if tTyp != typ {
		return nil, 0, perr(off, "", "record is tagged Type-%d but the Type-1 CNT field says Type-%d", tTyp, typ)
	}
	end := p
	for end < len(rest) && end-p <= 12 && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end == p || end-p > 12 || end >= len(rest) || (rest[end] != GS && rest[end] != FS) {
		return nil, 0, perr(off, FieldName(typ, 1), "record length is not a decimal number followed by a separator")
	}
	size, err := strconv.Atoi(string(rest[p:end]))
	if err != nil || size <= end {
		return nil, 0, perr(off, FieldName(typ, 1), "record length %q is impossible", rest[p:end])
	}
	if size > len(rest) {
		return nil, 0, perr(off, FieldName(typ, 1), "record claims %d bytes but only %d remain; the file is truncated or LEN is wrong", size, len(rest))
	}
	if rest[size-1] != FS {
		return nil, 0, perr(off+size-1, FieldName(typ, 1), "byte %d of the record (its declared end) is 0x%02X, not the record separator FS; LEN is wrong", size, rest[size-1])
	}
	body := rest[:size-1]
	// Fields are allocated in growing slabs instead of one by one: a record with thousands
	// of text fields costs a handful of allocations, each bounded by fields actually read.
	var slab []Field
	rec := &Record{Type: typ}
	newField := func(f Field) *Field {
		if len(slab) == cap(slab) {
			slab = make([]Field, 0, min(8+2*cap(slab), 1024))
		}
		slab = append(slab, f)
		return &slab[len(slab)-1]
	}
	rec.fields = append(rec.fields, newField(Field{Num: 1, tag: tag, Value: body[p:end]}))
	pos := end
	last := 1
	var seen [1000]bool
	seen[1] = true
	for pos < len(body) {
		if body[pos] != GS {
			return nil, 0, perr(off+pos, "", "expected a field separator after field %d.%03d", typ, last)
		}
		pos++
		ftag, fTyp, fnum, vp, err := readTag(body[pos:], typ)
		if err != nil {
			return nil, 0, perr(off+pos, "", "after field %d.%03d: %v", typ, last, err)
		}
		if fTyp != typ {
			return nil, 0, perr(off+pos, string(ftag), "field tag names Type-%d inside a Type-%d record", fTyp, typ)
		}
		if seen[fnum] {
			return nil, 0, perr(off+pos, string(ftag), "field appears twice in the record")
		}
		seen[fnum] = true
		vstart := pos + vp
		var vend int
		if fnum == 999 {
			// Binary image data runs to the end of the record; it may contain any byte.
			vend = len(body)
		} else {
			i := bytes.IndexByte(body[vstart:], GS)
			if i < 0 {
				vend = len(body)
			} else {
				vend = vstart + i
			}
		}
		rec.fields = append(rec.fields, newField(Field{Num: fnum, tag: ftag, Value: body[vstart:vend]}))
		last = fnum
		pos = vend
	}
	return rec, size, nil
}

// readTag reads "T.NNN:" at the start of b and returns the tag bytes, the type and field
// numbers and the offset just after ':'.
func readTag(b []byte, typ int) (tag []byte, tTyp, num, next int, err error) {
	colon := -1
	for i := 0; i < len(b) && i < 16; i++ {
		if b[i] == ':' {
			colon = i
			break
		}
		if b[i] < '0' && b[i] != '.' || b[i] > '9' {
			break
		}
	}
	if colon < 0 {
		return nil, 0, 0, 0, fmt.Errorf("expected a field tag like %d.NNN: followed by ':'", typ)
	}
	tag = b[:colon]
	dot := bytes.IndexByte(tag, '.')
	if dot <= 0 || dot == len(tag)-1 {
		return nil, 0, 0, 0, fmt.Errorf("field tag %q is not TYPE.FIELD", tag)
	}
	tTyp, err1 := atoiStrict(tag[:dot])
	num, err2 := atoiStrict(tag[dot+1:])
	if err1 != nil || err2 != nil || num < 1 || num > 999 {
		return nil, 0, 0, 0, fmt.Errorf("field tag %q is not TYPE.FIELD with a field number 1-999", tag)
	}
	return tag, tTyp, num, colon + 1, nil
}

// parseType4 decodes the 18-byte Type-4 header into fields 4.001-4.008 and the image 4.999.
func parseType4(b []byte, off, idx int) (*Record, int, error) {
	rest := b[off:]
	hs := type4.headerSize()
	if len(rest) < hs {
		return nil, 0, &ParseError{Offset: off, Record: idx, Type: 4, Reason: fmt.Sprintf("only %d bytes left, a Type-4 header needs %d", len(rest), hs)}
	}
	size := int(be32(rest))
	if size < hs || size > len(rest) {
		return nil, 0, &ParseError{Offset: off, Record: idx, Type: 4, Field: "4.001 LEN",
			Reason: fmt.Sprintf("record length %d impossible (header %d bytes, %d bytes remain)", size, hs, len(rest))}
	}
	rec := &Record{Type: 4}
	p := 0
	for i, num := range type4.nums {
		w := type4.widths[i]
		h := rest[p : p+w]
		var v string
		switch {
		case num == 4: // FGP: six one-byte positions
			parts := make([]byte, 0, 24)
			for j, c := range h {
				if j > 0 {
					parts = append(parts, RS)
				}
				parts = strconv.AppendInt(parts, int64(c), 10)
			}
			v = string(parts)
		case w == 4:
			v = strconv.Itoa(int(be32(h)))
		case w == 2:
			v = strconv.Itoa(int(h[0])<<8 | int(h[1]))
		default:
			v = strconv.Itoa(int(h[0]))
		}
		rec.fields = append(rec.fields, &Field{Num: num, Value: []byte(v)})
		p += w
	}
	rec.fields = append(rec.fields, &Field{Num: 999, Value: rest[hs:size]})
	return rec, size, nil
}

// parseOpaque keeps a binary record it does not model: 4-byte big-endian length, 1-byte IDC.
func parseOpaque(b []byte, off, idx, typ int) (*Record, int, error) {
	rest := b[off:]
	if len(rest) < 5 {
		return nil, 0, &ParseError{Offset: off, Record: idx, Type: typ, Reason: fmt.Sprintf("only %d bytes left for a binary record header", len(rest))}
	}
	size := int(be32(rest))
	if size < 5 || size > len(rest) {
		return nil, 0, &ParseError{Offset: off, Record: idx, Type: typ, Field: fmt.Sprintf("%d.001 LEN", typ),
			Reason: fmt.Sprintf("binary record length %d impossible (%d bytes remain)", size, len(rest))}
	}
	return &Record{Type: typ, raw: rest[:size:size]}, size, nil
}

// atoiStrict parses a non-empty run of ASCII digits (no sign, no spaces), at most 9 digits.
func atoiStrict(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 9 {
		return 0, fmt.Errorf("not a number: %q", b)
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number: %q", b)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// checkIDCField insists on a readable IDC: it is what links a record to its CNT entry, so a
// record without one cannot be written back consistently.
func checkIDCField(r *Record) error {
	f := r.Field(2)
	if f == nil {
		return fmt.Errorf("missing: every record after Type-1 needs its IDC")
	}
	if _, err := atoiStrict(f.Value); err != nil {
		return fmt.Errorf("IDC %q is not a number", f.Value)
	}
	return nil
}
