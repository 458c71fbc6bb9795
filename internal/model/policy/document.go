// Package siteB is the lab's API on another origin: a small item list whose
// changes are visible, answered under a Policy that says which
// Access-Control-* headers site B sends. The policy is an immutable value,
// swapped atomically; the request path takes no lock.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Document is a policy as users write, save and share it (JSON):
//
//	{"preflight": {"status": 204, "headers": {"Access-Control-Allow-Origin": "{origin}"}},
//	 "actual":    {"headers": {"Access-Control-Allow-Origin": "*", "Vary": "Origin"}}}
//
// Preflight answers OPTIONS requests that carry Access-Control-Request-Method
// (Fetch §4.9 CORS-preflight fetch); Actual's headers go on every other response.
type Document struct {
	Preflight PreflightRule `json:"preflight"`
	Actual    ActualRule    `json:"actual"`
}

// PreflightRule is how site B answers a CORS preflight. It never reaches an endpoint.
type PreflightRule struct {
	// Status is the preflight response's status; 0 means 204. A 3xx with a
	// Location header is a redirect, which browsers refuse for preflights.
	Status  int     `json:"status,omitempty"`
	Headers Headers `json:"headers,omitempty"`
}

// ActualRule lists the headers added to every response that is not a preflight.
type ActualRule struct {
	Headers Headers `json:"headers,omitempty"`
}

// Headers maps a header name to its values: one header line per value.
type Headers map[string]Values

// Values is one or more header lines. In JSON it is a string, or an array
// of strings for a header sent several times.
type Values []string

// MarshalJSON writes a single value as a string.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return json.Marshal(v[0])
	}
	return json.Marshal([]string(v))
}

// Placeholders a header value may contain, expanded per request.
const (
	PlaceholderOrigin         = "{origin}"          // the request's Origin
	PlaceholderRequestMethod  = "{request-method}"  // the preflight's Access-Control-Request-Method
	PlaceholderRequestHeaders = "{request-headers}" // the preflight's Access-Control-Request-Headers
)

// DefaultPreflightStatus answers a preflight when the document sets no status.
const DefaultPreflightStatus = http.StatusNoContent

// ParseDocument decodes and validates a policy document. Errors name the
// field (`preflight.headers["X"]`) or the line and column of a syntax error,
// on one line.
func ParseDocument(data []byte) (Document, error) {
	var d Document
	var top map[string]json.RawMessage
	if err := decodeStrict(data, &top); err != nil {
		return d, err
	}
	if top == nil {
		return d, errors.New("policy: must be a JSON object")
	}
	for _, k := range slices.Sorted(maps.Keys(top)) { // sorted: the same document always gets the same error
		raw := top[k]
		var err error
		switch k {
		case "preflight":
			err = parseRule(raw, "preflight", &d.Preflight.Headers, &d.Preflight.Status)
		case "actual":
			err = parseRule(raw, "actual", &d.Actual.Headers, nil)
		default:
			err = fmt.Errorf("%s: unknown field (want preflight, actual)", fieldName(k))
		}
		if err != nil {
			return Document{}, err
		}
	}
	return d, d.Validate()
}

func parseRule(raw json.RawMessage, path string, headers *Headers, status *int) error {
	var rule map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rule); err != nil || rule == nil {
		return fmt.Errorf("%s: must be an object", path)
	}
	for _, k := range slices.Sorted(maps.Keys(rule)) {
		v := rule[k]
		switch {
		case k == "status" && status != nil:
			if err := json.Unmarshal(v, status); err != nil {
				return fmt.Errorf("%s.status: must be a whole number", path)
			}
		case k == "headers":
			var hs map[string]json.RawMessage
			if err := json.Unmarshal(v, &hs); err != nil {
				return fmt.Errorf("%s.headers: must be an object of name to string or array of strings", path)
			}
			*headers = make(Headers, len(hs))
			for _, name := range slices.Sorted(maps.Keys(hs)) {
				hv := hs[name]
				var one *string // a pointer, so that null is not taken for ""
				if json.Unmarshal(hv, &one) == nil && one != nil {
					(*headers)[name] = Values{*one}
					continue
				}
				var many []*string
				if err := json.Unmarshal(hv, &many); err != nil || many == nil || slices.Contains(many, nil) {
					return fmt.Errorf("%s.headers[%q]: must be a string or an array of strings", path, name)
				}
				vs := make(Values, len(many))
				for i, v := range many {
					vs[i] = *v
				}
				(*headers)[name] = vs
			}
		default:
			want := "headers"
			if status != nil {
				want = "status, headers"
			}
			return fmt.Errorf("%s.%s: unknown field (want %s)", path, fieldName(k), want)
		}
	}
	return nil
}

// fieldName shows a field name as written, or quoted when it holds bytes
// that would break the one-line error (a newline, a control byte).
func fieldName(k string) string {
	if q := strconv.Quote(k); q[1:len(q)-1] != k {
		return q
	}
	return k
}

// decodeStrict unmarshals one JSON value, reporting syntax errors by line and column.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(v)
	// dec.More would miss a stray '}' or ']': look at the bytes themselves.
	if err == nil && len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		err = errors.New("policy: unexpected data after the JSON object")
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset-1) // Offset counts the offending byte
		return fmt.Errorf("policy: line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		return errors.New("policy: must be a JSON object")
	case errors.Is(err, io.EOF):
		return errors.New("policy: empty document")
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, int64(len(data)))
		return fmt.Errorf("policy: line %d, column %d: unexpected end of JSON input", line, col)
	}
	return err
}

// position returns the 1-based line and column of data[offset].
func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for _, c := range data[:max(0, min(int(offset), len(data)))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// Validate reports the first problem with d, naming the field.
func (d Document) Validate() error {
	if s := d.Preflight.Status; s != 0 && (s < 100 || s > 599) {
		return fmt.Errorf("preflight.status: %d is not an HTTP status (100-599)", s)
	}
	if s := d.Preflight.Status; s >= 100 && s < 200 {
		// net/http sends a 1xx as an interim response and then 200 (or, for
		// 101, switches protocols): the recorded status would be a lie.
		return fmt.Errorf("preflight.status: %d is informational (1xx); a preflight needs a final status (200-599)", s)
	}
	if err := d.Preflight.Headers.validate("preflight.headers"); err != nil {
		return err
	}
	return d.Actual.Headers.validate("actual.headers")
}

// unsettable are headers a policy may not set: they frame the HTTP message
// itself, and setting them would corrupt the response rather than teach CORS.
var unsettable = map[string]bool{
	"Connection": true, "Content-Length": true, "Keep-Alive": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

func (hs Headers) validate(path string) error {
	seen := make(map[string]string, len(hs))
	for _, name := range hs.names() {
		field := fmt.Sprintf("%s[%q]", path, name)
		if !validToken(name) {
			return fmt.Errorf("%s: invalid header name (RFC 9110 token: letters, digits and !#$%%&'*+-.^_`|~)", field)
		}
		canon := http.CanonicalHeaderKey(name)
		if unsettable[canon] {
			return fmt.Errorf("%s: a policy cannot set %s", field, canon)
		}
		if other, dup := seen[canon]; dup {
			return fmt.Errorf("%s: the same header as %q", field, other)
		}
		seen[canon] = name
		if len(hs[name]) == 0 {
			return fmt.Errorf("%s: empty list; remove the header instead", field)
		}
		for i, v := range hs[name] {
			if err := validValue(v); err != nil {
				if len(hs[name]) > 1 {
					field = fmt.Sprintf("%s[%d]", field, i)
				}
				return fmt.Errorf("%s: %v", field, err)
			}
		}
	}
	return nil
}

// names returns the header names in a stable order.
func (hs Headers) names() []string {
	names := make([]string, 0, len(hs))
	for n := range hs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// validToken reports whether s is an RFC 9110 §5.6.2 token, the grammar of a field name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validValue checks a value against RFC 9110 §5.5 field-value (no CR, LF,
// NUL or other control bytes but tab) and its placeholders.
func validValue(v string) error {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\r' || c == '\n':
			return errors.New("value contains CR or LF, which would inject a header")
		case c < 0x20 && c != '\t' || c == 0x7f:
			return fmt.Errorf("value contains control byte 0x%02x", c)
		}
	}
	rest := v
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return nil
		}
		rest = rest[i:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return fmt.Errorf("value has an unclosed placeholder %q", rest)
		}
		switch p := rest[:j+1]; p {
		case PlaceholderOrigin, PlaceholderRequestMethod, PlaceholderRequestHeaders:
		default:
			return fmt.Errorf("unknown placeholder %s (want {origin}, {request-method} or {request-headers})", p)
		}
		rest = rest[j+1:]
	}
}

// Encode returns d as indented JSON, the form users save.
func (d Document) Encode() []byte {
	b, _ := json.MarshalIndent(d, "", "  ") // cannot fail: strings, ints and maps of them
	return append(b, '\n')
}

// Clone returns a deep copy of d, for editing.
func (d Document) Clone() Document {
	return Document{
		Preflight: PreflightRule{Status: d.Preflight.Status, Headers: d.Preflight.Headers.clone()},
		Actual:    ActualRule{Headers: d.Actual.Headers.clone()},
	}
}

func (hs Headers) clone() Headers {
	if hs == nil {
		return nil
	}
	c := make(Headers, len(hs))
	for k, v := range hs {
		c[k] = append(Values(nil), v...)
	}
	return c
}
