package policy

import (
	"net/http"
	"slices"
	"strings"
)

// Policy is a validated Document compiled into ready header lines. It is
// immutable: site B swaps whole policies, so a response never mixes two.
type Policy struct {
	doc             Document
	json            []byte
	preflightStatus int
	preflight       []headerLine
	actual          []headerLine
}

// headerLine is one header with its values. When a value holds
// placeholders, tmpls has every value compiled, so a request only fills
// them in.
type headerLine struct {
	key    string // canonical
	values []string
	tmpls  []template
}

// template is a header value split at its placeholders, compiled once per
// policy instead of once per request.
type template []segment

// segment is a literal (from == 0) or a placeholder: the request header it
// takes its text from.
type segment struct {
	lit  string
	from placeholder
}

type placeholder uint8

const (
	literal placeholder = iota
	fromOrigin
	fromRequestMethod
	fromRequestHeaders
)

// requestHeader is the request header each placeholder stands for.
var requestHeader = [...]string{
	fromOrigin:         "Origin",
	fromRequestMethod:  "Access-Control-Request-Method",
	fromRequestHeaders: "Access-Control-Request-Headers",
}

// compileValue splits a validated value at its placeholders.
func compileValue(v string) template {
	var t template
	for v != "" {
		i := strings.IndexByte(v, '{')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(v[i:], '}')
		}
		if j < 0 { // no placeholder left (validation leaves none unclosed)
			return append(t, segment{lit: v})
		}
		if i > 0 {
			t = append(t, segment{lit: v[:i]})
		}
		switch name := v[i : i+j+1]; name {
		case PlaceholderOrigin:
			t = append(t, segment{from: fromOrigin})
		case PlaceholderRequestMethod:
			t = append(t, segment{from: fromRequestMethod})
		case PlaceholderRequestHeaders:
			t = append(t, segment{from: fromRequestHeaders})
		default: // unreachable for a validated value: keep it as text
			t = append(t, segment{lit: name})
		}
		v = v[i+j+1:]
	}
	return t
}

// NewPolicy validates d and compiles it. On error the caller keeps its old policy.
func NewPolicy(d Document) (*Policy, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return compileDocument(d.Clone()), nil
}

// ParsePolicy parses, validates and compiles a policy document. It
// validates once: what ParseDocument returns is valid, and its own.
func ParsePolicy(data []byte) (*Policy, error) {
	d, err := ParseDocument(data)
	if err != nil {
		return nil, err
	}
	return compileDocument(d), nil
}

// compileDocument compiles a valid document that nothing else holds.
func compileDocument(d Document) *Policy {
	return &Policy{
		doc:             d,
		json:            d.Encode(),
		preflightStatus: d.PreflightStatus(),
		preflight:       compile(d.Preflight.Headers),
		actual:          compile(d.Actual.Headers),
	}
}

// Closed is the policy site B starts with: no CORS headers at all, so by
// default site B is not accessible to other origins.
func Closed() *Policy {
	p, _ := NewPolicy(Document{}) // an empty document is valid
	return p
}

func compile(hs Headers) []headerLine {
	lines := make([]headerLine, 0, len(hs))
	for _, name := range hs.names() {
		vs := hs[name]
		l := headerLine{key: http.CanonicalHeaderKey(name), values: vs[:len(vs):len(vs)]}
		if slices.ContainsFunc(vs, func(v string) bool { return strings.IndexByte(v, '{') >= 0 }) {
			for _, v := range vs {
				l.tmpls = append(l.tmpls, compileValue(v))
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// Document returns a copy of the policy's document.
func (p *Policy) Document() Document { return p.doc.Clone() }

// JSON returns the policy's document as indented JSON. Do not modify it.
func (p *Policy) JSON() []byte { return p.json }

// PreflightStatus is the status site B answers a preflight with.
func (p *Policy) PreflightStatus() int { return p.preflightStatus }

// WritePreflight sets the preflight's headers on h for request r.
func (p *Policy) WritePreflight(h http.Header, r *http.Request) { write(h, p.preflight, r) }

// WriteActual sets the headers for a response that is not a preflight.
func (p *Policy) WriteActual(h http.Header, r *http.Request) { write(h, p.actual, r) }

// SetsPreflightStatus reports whether the document names a preflight status
// (in proxy mode, only then does the policy replace the upstream's).
func (p *Policy) SetsPreflightStatus() bool { return p.doc.Preflight.Status != 0 }

// Override lays the policy's headers over an upstream's answer: each header
// the policy names replaces the upstream's, or is removed if it fills in
// nothing for this request; the others pass through untouched.
func (p *Policy) Override(h http.Header, r *http.Request, preflight bool) {
	lines := p.actual
	if preflight {
		lines = p.preflight
	}
	for _, l := range lines {
		delete(h, l.key)
	}
	write(h, lines, r)
}

func write(h http.Header, lines []headerLine, r *http.Request) {
	for _, l := range lines {
		if l.tmpls == nil {
			h[l.key] = l.values // shared: capacity equals length, so an append copies
			continue
		}
		if len(l.tmpls) == 1 { // the usual case: no slice to build
			if vs, ok := expandOne(l.tmpls[0], r); ok {
				h[l.key] = vs
			}
			continue
		}
		vs := make([]string, 0, len(l.tmpls))
		for _, t := range l.tmpls {
			if x, ok := expand(t, r); ok {
				vs = append(vs, x)
			}
		}
		if len(vs) > 0 {
			h[l.key] = vs
		}
	}
}

// expandOne expands the only value of a header line. A value that is just
// one placeholder reuses the request's own header line: no allocation.
func expandOne(t template, r *http.Request) ([]string, bool) {
	if len(t) == 1 && t[0].from != literal {
		vs := r.Header[requestHeader[t[0].from]]
		if len(vs) == 0 || vs[0] == "" {
			return nil, false
		}
		return vs[:1:1], true // capacity equals length: an append copies
	}
	x, ok := expand(t, r)
	if !ok {
		return nil, false
	}
	return []string{x}, true
}

// expand fills in the placeholders of t from r's headers (their first
// line, as Header.Get). A value that is only placeholders and expands to
// nothing (a request without Origin) is dropped: ok is false.
func expand(t template, r *http.Request) (string, bool) {
	var parts [8]string
	fill := parts[:0]
	n := 0
	for _, s := range t {
		v := s.lit
		if s.from != literal {
			v = r.Header.Get(requestHeader[s.from])
		}
		fill = append(fill, v)
		n += len(v)
	}
	if n == 0 {
		return "", len(t) == 0 // an empty value stays; placeholders that fill in nothing go
	}
	if len(fill) == 1 {
		return fill[0], true
	}
	var b strings.Builder
	b.Grow(n)
	for _, v := range fill {
		b.WriteString(v)
	}
	return b.String(), true
}
