package export

import (
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// corsConfig is a policy as the settings CORS libraries share: allowed
// origins, methods, request headers, exposed headers, credentials, max age.
// Every library below (Spring, ASP.NET Core, Starlette, S3, Flask-CORS,
// django-cors-headers, jub0bs/cors, gin-contrib/cors, go-chi/cors, Fastify,
// Koa) sends one Access-Control-Allow-Origin for preflights and actual
// responses, answers preflights itself and sets only CORS headers.
type corsConfig struct {
	Origins    []string // listed origins; empty with AnyOrigin or EchoOrigin
	AnyOrigin  bool     // Access-Control-Allow-Origin: *
	EchoOrigin bool     // every request's Origin echoed ({origin})
	Methods    []string // listed methods, the safelisted ones included
	AnyMethod  bool
	Headers    []string // lower case; none when empty and not AnyHeader
	AnyHeader  bool
	Expose     []string
	ExposeAll  bool // Access-Control-Expose-Headers: *
	Creds      bool
	MaxAge     int // seconds; -1 when the policy sends none
	Status     int // the policy's preflight status
}

// libConfig maps the policy onto corsConfig, warning in name's words where
// a library cannot answer as the policy does. It fails with ErrNothing when
// the policy allows no origin anywhere.
func libConfig(p analysis, out *output, name string) (corsConfig, error) {
	c := corsConfig{MaxAge: -1, Status: p.status}
	origin := p.act.origin
	switch {
	case p.pre.origin == nil && p.act.origin == nil:
		return c, ErrNothing
	case p.act.origin == nil:
		origin = p.pre.origin
		out.warn("the policy sends Access-Control-Allow-Origin on preflights only, so browsers block every actual response; %s sends it on both (rendered with the preflight's %s).", name, describe(origin))
	case p.pre.origin == nil:
		out.warn("the policy sends no Access-Control-Allow-Origin on preflights, so every request that needs one is blocked; %s sends it on both (rendered with the actual response's %s).", name, describe(origin))
	case !equal(p.pre.origin, p.act.origin):
		out.warn("%s sends the same Access-Control-Allow-Origin on preflights and actual responses; the policy sends %s on preflights and %s on actual responses. Rendered with the actual response's.", name, describe(p.pre.origin), describe(p.act.origin))
	}
	if len(origin) > 1 {
		out.warn("the policy sends Access-Control-Allow-Origin on %d lines, which browsers refuse (MultipleAllowOriginValues); %s sends one line: the request's Origin when it is one of those listed.", len(origin), name)
	}
	for _, v := range origin {
		fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if len(fields) > 1 {
			out.warn("Access-Control-Allow-Origin %q names several origins on one line, which browsers refuse (MultipleAllowOriginValues); %s sends the request's Origin when it is one of them.", v, name)
		}
		for _, item := range fields {
			switch {
			case item == policy.PlaceholderOrigin:
				c.EchoOrigin = true
			case strings.Contains(item, "{"):
				out.warn("%s cannot send %q, an Access-Control-Allow-Origin built around a placeholder; rendered as echoing every Origin.", name, item)
				c.EchoOrigin = true
			case item == "*":
				c.AnyOrigin = true
			case !slices.Contains(c.Origins, item):
				c.Origins = append(c.Origins, item)
			}
		}
	}
	if c.EchoOrigin || c.AnyOrigin {
		c.Origins = nil
	}
	if c.EchoOrigin {
		c.AnyOrigin = false
	}

	preCred, actCred := isTrue(p.pre.credentials), isTrue(p.act.credentials)
	c.Creds = preCred || actCred
	if preCred != actCred {
		out.warn("%s sends Access-Control-Allow-Credentials on preflights and actual responses alike; the policy sends it on the %s only (rendered on both).", name, map[bool]string{true: "preflight", false: "actual response"}[preCred])
	}

	methods, ok := list(p.pre.methods)
	switch {
	case !ok:
		out.warn("Access-Control-Allow-Methods %s is not a list of methods, so browsers refuse every preflight; %s sends a valid one.", describe(p.pre.methods), name)
	case slices.Contains(methods, policy.PlaceholderRequestMethod), slices.Contains(methods, "*") && !c.Creds:
		c.AnyMethod = true
	case slices.Contains(methods, "*"):
		out.warn("with credentials, browsers read Allow-Methods * as a method named \"*\"; rendered with the other methods listed.")
	}
	c.Methods = []string{"GET", "HEAD", "POST"}
	for _, m := range methods {
		if !slices.Contains(c.Methods, m) && m != "*" && !isPlaceholder(m) {
			c.Methods = append(c.Methods, m)
		}
	}

	headers, ok := list(p.pre.headers)
	switch {
	case p.pre.headers == nil:
	case !ok:
		out.warn("Access-Control-Allow-Headers %s is not a list of header names, so browsers refuse every preflight that asks for one; %s sends a valid one.", describe(p.pre.headers), name)
	case slices.Contains(headers, policy.PlaceholderRequestHeaders):
		c.AnyHeader = true
	case slices.Contains(headers, "*"):
		if c.Creds {
			out.warn("with credentials, browsers read Allow-Headers * as a header named \"*\" and allow no other; %s's any-header setting echoes the requested headers, so it allows them.", name)
		}
		c.AnyHeader = true
	default:
		for _, h := range headers {
			c.Headers = append(c.Headers, strings.ToLower(h))
		}
	}

	expose, ok := list(p.act.expose)
	if !ok || hasPlaceholder(p.act.expose) {
		out.warn("%s cannot send Access-Control-Expose-Headers %s; rendered with the names in it.", name, describe(p.act.expose))
	}
	for _, h := range expose {
		switch {
		case h == "*":
			c.ExposeAll = true
		case !isPlaceholder(h):
			c.Expose = append(c.Expose, h)
		}
	}

	if p.pre.maxAge != nil {
		if n, ok := maxAge(p.pre.maxAge); ok {
			c.MaxAge = n
		} else {
			out.note("Access-Control-Max-Age %s is not a number of seconds, which browsers ignore (they cache for 5 s); %s leaves it out.", describe(p.pre.maxAge), name)
		}
	}
	if s := p.status; s >= 300 && s < 400 {
		out.warn("%s cannot redirect a preflight (the policy answers %d); browsers refuse redirected preflights anyway (PreflightDisallowedRedirect).", name, s)
	}

	for _, st := range []struct {
		s    stage
		what string
	}{{p.pre, "preflights"}, {p.act, "actual responses"}} {
		for _, h := range st.s.other {
			if h.name == "Location" && st.what == "preflights" && p.status >= 300 && p.status < 400 {
				continue // the redirect's warning says it
			}
			out.warn("%s sets only CORS headers: send %s: %s on %s from your own handler or middleware.", name, h.name, strings.Join(h.values, ", "), st.what)
		}
	}
	return c, nil
}

// statusWarning says when a library answers preflights with a fixed status
// the policy does not use: 2xx statuses all pass, another one does not.
func statusWarning(c corsConfig, out *output, name string, fixed int) {
	switch {
	case c.Status == fixed, c.Status >= 300 && c.Status < 400:
	case c.Status < 200 || c.Status > 299:
		out.warn("the policy answers preflights %d, which browsers refuse (PreflightInvalidStatus); %s answers them %d.", c.Status, name, fixed)
	default:
		out.note("%s answers preflights %d, the policy %d: both are ok statuses to a browser.", name, fixed, c.Status)
	}
}

// quoteAll quotes each string with q.
func quoteAll(s []string, q func(string) string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = q(v)
	}
	return out
}
