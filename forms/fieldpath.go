package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Field paths name one part of a case the way docs/case-schema.md and the problems of
// Validate do: JSON member names joined by dots, an array element by its index in brackets
// ("identity.givenNames", "documents[0].number", "identity.givenNames[1]"). A supervisor's
// correction names the field it corrects by such a path.

// ErrFieldPath: a field path that does not parse or does not fit the case.
var ErrFieldPath = errors.New("bad field path")

// MaxFieldPath bounds a field path; the deepest path of a case is far shorter.
const MaxFieldPath = 200

// pathStep is one member name with the indexes that follow it.
type pathStep struct {
	name    string
	indexes []int
}

// parseFieldPath splits a field path into its steps: a member name starts with a letter and
// holds letters and digits; each index is a decimal number of at most four digits.
func parseFieldPath(path string) ([]pathStep, error) {
	bad := func(en, nl string) error {
		return pathError(path, "The field name "+en+".", "De veldnaam "+nl+".")
	}
	if path == "" {
		return nil, bad("is empty: name a field such as identity.givenNames or documents[0].number",
			"is leeg: noem een veld zoals identity.givenNames of documents[0].number")
	}
	if len(path) > MaxFieldPath {
		return nil, bad(fmt.Sprintf("is longer than %d characters", MaxFieldPath), fmt.Sprintf("is langer dan %d tekens", MaxFieldPath))
	}
	var steps []pathStep
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" {
			return nil, bad("has a member name missing (two dots, or a dot or bracket at the start)",
				"mist een naam (twee punten, of een punt of haak aan het begin)")
		}
		for i, r := range name {
			letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if !letter && (i == 0 || r < '0' || r > '9') {
				return nil, bad(fmt.Sprintf("has %q: use letters and digits only, starting with a letter", name),
					fmt.Sprintf("bevat %q: gebruik alleen letters en cijfers, beginnend met een letter", name))
			}
		}
		st := pathStep{name: name}
		if rest != "" || strings.Contains(part, "[") {
			for _, ix := range strings.Split("["+rest, "[")[1:] {
				num, ok := strings.CutSuffix(ix, "]")
				if !ok || num == "" || len(num) > 4 || strings.Trim(num, "0123456789") != "" {
					return nil, bad("has a bad index: an index is a number in brackets, such as [0]",
						"heeft een verkeerde index: een index is een getal tussen haken, zoals [0]")
				}
				n, _ := strconv.Atoi(num)
				st.indexes = append(st.indexes, n)
			}
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// FieldValue is the JSON value at path in c, or nil when the case holds nothing there.
func (c *Case) FieldValue(path string) (json.RawMessage, error) {
	steps, err := parseFieldPath(path)
	if err != nil {
		return nil, err
	}
	doc, err := caseTree(c)
	if err != nil {
		return nil, err
	}
	v := doc
	for _, st := range steps {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		if v, ok = m[st.name]; !ok {
			return nil, nil
		}
		for _, i := range st.indexes {
			a, ok := v.([]any)
			if !ok || i >= len(a) {
				return nil, nil
			}
			v = a[i]
		}
	}
	return json.Marshal(v)
}

// WithField is a copy of c with value (JSON) at path: a member is set or, with null,
// removed; an index one past the end of a list adds an element. The copy is decoded as an
// import is (DecodeCase), so a value of the wrong type or a member the case does not have
// is an error naming it. c is not changed.
func (c *Case) WithField(path string, value json.RawMessage) (*Case, error) {
	steps, err := parseFieldPath(path)
	if err != nil {
		return nil, err
	}
	var val any
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&val); err != nil {
		return nil, pathError(path, "The value is not JSON ("+err.Error()+").", "De waarde is geen JSON ("+err.Error()+").")
	}
	if dec.More() {
		return nil, pathError(path, "The value is more than one JSON value.", "De waarde is meer dan één JSON-waarde.")
	}
	doc, err := caseTree(c)
	if err != nil {
		return nil, err
	}
	doc, err = setAt(doc, steps, val, path)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	n, err := DecodeCase(bytes.NewReader(b))
	if err != nil {
		why := strings.TrimPrefix(err.Error(), "decode case: ")
		return nil, pathError(path, "The value does not fit the case ("+why+").", "De waarde past niet in de zaak ("+why+").")
	}
	return n, nil
}

// pathError refuses a field path or value, in Dutch and English.
func pathError(path, en, nl string) error {
	return &RuleError{Path: path, Err: ErrFieldPath, Message: Message{EN: en, NL: nl}}
}

// setAt puts val at steps inside v (a decoded JSON tree) and returns the changed tree.
func setAt(v any, steps []pathStep, val any, path string) (any, error) {
	if len(steps) == 0 {
		return val, nil
	}
	st := steps[0]
	m, ok := v.(map[string]any)
	if v == nil {
		m, ok = map[string]any{}, true
	}
	if !ok {
		return nil, pathError(path, st.name+" is not an object in the case.", st.name+" is geen object in de zaak.")
	}
	if len(st.indexes) == 0 {
		if len(steps) == 1 && val == nil {
			delete(m, st.name)
			return m, nil
		}
		child, err := setAt(m[st.name], steps[1:], val, path)
		if err != nil {
			return nil, err
		}
		m[st.name] = child
		return m, nil
	}
	child, err := setIndexed(m[st.name], st.indexes, steps[1:], val, path)
	if err != nil {
		return nil, err
	}
	m[st.name] = child
	return m, nil
}

func setIndexed(v any, indexes []int, rest []pathStep, val any, path string) (any, error) {
	a, ok := v.([]any)
	if v == nil {
		a, ok = nil, true
	}
	if !ok {
		return nil, pathError(path, "This is not a list in the case.", "Dit is geen lijst in de zaak.")
	}
	i := indexes[0]
	if i > len(a) {
		return nil, pathError(path, fmt.Sprintf("There is no index %d: the list has %d element(s).", i, len(a)),
			fmt.Sprintf("Index %d bestaat niet: de lijst heeft %d element(en).", i, len(a)))
	}
	if i == len(a) {
		a = append(a, nil)
	}
	var err error
	if len(indexes) > 1 {
		a[i], err = setIndexed(a[i], indexes[1:], rest, val, path)
	} else {
		a[i], err = setAt(a[i], rest, val, path)
	}
	if err != nil {
		return nil, err
	}
	if a[i] == nil {
		return nil, pathError(path, "A list element cannot be null: set the whole list instead.", "Een element van een lijst kan niet null zijn: zet de hele lijst.")
	}
	return a, nil
}

// caseTree is c's JSON as a tree of maps, lists and json.Numbers.
func caseTree(c *Case) (any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return decodeTree(b)
}

func decodeTree(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// diffPaths lists the field paths (as above) where the JSON trees a and b differ, in a
// stable order: members by name, list elements by index; a list of another length differs
// as a whole.
func diffPaths(a, b any, prefix string) []string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		var out []string
		for _, k := range names {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = append(out, diffPaths(x[k], y[k], p)...)
		}
		return out
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			break
		}
		var out []string
		for i := range x {
			out = append(out, diffPaths(x[i], y[i], fmt.Sprintf("%s[%d]", prefix, i))...)
		}
		return out
	}
	// leaves of two decoded trees (strings, json.Numbers, booleans, nil) or a map beside a
	// list: equal only when deeply equal
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return []string{prefix}
}
