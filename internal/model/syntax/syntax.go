// Package syntax is the grammar the lab's documents share: RFC 9110 tokens
// (header names and methods, in the browser model, the policy document and
// the export tool alike) and how a position in JSON input is reported. It
// is pure and imports nothing of the lab.
package syntax

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// IsTokenByte reports whether b is an RFC 9110 §5.6.2 tchar.
func IsTokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// IsToken reports whether s is a non-empty RFC 9110 §5.6.2 token: the
// grammar of a field name (§5.1) and of a method (§9.1; Fetch §2.2.1).
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !IsTokenByte(s[i]) {
			return false
		}
	}
	return true
}

// Position says where data[offset] is: "line 3, column 17", both counted
// from 1 and the column in bytes. An offset outside data is clamped to it.
func Position(data []byte, offset int64) string {
	off := max(0, min(offset, int64(len(data))))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// CheckUTF8 reports the position of the first byte of data that is not
// valid UTF-8 (RFC 8259 §8.1: JSON text is UTF-8). encoding/json would take
// such bytes for U+FFFD silently.
func CheckUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("%s: invalid UTF-8 (byte 0x%02x)", Position(data, int64(i)), data[i])
		}
		i += n
	}
	return nil // unreachable: utf8.Valid said otherwise
}

// JSONError turns a syntax error met while reading data as one JSON value
// into one line that starts with its position: where the offending byte is,
// or the end for an input that ends too soon. Whatever reading produced err
// (json.Decoder.Token counts offsets differently from Decode, and not at all
// inside a scalar), the position is found again by scanning data whole.
// Other errors are returned as they are.
func JSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	if !errors.As(err, &syn) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	var raw json.RawMessage
	switch again := json.NewDecoder(bytes.NewReader(data)).Decode(&raw); {
	case errors.As(again, &syn):
		// Offset counts the bytes read, the offending one included.
		return fmt.Errorf("%s: %s", Position(data, syn.Offset-1), syn)
	case again != nil:
		return fmt.Errorf("%s: unexpected end of JSON input", Position(data, int64(len(data))))
	case syn != nil: // the first value is whole: err came after it
		return fmt.Errorf("%s: %s", Position(data, syn.Offset), syn)
	}
	return fmt.Errorf("%s: unexpected end of JSON input", Position(data, int64(len(data))))
}
