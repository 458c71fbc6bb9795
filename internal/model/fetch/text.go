package fetch

import (
	"strings"
)

// textWidth is where Text wraps its paragraphs.
const textWidth = 78

// Text renders the verdict for a person (`corslab explain -text`): the outcome,
// the preflight and why, whether the actual request was sent, what JavaScript
// can read, Chromium's console line, the explanation and the notes.
func (v Verdict) Text() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }

	switch {
	case v.Allowed && v.ResponseType == ResponseOpaque:
		line("Allowed: JavaScript gets an opaque response (status 0, no headers, no body).")
	case v.Allowed:
		line("Allowed: JavaScript gets the response.")
	case v.Error == ErrTypeError:
		line("Blocked: fetch() rejects with a TypeError (not a CORS error).")
	default:
		s := "Blocked by CORS: " + v.Error
		if v.FailedParameter != "" {
			s += " (" + v.FailedParameter + ")"
		}
		line(s + ". JavaScript gets " + jsError(v.Browser) + ".")
	}

	if v.Preflight {
		line("Preflight: yes, an OPTIONS request first, because")
		for _, r := range v.PreflightReasons {
			wrap(&b, r, "  - ", "    ")
		}
		if len(v.RequestHeadersInPreflight) > 0 {
			line("  Access-Control-Request-Headers: " + strings.Join(v.RequestHeadersInPreflight, ","))
		}
	} else {
		line("Preflight: no.")
	}
	if v.ActualRequestSent {
		line("Actual request sent: yes, the server ran it.")
	} else {
		line("Actual request sent: no, the server never saw it.")
	}
	switch {
	case !v.Allowed, v.ResponseType == ResponseOpaque:
		line("JavaScript can read: nothing.")
	case len(v.ReadableHeaders) == 0:
		line("JavaScript can read: the status and body, no headers.")
	default:
		wrap(&b, "JavaScript can read: the status, the body and the headers "+strings.Join(v.ReadableHeaders, ", ")+".", "", "  ")
	}

	if v.Message != "" {
		lines := strings.Split(v.Message, "\n")
		line("")
		line(orChromium(v.Browser) + " says:")
		for _, l := range lines[:len(lines)-1] {
			wrap(&b, l, "  ", "  ")
		}
		line("")
		line("What it means, and the fix:")
		wrap(&b, lines[len(lines)-1], "  ", "  ")
	}
	if v.Fix != nil {
		line("")
		line("The whole fix, at once:")
		wrap(&b, v.Fix.Text, "  ", "  ")
	}
	if len(v.Notes) > 0 {
		line("")
		line("Notes:")
		for _, n := range v.Notes {
			wrap(&b, n, "  - ", "    ")
		}
	}
	return b.String()
}

// wrap writes s as a paragraph wrapped at textWidth, the first line prefixed by
// first and the others by rest. A word longer than a line gets a line of its
// own.
func wrap(b *strings.Builder, s, first, rest string) {
	prefix := first
	n := 0
	for i, w := range strings.Fields(s) {
		switch {
		case i == 0:
			b.WriteString(prefix)
			n = len(prefix)
		case n+1+len(w) > textWidth:
			b.WriteByte('\n')
			prefix = rest
			b.WriteString(prefix)
			n = len(prefix)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	if n == 0 {
		b.WriteString(first)
	}
	b.WriteByte('\n')
}

func orChromium(title string) string {
	if title == "" {
		return Chromium.Title
	}
	return title
}

// jsError is what fetch() rejects with in the browser titled title.
func jsError(title string) string {
	for _, b := range Browsers() {
		if b.Title == title {
			return b.JSError
		}
	}
	return Chromium.JSError
}
