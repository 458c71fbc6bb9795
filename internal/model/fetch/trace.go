package fetch

import (
	"fmt"
	"net/http"
	"strings"
)

// The actors of a Trace.
const (
	ActorPage    = "page"    // the page's JavaScript (site A)
	ActorBrowser = "browser" // the browser's network code, which enforces CORS
	ActorServer  = "server"  // the server the page fetches from (site B)
)

// Step is one arrow of a sequence diagram: From sends What to To. OK is false
// on the arrow where the browser stopped (and on the TypeError handed back to
// the page); Note says what was in it and why. A step whose From and To are
// the same actor is something it did by itself, no message sent (the browser
// answering a preflight from its cache).
type Step struct {
	From string `json:"from"`
	To   string `json:"to"`
	What string `json:"what"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// Trace tells the exchange as a sequence of steps between the page, the
// browser and the server: the fetch() call, the OPTIONS preflight and its
// answer, the actual request and its answer, and what the page gets — stopping
// where the browser stopped. It runs the same algorithm as Judge.
func Trace(x Exchange) []Step {
	return evaluate(x).steps()
}

// Trace is the package's Trace in this browser.
func (b *Browser) Trace(x Exchange) []Step { return evaluateIn(b, x).steps() }

func (o *outcome) steps() []Step {
	var s []Step
	add := func(from, to, what string, ok bool, note string) {
		s = append(s, Step{From: from, To: to, What: what, OK: ok, Note: note})
	}
	add(ActorPage, ActorBrowser, fmt.Sprintf("fetch(%q, {method: %q})", o.x.Request.URL, o.x.Request.Method), o.fetchErr == nil || o.fetchErr.network, requestNote(o))

	toPage := func(ok bool, note string) {
		if ok {
			return
		}
		add(ActorBrowser, ActorPage, o.b.JSError, false, note)
	}
	if o.fetchErr != nil && !o.fetchErr.network {
		add(ActorBrowser, ActorPage, "TypeError: "+lastLine(oneLine(o.fetchErr.messageIn(o.b))), false, o.fetchErr.explain)
		return s
	}
	if len(o.hops) == 0 { // no-cors: one request, opaque answer
		o.noCORSSteps(add, toPage)
		return s
	}
	for i, h := range o.hops {
		if !o.hopSteps(h, i, add, toPage) {
			return s
		}
	}
	h := o.hops[len(o.hops)-1]
	switch {
	case o.redirect != "" && o.fail == nil && o.fetchErr == nil:
		add(ActorBrowser, ActorServer, "follow the redirect to "+o.redirect, true, "the next answer is not part of this exchange")
	default:
		readable := "no headers"
		if len(o.v.ReadableHeaders) > 0 {
			readable = "headers " + strings.Join(o.v.ReadableHeaders, ", ")
		}
		typ := "cors"
		if !h.cors {
			typ = "basic"
		}
		add(ActorBrowser, ActorPage, fmt.Sprintf("Response (type %s, status %d)", typ, h.actual.Status), true, "JavaScript can read the status, the body and "+readable)
	}
	return s
}

// hopSteps adds the arrows of one request of the chain: its preflight and
// answer, the request and its answer. It returns false where the browser
// stopped.
func (o *outcome) hopSteps(h *hopRun, i int, add func(from, to, what string, ok bool, note string), toPage func(bool, string)) bool {
	p := h.p
	target := pathOf(p.url)
	if p.url.RawQuery != "" {
		target += "?" + p.url.RawQuery
	}
	if i > 0 {
		target = p.urlString
	}
	method := p.method
	if i == 0 && h.need.needed && o.x.PreflightCached {
		// Fetch §4.8: a cache entry matches, so no OPTIONS goes out.
		add(ActorBrowser, ActorBrowser, "preflight answered from the browser's preflight cache", true,
			"no OPTIONS sent: an earlier preflight's answer, still within its Access-Control-Max-Age, allows "+method+
				" with these headers for this origin and URL; the server is not asked again, even if its policy changed since")
	} else if h.need.needed {
		note := "Access-Control-Request-Method: " + method
		if len(h.need.names) > 0 {
			note += "; Access-Control-Request-Headers: " + strings.Join(h.need.names, ",")
		}
		note += "; Origin: " + p.origin + "; no cookies. Why: " + strings.Join(h.need.reasons, "; ")
		add(ActorBrowser, ActorServer, "OPTIONS "+target+" (preflight)", true, note)
		if h.preflight == nil {
			add(ActorServer, ActorBrowser, "no answer", false, "network error: no HTTP response to the preflight")
			toPage(false, method+" never sent")
			return false
		}
		ok := h.pre != nil && h.pre.fail == nil
		note = corsHeaderSummary(h.preflight)
		if ok {
			note += " → preflight passed; " + o.b.Title + " may reuse it for " + o.b.MaxAge(h.preflight).String()
			if o.b.MaxAge(h.preflight) == 0 {
				note = strings.TrimSuffix(note, " for 0s") + " for no time at all"
			}
		} else if h.pre != nil {
			note += " → " + h.pre.fail.name + ": " + sentence(h.pre.fail.name, h.pre.fail.param)
		}
		add(ActorServer, ActorBrowser, statusLine(h.preflight.Status), ok, note)
		if !ok {
			toPage(false, o.v.Error+": the "+method+" request was never sent")
			return false
		}
	}

	cookies := "no cookies"
	switch {
	case p.credentials == credInclude, p.credentials == credSameOrigin && p.sameOrigin:
		cookies = "with cookies"
	}
	reqNote := cookies
	if h.cors {
		reqNote = "Origin: " + p.origin + "; " + cookies
	}
	if len(h.changes) > 0 {
		reqNote += "; " + strings.Join(h.changes, "; ")
	}
	add(ActorBrowser, ActorServer, method+" "+target, true, reqNote)
	if h.actual == nil {
		add(ActorServer, ActorBrowser, "no answer", false, "network error: no HTTP response")
		toPage(false, "network error")
		return false
	}
	last := h == o.cur
	answerOK := !last || (o.fail == nil && o.fetchErr == nil)
	note := corsHeaderSummary(h.actual)
	switch {
	case last && o.fail != nil:
		note += " → " + o.fail.name + ": " + sentence(o.fail.name, o.fail.param)
	case last && o.fetchErr != nil:
		note += " → " + o.fetchErr.explain
	case !h.cors:
		note += " → same-origin: no CORS check"
	default:
		note += " → CORS check passed"
	}
	if h.location != "" && !last {
		note += "; the browser follows it"
	}
	add(ActorServer, ActorBrowser, statusLine(h.actual.Status), answerOK, note)
	if !answerOK {
		what := "the server ran the request, but JavaScript sees only the TypeError"
		if _, redirect := redirectTarget(h.actual); redirect {
			what = "JavaScript sees only the TypeError"
		}
		toPage(false, what)
		return false
	}
	return true
}

// noCORSSteps tells a no-cors request: sent, answered, opaque.
func (o *outcome) noCORSSteps(add func(from, to, what string, ok bool, note string), toPage func(bool, string)) {
	p := o.p
	target := pathOf(p.url)
	if p.url.RawQuery != "" {
		target += "?" + p.url.RawQuery
	}
	cookies := "no cookies"
	if p.credentials == credInclude {
		cookies = "with cookies"
	}
	add(ActorBrowser, ActorServer, p.method+" "+target, true, "Origin: "+p.origin+"; "+cookies)
	if o.x.Actual == nil {
		add(ActorServer, ActorBrowser, "no answer", false, "network error: no HTTP response")
		toPage(false, "network error")
		return
	}
	add(ActorServer, ActorBrowser, statusLine(o.x.Actual.Status), true, corsHeaderSummary(o.x.Actual)+" → no-cors: no CORS check, the response becomes opaque")
	add(ActorBrowser, ActorPage, "opaque Response (status 0)", true, "no status, headers or body visible")
}

// requestNote summarizes what the page asked fetch() for.
func requestNote(o *outcome) string {
	r := o.x.Request
	var parts []string
	if len(r.Headers) > 0 {
		names := make([]string, len(r.Headers))
		for i, h := range r.Headers {
			names[i] = h[0]
		}
		parts = append(parts, "headers: "+strings.Join(names, ", "))
	}
	cred := r.Credentials
	if cred == "" {
		cred = credSameOrigin
	}
	mode := r.Mode
	if mode == "" {
		mode = modeCORS
	}
	parts = append(parts, "credentials: "+cred, "mode: "+mode)
	if o.p.url != nil {
		if o.p.sameOrigin {
			parts = append(parts, "same-origin request")
		} else {
			parts = append(parts, "cross-origin request from "+o.p.origin)
		}
	}
	return strings.Join(parts, "; ")
}

// corsHeaderSummary lists the CORS headers (and Location) of an answer.
func corsHeaderSummary(r *Response) string {
	var parts []string
	for _, name := range [...]string{
		"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
		"Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
		"Access-Control-Max-Age", "Access-Control-Expose-Headers", "Location",
	} {
		if v, ok := headerValue(r.Header, name); ok {
			parts = append(parts, name+": "+clip(v))
		}
	}
	if len(parts) == 0 {
		return "no CORS headers"
	}
	return strings.Join(parts, "; ")
}

func statusLine(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("%d %s", status, t)
	}
	return fmt.Sprint(status)
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
