package fetch

import (
	"net/http"
	"sort"
	"strings"
)

// headerValue returns the value of the named response header the way Chromium
// reads it (net::HttpResponseHeaders::GetNormalizedHeader): every line with that
// name, case-insensitively, each stripped of surrounding spaces and tabs, joined
// by ", ". present is false when no line has the name.
func headerValue(h http.Header, name string) (value string, present bool) {
	lines := headerLines(h, name)
	return joinLines(lines), len(lines) > 0
}

// headerLines returns the lines of the named header, matching the name
// case-insensitively.
func headerLines(h http.Header, name string) []string {
	if v, ok := h[name]; ok { // the canonical key: the usual case
		return v
	}
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys) // deterministic when a name comes in several spellings
	var lines []string
	for _, k := range keys {
		lines = append(lines, h[k]...)
	}
	return lines
}

func joinLines(v []string) string {
	switch len(v) {
	case 0:
		return ""
	case 1:
		return trimOWS(v[0])
	}
	var b strings.Builder
	for i, s := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(trimOWS(s))
	}
	return b.String()
}

// corsFailure is a failed CORS check: Chromium's error name and the parameter
// it reports.
type corsFailure struct {
	name, param string

	// What the browsers' own wordings need besides (see browsers.go).
	acaoLines  int    // how many Access-Control-Allow-Origin lines the answer had
	token      string // the first item of an unparsable Allow-Methods or -Headers list
	list       string // that whole list, its lines joined by ", "
	status     int    // the status of the answer that failed
	onRedirect bool   // the answer that failed is a redirect of the actual request
}

// corsCheck is Fetch "CORS check" (#concept-cors-check) as Chromium implements it
// (services/network/public/cpp/cors/cors.cc CheckAccess): the response's
// Access-Control-Allow-Origin must be * (without credentials) or the request's
// origin byte for byte; with credentials mode "include",
// Access-Control-Allow-Credentials must be exactly "true". Chromium looks closer
// at a mismatching value only to name the error: a space or comma means
// MultipleAllowOriginValues, "null" AllowOriginMismatch, something that is not a
// URL InvalidAllowOriginValue.
func corsCheck(h http.Header, origin, credentials string) *corsFailure {
	f := corsCheckName(h, origin, credentials)
	if f != nil {
		f.acaoLines = len(headerLines(h, "Access-Control-Allow-Origin"))
	}
	return f
}

func corsCheckName(h http.Header, origin, credentials string) *corsFailure {
	acao, present := headerValue(h, "Access-Control-Allow-Origin")
	switch {
	case !present:
		return &corsFailure{name: ErrMissingAllowOriginHeader}
	case acao == "*":
		if credentials == credInclude {
			return &corsFailure{name: ErrWildcardOriginNotAllowed}
		}
		return nil
	case acao != origin:
		switch {
		case strings.ContainsAny(acao, " ,"):
			return &corsFailure{name: ErrMultipleAllowOriginValues, param: acao}
		case acao == "null":
			return &corsFailure{name: ErrAllowOriginMismatch, param: acao}
		case !gurlValid(acao):
			return &corsFailure{name: ErrInvalidAllowOriginValue, param: acao}
		}
		return &corsFailure{name: ErrAllowOriginMismatch, param: acao}
	}
	if credentials == credInclude {
		if acac, _ := headerValue(h, "Access-Control-Allow-Credentials"); acac != "true" {
			return &corsFailure{name: ErrInvalidAllowCredentials, param: acac}
		}
	}
	return nil
}

// preflightName maps a CORS-check error found on a preflight answer to
// Chromium's Preflight… name (preflight_controller.cc CheckPreflightAccess).
func preflightName(name string) string {
	switch name {
	case ErrMissingAllowOriginHeader:
		return ErrPreflightMissingAllowOriginHeader
	case ErrAllowOriginMismatch:
		return ErrPreflightAllowOriginMismatch
	case ErrWildcardOriginNotAllowed:
		return ErrPreflightWildcardOriginNotAllowed
	case ErrMultipleAllowOriginValues:
		return ErrPreflightMultipleAllowOriginValues
	case ErrInvalidAllowOriginValue:
		return ErrPreflightInvalidAllowOriginValue
	case ErrInvalidAllowCredentials:
		return ErrPreflightInvalidAllowCredentials
	}
	return name
}

// redirectTarget reports whether a response is a redirect the browser acts on
// (net::HttpResponseHeaders::IsRedirect: status 301, 302, 303, 307 or 308 with
// a non-empty Location) and returns the first non-empty Location.
func redirectTarget(r *Response) (location string, ok bool) {
	switch r.Status {
	case 301, 302, 303, 307, 308:
	default:
		return "", false
	}
	for _, l := range headerLines(r.Header, "Location") {
		if l = trimOWS(l); l != "" {
			return l, true
		}
	}
	return "", false
}
