package check

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/corslab/corslab/internal/model/fetch"
)

// Marker flags a CORS-relevant header line in Text's output.
const Marker = "▸"

// ANSI styles, used only when Text is asked for colour.
const (
	styleMark  = "\x1b[1;33m" // bold yellow: a CORS-relevant header
	styleGood  = "\x1b[1;32m"
	styleBad   = "\x1b[1;31m"
	styleDim   = "\x1b[2m"
	styleReset = "\x1b[0m"
)

// Text writes the probe for a person: each request sent (">" lines) and its
// answer ("<" lines), CORS-relevant headers marked with ▸, then the verdict
// (fetch.Verdict.Text). With colour, marked lines and the outcome are
// coloured for a terminal.
func (r *Result) Text(w io.Writer, colour bool) {
	p := printer{w: w, colour: colour}
	if r.Preflight == nil && r.Actual == nil && r.Err == nil {
		p.line("", "(nothing sent: fetch() rejects this call before any request)")
	}
	if r.Preflight != nil {
		p.hop(r.Preflight, "preflight")
	}
	if r.Actual != nil {
		if r.Preflight != nil {
			p.line("", "")
		}
		p.hop(r.Actual, "actual request")
	}
	for i, h := range r.Redirects {
		n := i + 1
		if h.Preflight != nil {
			p.line("", "")
			p.hop(h.Preflight, fmt.Sprintf("redirect %d: a new preflight at the new URL", n))
		}
		if h.Actual != nil {
			p.line("", "")
			p.hop(h.Actual, fmt.Sprintf("redirect %d, followed as the browser does", n))
		}
	}
	if r.Err != nil {
		return // the network error is said once, on stderr, by the caller (corslab check)
	}
	p.line("", "")
	text := r.Verdict.Text()
	first, rest, _ := strings.Cut(text, "\n")
	if r.Verdict.Allowed {
		p.styled(styleGood, first)
	} else {
		p.styled(styleBad, first)
	}
	io.WriteString(w, rest)
}

type printer struct {
	w      io.Writer
	colour bool
}

func (p printer) line(prefix, s string) { fmt.Fprintf(p.w, "%s%s\n", prefix, s) }

func (p printer) styled(style, s string) {
	if p.colour {
		s = style + s + styleReset
	}
	p.line("", s)
}

func (p printer) hop(h *Hop, what string) {
	title := fmt.Sprintf("> %s %s", h.Method, h.URL)
	p.line("", title+"   ("+what+")")
	for _, kv := range h.Sent {
		p.header("> ", kv[0], kv[1])
	}
	if h.Response == nil {
		p.line("< ", "(no answer)")
		return
	}
	status := fmt.Sprintf("%s %d %s", h.Proto, h.Response.Status, http.StatusText(h.Response.Status))
	style := styleGood
	switch {
	case h.Response.Status >= 400:
		style = styleBad
	case h.Response.Status >= 300:
		style = styleMark
	}
	if p.colour {
		status = style + status + styleReset
	}
	p.line("< ", status+fmt.Sprintf("   (%d ms)", h.Elapsed.Milliseconds()))
	for _, k := range sortedKeys(h.Response.Header) {
		for _, v := range h.Response.Header[k] {
			p.header("< ", k, v)
		}
	}
	if len(h.Body) > 0 {
		p.line("< ", p.dim(bodySummary(h)))
	}
}

func (p printer) header(prefix, name, value string) {
	s := name + ": " + value
	if !Relevant(name) {
		p.line(prefix+"  ", s)
		return
	}
	if p.colour {
		s = styleMark + s + styleReset
	}
	p.line(prefix+Marker+" ", s)
}

func (p printer) dim(s string) string {
	if p.colour {
		return styleDim + s + styleReset
	}
	return s
}

// Relevant reports whether a header plays a part in CORS: Origin, the
// Access-Control-* headers, Vary and Location.
func Relevant(name string) bool {
	l := strings.ToLower(name)
	return l == "origin" || l == "vary" || l == "location" || strings.HasPrefix(l, "access-control-")
}

// bodySummary is one line about the body: its first line, clipped.
func bodySummary(h *Hop) string {
	enc := ""
	if h.Response != nil {
		enc = h.Response.Header.Get("Content-Encoding")
	}
	more := ""
	if h.BodyTruncated {
		more = "+"
	}
	if enc != "" && enc != "identity" {
		return fmt.Sprintf("(body: %d%s bytes, %s-encoded)", len(h.Body), more, enc)
	}
	body := strings.TrimRight(string(h.Body), "\r\n")
	first, _, _ := strings.Cut(body, "\n")
	if !utf8.ValidString(first) {
		return fmt.Sprintf("(body: %d%s bytes, binary)", len(h.Body), more)
	}
	if len(first) > 100 {
		first = first[:100] + "…"
	} else if len(first) < len(body) || h.BodyTruncated {
		first += " …"
	}
	return fmt.Sprintf("(body: %d%s bytes) %s", len(h.Body), more, strings.Map(printable, first))
}

func printable(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}

// Row is one line of the table `corslab check` prints for several origins
// or methods.
type Row struct {
	Origin, Method string
	Preflight      string // "yes" or "no"
	Allowed        string // "yes", "no", or "-" on a network error
	Error          string // the CORS error and its parameter, or the network error
}

// Row summarises the result as a table row.
func (r *Result) Row() Row {
	row := Row{Origin: r.Exchange.Request.Origin, Method: r.Exchange.Request.Method, Preflight: "no", Allowed: "no"}
	if r.Preflight != nil {
		row.Preflight = "yes"
	}
	switch {
	case r.Err != nil:
		row.Allowed, row.Error = "-", r.Err.Reason
	case r.Verdict.Allowed:
		row.Allowed = "yes"
	default:
		row.Error = r.Verdict.Error
		if r.Verdict.FailedParameter != "" {
			row.Error += " (" + r.Verdict.FailedParameter + ")"
		}
		if r.Verdict.Error == fetch.ErrTypeError {
			msg := r.Verdict.Message
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			row.Error += ": " + msg
		}
	}
	return row
}
