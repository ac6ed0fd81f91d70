package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MergePatch applies an RFC 7396 JSON merge patch to the JSON document target: members of a
// patch object replace the target's, recursively for objects; a null member removes one; a
// patch that is not an object replaces the whole target. Numbers keep their text. Both
// inputs must be one JSON value each.
func MergePatch(target, patch []byte) ([]byte, error) {
	t, err := decodeOne(target)
	if err != nil {
		return nil, fmt.Errorf("merge patch: the document: %w", err)
	}
	p, err := decodeOne(patch)
	if err != nil {
		return nil, fmt.Errorf("merge patch: the patch: %w", err)
	}
	return json.Marshal(mergeValue(t, p))
}

func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergeValue(tm[k], v)
	}
	return tm
}

func decodeOne(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}
