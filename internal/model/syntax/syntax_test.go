package syntax

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestIsToken(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Content-Type", true},
		{"x-lab", true},
		{"GET", true},
		{"!#$%&'*+-.^_`|~09azAZ", true},
		{"", false},
		{"Allow Origin", false},
		{"X-A:", false},
		{"X\r\nY", false},
		{"Orígin", false},
		{"a\x00", false},
		{"(x)", false},
		{`"x"`, false},
		{"a/b", false},
		{"a\tb", false},
		{"\x7f", false},
	}
	for _, tt := range tests {
		if got := IsToken(tt.s); got != tt.want {
			t.Errorf("IsToken(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	for b := 0; b < 256; b++ {
		want := strings.IndexByte("!#$%&'*+-.^_`|~", byte(b)) >= 0 ||
			'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		if IsTokenByte(byte(b)) != want {
			t.Errorf("IsTokenByte(0x%02x) = %v", b, !want)
		}
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncdé\n\nx")
	tests := []struct {
		off  int64
		want string
	}{
		{-5, "line 1, column 1"},
		{0, "line 1, column 1"},
		{2, "line 1, column 3"}, // the newline itself
		{3, "line 2, column 1"},
		{6, "line 2, column 4"}, // é's second byte: columns count bytes
		{8, "line 3, column 1"},
		{9, "line 4, column 1"},
		{10, "line 4, column 2"}, // the end
		{99, "line 4, column 2"},
	}
	for _, tt := range tests {
		if got := Position(data, tt.off); got != tt.want {
			t.Errorf("Position(%d) = %q, want %q", tt.off, got, tt.want)
		}
	}
}

func TestCheckUTF8(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`{"a": "café ✓ 😀"}`, ""},
		{"", ""},
		{"\xff", "line 1, column 1: invalid UTF-8 (byte 0xff)"},
		{"{\n \"a\": \"caf\xe9\"}", "line 2, column 11: invalid UTF-8 (byte 0xe9)"},
		{"ok\xe2\x82", "line 1, column 3: invalid UTF-8 (byte 0xe2)"},   // cut short
		{"\xed\xa0\x80", "line 1, column 1: invalid UTF-8 (byte 0xed)"}, // a surrogate
		{"\xc0\xaf", "line 1, column 1: invalid UTF-8 (byte 0xc0)"},     // overlong
	}
	for _, tt := range tests {
		err := CheckUTF8([]byte(tt.in))
		if got := errString(err); got != tt.want {
			t.Errorf("CheckUTF8(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestJSONError: the same input gets the same position and words whether it
// was read with Decode or token by token (whose offsets differ, and are
// wrong inside a scalar).
func TestJSONError(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`cors`, "line 1, column 1: invalid character 'c' looking for beginning of value"},
		{"{\n \"a\" \"b\"}", "line 2, column 6: invalid character '\"' after object key"},
		{`{"a":1,,}`, "line 1, column 8: invalid character ',' looking for beginning of object key string"},
		{`[1, 2 3]`, "line 1, column 7: invalid character '3' after array element"},
		{"{\"a\": {\"b\": tru}}", "line 1, column 16: invalid character '}' in literal true (expecting 'e')"},
		{"{\"a\": {\"b\": 1.x}}", "line 1, column 15: invalid character 'x' after decimal point in numeric literal"},
		{"{\"a\":\n \"x\ty\"}", "line 2, column 4: invalid character '\\t' in string literal"},
		{"{\"a\": [1,", "line 1, column 10: unexpected end of JSON input"},
		{"{\"a\": \"x", "line 1, column 9: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		data := []byte(tt.in)
		var v any
		decodeErr := JSONError(data, json.NewDecoder(bytes.NewReader(data)).Decode(&v))
		dec := json.NewDecoder(bytes.NewReader(data))
		var tokenErr error
		for tokenErr == nil {
			_, tokenErr = dec.Token()
		}
		tokenErr = JSONError(data, tokenErr)
		if errString(decodeErr) != tt.want || errString(tokenErr) != tt.want {
			t.Errorf("%q:\n decode %v\n tokens %v\n want   %s", tt.in, decodeErr, tokenErr, tt.want)
		}
	}
	// Other errors pass through.
	other := errors.New("not about syntax")
	if err := JSONError([]byte(`{}`), other); err != other {
		t.Errorf("JSONError(other) = %v", err)
	}
	// An error after a whole first value keeps its own offset.
	data := []byte("{} ]")
	dec := json.NewDecoder(bytes.NewReader(data))
	var err error
	for err == nil {
		_, err = dec.Token()
	}
	if err == io.EOF || errString(JSONError(data, err)) != "line 1, column 4: invalid character ']' looking for beginning of value" {
		t.Errorf("after the first value: %v", JSONError(data, err))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
