package app

import (
	"bytes"
	"encoding/json"
	"fmt"
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
		return nil, &forms.RuleError{Path: path, Err: forms.ErrFieldPath, Message: forms.Message{
			EN: fmt.Sprintf("Type the value of %s as JSON, in the form of the current one: %s", path, cur),
			NL: fmt.Sprintf("Typ de waarde van %s als JSON, in de vorm van de huidige: %s", path, cur)}}
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
