package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/syntax"
)

// MaxExchangeSize is the largest input ParseExchange accepts.
const MaxExchangeSize = 8 << 20

// maxDepth bounds JSON nesting; a valid exchange nests 4 deep.
const maxDepth = 32

// ParseExchange parses one exchange in the JSON form of verdict-format.md,
// strictly: unknown fields, missing required fields and values of the wrong type
// are errors. The error is one line naming the field, e.g.
// `request.method: missing`, `response.status: must be a number`,
// `request.headers["X"]: must be a string`, or `line 3, column 7: …` for a
// JSON syntax error or invalid UTF-8.
//
// Header objects keep their order and repeated names (a repeated request header
// is combined as fetch() does; a repeated response header is several lines).
// An optional response given as null counts as absent.
// Input over MaxExchangeSize bytes is refused.
func ParseExchange(data []byte) (Exchange, error) {
	if len(data) > MaxExchangeSize {
		return Exchange{}, fmt.Errorf("input: larger than %d bytes", MaxExchangeSize)
	}
	root, err := parseJSON(data)
	if err != nil {
		return Exchange{}, err
	}
	return decodeExchange(root)
}

// node is a parsed JSON value that keeps object keys in order.
type node struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str    string
	num    json.Number
	fields []field
	items  []*node
}

type field struct {
	key string
	val *node
}

func (n *node) kindName() string {
	switch n.kind {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

// parseJSON parses data into a node tree, reporting syntax errors and
// invalid UTF-8 with their line and column.
func parseJSON(data []byte) (*node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("input: empty, expected a JSON object with a \"request\" field")
	}
	if err := syntax.CheckUTF8(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseValue(dec, data, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: unexpected data after the exchange object", syntax.Position(data, dec.InputOffset()))
	}
	return n, nil
}

func parseValue(dec *json.Decoder, data []byte, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s: JSON nested more than %d levels deep", syntax.Position(data, dec.InputOffset()), maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax.JSONError(data, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, syntax.JSONError(data, err)
				}
				key, _ := kt.(string)
				v, err := parseValue(dec, data, depth+1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, field{key, v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax.JSONError(data, err)
			}
			return n, nil
		case '[':
			n := &node{kind: 'a'}
			for dec.More() {
				v, err := parseValue(dec, data, depth+1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax.JSONError(data, err)
			}
			return n, nil
		}
	case string:
		return &node{kind: 's', str: t}, nil
	case json.Number:
		return &node{kind: 'n', num: t}, nil
	case bool:
		return &node{kind: 'b'}, nil
	case nil:
		return &node{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("%s: unexpected %v", syntax.Position(data, dec.InputOffset()), tok)
}

// object checks that n is an object with only the allowed keys, each at most
// once, and returns its fields by key.
func object(n *node, path string, allowed ...string) (map[string]*node, error) {
	if n.kind != 'o' {
		return nil, fmt.Errorf("%s: must be an object, not %s", path, n.kindName())
	}
	m := make(map[string]*node, len(n.fields))
	for _, f := range n.fields {
		ok := false
		for _, a := range allowed {
			ok = ok || a == f.key
		}
		if !ok {
			return nil, fmt.Errorf("%s: unknown field (expected %s)", join(path, f.key), strings.Join(allowed, ", "))
		}
		if _, dup := m[f.key]; dup {
			return nil, fmt.Errorf("%s: given twice", join(path, f.key))
		}
		m[f.key] = f.val
	}
	return m, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func quoted(path, key string) string { return path + "[" + strconv.Quote(key) + "]" }

func decodeExchange(root *node) (Exchange, error) {
	var x Exchange
	if root.kind != 'o' {
		return x, fmt.Errorf("exchange: must be an object, not %s", root.kindName())
	}
	// `corslab check -json` prints {"exchange": …, "verdict": …}: take the
	// exchange, so that its output pipes into explain.
	path := ""
	if ex := wrapped(root); ex != nil {
		if ex.kind != 'o' {
			return x, fmt.Errorf("exchange: must be an object, not %s", ex.kindName())
		}
		root, path = ex, "exchange"
	}
	top, err := object(root, path, "request", "preflightResponse", "response", "redirects")
	if err != nil {
		return x, err
	}
	rn, ok := top["request"]
	if !ok || rn.kind == 'z' {
		return x, errors.New("request: missing")
	}
	if x.Request, err = decodeRequest(rn); err != nil {
		return x, err
	}
	if x.Preflight, err = decodeResponse(top["preflightResponse"], "preflightResponse"); err != nil {
		return x, err
	}
	if x.Actual, err = decodeResponse(top["response"], "response"); err != nil {
		return x, err
	}
	if x.Redirects, err = decodeRedirects(top["redirects"], x); err != nil {
		return x, err
	}
	return x, nil
}

// wrapped returns the exchange of `corslab check -json` output — an object
// of exactly "exchange" and "verdict" or "error" — or nil.
func wrapped(root *node) *node {
	var ex *node
	for _, f := range root.fields {
		switch f.key {
		case "exchange":
			ex = f.val
		case "verdict", "error":
		default:
			return nil
		}
	}
	return ex
}

// maxHops bounds the redirects an exchange may list: one more than the
// browser follows, to show the one it refuses.
const maxHops = maxRedirects + 1

// decodeRedirects reads "redirects": the requests the browser made after the
// response redirected, each {"url", "preflightResponse", "response"}. A url,
// when given, must be where the previous answer's Location leads; left out,
// it is filled in.
func decodeRedirects(n *node, x Exchange) ([]Hop, error) {
	if n == nil || n.kind == 'z' {
		return nil, nil
	}
	if n.kind != 'a' {
		return nil, fmt.Errorf("redirects: must be an array of {url, preflightResponse, response}, not %s", n.kindName())
	}
	if len(n.items) > maxHops {
		return nil, fmt.Errorf("redirects: %d hops; the browser follows at most %d redirects", len(n.items), maxRedirects)
	}
	prevURL, prev, prevPath := x.Request.URL, x.Actual, "response"
	if u, err := url.Parse(prevURL); err == nil && !u.IsAbs() {
		if base, err := url.Parse(x.Request.Origin + "/"); err == nil {
			prevURL = base.ResolveReference(u).String()
		}
	}
	hops := make([]Hop, 0, len(n.items))
	for i, it := range n.items {
		path := fmt.Sprintf("redirects[%d]", i)
		m, err := object(it, path, "url", "preflightResponse", "response")
		if err != nil {
			return nil, err
		}
		if prev == nil {
			return nil, fmt.Errorf("%s: follows no answer (%s is missing)", path, prevPath)
		}
		loc, ok := redirectTarget(prev)
		if !ok {
			return nil, fmt.Errorf("%s: %s does not redirect (status %d, or no Location)", path, prevPath, prev.Status)
		}
		base, err1 := url.Parse(prevURL)
		ref, err2 := url.Parse(loc)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: %s.headers[\"Location\"] %q is not a URL", path, prevPath, loc)
		}
		next := base.ResolveReference(ref)
		next.Fragment, next.RawFragment = "", ""
		want := canonicalURL(next)
		var h Hop
		if u, ok := m["url"]; ok && u.kind != 'z' && !(u.kind == 's' && u.str == "") { // "" or null: left out
			if u.kind != 's' {
				return nil, fmt.Errorf("%s.url: must be a string, not %s", path, u.kindName())
			}
			got, err := url.Parse(u.str)
			if err != nil || !got.IsAbs() || canonicalURL(got) != want {
				return nil, fmt.Errorf("%s.url: %q, but %s redirects to %s", path, u.str, prevPath, want)
			}
		}
		h.URL = want
		if h.Preflight, err = decodeResponse(m["preflightResponse"], path+".preflightResponse"); err != nil {
			return nil, err
		}
		if h.Actual, err = decodeResponse(m["response"], path+".response"); err != nil {
			return nil, err
		}
		hops = append(hops, h)
		prevURL, prev, prevPath = want, h.Actual, path+".response"
	}
	return hops, nil
}

func decodeRequest(n *node) (Request, error) {
	var r Request
	m, err := object(n, "request", "origin", "url", "method", "headers", "credentials", "mode", "body")
	if err != nil {
		return r, err
	}
	str := func(key string, required bool) (string, error) {
		v, ok := m[key]
		if !ok || (v.kind == 'z' && !required) {
			if required {
				return "", fmt.Errorf("request.%s: missing", key)
			}
			return "", nil
		}
		if v.kind != 's' {
			return "", fmt.Errorf("request.%s: must be a string, not %s", key, v.kindName())
		}
		return v.str, nil
	}
	if r.Origin, err = str("origin", true); err != nil {
		return r, err
	}
	if canon, exact, ok := parseOrigin(r.Origin); !ok {
		return r, fmt.Errorf("request.origin: %q is not a serialized origin (scheme://host[:port], or null)", r.Origin)
	} else if !exact {
		return r, fmt.Errorf("request.origin: %q is not serialized as the browser does it: %q", r.Origin, canon)
	}
	if r.URL, err = str("url", true); err != nil {
		return r, err
	}
	if r.Method, err = str("method", true); err != nil {
		return r, err
	}
	if r.Credentials, err = str("credentials", false); err != nil {
		return r, err
	}
	if r.Mode, err = str("mode", false); err != nil {
		return r, err
	}
	if r.Body, err = str("body", false); err != nil {
		return r, err
	}
	if h, ok := m["headers"]; ok && h.kind != 'z' {
		if h.kind != 'o' {
			return r, fmt.Errorf("request.headers: must be an object of name: value, not %s", h.kindName())
		}
		r.Headers = make([][2]string, 0, len(h.fields))
		for _, f := range h.fields {
			if f.val.kind != 's' {
				return r, fmt.Errorf("%s: must be a string, not %s", quoted("request.headers", f.key), f.val.kindName())
			}
			r.Headers = append(r.Headers, [2]string{f.key, f.val.str})
		}
	}
	return r, nil
}

func decodeResponse(n *node, path string) (*Response, error) {
	if n == nil || n.kind == 'z' {
		return nil, nil
	}
	m, err := object(n, path, "status", "headers")
	if err != nil {
		return nil, err
	}
	r := &Response{Header: http.Header{}}
	s, ok := m["status"]
	switch {
	case !ok || s.kind == 'z':
		return nil, fmt.Errorf("%s.status: missing", path)
	case s.kind != 'n':
		return nil, fmt.Errorf("%s.status: must be a number, not %s", path, s.kindName())
	}
	status, err := strconv.Atoi(s.num.String())
	if err != nil || status < 100 || status > 599 {
		return nil, fmt.Errorf("%s.status: must be an integer from 100 to 599, not %s", path, s.num)
	}
	r.Status = status
	h, ok := m["headers"]
	if !ok || h.kind == 'z' {
		return r, nil
	}
	if h.kind != 'o' {
		return nil, fmt.Errorf("%s.headers: must be an object of name: value, not %s", path, h.kindName())
	}
	hp := path + ".headers"
	for _, f := range h.fields {
		if !syntax.IsToken(f.key) {
			return nil, fmt.Errorf("%s: not a valid header name", quoted(hp, f.key))
		}
		key := http.CanonicalHeaderKey(f.key)
		add := func(v string) error {
			if strings.ContainsAny(v, "\x00\r\n") {
				return fmt.Errorf("%s: a header value cannot contain CR, LF or NUL", quoted(hp, f.key))
			}
			r.Header[key] = append(r.Header[key], v)
			return nil
		}
		switch f.val.kind {
		case 's':
			if err := add(f.val.str); err != nil {
				return nil, err
			}
		case 'a':
			for i, it := range f.val.items {
				if it.kind != 's' {
					return nil, fmt.Errorf("%s[%d]: must be a string, not %s", quoted(hp, f.key), i, it.kindName())
				}
				if err := add(it.str); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("%s: must be a string or an array of strings, not %s", quoted(hp, f.key), f.val.kindName())
		}
	}
	return r, nil
}
