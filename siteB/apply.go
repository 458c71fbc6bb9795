package siteB

import (
	"net/http"
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

// headerLine is one header with its values; templated values hold placeholders.
type headerLine struct {
	key       string // canonical
	values    []string
	templated bool
}

// NewPolicy validates d and compiles it. On error the caller keeps its old policy.
func NewPolicy(d Document) (*Policy, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.Clone()
	p := &Policy{doc: d, json: d.Encode(), preflightStatus: d.Preflight.Status}
	if p.preflightStatus == 0 {
		p.preflightStatus = DefaultPreflightStatus
	}
	p.preflight = compile(d.Preflight.Headers)
	p.actual = compile(d.Actual.Headers)
	return p, nil
}

// ParsePolicy parses, validates and compiles a policy document.
func ParsePolicy(data []byte) (*Policy, error) {
	d, err := ParseDocument(data)
	if err != nil {
		return nil, err
	}
	return NewPolicy(d)
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
		for _, v := range vs {
			l.templated = l.templated || strings.IndexByte(v, '{') >= 0
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

func write(h http.Header, lines []headerLine, r *http.Request) {
	for _, l := range lines {
		if !l.templated {
			h[l.key] = l.values // shared: capacity equals length, so an append copies
			continue
		}
		vs := make([]string, 0, len(l.values))
		for _, v := range l.values {
			if x, ok := expand(v, r); ok {
				vs = append(vs, x)
			}
		}
		if len(vs) > 0 {
			h[l.key] = vs
		}
	}
}

// expand replaces the placeholders in v. A value that is only placeholders
// and expands to nothing (a request without Origin) is dropped: ok is false.
func expand(v string, r *http.Request) (string, bool) {
	x := strings.NewReplacer(
		PlaceholderOrigin, r.Header.Get("Origin"),
		PlaceholderRequestMethod, r.Header.Get("Access-Control-Request-Method"),
		PlaceholderRequestHeaders, r.Header.Get("Access-Control-Request-Headers"),
	).Replace(v)
	return x, x != "" || v == ""
}
