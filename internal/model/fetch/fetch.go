// Package fetch is corslab's browser model: the WHATWG Fetch standard's CORS
// algorithms as pure functions, with Chromium as the referee.
//
// Given one fetch() call a page makes (Request) and what the server answered to
// the preflight and to the actual request (Exchange), Judge says what the browser
// does with it (Verdict): whether it sends an OPTIONS preflight and why, whether
// the preflight passes, whether the actual request is sent, whether JavaScript
// gets the response, which response headers it can read, and — when it is
// blocked — Chromium's error name, the parameter Chromium reports with it, the
// sentence Chromium prints in the console and a plain-language explanation with
// the fix. Trace turns the same decision into steps for a sequence diagram.
// ParseExchange reads an exchange in the JSON form of docs/verdict-format.md,
// and Verdict.IndentedJSON and Verdict.Text render the verdict: what `corslab
// explain` (cmd/corslab) prints.
//
// Where Chromium differs from the standard the model follows Chromium and says
// so in Verdict.Notes. The differences, each checked against Chromium's source
// (services/network/cors, services/network/public/cpp/cors) and against a real
// headless Chromium 156:
//
//   - Access-Control-Allow-Headers: * also covers Authorization (the standard says
//     it never does; Chromium's CorsNonWildcardRequestHeadersSupport feature,
//     which would enforce that, is still off by default).
//   - fetch() silently drops a User-Agent header (still forbidden in Chromium).
//   - Some client-hint headers (dpr, width, viewport-width, device-memory, rtt,
//     downlink, ect, save-data, intervention) are CORS-safelisted.
//   - A preflight's Access-Control-Allow-Origin is checked before its status.
//   - mode "same-origin" to another origin is a plain TypeError with no CORS
//     error: Blink refuses it before the network service, whose name for the
//     rule (DisallowedByMode) therefore never reaches a page.
//   - With several disallowed request headers, Chromium names whichever it meets
//     first in its own (hash) order; the model names the alphabetically first.
//
// Nothing here does I/O, nothing keeps state, and no input makes it panic.
package fetch

import (
	"net/http"
)

// Request is a fetch() call as the page makes it.
type Request struct {
	Origin      string      // serialized origin of the page, e.g. "http://localhost:7070"
	URL         string      // absolute URL (a relative one is resolved against Origin, as fetch() does against the page)
	Method      string      // as passed to fetch(); Judge applies fetch's normalization (delete get head options post put upper-cased)
	Headers     [][2]string // name, value pairs in the order given to fetch()
	Credentials string      // "omit", "same-origin" (default when empty), "include"
	Mode        string      // "cors" (default when empty), "no-cors"; "same-origin" is modelled too
	// Body is the request body, "" for none: fetch() refuses a body on GET
	// and HEAD (Fetch "Request class" constructor, step 36).
	Body string
}

// Response is what a server answered: status and header lines (a name may
// repeat: one http.Header value per line). Header names are matched
// case-insensitively, so non-canonical keys work too.
type Response struct {
	Status int
	Header http.Header
}

// Exchange is one request and the server's answers; Preflight or Actual is nil
// when the browser never got that far or it was not sent. A nil answer where the
// browser did send the request is judged as a network error (no HTTP response).
type Exchange struct {
	Request   Request
	Preflight *Response
	Actual    *Response
	// PreflightCached says Preflight was not sent: the browser answered it
	// from its CORS-preflight cache (Fetch §4.8 "CORS-preflight cache"),
	// and Preflight stands for the cached answer. Judge is unchanged; Trace
	// draws no OPTIONS.
	PreflightCached bool
	// Redirects are the requests the browser made after Actual redirected
	// (Fetch §4.4 "HTTP-redirect fetch"), in order: Redirects[0] answers the
	// request to Actual's Location, Redirects[1] the request to
	// Redirects[0].Actual's Location, and so on. Empty when Actual is final —
	// or when the next answers are unknown: then a redirect that passes its
	// CORS check is judged as followed, with nothing readable yet.
	Redirects []Hop
}

// Hop is one request of a redirect chain: the URL the browser requested
// (the previous answer's Location, resolved; empty means exactly that) and
// the answers to its preflight — when the browser sent a new one at this URL
// — and to the request itself.
type Hop struct {
	URL       string
	Preflight *Response
	Actual    *Response
}

// Judge runs the whole algorithm — fetch()'s request construction (Fetch
// "Request class"), "main fetch", the "CORS-preflight fetch", the "CORS check"
// and the "CORS filtered response" (§2.2.6) — over one exchange.
// Its notes say where Firefox and Safari would do differently.
func Judge(x Exchange) Verdict {
	return judged(evaluate(x))
}

// NeedsPreflight says whether the browser sends a CORS-preflight request before
// r (Fetch "main fetch": the use-CORS-preflight flag; "CORS-preflight fetch"), and why:
// reasons in words, and the header names it lists in
// Access-Control-Request-Headers (lowercase, sorted, unique). Both are empty when
// no preflight is sent: a same-origin or no-cors request, a request fetch()
// rejects (a scheme other than http and https included), or one with only
// safelisted method and headers.
func NeedsPreflight(r Request) (reasons []string, requestHeaders []string) {
	return Chromium.NeedsPreflight(r)
}

// NeedsPreflight is the package's NeedsPreflight in this browser (Chromium
// alone safelists the client hints).
func (b *Browser) NeedsPreflight(r Request) (reasons []string, requestHeaders []string) {
	p, terr := prepare(r)
	if terr != nil || p.mode != modeCORS || p.sameOrigin || !p.isHTTPScheme() {
		return []string{}, []string{}
	}
	need := preflightNeed(p, b)
	return need.reasons, need.names
}

// RefusedLocally returns the TypeError fetch() throws for r before sending
// anything (an invalid or forbidden method, an invalid header name or value,
// a body on GET, a URL it cannot parse…), or "" when fetch() sends it.
func RefusedLocally(r Request) string { return Chromium.RefusedLocally(r) }

// RefusedLocally is the package's RefusedLocally in this browser's words.
func (b *Browser) RefusedLocally(r Request) string {
	p, terr := prepare(r)
	if terr != nil {
		return "TypeError: " + oneLine(terr.messageIn(b))
	}
	if !p.isHTTPScheme() {
		return "TypeError: Failed to fetch"
	}
	return ""
}

// SameOrigin reports whether r goes to the page's own origin: then no CORS
// applies at all (Fetch "main fetch" step 12, the same-origin branch).
func SameOrigin(r Request) bool {
	p, terr := prepare(r)
	return terr == nil && p.sameOrigin
}
