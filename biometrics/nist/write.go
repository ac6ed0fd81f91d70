package nist

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// WriteTo writes the transaction in the traditional encoding. LEN fields are computed and
// the Type-1 CNT field is regenerated when it no longer matches the records; when they are
// still right their original spelling (leading zeros and all) is kept, so an unmodified
// parsed transaction is written back byte for byte.
func (t *Transaction) WriteTo(w io.Writer) (int64, error) {
	b, err := t.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	if err != nil {
		return int64(n), fmt.Errorf("ansi/nist: write transaction: %w", err)
	}
	return int64(n), nil
}

// Bytes returns the encoded transaction (see WriteTo).
func (t *Transaction) Bytes() ([]byte, error) {
	if len(t.records) == 0 || t.records[0].Type != 1 {
		return nil, fmt.Errorf("ansi/nist: write: a transaction starts with its Type-1 record")
	}
	size := 0
	for _, r := range t.records {
		size += r.sizeHint()
	}
	out := make([]byte, 0, size+64)
	var err error
	for i, r := range t.records {
		var override []byte
		if i == 0 {
			override = t.cntValue()
		} else if r.Type == 1 {
			return nil, fmt.Errorf("ansi/nist: write: record %d is a second Type-1 record", i)
		} else if r.raw == nil {
			if err := checkIDCField(r); err != nil {
				return nil, fmt.Errorf("ansi/nist: write record %d (Type-%d): %w", i, r.Type, err)
			}
		}
		if out, err = r.appendTo(out, override); err != nil {
			return nil, fmt.Errorf("ansi/nist: write record %d (Type-%d): %w", i, r.Type, err)
		}
	}
	return out, nil
}

// cntValue returns the CNT value to write: the current one if it matches the records,
// otherwise a freshly generated one ("1 US n" then "type US IDC" per record).
func (t *Transaction) cntValue() []byte {
	var cur []byte
	if f := t.records[0].Field(3); f != nil {
		cur = f.Value
		if entries, err := parseCNT(t.records[0]); err == nil && len(entries) == len(t.records)-1 {
			first := bytes.SplitN(cur, []byte{RS}, 2)[0]
			items := bytes.Split(first, []byte{US})
			n, _ := atoiStrict(items[1])
			ok := n == len(entries)
			for i, e := range entries {
				r := t.records[i+1]
				if e.typ != r.Type || e.idc != r.IDC() {
					ok = false
					break
				}
			}
			if ok {
				return cur
			}
		}
	}
	var b []byte
	b = append(b, '1', US)
	b = strconv.AppendInt(b, int64(len(t.records)-1), 10)
	for _, r := range t.records[1:] {
		b = append(b, RS)
		b = strconv.AppendInt(b, int64(r.Type), 10)
		b = append(b, US)
		b = fmt.Appendf(b, "%02d", r.IDC())
	}
	return b
}

func (r *Record) sizeHint() int {
	if r.raw != nil {
		return len(r.raw)
	}
	n := 16
	for _, f := range r.fields {
		n += len(f.tag) + 8 + len(f.Value)
	}
	return n
}

// appendTo encodes the record. override, when non-nil, replaces the value of field 3 (used
// for the Type-1 CNT).
func (r *Record) appendTo(out []byte, override []byte) ([]byte, error) {
	switch {
	case r.raw != nil:
		if len(r.raw) < 5 || int(be32(r.raw)) != len(r.raw) {
			return out, fmt.Errorf("opaque record length field does not match its %d bytes", len(r.raw))
		}
		return append(out, r.raw...), nil
	case binaryLayout(r.Type) != nil:
		return r.appendBinary(out, binaryLayout(r.Type))
	}
	if len(r.fields) == 0 || r.fields[0].Num != 1 {
		return out, fmt.Errorf("the first field must be %d.001 LEN", r.Type)
	}
	var seen [1000]bool
	for i, f := range r.fields {
		if f.Num < 1 || f.Num > 999 {
			return out, fmt.Errorf("field number %d outside 1-999", f.Num)
		}
		if seen[f.Num] {
			return out, fmt.Errorf("field %s appears twice", FieldName(r.Type, f.Num))
		}
		seen[f.Num] = true
		if f.Num == 999 && i != len(r.fields)-1 {
			return out, fmt.Errorf("field %s must be the last field", FieldName(r.Type, 999))
		}
		if f.Num != 999 && (bytes.IndexByte(f.Value, FS) >= 0 || bytes.IndexByte(f.Value, GS) >= 0) {
			return out, fmt.Errorf("field %s contains a field or record separator", FieldName(r.Type, f.Num))
		}
	}
	// Size of everything except the LEN value itself: each field is tag ':' value and a
	// trailing GS (FS after the last one).
	value := func(f *Field) []byte {
		if f.Num == 3 && override != nil {
			return override
		}
		return f.Value
	}
	base := 0
	for i, f := range r.fields {
		base += len(f.tagText(r.Type)) + 2
		if i > 0 {
			base += len(value(f))
		}
	}
	lenText := r.fields[0].Value
	if n, err := atoiStrict(lenText); err != nil || n != base+len(lenText) {
		lenText = computeLen(base)
	}
	start := len(out)
	for i, f := range r.fields {
		if i > 0 {
			out = append(out, GS)
		}
		out = append(out, f.tagText(r.Type)...)
		out = append(out, ':')
		if i == 0 {
			out = append(out, lenText...)
		} else {
			out = append(out, value(f)...)
		}
	}
	out = append(out, FS)
	if got := len(out) - start; strconv.Itoa(got) != string(trimZeros(lenText)) {
		return out, fmt.Errorf("internal error: record length %d but LEN says %s", got, lenText)
	}
	return out, nil
}

// computeLen finds the decimal n whose own digits complete the record: n = base + len(n).
func computeLen(base int) []byte {
	for d := 1; d < 20; d++ {
		s := strconv.Itoa(base + d)
		if len(s) == d {
			return []byte(s)
		}
	}
	return []byte(strconv.Itoa(base))
}

func trimZeros(b []byte) []byte {
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	return b
}

// appendBinary encodes a Type-4 record from its fields.
func (r *Record) appendBinary(out []byte, l *binLayout) ([]byte, error) {
	data := r.Field(999)
	var img []byte
	if data != nil {
		img = data.Value
	}
	total := l.headerSize() + len(img)
	if total > 0xFFFFFFFF {
		return out, fmt.Errorf("image of %d bytes is too large for a binary record", len(img))
	}
	for i, num := range l.nums {
		w := l.widths[i]
		if num == 1 {
			out = append(out, byte(total>>24), byte(total>>16), byte(total>>8), byte(total))
			continue
		}
		f := r.Field(num)
		if f == nil {
			return out, fmt.Errorf("missing field %s", FieldName(r.Type, num))
		}
		if num == 4 {
			subs := bytes.Split(f.Value, []byte{RS})
			if len(subs) != w {
				return out, fmt.Errorf("field %s needs %d subfields (255 = unused), has %d", FieldName(r.Type, num), w, len(subs))
			}
			for _, s := range subs {
				v, err := atoiStrict(s)
				if err != nil || v > 255 {
					return out, fmt.Errorf("field %s: %q is not a byte value 0-255", FieldName(r.Type, num), s)
				}
				out = append(out, byte(v))
			}
			continue
		}
		v, err := atoiStrict(f.Value)
		if err != nil || v >= 1<<(8*w) {
			return out, fmt.Errorf("field %s: %q does not fit in %d byte(s)", FieldName(r.Type, num), f.Value, w)
		}
		for k := w - 1; k >= 0; k-- {
			out = append(out, byte(v>>(8*k)))
		}
	}
	return append(out, img...), nil
}
