// Package export turns a site B policy (policy.Document) into configuration
// for the servers people run: Go's github.com/rs/cors options, Express's
// cors package, nginx directives, or the plain header lines. A fix tried in
// the lab becomes a fix in the user's own stack.
//
// Each stack has limits. Where it cannot answer as the policy does — rs/cors
// sends one Access-Control-Allow-Origin for preflights and actual responses
// alike, cannot send a header on several lines, cannot redirect a preflight —
// the output says so plainly in a WARNING comment and renders the closest
// configuration; a Note is a remark that changes nothing a browser decides.
// Render fails only when nothing sensible can be produced.
package export

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/syntax"
)

// Formats are the names Render takes: the first four of old, then the
// stacks ranked by how often people configure CORS in them (issue 16).
var Formats = []string{"rs-cors", "express", "nginx", "headers",
	"spring", "aspnet", "fastapi", "s3", "flask-cors", "django",
	"jub0bs-cors", "gin", "chi-cors", "fastify", "koa", "apache", "caddy"}

// renderers are the formats beyond the first four.
var renderers = map[string]func(analysis, *output) error{
	"spring": renderSpring, "aspnet": renderASPNet, "fastapi": renderStarlette, "s3": renderS3,
	"flask-cors": renderFlask, "django": renderDjango, "jub0bs-cors": renderJubCors, "gin": renderGin,
	"chi-cors": renderChiCors, "fastify": renderFastify, "koa": renderKoa,
	"apache": renderApache, "caddy": renderCaddy,
}

// ErrNothing is returned when the policy sends no
// Access-Control-Allow-Origin at all: a CORS library has nothing to do (the
// server already answers as the policy does without one).
var ErrNothing = errors.New("the policy sends no Access-Control-Allow-Origin: without any CORS configuration your server already answers as it does (cross-origin reads blocked)")

// Render prints doc as configuration in the named format, with its
// warnings and notes as comments at the top.
func Render(doc policy.Document, format string) (string, error) {
	if err := doc.Validate(); err != nil {
		return "", err
	}
	p := analyze(doc)
	var out output
	var err error
	switch format {
	case "rs-cors":
		err = renderRSCors(p, &out)
	case "express":
		err = renderExpress(p, &out)
	case "nginx":
		err = renderNginx(p, &out)
	case "headers":
		renderHeaders(p, &out)
	default:
		if r, ok := renderers[format]; ok {
			err = r(p, &out)
			break
		}
		return "", fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return "", err
	}
	failures(p, format, &out)
	security(p, &out, out.addsVary)
	return out.String(), nil
}

// output collects a rendering: its title, warnings, notes and body.
type output struct {
	comment  string // "// " or "# "
	title    string
	warnings []string
	notes    []string
	body     strings.Builder
	// addsVary: the rendered stack sends Vary: Origin itself when it echoes
	// the request's Origin (CORS libraries do; nginx gets it in the output).
	addsVary bool
}

func (o *output) warn(format string, a ...any) {
	o.warnings = append(o.warnings, fmt.Sprintf(format, a...))
}
func (o *output) note(format string, a ...any) { o.notes = append(o.notes, fmt.Sprintf(format, a...)) }
func (o *output) printf(format string, a ...any) {
	fmt.Fprintf(&o.body, format, a...)
}

func (o *output) String() string {
	var b strings.Builder
	comment(&b, o.comment, o.title, "")
	for _, w := range o.warnings {
		comment(&b, o.comment, "WARNING: "+w, "  ")
	}
	for _, n := range o.notes {
		comment(&b, o.comment, "Note: "+n, "  ")
	}
	b.WriteString(o.body.String())
	return b.String()
}

// comment writes s as comment lines wrapped at 78 columns; continuation
// lines get indent after the comment marker.
func comment(b *strings.Builder, marker, s, indent string) {
	width := 78 - len(marker)
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len(line)+1+len(w) > width {
			b.WriteString(strings.TrimRight(marker, " ") + " " + line + "\n")
			line = indent + w
			continue
		}
		if line == "" {
			line = w
		} else {
			line += " " + w
		}
	}
	b.WriteString(strings.TrimRight(marker, " ") + " " + line + "\n")
}

// analysis is a document sorted by what each header means to a browser.
type analysis struct {
	doc      policy.Document
	pre, act stage
	// status is the preflight's status (204 when the document sets none).
	status int
}

// stage is one rule's headers: the CORS ones by name, the rest in other.
type stage struct {
	origin, credentials, methods, headers, expose, maxAge, vary policy.Values
	other                                                       []headerLines // canonical names, sorted
	all                                                         []headerLines // every header, sorted
}

type headerLines struct {
	name   string // canonical
	values policy.Values
}

func analyze(doc policy.Document) analysis {
	p := analysis{doc: doc, pre: split(doc.Preflight.Headers), act: split(doc.Actual.Headers), status: doc.Preflight.Status}
	if p.status == 0 {
		p.status = policy.DefaultPreflightStatus
	}
	return p
}

func split(hs policy.Headers) stage {
	var s stage
	for name, vs := range hs {
		s.all = append(s.all, headerLines{http.CanonicalHeaderKey(name), vs})
	}
	slices.SortFunc(s.all, func(a, b headerLines) int { return strings.Compare(a.name, b.name) })
	for _, h := range s.all {
		switch h.name {
		case "Access-Control-Allow-Origin":
			s.origin = h.values
		case "Access-Control-Allow-Credentials":
			s.credentials = h.values
		case "Access-Control-Allow-Methods":
			s.methods = h.values
		case "Access-Control-Allow-Headers":
			s.headers = h.values
		case "Access-Control-Expose-Headers":
			s.expose = h.values
		case "Access-Control-Max-Age":
			s.maxAge = h.values
		case "Vary":
			s.vary = h.values
		default:
			s.other = append(s.other, h)
		}
	}
	return s
}

// list parses a header's lines as a browser does a comma-separated list
// (Fetch §2.2 "extract header list values": the lines joined by ", "),
// dropping empty items. ok is false when an item is not a token.
func list(vs policy.Values) (items []string, ok bool) {
	ok = true
	for _, v := range vs {
		for _, it := range strings.Split(v, ",") {
			it = strings.Trim(it, " \t")
			if it == "" {
				continue
			}
			ok = ok && (syntax.IsToken(it) || isPlaceholder(it))
			items = append(items, it)
		}
	}
	return items, ok
}

func isPlaceholder(s string) bool {
	return s == policy.PlaceholderOrigin || s == policy.PlaceholderRequestMethod || s == policy.PlaceholderRequestHeaders
}

func hasPlaceholder(vs policy.Values) bool {
	for _, v := range vs {
		if strings.Contains(v, "{") {
			return true
		}
	}
	return false
}

// maxAge parses Access-Control-Max-Age as a browser does (one
// non-negative integer); ok is false for anything else, which browsers
// ignore.
func maxAge(vs policy.Values) (int, bool) {
	if len(vs) != 1 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.Trim(vs[0], " \t"))
	if err != nil || n < 0 || strings.HasPrefix(strings.Trim(vs[0], " \t"), "+") {
		return 0, false
	}
	return n, true
}

func equal(a, b policy.Values) bool { return slices.Equal(a, b) }

// describe shows a header's lines for a message.
func describe(vs policy.Values) string {
	switch len(vs) {
	case 0:
		return "none"
	case 1:
		return strconv.Quote(vs[0])
	}
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, " and ") + " (one line each)"
}

// commonMethods stand in for "any method" where a stack has no wildcard.
var commonMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
