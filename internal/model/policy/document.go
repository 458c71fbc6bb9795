// Package policy is the vocabulary of site B's policy document: what users
// write, save and share (Document), how it is parsed and validated (every
// problem at once, each naming its field), edited (the TUI's operations) and
// compiled into the header lines site B sends (Policy). It imports no
// server, screen or transport: site B serves it, the TUI edits it, export
// renders it.
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

	"github.com/corslab/corslab/internal/model/syntax"
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
	// Failures name server failure paths site B plays (failures.go).
	Failures []string `json:"failures,omitempty"`
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

// ParseDocument decodes and validates a policy document. A JSON syntax
// error or invalid UTF-8 is one error with its line and column; otherwise
// every problem is reported (errors.Join), each on a line of its own naming
// the field (`preflight.headers["X"]`), in a stable order: the shape of the
// document first, then its values.
func ParseDocument(data []byte) (Document, error) {
	d, problems, err := decode(data)
	if err != nil {
		return Document{}, err
	}
	if problems = append(problems, d.problems()...); len(problems) > 0 {
		return Document{}, errors.Join(problems...)
	}
	return d, nil
}

// decode reads a document's JSON without validating its values: err is a
// document that cannot be read at all, problems are fields of the wrong
// shape (left out of d).
func decode(data []byte) (d Document, problems []error, err error) {
	var raw json.RawMessage
	if err := decodeStrict(data, &raw); err != nil {
		return d, nil, err
	}
	top, ok := members(raw, fieldName, &problems)
	if !ok {
		return d, nil, errors.New("policy: must be a JSON object")
	}
	for _, k := range slices.Sorted(maps.Keys(top)) { // sorted: the same document always gets the same errors
		raw := top[k]
		switch k {
		case "preflight":
			parseRule(raw, "preflight", &d.Preflight.Headers, &d.Preflight.Status, nil, &problems)
		case "actual":
			parseRule(raw, "actual", &d.Actual.Headers, nil, &d.Actual.Failures, &problems)
		default:
			problems = append(problems, fmt.Errorf("%s: unknown field (want preflight, actual)", fieldName(k)))
		}
	}
	return d, problems, nil
}

func parseRule(raw json.RawMessage, path string, headers *Headers, status *int, failures *[]string, problems *[]error) {
	rule, ok := members(raw, func(k string) string { return path + "." + fieldName(k) }, problems)
	if !ok {
		*problems = append(*problems, fmt.Errorf("%s: must be an object", path))
		return
	}
	for _, k := range slices.Sorted(maps.Keys(rule)) {
		v := rule[k]
		switch {
		case k == "status" && status != nil:
			if err := json.Unmarshal(v, status); err != nil {
				*problems = append(*problems, fmt.Errorf("%s.status: must be a whole number", path))
			}
		case k == "headers":
			*headers = parseHeaders(v, path+".headers", problems)
		case k == "failures" && failures != nil:
			*failures = parseFailures(v, path+".failures", problems)
		default:
			want := "headers"
			if status != nil {
				want = "status, headers"
			}
			if failures != nil {
				want = "headers, failures"
			}
			*problems = append(*problems, fmt.Errorf("%s.%s: unknown field (want %s)", path, fieldName(k), want))
		}
	}
}

func parseHeaders(raw json.RawMessage, path string, problems *[]error) Headers {
	if string(raw) == "null" { // no headers, as encoding/json reads null into a map
		return nil
	}
	hs, ok := members(raw, func(k string) string { return fmt.Sprintf("%s[%q]", path, k) }, problems)
	if !ok {
		*problems = append(*problems, fmt.Errorf("%s: must be an object of name to string or array of strings", path))
		return nil
	}
	headers := make(Headers, len(hs))
	for _, name := range slices.Sorted(maps.Keys(hs)) {
		hv := hs[name]
		var one *string // a pointer, so that null is not taken for ""
		if json.Unmarshal(hv, &one) == nil && one != nil {
			headers[name] = Values{*one}
			continue
		}
		var many []*string
		if err := json.Unmarshal(hv, &many); err != nil || many == nil || slices.Contains(many, nil) {
			*problems = append(*problems, fmt.Errorf("%s[%q]: must be a string or an array of strings", path, name))
			continue
		}
		vs := make(Values, len(many))
		for i, v := range many {
			vs[i] = *v
		}
		headers[name] = vs
	}
	return headers
}

// members reads a JSON object's members by name; ok is false when raw is
// not an object. A name given twice is a problem (encoding/json would keep
// the last silently), named by field: `preflight.status`, or
// `actual.headers["Vary"]` for a header.
func members(raw json.RawMessage, field func(name string) string, problems *[]error) (m map[string]json.RawMessage, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	m = map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		k, isKey := t.(string)
		var v json.RawMessage
		if err != nil || !isKey || dec.Decode(&v) != nil {
			return nil, false // unreachable: raw is one valid JSON value
		}
		if _, dup := m[k]; dup {
			*problems = append(*problems, fmt.Errorf("%s: given twice", field(k)))
			continue
		}
		m[k] = v
	}
	return m, true
}

// fieldName shows a field name as written, or quoted when it holds bytes
// that would break the one-line error (a newline, a control byte).
func fieldName(k string) string {
	if q := strconv.Quote(k); q[1:len(q)-1] != k {
		return q
	}
	return k
}

// decodeStrict reads exactly one JSON value into v: invalid UTF-8 and
// syntax errors are reported by line and column (syntax.Position).
func decodeStrict(data []byte, v *json.RawMessage) error {
	if err := syntax.CheckUTF8(data); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(v)
	// dec.More would miss a stray '}' or ']': look at the bytes themselves.
	if err == nil && len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return errors.New("policy: unexpected data after the JSON object")
	}
	if errors.Is(err, io.EOF) {
		return errors.New("policy: empty document")
	}
	if err != nil {
		return fmt.Errorf("policy: %w", syntax.JSONError(data, err))
	}
	return nil
}

// Validate reports every problem with d (errors.Join), each on one line
// naming the field; nil if there is none.
func (d Document) Validate() error { return errors.Join(d.problems()...) }

// problems lists what is wrong with d's values, in a stable order.
func (d Document) problems() []error {
	var ps []error
	if s := d.Preflight.Status; s != 0 && (s < 100 || s > 599) {
		ps = append(ps, fmt.Errorf("preflight.status: %d is not an HTTP status (100-599)", s))
	} else if s >= 100 && s < 200 {
		// net/http sends a 1xx as an interim response and then 200 (or, for
		// 101, switches protocols): the recorded status would be a lie.
		ps = append(ps, fmt.Errorf("preflight.status: %d is informational (1xx); a preflight needs a final status (200-599)", s))
	}
	ps = d.Preflight.Headers.problems("preflight.headers", ps)
	ps = d.Actual.Headers.problems("actual.headers", ps)
	return failureProblems(d.Actual.Failures, ps)
}

// unsettable are headers a policy may not set: they frame the HTTP message
// itself, and setting them would corrupt the response rather than teach CORS.
var unsettable = map[string]bool{
	"Connection": true, "Content-Length": true, "Keep-Alive": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// problems appends what is wrong with hs to ps: one problem per header
// (its name, or each of its values that is wrong).
func (hs Headers) problems(path string, ps []error) []error {
	seen := make(map[string]string, len(hs))
	for _, name := range hs.names() {
		field := fmt.Sprintf("%s[%q]", path, name)
		if !syntax.IsToken(name) {
			ps = append(ps, fmt.Errorf("%s: invalid header name (RFC 9110 token: letters, digits and !#$%%&'*+-.^_`|~)", field))
			continue
		}
		canon := http.CanonicalHeaderKey(name)
		if unsettable[canon] {
			ps = append(ps, fmt.Errorf("%s: a policy cannot set %s", field, canon))
			continue
		}
		if other, dup := seen[canon]; dup {
			ps = append(ps, fmt.Errorf("%s: the same header as %q", field, other))
			continue
		}
		seen[canon] = name
		if len(hs[name]) == 0 {
			ps = append(ps, fmt.Errorf("%s: empty list; remove the header instead", field))
			continue
		}
		for i, v := range hs[name] {
			if err := validValue(v); err != nil {
				f := field
				if len(hs[name]) > 1 {
					f = fmt.Sprintf("%s[%d]", field, i)
				}
				ps = append(ps, fmt.Errorf("%s: %v", f, err))
			}
		}
	}
	return ps
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
		Actual:    ActualRule{Headers: d.Actual.Headers.clone(), Failures: slices.Clone(d.Actual.Failures)},
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
