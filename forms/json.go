package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxCaseBytes bounds a case document on import. A real case is a few kilobytes (images are
// separate records); the bound keeps a wrong file from filling memory.
const MaxCaseBytes = 1 << 20

// ErrCaseTooLarge is returned by DecodeCase for input over MaxCaseBytes.
var ErrCaseTooLarge = errors.New("case document larger than 1 MiB")

// DecodeCase reads one case in the JSON import/export format (docs/case-schema.md). Unknown
// fields are an error naming the field, so a typo in an import file is never silently
// dropped; trailing data after the object is an error too. It checks syntax and types only:
// call Validate for the rules.
func DecodeCase(r io.Reader) (*Case, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCaseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("decode case: read: %w", err)
	}
	if len(data) > MaxCaseBytes {
		return nil, fmt.Errorf("decode case: %w", ErrCaseTooLarge)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Case
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode case: %w", describeJSONError(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("decode case: unexpected data after the case object (one case per document)")
	}
	if c.Status == "" {
		c.Status = StatusOpened
	}
	return &c, nil
}

// describeJSONError turns encoding/json's errors into ones that name the field or the
// position, which is what a person fixing an import file needs.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return fmt.Errorf("invalid JSON at line %d column %d: %w", line, col, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("field %s: expected %s, got JSON %s", field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errors.New("empty input: expected a JSON case object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("input ends inside the JSON object (truncated file?)")
	}
	return err
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// MarshalJSON writes the case in the import/export format. A case without a status is
// written as opened, so an export always says where the case stands. The value receiver
// makes Case and *Case marshal alike.
func (c Case) MarshalJSON() ([]byte, error) {
	type plain Case // no methods: avoids recursion
	p := plain(c)
	if p.Status == "" {
		p.Status = StatusOpened
	}
	return json.Marshal(p)
}

// EncodeCase writes c as indented JSON followed by a newline.
func EncodeCase(w io.Writer, c *Case) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode case: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("encode case: %w", err)
	}
	return nil
}

// Clone is a deep copy of the case, through its JSON form (what is stored is what is copied).
// A screen edits a clone and compares it with the case it read.
func (c *Case) Clone() *Case {
	b, err := json.Marshal(c)
	if err != nil {
		panic("forms: a Case always encodes: " + err.Error())
	}
	var n Case
	if err := json.Unmarshal(b, &n); err != nil {
		panic("forms: a Case always decodes its own encoding: " + err.Error())
	}
	return &n
}
