package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/fieldscreen/fieldscreen/forms"
)

// What a screen needs to ask for a correction (Correct, commands.go) and to show the
// history; the rule itself is forms.Case.RecordCorrection.

// CorrectionValue turns what a supervisor typed for path into the JSON value Correct takes:
// where the case holds text there (or nothing), the text itself, empty meaning "clear it";
// where it holds a list, a number or an object, JSON like the current value, which
// CorrectionText shows. The error says which form the value needs.
func CorrectionValue(c *forms.Case, path, text string) (json.RawMessage, error) {
	cur, err := c.FieldValue(path)
	if err != nil {
		return nil, err
	}
	if len(cur) == 0 || cur[0] == '"' {
		if strings.TrimSpace(text) == "" {
			return json.RawMessage("null"), nil
		}
		return json.Marshal(text)
	}
	if !json.Valid([]byte(text)) {
		// the shape of the current value, never the value: the error reaches fieldscreenctl's
		// stderr and the log, where the person's data must not go
		shape := jsonShape(cur)
		return nil, &forms.RuleError{Path: path, Err: forms.ErrFieldPath, Message: forms.Message{
			EN: fmt.Sprintf("Type the value of %s as JSON, in the form of the current one: %s", path, shape),
			NL: fmt.Sprintf("Typ de waarde van %s als JSON, in de vorm van de huidige: %s", path, shape)}}
	}
	return json.RawMessage(text), nil
}

// CorrectionText is a field's JSON value as a screen shows and edits it: text as itself,
// anything else as compact JSON, nothing as "".
func CorrectionText(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// jsonShape describes the form of JSON value v without its data: the member names of an
// object (names of the case schema), "…" for text, 0 for a number, a list by its first
// element.
func jsonShape(v json.RawMessage) string {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return "JSON"
	}
	var shape func(x any) string
	shape = func(x any) string {
		switch t := x.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, fmt.Sprintf("%q: …", k))
			}
			sort.Strings(keys)
			return "{" + strings.Join(keys, ", ") + "}"
		case []any:
			if len(t) == 0 {
				return "[]"
			}
			return "[" + shape(t[0]) + ", …]"
		case string:
			return `"…"`
		case float64:
			return "0"
		case bool:
			return "true"
		}
		return "null"
	}
	return shape(x)
}
