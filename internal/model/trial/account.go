package trial

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/fetch"
)

// Preflight says what became of a trial's CORS preflight.
type Preflight string

// What became of the preflight.
const (
	PreflightSent   Preflight = "sent"   // the browser sent an OPTIONS (site B saw it, or it got no answer)
	PreflightCached Preflight = "cached" // the browser answered it from its preflight cache: no OPTIONS
	PreflightNone   Preflight = "none"   // the request needed none (or was never sent)
)

// Happened is what happened to a trial, as explicit facts.
type Happened struct {
	// SameOrigin: the request went to the page's own origin (site A), so no
	// CORS applied at all.
	SameOrigin bool `json:"sameOrigin"`
	// Preflight is sent, cached or none.
	Preflight Preflight `json:"preflight"`
	// ReachedSiteB: site B saw the actual request (not only a preflight).
	ReachedSiteB bool `json:"reachedSiteB"`
	// RefusedLocally: fetch() threw before sending anything (a body on GET,
	// a forbidden method, an invalid header name…).
	RefusedLocally bool `json:"refusedLocally"`
	// WebSocket: a new WebSocket(), not a fetch(): CORS does not apply.
	WebSocket bool `json:"websocket"`
	// Navigation: a form submission or an iframe, not a fetch(): CORS does
	// not apply.
	Navigation bool `json:"navigation,omitempty"`
}

// Account is the one account of a trial, built on the server (Build) and
// rendered by the page and the TUI as it is. Its JSON fields are part of
// the live log's trial event (docs/live-log.md).
type Account struct {
	// Call is the request as the JavaScript that made it, with its full URL.
	Call     string   `json:"call"`
	Happened Happened `json:"happened"`
	// Browser names the browser the verdict speaks for: chromium, firefox
	// or webkit (the page's, told by its User-Agent).
	Browser string `json:"browser,omitempty"`
	// Verdict is what the browser model says that browser does with the
	// exchanges site B recorded; nil until the trial settles, and for a
	// websocket (no CORS).
	Verdict *fetch.Verdict `json:"verdict,omitempty"`
	// Fix is the whole fix for this request, every header at once (the
	// verdict's own); nil when it needs none or none can help.
	Fix *fetch.Fix `json:"fix,omitempty"`
	// Notes qualify the verdict: a preflight answered from the browser's
	// cache, where Chromium departs from the standard.
	Notes []string `json:"notes,omitempty"`
	// Mismatch says how the verdict disagrees with what JavaScript really
	// got; empty when they agree. A mismatch is a bug in the model.
	Mismatch string `json:"mismatch,omitempty"`
	// Trace is the sequence diagram, as drawn: page, browser, site B.
	Trace []fetch.Step `json:"trace,omitempty"`
	// Headline says in one line what happened.
	Headline string `json:"headline"`
	// Kind is the request's kind when the page made it otherwise than with
	// fetch() (an <img>, a <script>, an EventSource…): its mode,
	// credentials mode and destination.
	Kind *fetch.Kind `json:"kind,omitempty"`
	// Reads says what the page could read of the answer (fetch.Reads…):
	// set for a request of another kind once it settled.
	Reads string `json:"reads,omitempty"`
}

// Seen is one request site B served for the trial: a hop of it.
type Seen struct {
	Preflight bool
	Method    string
	Path      string // path and query
	Status    int
	Header    http.Header // the response's
	Effect    *Effect
}

// Input is what Build needs: the trial's request, the page's origin, the
// exchanges site B saw for it in order, and what JavaScript got.
type Input struct {
	// Origin is the page's origin, "null" from a sandboxed iframe; "" when
	// the trial was never announced (nothing to judge).
	Origin    string
	Request   Request
	Exchanges []Seen
	Outcome   *Outcome
	// Cache is what the lab knows of the preflight-cache entry the browser
	// used, when the preflight was answered from the cache.
	Cache CacheEntry
	// Browser is the browser the page runs in, whose verdict and words the
	// account gives; nil means Chromium.
	Browser *fetch.Browser
}

// CacheEntry is what the lab knows of a preflight the browser cached.
type CacheEntry struct {
	// Trial is the earlier trial whose preflight the browser reused, "" if
	// unknown (say, sent before the lab started).
	Trial string
	// PolicyChanged is true when site B's policy changed after that preflight.
	PolicyChanged bool
}

// Build makes a trial's account. It runs when the trial is announced, when
// it settles and when a late exchange arrives: never on site B's request
// path. Until the outcome arrives the account has no verdict.
//
// The exchanges are judged as in.Browser (Chromium by default) judges them, hop by
// hop along a followed redirect. A request that needs a preflight (Fetch
// "main fetch", the use-CORS-preflight flag) but reached site B without one
// was answered from the browser's CORS-preflight cache (§4.8): it is judged
// with the cached answer that must have allowed it, and drawn without an
// OPTIONS. A same-origin request (site A's own) has no exchange on site B:
// what JavaScript read is its response.
func Build(in Input) Account {
	r := in.Request
	a := Account{Call: r.Call(), Happened: Happened{Preflight: PreflightNone}}
	preSeen := slices.ContainsFunc(in.Exchanges, func(s Seen) bool { return s.Preflight })
	actualSeen := slices.ContainsFunc(in.Exchanges, func(s Seen) bool { return !s.Preflight })
	a.Happened.ReachedSiteB = actualSeen
	if preSeen {
		a.Happened.Preflight = PreflightSent
	}
	if r.Mode == ModeWebSocket {
		a.Happened.WebSocket = true
		websocket(&a, in)
		return a
	}
	if in.Origin == "" {
		a.Headline = "not announced by the page: nothing to judge"
		return a
	}
	kind, known := fetch.LookupKind(r.Kind)
	if !known {
		a.Headline = fmt.Sprintf("kind %q: not a kind the lab knows (%s)", r.Kind, strings.Join(fetch.KindNames(), ", "))
		return a
	}
	if kind.Navigation() {
		a.Browser = fetch.Chromium.Name
		if in.Browser != nil {
			a.Browser = in.Browser.Name
		}
		a.Happened.Navigation = true
		navigation(&a, in, kind)
		return a
	}
	b := in.Browser
	if b == nil {
		b = fetch.Chromium
	}
	kind = kind.In(b.Name)
	fr := r.Fetch(in.Origin)
	if r.Kind != "" && kind.Name != "fetch" {
		fr.Mode, fr.Credentials = kind.Mode, kind.Credentials // as this browser makes the kind
	}
	a.Happened.SameOrigin = fetch.SameOrigin(fr)
	refusal := b.RefusedLocally(fr)
	a.Happened.RefusedLocally = refusal != "" && !actualSeen && !preSeen
	a.Browser = b.Name
	reasons, _ := b.NeedsPreflight(fr)
	if !preSeen && len(reasons) > 0 {
		switch {
		case actualSeen:
			a.Happened.Preflight = PreflightCached
		case in.Outcome != nil:
			a.Happened.Preflight = PreflightSent // sent, and no answer came
		}
	}
	if in.Outcome == nil {
		a.Headline = "waiting for the page to report what JavaScript got"
		return a
	}

	x := fetch.Exchange{Request: fr}
	if a.Happened.SameOrigin && !actualSeen && in.Outcome.OK {
		// Site A answered; only the page saw it: what JavaScript read is the response.
		h := http.Header{}
		for _, kv := range in.Outcome.Headers {
			h.Add(kv[0], kv[1])
		}
		x.Actual = &fetch.Response{Status: in.Outcome.Status, Header: h}
	}
	// Walk the hops: a preflight, then the actual request; when the model
	// says the browser follows a redirect and site B saw the next hop, judge
	// that one too — JavaScript gets the final response.
	var v fetch.Verdict
	judged := false
	var notes []string
	for _, e := range in.Exchanges {
		resp := &fetch.Response{Status: e.Status, Header: e.Header}
		if e.Preflight {
			if x.Actual == nil {
				x.Preflight = resp
			}
			continue
		}
		if x.Actual != nil { // the next hop of a followed redirect
			if !v.Allowed || !isRedirect(x.Actual) {
				break
			}
			notes = append(notes, v.Notes...)
			x.Request.URL = hopURL(x.Request.URL, e.Path)
			x.Preflight, x.PreflightCached = nil, false // the next hop needs its own
		}
		x.Actual = resp
		if x.Preflight == nil {
			if rs, hs := b.NeedsPreflight(x.Request); len(rs) > 0 {
				x.Preflight, x.PreflightCached = cachedAnswer(x.Request, hs), true
			}
		}
		v, judged = b.Judge(x), true
	}
	if !judged {
		v = b.Judge(x)
	}
	a.Verdict, a.Fix, a.Trace = &v, v.Fix, b.Trace(x)
	if len(a.Trace) > 0 && a.Trace[0].From == fetch.ActorPage {
		a.Trace[0].What = a.Call // the call as the page made it, headers and body included
	}
	if a.Happened.Preflight == PreflightCached {
		a.Notes = append(a.Notes, cacheNote(in.Cache, b))
	}
	if in.Origin == "null" {
		a.Notes = append(a.Notes, "Sent from a sandboxed iframe: its origin is opaque, so the browser sent Origin: null and no Referer; the lab matched site B's exchanges to this trial by method and URL.")
	}
	a.Notes = append(append(a.Notes, notes...), v.Notes...)
	a.Mismatch = mismatch(&v, in.Outcome, x.Actual, kind.Name == "fetch" || strings.HasPrefix(kind.Name, "xhr"))
	a.Headline = headline(&a, in, refusal)
	if kind.Name != "fetch" && !a.Happened.SameOrigin && !a.Happened.RefusedLocally {
		status := 0
		if x.Actual != nil {
			status = x.Actual.Status
		}
		kindAccount(&a, in, kind, status)
	}
	return a
}

// AccountFor is the account of the same trial as browser b explains it:
// Build on the same recorded input, judged in b's order of checks and in
// b's words — its error name, console sentence, fix, notes and headline.
// The TUI calls it to explain a trial for another browser than the page's.
// What JavaScript got came from the page's browser, so when b is another
// browser the account has no Mismatch (a disagreement between the model and
// the browser that ran the trial): the other browser did not run it.
func AccountFor(in Input, b *fetch.Browser) Account {
	page := in.Browser
	if page == nil {
		page = fetch.Chromium
	}
	in.Browser = b
	a := Build(in)
	if b != page {
		a.Mismatch = ""
	}
	return a
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// cacheNote says the preflight came from the browser's cache, and whether
// site B's policy changed since the answer it holds.
func cacheNote(c CacheEntry, b *fetch.Browser) string {
	s := "No preflight was sent: " + b.Title + " answered it from its preflight cache (an earlier OPTIONS answer still within its Access-Control-Max-Age, for this origin, URL and credentials mode)"
	if c.Trial != "" {
		s += ", from trial " + c.Trial
	}
	s += ". The verdict assumes the cached answer allowed this request, as it must have for the request to be sent."
	if c.PolicyChanged {
		s += " Site B's policy changed since that preflight: the browser does not know, and keeps using the old answer until its Max-Age runs out."
	}
	return s
}

// sentMethod is the method as fetch() sends it (Fetch §2.2.1 "normalize a
// method"): DELETE, GET, HEAD, OPTIONS, POST and PUT upper-cased, any other
// kept as written — "patch" goes out as "patch".
func sentMethod(m string) string {
	for _, n := range [...]string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"} {
		if strings.EqualFold(m, n) {
			return n
		}
	}
	return m
}

func isRedirect(r *fetch.Response) bool {
	return r.Status >= 300 && r.Status < 400 && r.Header.Get("Location") != ""
}

// hopURL is the URL of a later hop on the same site: base's origin, path.
func hopURL(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	next, err := u.Parse(path)
	if err != nil {
		return base
	}
	return next.String()
}

// cachedAnswer stands for the answer a preflight-cache entry holds: one that
// allows exactly this request (Fetch §4.8 "CORS-preflight cache": an entry
// matches the method and every header name).
func cachedAnswer(r fetch.Request, headers []string) *fetch.Response {
	h := http.Header{"Access-Control-Allow-Origin": {r.Origin}, "Access-Control-Allow-Methods": {sentMethod(r.Method)}}
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	if r.Credentials == "include" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return &fetch.Response{Status: http.StatusNoContent, Header: h}
}

// mismatch compares the model's verdict with what JavaScript got.
// readsHeaders is false for the kinds whose response headers the page
// cannot list (an image, a font…): their names are not compared.
func mismatch(v *fetch.Verdict, o *Outcome, actual *fetch.Response, readsHeaders bool) string {
	if v.Allowed != o.OK {
		got := "a Response"
		if !o.OK {
			got = o.Error
		}
		return fmt.Sprintf("the model says allowed=%t (%s), but JavaScript got %s", v.Allowed, orNone(v.Error), got)
	}
	if !o.OK {
		return ""
	}
	if o.Type != "" && o.Type != v.ResponseType && !(o.Type == "basic" && v.ResponseType == fetch.ResponseCORS) {
		return fmt.Sprintf("the model says response type %q, but JavaScript got %q", v.ResponseType, o.Type)
	}
	if v.ResponseType != fetch.ResponseCORS || actual == nil || !readsHeaders {
		return ""
	}
	// Compare the names JS read with the model's, among the headers site B
	// recorded: net/http adds Date and Content-Length after the recording.
	var read []string
	for _, h := range o.Headers {
		name := strings.ToLower(h[0])
		if _, ok := actual.Header[http.CanonicalHeaderKey(name)]; ok && !slices.Contains(read, name) {
			read = append(read, name)
		}
	}
	slices.Sort(read)
	if !slices.Equal(read, v.ReadableHeaders) {
		return fmt.Sprintf("the model says JavaScript can read %v, but it read %v", v.ReadableHeaders, read)
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "no error"
	}
	return s
}

// headline says in one line what happened to a settled fetch().
func headline(a *Account, in Input, refusal string) string {
	v, o, h := a.Verdict, in.Outcome, a.Happened
	method := sentMethod(in.Request.Method)
	var effects []string
	status := 0
	for _, e := range in.Exchanges {
		if !e.Preflight {
			status = e.Status
			if e.Effect != nil {
				effects = append(effects, e.Effect.String())
			}
		}
	}
	ran := fmt.Sprintf("site B ran %s and answered %d", method, status)
	if len(effects) > 0 {
		ran = fmt.Sprintf("site B ran %s (%s) and answered %d", method, strings.Join(effects, "; "), status)
	}
	cached := ""
	if h.Preflight == PreflightCached {
		cached = " (preflight answered from the browser's preflight cache)"
	}
	switch {
	case h.RefusedLocally:
		return "Refused by fetch() itself, nothing sent: " + strings.TrimPrefix(refusal, "TypeError: ")
	case h.SameOrigin && o.OK:
		return fmt.Sprintf("Same origin: no CORS applies — JavaScript got %d", o.Status)
	case h.SameOrigin:
		return "Same origin: no CORS applies — the request failed: " + o.Error
	case v.Allowed && v.ResponseType == fetch.ResponseOpaque:
		return fmt.Sprintf("no-cors: site B answered %d, JavaScript got an opaque response (status 0, nothing readable)", status)
	case v.Allowed:
		return fmt.Sprintf("Allowed: site B answered %d and JavaScript read it%s", status, cached)
	case fetch.IsPreflightError(v.Error) || v.Preflight && !v.ActualRequestSent && v.Error != fetch.ErrTypeError && preflightAnswered(in.Exchanges):
		// Chromium's preflight errors say so in their names; Firefox's and
		// WebKit's do not: a preflight answered and no actual request sent.
		return fmt.Sprintf("%s never reached site B: blocked at the preflight (%s)", method, v.Error)
	case v.Error == fetch.ErrTypeError && !h.ReachedSiteB && h.Preflight == PreflightSent:
		return fmt.Sprintf("%s never reached site B: no answer to the preflight (is site B down?)", method)
	case v.Error == fetch.ErrTypeError && !h.ReachedSiteB:
		return fmt.Sprintf("%s never reached site B: a network error (is site B down?)", method)
	case h.ReachedSiteB:
		return fmt.Sprintf("%s, but the browser hid the answer from JavaScript (%s)%s", upperFirst(ran), v.Error, cached)
	}
	return "Blocked: " + v.Error
}

// preflightAnswered reports whether site B answered a preflight for the trial.
func preflightAnswered(seen []Seen) bool {
	return slices.ContainsFunc(seen, func(s Seen) bool { return s.Preflight })
}

// websocket fills in the account of a new WebSocket(): no CORS (the
// WebSockets standard's "establish a WebSocket connection" fetches with mode
// "websocket" and runs no CORS check; RFC 6455 §10.2 leaves the Origin to the
// server), no verdict, the handshake as a trace.
func websocket(a *Account, in Input) {
	a.Notes = []string{websocketNote}
	var hs *Seen
	for i := range in.Exchanges {
		if !in.Exchanges[i].Preflight {
			hs = &in.Exchanges[i]
			break
		}
	}
	origin := in.Origin
	if origin == "" {
		origin = "the page's origin"
	}
	add := func(from, to, what string, ok bool, note string) {
		a.Trace = append(a.Trace, fetch.Step{From: from, To: to, What: what, OK: ok, Note: note})
	}
	add(fetch.ActorPage, fetch.ActorBrowser, a.Call, true, "a websocket, not a fetch(): no CORS")
	path := "/"
	if u, err := url.Parse(in.Request.URL); err == nil {
		path = u.RequestURI()
	}
	o := in.Outcome
	if hs == nil && o == nil {
		a.Headline = "waiting for the websocket to close"
		return
	}
	add(fetch.ActorBrowser, fetch.ActorServer, "GET "+path+" (Upgrade: websocket)", true, "Origin: "+origin+"; site B's cookies go along; no preflight")
	switch {
	case hs == nil:
		add(fetch.ActorServer, fetch.ActorBrowser, "no answer", false, "the handshake never reached site B")
	case hs.Status == http.StatusSwitchingProtocols:
		add(fetch.ActorServer, fetch.ActorBrowser, "101 Switching Protocols", true, "the handshake succeeded: the browser checks no Access-Control-* header; only site B's own Origin check could have refused it")
	default:
		add(fetch.ActorServer, fetch.ActorBrowser, fmt.Sprintf("%d %s", hs.Status, http.StatusText(hs.Status)), false, "site B refused the handshake")
	}
	if o == nil {
		a.Headline = "waiting for the websocket to close"
		return
	}
	if o.OK {
		add(fetch.ActorBrowser, fetch.ActorPage, "open, then a message", true, "JavaScript reads every message: no CORS filter")
		a.Headline = "WebSocket: site B accepted the handshake (101) and JavaScript read its message — no CORS applies to websockets"
		return
	}
	add(fetch.ActorBrowser, fetch.ActorPage, "error, close", false, o.Error)
	switch {
	case hs != nil && hs.Status != http.StatusSwitchingProtocols:
		a.Headline = fmt.Sprintf("WebSocket refused by site B's handshake (%d) — its own Origin check; no CORS applies", hs.Status)
	default:
		a.Headline = "WebSocket failed: " + o.Error + " — no CORS applies"
	}
}

const websocketNote = "A websocket, not a fetch(): CORS does not apply, so there is no verdict. " +
	"The browser sent the page's Origin with the handshake, but enforces nothing; only the server's own Origin check can refuse it."
