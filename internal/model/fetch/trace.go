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
// the page); Note says what was in it and why.
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

func (o *outcome) steps() []Step {
	p := o.p
	var s []Step
	add := func(from, to, what string, ok bool, note string) {
		s = append(s, Step{From: from, To: to, What: what, OK: ok, Note: note})
	}
	method := p.method
	if method == "" {
		method = o.x.Request.Method
	}
	add(ActorPage, ActorBrowser, fmt.Sprintf("fetch(%q, {method: %q})", o.x.Request.URL, o.x.Request.Method), o.fetchErr == nil || o.fetchErr.network, requestNote(o))

	toPage := func(ok bool, note string) {
		if ok {
			return
		}
		add(ActorBrowser, ActorPage, o.b.JSError, false, note)
	}
	if o.fetchErr != nil && !o.fetchErr.network {
		add(ActorBrowser, ActorPage, "TypeError: "+lastLine(o.fetchErr.message), false, o.fetchErr.explain)
		return s
	}
	target := pathOf(p.url)
	if p.url.RawQuery != "" {
		target += "?" + p.url.RawQuery
	}

	if o.v.Preflight {
		note := "Access-Control-Request-Method: " + method
		if len(o.need.names) > 0 {
			note += "; Access-Control-Request-Headers: " + strings.Join(o.need.names, ",")
		}
		note += "; Origin: " + p.origin + "; no cookies. Why: " + strings.Join(o.need.reasons, "; ")
		add(ActorBrowser, ActorServer, "OPTIONS "+target+" (preflight)", true, note)
		if o.x.Preflight == nil {
			add(ActorServer, ActorBrowser, "no answer", false, "network error: no HTTP response to the preflight")
			toPage(false, method+" never sent")
			return s
		}
		ok := o.pre != nil && o.pre.fail == nil
		note = corsHeaderSummary(o.x.Preflight)
		if ok {
			note += " → preflight passed; " + o.b.Title + " may reuse it for " + o.b.MaxAge(o.x.Preflight).String()
			if o.b.MaxAge(o.x.Preflight) == 0 {
				note = strings.TrimSuffix(note, " for 0s") + " for no time at all"
			}
		} else if o.pre != nil {
			note += " → " + o.pre.fail.name + ": " + sentence(o.pre.fail.name, o.pre.fail.param)
		}
		add(ActorServer, ActorBrowser, statusLine(o.x.Preflight.Status), ok, note)
		if !ok {
			toPage(false, o.v.Error+": the "+method+" request was never sent")
			return s
		}
	}

	cookies := "no cookies"
	switch {
	case p.credentials == credInclude, p.credentials == credSameOrigin && p.sameOrigin:
		cookies = "with cookies"
	}
	reqNote := cookies
	if !p.sameOrigin {
		reqNote = "Origin: " + p.origin + "; " + cookies
	}
	add(ActorBrowser, ActorServer, method+" "+target, true, reqNote)
	if o.x.Actual == nil {
		add(ActorServer, ActorBrowser, "no answer", false, "network error: no HTTP response")
		toPage(false, "network error")
		return s
	}
	answerOK := o.fail == nil && (o.fetchErr == nil)
	note := corsHeaderSummary(o.x.Actual)
	switch {
	case o.fail != nil:
		note += " → " + o.fail.name + ": " + sentence(o.fail.name, o.fail.param)
	case o.fetchErr != nil:
		note += " → " + o.fetchErr.explain
	case o.path == pathSameOrigin:
		note += " → same-origin: no CORS check"
	case o.path == pathNoCORS:
		note += " → no-cors: no CORS check, the response becomes opaque"
	default:
		note += " → CORS check passed"
	}
	add(ActorServer, ActorBrowser, statusLine(o.x.Actual.Status), answerOK, note)
	if !answerOK {
		toPage(false, "the server ran the request, but JavaScript sees only the TypeError")
		return s
	}
	switch {
	case o.redirect != "":
		add(ActorBrowser, ActorServer, "follow the redirect to "+o.redirect, true, "the next answer is not part of this exchange")
	case o.path == pathNoCORS:
		add(ActorBrowser, ActorPage, "opaque Response (status 0)", true, "no status, headers or body visible")
	default:
		readable := "no headers"
		if len(o.v.ReadableHeaders) > 0 {
			readable = "headers " + strings.Join(o.v.ReadableHeaders, ", ")
		}
		typ := "cors"
		if o.path == pathSameOrigin {
			typ = "basic"
		}
		add(ActorBrowser, ActorPage, fmt.Sprintf("Response (type %s, status %d)", typ, o.x.Actual.Status), true, "JavaScript can read the status, the body and "+readable)
	}
	return s
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
