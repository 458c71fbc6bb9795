package fetch

import (
	"fmt"
	"strings"
)

// path is the way a request went through the browser.
type path int

const (
	pathRejected   path = iota // fetch() threw or the browser refused before any traffic
	pathSameOrigin             // same-origin: no CORS at all
	pathNoCORS                 // mode no-cors: opaque response
	pathCORS                   // cross-origin, mode cors
)

// outcome is one run of the algorithm: the verdict plus what Trace and Text
// need to tell the story.
type outcome struct {
	b    *Browser
	x    Exchange
	p    prepared
	path path
	need preflightNeeded

	fetchErr  *typeError        // fetch() rejected without a CORS error
	pre       *preflightOutcome // the preflight's answer was judged
	fail      *corsFailure      // the CORS error that blocked it, if any
	failStage string            // "preflight" or "actual" for fail
	redirect  string            // Location the browser would follow after the last answer given

	// hops are the requests of the redirect chain, the first URL first; cur
	// is the one the run ended on (o.p, o.need and o.pre describe it).
	hops []*hopRun
	cur  *hopRun
	page prepared // the request as fetch() made it, before any redirect
	next *hopRun  // the request the browser makes next, when the exchange ends on a redirect it follows

	v Verdict
}

// verdict is the run's verdict with the whole fix for it.
func (o *outcome) verdict() Verdict {
	v := o.v
	v.Fix = wholeFix(o)
	return v
}

// evaluate runs fetch() on the exchange in Chromium (see Judge).
func evaluate(x Exchange) *outcome { return evaluateIn(Chromium, x) }

// evaluateIn runs fetch() on the exchange in browser b.
func evaluateIn(b *Browser, x Exchange) *outcome {
	o := &outcome{b: b, x: x}
	defer func() { o.v.Browser = b.Title }()
	o.v = Verdict{PreflightReasons: []string{}, RequestHeadersInPreflight: []string{}, ReadableHeaders: []string{}, ResponseType: ResponseError}
	p, terr := prepare(x.Request)
	o.p, o.page = p, p
	if terr != nil {
		o.reject(terr)
		return o
	}
	for i, d := range p.dropped {
		if i == maxDroppedNotes {
			o.note(fmt.Sprintf("fetch() silently dropped %d more headers.", len(p.dropped)-i))
			break
		}
		o.note(fmt.Sprintf("fetch() silently dropped the header %s: %s. It is not sent and needs no preflight.", d.name, d.why))
	}
	if !p.isHTTPScheme() {
		o.reject(&typeError{
			message: "Failed to fetch",
			console: fmt.Sprintf("Fetch API cannot load %s. URL scheme \"%s\" is not supported.", p.urlString, strings.ToLower(p.url.Scheme)),
			explain: "The lab models http and https requests; fetch() cannot load this scheme across origins.",
		})
		return o
	}
	switch {
	case p.mode == modeSameOrigin && !p.sameOrigin:
		// Blink's FetchManager refuses before any network traffic: fetch()
		// rejects with TypeError: Failed to fetch, the console shows only
		// this line, and DevTools reports no request and no corsErrorStatus
		// (checked in Chromium 156). DisallowedByMode, the network service's
		// name for the same rule, never reaches a page, so this is a
		// TypeError like any request fetch() refuses.
		o.reject(&typeError{
			message: "Failed to fetch",
			console: fmt.Sprintf("Fetch API cannot load %s. Request mode is \"same-origin\" but the URL's origin is not same as the request origin %s.", p.urlString, p.origin),
			explain: fmt.Sprintf("The page asked for mode: 'same-origin', which forbids cross-origin requests, and %s is not on the page's origin %s. Nothing was sent, and no CORS check ran: the browser refused before the network, so DevTools shows no CORS error (the network service's name for this rule, DisallowedByMode, never reaches a page). Fix: use mode 'cors' (the default) and have the server allow the origin.",
				p.urlString, p.origin),
		})
		return o
	case p.sameOrigin:
		// Fetch gives a same-origin request a "basic" response, but
		// verdict-format.md allows only cors, opaque and error: the verdict
		// says cors, lists every readable header, and a note tells the truth.
		o.path = pathSameOrigin
		o.chain()
		return o
	case p.mode == modeNoCORS:
		o.path = pathNoCORS
		o.noCORS()
		return o
	}
	o.path = pathCORS
	o.chain()
	return o
}

// maxDroppedNotes bounds the notes about headers fetch() dropped.
const maxDroppedNotes = 10

func (o *outcome) note(s string) { o.v.Notes = append(o.v.Notes, s) }

// reject ends the run with a TypeError that is not a CORS error.
func (o *outcome) reject(t *typeError) {
	o.fetchErr = t
	o.v.Allowed = false
	o.v.ResponseType = ResponseError
	o.v.Error = ErrTypeError
	o.v.FailedParameter = ""
	o.v.ReadableHeaders = []string{}
	o.v.Message = t.sentenceIn(o.b) + "\n" + t.explain
	if t.network && o.path == pathCORS && o.b.networkError != "" {
		// Firefox reports a CORS request that got no answer as a CORS error.
		f := &corsFailure{name: o.b.networkError}
		o.v.Error = o.b.networkError
		o.v.Message = o.b.sentence(o, f, f.name, "") + "\n" + t.explain
	}
}

// block ends the run with a CORS error.
func (o *outcome) block(f *corsFailure, stage string) {
	o.fail, o.failStage = f, stage
	o.v.Allowed = false
	o.v.ResponseType = ResponseError
	name, param := o.b.names(f)
	o.v.Error = name
	o.v.FailedParameter = param
	o.v.ReadableHeaders = []string{}
	o.v.Message = o.b.sentence(o, f, name, param) + "\n" + explainFailure(o, f)
}

func (o *outcome) allow(responseType string, readable []string) {
	o.v.Allowed = true
	o.v.ResponseType = responseType
	o.v.ReadableHeaders = readable
}

func noAnswer(b *Browser, what string) *typeError {
	return &typeError{
		message: "Failed to fetch",
		network: true,
		explain: fmt.Sprintf("This exchange has no answer to the %s: the browser sent it but got no HTTP response (server down, connection refused or reset), so fetch() rejects with a network error and no CORS check runs. %s", what, map[string]string{
			"chromium": "Chromium's console shows a net::ERR_… line instead of a CORS message.",
			"firefox":  "Firefox's console still words it as a CORS failure (CORS request did not succeed, Status code: (null)), though no CORS header was ever read.",
			"webkit":   "Safari's console shows no CORS message for it.",
		}[b.Name]),
	}
}

func (o *outcome) noCORS() {
	o.v.ActualRequestSent = true
	last := o.x.Actual
	for _, h := range o.x.Redirects {
		if last == nil {
			break
		}
		last = h.Actual
	}
	if last == nil {
		o.reject(noAnswer(o.b, "request"))
		return
	}
	o.note("Mode \"no-cors\" gives JavaScript an opaque response: status 0, no headers, no body. The server's CORS headers do not matter, and the request ran on the server all the same.")
	o.allow(ResponseOpaque, []string{})
}
