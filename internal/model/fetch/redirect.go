package fetch

import (
	"fmt"
	"net/url"
	"strings"
)

// maxRedirects is Fetch §4.4 "HTTP-redirect fetch" step 6 (and Chromium's
// net::URLRequest limit): a request follows at most 20 redirects; the 21st
// fails with a network error.
const maxRedirects = 20

// requestBodyHeaders are Fetch's request-body-header names (§2.2.2), removed
// when a redirect turns the request into a GET (§4.4 step 11).
var requestBodyHeaders = map[string]bool{
	"content-encoding": true, "content-language": true, "content-location": true, "content-type": true,
}

// hopRun is one request of a redirect chain as the browser made it.
type hopRun struct {
	p         prepared // URL, method, headers, and the Origin it carried ("null" once tainted)
	cors      bool     // CORS applies (Fetch: response tainting "cors"; Chromium's fetch_cors_flag_), sticky along the chain
	tainted   bool     // the Origin became null (§4.4: a cross-origin redirect of a cross-origin request)
	need      preflightNeeded
	preflight *Response
	pre       *preflightOutcome
	actual    *Response
	sent      bool     // the request itself went out
	location  string   // resolved Location of its answer, when the browser follows it
	changes   []string // what the browser changed on the way here from the previous hop
	noBody    bool     // a redirect on the way dropped the request body
}

// chain runs a same-origin or cors-mode request along its redirect chain
// (Fetch "main fetch", "HTTP fetch" and §4.4 "HTTP-redirect fetch", as
// Chromium's CorsURLLoader does them): each hop that is cross-origin, or
// follows one that was, is CORS-checked — the redirect answers included —
// and gets a preflight of its own when its method or headers need one.
func (o *outcome) chain() {
	first := &hopRun{p: o.page, cors: !o.page.sameOrigin, preflight: o.x.Preflight, actual: o.x.Actual}
	for _, h := range first.p.headers {
		if first.cors && chromiumClientHints[h.lower] && !h.byBrowser {
			if ok, _ := safelistedRequestHeader(h.lower, h.value, true); ok {
				if o.b.ClientHintsSafelisted {
					o.note(fmt.Sprintf("%s treats the client-hint header %s as CORS-safelisted; the Fetch standard does not, so Firefox and Safari send a preflight for it.", o.b.Title, h.lower))
				} else {
					o.note(fmt.Sprintf("The client-hint header %s is not CORS-safelisted in %s (the Fetch standard agrees), so it needs a preflight; Chromium alone would send it without one.", h.lower, o.b.Title))
				}
			}
		}
	}
	cur := first
	for i := 0; ; i++ {
		o.hops = append(o.hops, cur)
		o.cur, o.p = cur, cur.p
		if !o.runHop(cur) {
			return
		}
		loc, ok := redirectTarget(cur.actual)
		if !ok {
			o.finish(cur)
			return
		}
		next := o.follow(cur, loc, i)
		if next == nil {
			return
		}
		if i >= len(o.x.Redirects) {
			// The exchange stops here: the browser goes on, but what it
			// gets next is not known.
			o.redirect, o.next = cur.location, next
			what := "This exchange does not include that next answer: it gets its own CORS check"
			if cur.cors {
				what += " (and if it leaves this server's origin, the browser sends Origin: null from then on)"
			}
			o.note(fmt.Sprintf("The browser follows the %d redirect to %s. %s. JavaScript will see the final response, not this one.", cur.actual.Status, cur.location, what))
			o.allow(ResponseCORS, []string{})
			return
		}
		h := o.x.Redirects[i]
		next.preflight, next.actual = h.Preflight, h.Actual
		cur = next
	}
}

// runHop sends one request of the chain: its preflight when CORS applies and
// the method or headers need one, then the request, whose answer gets the
// CORS check. It returns false when the run ended there.
func (o *outcome) runHop(h *hopRun) bool {
	if h.cors {
		h.need = preflightNeed(h.p, o.b)
		o.need = h.need
		if h.need.needed {
			if !o.v.Preflight {
				o.v.Preflight = true
				o.v.PreflightReasons = h.need.reasons
				o.v.RequestHeadersInPreflight = h.need.names
			}
			if h.preflight == nil {
				o.reject(noAnswer(o.b, "OPTIONS preflight"+o.atHop(h)))
				return false
			}
			pre := checkPreflight(o.b, h.p, h.need, h.preflight)
			h.pre, o.pre = &pre, &pre
			for _, n := range pre.notes {
				o.note(n)
			}
			if pre.fail != nil {
				o.block(pre.fail, "preflight")
				return false
			}
		}
	}
	h.sent = true
	o.v.ActualRequestSent = true
	if h.actual == nil {
		o.reject(noAnswer(o.b, "request"+o.atHop(h)))
		return false
	}
	if h.cors {
		if f := corsCheck(h.actual.Header, h.p.origin, h.p.credentials); f != nil {
			f.status = h.actual.Status
			if loc, ok := redirectTarget(h.actual); ok {
				// WebKit words a refused redirect with its Location.
				f.onRedirect = true
				if u, err := url.Parse(loc); err == nil {
					o.redirect = canonicalURL(h.p.url.ResolveReference(u))
				}
			}
			o.block(f, "actual")
			return false
		}
	}
	return true
}

// atHop names a hop after the first in an explanation.
func (o *outcome) atHop(h *hopRun) string {
	if len(o.hops) < 2 {
		return ""
	}
	return " at " + h.p.urlString + " (after a redirect)"
}

// finish gives JavaScript the final answer: CORS-filtered once CORS applied
// anywhere along the chain, else the basic same-origin response.
func (o *outcome) finish(h *hopRun) {
	if h.cors {
		o.path = pathCORS
		o.allow(ResponseCORS, readableHeaders(h.actual.Header, h.p.credentials))
		return
	}
	// Fetch gives a same-origin request a "basic" response, but
	// verdict-format.md allows only cors, opaque and error: the verdict
	// says cors, lists every readable header, and a note tells the truth.
	o.note("This request is same-origin, so CORS does not apply: JavaScript sees a \"basic\" response with every header but Set-Cookie. (The verdict contract knows only cors, opaque and error, so responseType says cors.)")
	o.allow(ResponseCORS, basicReadableHeaders(h.actual.Header))
}

// follow is Fetch §4.4 "HTTP-redirect fetch" for the answer of h, which
// redirects to loc: it checks the new URL and returns the next request —
// method, headers and Origin as the browser changes them — or nil when the
// run ended with an error. i counts the redirects followed before this one.
func (o *outcome) follow(h *hopRun, loc string, i int) *hopRun {
	u, err := url.Parse(loc)
	if err != nil {
		o.reject(&typeError{
			message: "Failed to fetch",
			network: true,
			explain: fmt.Sprintf("The response redirects to %q, which is not a valid URL, so the browser fails the request (net::ERR_INVALID_REDIRECT).", loc),
		})
		return nil
	}
	next := h.p.url.ResolveReference(u)
	next.Fragment, next.RawFragment = "", ""
	h.location = canonicalURL(next)
	if s := strings.ToLower(next.Scheme); s != "http" && s != "https" {
		o.reject(&typeError{
			message: "Failed to fetch",
			network: true,
			explain: fmt.Sprintf("The response redirects to %s; a fetch() follows redirects only to http and https URLs (Fetch §4.4 step 5), so the request fails.", h.location),
		})
		return nil
	}
	nextOrigin := serializeOrigin(next)
	if hasCredentials(next) && (h.cors || nextOrigin != o.page.origin) {
		o.redirect = h.location
		o.block(&corsFailure{name: ErrRedirectContainsCredentials, status: h.actual.Status, onRedirect: true}, "actual")
		return nil
	}
	if i >= maxRedirects {
		o.reject(&typeError{
			message: "Failed to fetch",
			network: true,
			explain: fmt.Sprintf("The browser followed %d redirects and the %dth answer redirects again, to %s. Fetch stops after %d (net::ERR_TOO_MANY_REDIRECTS in Chromium): a redirect loop, usually (http↔https, a trailing slash added and removed).", maxRedirects, maxRedirects+1, h.location, maxRedirects),
		})
		return nil
	}

	if o.page.mode == modeSameOrigin && nextOrigin != o.page.origin {
		o.reject(&typeError{
			message: "Failed to fetch",
			network: true,
			explain: fmt.Sprintf("The response redirects to %s, another origin, and the page asked for mode: 'same-origin', so the browser fails the request. Fix: use mode 'cors' and have that server allow the origin, or redirect within the same origin.", h.location),
		})
		return nil
	}

	np := h.p
	np.url, np.urlString = next, h.location
	np.headers = append([]header(nil), h.p.headers...)
	n := &hopRun{p: np, noBody: h.noBody, tainted: h.tainted}
	status := h.actual.Status
	if (status == 301 || status == 302) && np.method == "POST" || status == 303 && np.method != "GET" && np.method != "HEAD" {
		n.changes = append(n.changes, fmt.Sprintf("the %d turned %s into GET without a body", status, np.method))
		np.method = "GET"
		n.noBody = true
		np.headers = dropHeaders(np.headers, func(l string) bool { return requestBodyHeaders[l] }, &n.changes)
	}
	crossHop := serializeOrigin(h.p.url) != nextOrigin
	if crossHop {
		np.headers = dropHeaders(np.headers, func(l string) bool { return l == "authorization" }, &n.changes)
	}
	switch {
	case n.tainted:
	case crossHop && h.p.origin != serializeOrigin(h.p.url):
		n.tainted = true
		n.changes = append(n.changes, fmt.Sprintf("the redirect left %s for another origin, so the browser sends Origin: null from here on", serializeOrigin(h.p.url)))
	}
	if n.tainted {
		np.origin = "null"
	}
	np.sameOrigin = np.origin != "null" && nextOrigin == np.origin
	n.p = np
	n.cors = h.cors || !np.sameOrigin
	if n.cors && preflightNeed(np, o.b).needed {
		n.changes = append(n.changes, "a new preflight at the new URL")
	}
	what := fmt.Sprintf("The browser followed the %d redirect to %s", status, h.location)
	if len(n.changes) > 0 {
		what += ": " + strings.Join(n.changes, "; ")
	}
	o.note(what + ".")
	return n
}

// dropHeaders removes the headers the page set whose lower-case name drop
// says, noting each.
func dropHeaders(hs []header, drop func(lower string) bool, changes *[]string) []header {
	out := hs[:0]
	for _, h := range hs {
		if drop(h.lower) && !h.byBrowser {
			*changes = append(*changes, fmt.Sprintf("it dropped the %s header", h.name))
			continue
		}
		out = append(out, h)
	}
	return out
}

// NextRequest is the request the browser makes after a redirect it follows:
// what a probe must send to play the next hop as the browser does.
type NextRequest struct {
	URL    string // absolute, as the browser requests it
	Method string // after a 301/302/303 turned it into GET, perhaps
	// Origin is the Origin header: the page's, "null" after a cross-origin
	// redirect, "" when the hop is same-origin and CORS never applied.
	Origin string
	// Headers are the page's headers still sent (Authorization dropped on a
	// cross-origin hop, the body headers when the method became GET), without
	// those the browser adds.
	Headers [][2]string
	// KeepBody is false when the redirect dropped the request body.
	KeepBody bool
	// Preflight says the browser sends a new preflight at this URL first,
	// listing PreflightHeaders in Access-Control-Request-Headers.
	Preflight        bool
	PreflightHeaders []string
}

// Next says what the browser does after the last answer in x: when that
// answer is a redirect the browser follows (every check so far passed),
// ok is true and r is the next request (Fetch §4.4 "HTTP-redirect fetch");
// otherwise the run is over and Judge(x) is final.
func Next(x Exchange) (r NextRequest, ok bool) { return Chromium.Next(x) }

// Next is the package's Next in this browser.
func (b *Browser) Next(x Exchange) (r NextRequest, ok bool) {
	o := evaluateIn(b, x)
	n := o.next
	if n == nil || o.fail != nil || o.fetchErr != nil {
		return r, false
	}
	r = NextRequest{URL: n.p.urlString, Method: n.p.method, KeepBody: !n.noBody}
	switch {
	case n.cors:
		r.Origin = n.p.origin
		if need := preflightNeed(n.p, b); need.needed {
			r.Preflight, r.PreflightHeaders = true, need.names
		}
	case n.p.method != "GET" && n.p.method != "HEAD":
		r.Origin = n.p.origin // Fetch §4.1 "append a request Origin header"
	}
	for _, h := range n.p.headers {
		if !h.byBrowser {
			r.Headers = append(r.Headers, [2]string{h.name, h.value})
		}
	}
	return r, true
}
