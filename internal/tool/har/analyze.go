package har

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/fetch"
)

// Exchange is one cross-origin fetch() found in a HAR file: the entry of
// the actual request and the entry of its preflight (either may be nil, not
// both), the exchange of the browser model built from them, and its
// verdict.
type Exchange struct {
	Entry     *Entry // the actual request; nil when the file holds only its preflight
	Preflight *Entry // the OPTIONS preflight sent for it; nil when none is in the file

	Exchange fetch.Exchange
	Verdict  fetch.Verdict // the verdict on Exchange, in Report.JudgedAs's order and words
	// Recorded is what the file says the browser did when it failed:
	// Chromium's response._error of the actual request, or of the preflight
	// ("net::ERR_FAILED" for a CORS error); empty when the file says nothing.
	Recorded string
	// Hops are the requests a redirect led to, each found in the file as
	// an exchange of its own (Exchange.Redirects holds their answers).
	Hops []*Exchange
	// IfCredentials is the verdict with credentials: 'include', when the
	// file cannot tell whether fetch() sent credentials and that verdict
	// differs from Verdict.
	IfCredentials *fetch.Verdict
	// Notes say what the reader had to infer: a preflight the file does not
	// hold, credentials the export does not show, headers it left out.
	Notes []string
}

// Method is the method of the page's request (the preflight's
// Access-Control-Request-Method when only the preflight is recorded).
func (x *Exchange) Method() string { return x.Exchange.Request.Method }

// Report is a whole HAR file read by Analyze.
type Report struct {
	Log       Log
	Exchanges []*Exchange // in the file's order of the actual requests
	// Browser is the browser that wrote the file, from its creator:
	// "chromium", "firefox", "webkit", or "" when unknown.
	Browser string
	// JudgedAs is the browser whose order and words the verdicts are in:
	// "chromium" unless JudgeAs said otherwise.
	JudgedAs string
}

// ErrNothingCrossOrigin is returned by Analyze for a valid HAR file with no
// cross-origin request in it.
var ErrNothingCrossOrigin = errors.New("nothing cross-origin here")

// Analyze reads a HAR file and finds its cross-origin requests (see
// candidate), pairs each preflight with its actual request (pair) and
// judges each exchange with the browser model. A file with no cross-origin
// request gives the Report and ErrNothingCrossOrigin.
func Analyze(r io.Reader) (*Report, error) {
	var kept []*Entry
	lg, err := Read(r, func(e *Entry) error {
		if candidate(e) || unsent(e) {
			kept = append(kept, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep := &Report{Log: lg, Browser: BrowserOf(lg), JudgedAs: fetch.Chromium.Name}
	for _, p := range pair(kept) {
		// Chromium's exports mark every failed request (response._error):
		// a request without the mark succeeded.
		rep.Exchanges = append(rep.Exchanges, build(p.actual, p.preflight, rep.Browser == "chromium"))
	}
	rep.Exchanges = chain(rep.Exchanges)
	if len(rep.Exchanges) == 0 {
		return rep, ErrNothingCrossOrigin
	}
	return rep, nil
}

// JudgeAs judges every exchange again in browser b's order and words
// (the reader's inferences — credentials, a missing preflight — stay).
func (rep *Report) JudgeAs(b *fetch.Browser) {
	rep.JudgedAs = b.Name
	for _, x := range rep.Exchanges {
		x.Verdict = b.Judge(x.Exchange)
		if x.IfCredentials != nil {
			try := x.Exchange
			try.Request.Credentials = "include"
			v := b.Judge(try)
			x.IfCredentials = nil
			if v.Allowed != x.Verdict.Allowed {
				x.IfCredentials = &v
			}
		}
	}
}

// BrowserOf names the browser that wrote a HAR from its creator (Chromium's
// DevTools write "WebInspector", Firefox "Firefox", Safari "WebKit Web
// Inspector") or its browser field.
func BrowserOf(lg Log) string {
	for _, s := range []string{lg.Browser, lg.Creator} {
		s = strings.ToLower(s)
		switch {
		case strings.Contains(s, "firefox"):
			return "firefox"
		case strings.Contains(s, "webkit"), strings.Contains(s, "safari"):
			return "webkit"
		case strings.Contains(s, "webinspector"), strings.Contains(s, "chrom"), strings.Contains(s, "edge"):
			return "chromium"
		}
	}
	return ""
}

// isPreflight: an OPTIONS request with Access-Control-Request-Method. A page
// cannot send that header itself (it is a forbidden request-header, Fetch
// §2.2.2), so only the browser's CORS-preflight fetch (§4.8) has it.
func isPreflight(e *Entry) bool {
	if e.ResourceType == "preflight" {
		return true
	}
	_, ok := Header(e.Request.Headers, "Access-Control-Request-Method")
	return ok && strings.EqualFold(e.Request.Method, http.MethodOptions)
}

// candidate says whether an entry is a cross-origin request the browser
// model judges, or a preflight for one: an http(s) request with an Origin
// header (which browsers send with every cross-origin request in cors mode,
// Fetch §3.1 "append a request Origin header") other than the URL's own
// origin, that is not a navigation (Sec-Fetch-Mode navigate; a form POST
// sends Origin too) or a websocket. A no-cors GET sends no Origin and is
// not listed: its response is opaque whatever the server says.
func candidate(e *Entry) bool {
	u, err := url.Parse(e.Request.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	origin, ok := Header(e.Request.Headers, "Origin")
	if !ok || origin == "" {
		return false
	}
	if mode, _ := Header(e.Request.Headers, "Sec-Fetch-Mode"); strings.Contains(mode, "navigate") || mode == "websocket" {
		return false
	}
	if dest, _ := Header(e.Request.Headers, "Sec-Fetch-Dest"); dest == "document" || dest == "iframe" {
		return false
	}
	if e.ResourceType == "document" || e.ResourceType == "websocket" {
		return false
	}
	if up, _ := Header(e.Request.Headers, "Upgrade"); strings.EqualFold(up, "websocket") {
		return false
	}
	return origin != OriginOf(u)
}

// unsent says whether an entry may be a cross-origin request that its
// failed preflight kept from being sent: Chromium exports it with only the
// headers the page gave (no Origin: it never reached the wire), status 0
// and _error. It counts only when a preflight pairs with it.
func unsent(e *Entry) bool {
	if e.Response.Status != 0 || isPreflight(e) || e.ResourceType == "document" {
		return false
	}
	if _, ok := Header(e.Request.Headers, "Origin"); ok {
		return false
	}
	u, err := url.Parse(e.Request.URL)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// OriginOf serializes u's origin (HTML "serialization of an origin"):
// scheme://host[:port], the default port left out.
func OriginOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	return scheme + "://" + host
}

type paired struct{ actual, preflight *Entry }

// key identifies the fetch() a request or preflight belongs to: origin,
// method and URL; withOrigin false leaves the origin out (for a request
// that was never sent, which has no Origin header).
func key(e *Entry, withOrigin bool) string {
	origin, _ := Header(e.Request.Headers, "Origin")
	method := e.Request.Method
	if isPreflight(e) {
		method, _ = Header(e.Request.Headers, "Access-Control-Request-Method")
	}
	if !withOrigin {
		origin = ""
	}
	return origin + " " + method + " " + e.Request.URL
}

// pair matches every preflight with the actual request it was sent for: the
// nearest unpaired request in the file with the same origin, URL and method
// (Access-Control-Request-Method), before or after it: both Chromium and
// Firefox (153) list the actual request before its preflight, which it
// started. A request whose preflight failed was never sent: Chromium
// exports it without an Origin header (see unsent), and it pairs on method
// and URL; Firefox with its Origin and status 0. A preflight with no
// request stands alone (an export that lost it); a request without a
// preflight had it cached, or the export omits preflights; an unsent entry
// no preflight claims is left out.
func pair(entries []*Entry) []paired {
	sent := map[string][]int{}     // key → indexes of unpaired requests with an Origin, ascending
	unsentBy := map[string][]int{} // the same for requests never sent, without the origin in the key
	for i, e := range entries {
		switch {
		case isPreflight(e):
		case candidate(e):
			sent[key(e, true)] = append(sent[key(e, true)], i)
		default:
			unsentBy[key(e, false)] = append(unsentBy[key(e, false)], i)
		}
	}
	byActual := map[*Entry]*Entry{}
	claimed := map[*Entry]bool{}
	for i, p := range entries {
		if !isPreflight(p) {
			continue
		}
		for _, m := range []struct {
			list map[string][]int
			k    string
		}{{sent, key(p, true)}, {unsentBy, key(p, false)}} {
			if j, ok := nearest(m.list, m.k, i); ok {
				byActual[entries[j]] = p
				claimed[p], claimed[entries[j]] = true, true
				break
			}
		}
	}
	var out []paired
	for _, e := range entries {
		switch {
		case isPreflight(e) && !claimed[e]:
			out = append(out, paired{preflight: e})
		case isPreflight(e), !candidate(e) && !claimed[e]:
		default:
			out = append(out, paired{actual: e, preflight: byActual[e]})
		}
	}
	return out
}

// nearest takes from lists[k] the index nearest to i.
func nearest(lists map[string][]int, k string, i int) (int, bool) {
	list := lists[k]
	if len(list) == 0 {
		return 0, false
	}
	n, _ := slices.BinarySearch(list, i) // the first after i
	if n == len(list) || (n > 0 && i-list[n-1] < list[n]-i) {
		n-- // the one before is nearer
	}
	j := list[n]
	lists[k] = slices.Delete(list, n, n+1)
	return j, true
}

// browserAdded are request headers a browser adds itself that the CORS
// safelist does not cover: they never cause a preflight (the browser, not
// the page, sets them) and fetch() would not let the page set most of them.
var browserAdded = []string{
	"accept-charset", "accept-encoding", "access-control-request-headers",
	"access-control-request-method", "alt-used", "cache-control", "connection",
	"content-length", "cookie", "cookie2", "date", "dnt", "expect", "host",
	"if-modified-since", "if-none-match", "if-match", "if-unmodified-since", "if-range",
	"keep-alive", "origin", "pragma", "priority", "purpose", "referer", "te",
	"trailer", "transfer-encoding", "upgrade", "upgrade-insecure-requests",
	"user-agent", "via", "x-client-data",
}

// pageHeaders recovers the headers the page passed to fetch() from what the
// browser sent: HTTP/2 pseudo-headers, forbidden request-headers (Fetch
// §2.2.2: Proxy-*, Sec-*, Cookie, Origin, …) and headers the browser or
// DevTools adds (Cache-Control and Pragma with "Disable cache", Priority,
// conditional headers from the HTTP cache) are left out, unless the
// preflight's Access-Control-Request-Headers lists them — then the page set
// them.
func pageHeaders(sent [][2]string, requested []string) (kept [][2]string, left []string) {
	for _, h := range sent {
		lower := strings.ToLower(h[0])
		switch {
		case slices.Contains(requested, lower):
		case lower == "accept", lower == "accept-language":
			// The browser's defaults (Accept: */* for fetch()); a value the
			// page set is CORS-safelisted unless the preflight lists it.
			continue
		case strings.HasPrefix(lower, ":"), strings.HasPrefix(lower, "sec-"), strings.HasPrefix(lower, "proxy-"),
			slices.Contains(browserAdded, lower):
			if lower == "cache-control" || lower == "pragma" {
				left = append(left, h[0])
			}
			continue
		}
		kept = append(kept, h)
	}
	return kept, left
}

// requestedHeaders is the preflight's Access-Control-Request-Headers as a
// list of lowercase names.
func requestedHeaders(pre *Entry) []string {
	if pre == nil {
		return nil
	}
	v, _ := Header(pre.Request.Headers, "Access-Control-Request-Headers")
	var names []string
	for _, n := range strings.Split(v, ",") {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			names = append(names, n)
		}
	}
	return names
}

func response(e *Entry) *fetch.Response {
	if e == nil || e.Response.Status == 0 {
		return nil
	}
	return &fetch.Response{Status: e.Response.Status, Header: httpHeader(e.Response.Headers)}
}

// httpHeader turns a HAR header list into response header lines, leaving
// out HTTP/2 pseudo-headers (":status") and lines no HTTP message can carry.
func httpHeader(lines [][2]string) http.Header {
	h := http.Header{}
	for _, l := range lines {
		if strings.HasPrefix(l[0], ":") || !validName(l[0]) || strings.ContainsAny(l[1], "\r\n\x00") {
			continue
		}
		k := http.CanonicalHeaderKey(l[0])
		h[k] = append(h[k], l[1])
	}
	return h
}

// validName: an HTTP token (RFC 9110 §5.1), which is all a header name can be.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// build makes the exchange of the browser model from an actual request and
// its preflight (either may be nil, not both) and judges it.
//
// marksFailures says the browser that wrote the file marks every request
// it failed, so an unmarked one succeeded.
func build(actual, pre *Entry, marksFailures bool) *Exchange {
	x := &Exchange{Entry: actual, Preflight: pre}
	requested := requestedHeaders(pre)
	src := actual
	if src == nil {
		src = pre
	}
	origin, ok := Header(src.Request.Headers, "Origin")
	if !ok && pre != nil {
		origin, _ = Header(pre.Request.Headers, "Origin") // a request never sent has none
	}
	req := fetch.Request{Origin: origin, URL: src.Request.URL, Mode: "cors", Credentials: "same-origin"}
	if mode, _ := Header(src.Request.Headers, "Sec-Fetch-Mode"); mode == "no-cors" {
		req.Mode = "no-cors"
	}
	if actual != nil {
		req.Method = actual.Request.Method
		var left []string
		req.Headers, left = pageHeaders(actual.Request.Headers, requested)
		if len(left) > 0 {
			x.note("Left out " + strings.Join(left, ", ") + ": the browser or DevTools added them (Disable cache adds Cache-Control and Pragma), not the page; they cause no preflight.")
		}
		// A sanitized export ("Export HAR (sanitized)") drops Authorization
		// and Cookie from the request; the preflight still names the
		// headers the page set.
		var missing []string
		for _, n := range requested {
			if _, ok := Header(actual.Request.Headers, n); !ok && actual.Response.Status != 0 {
				req.Headers = append(req.Headers, [2]string{n, ""})
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			x.note("The preflight asked for " + strings.Join(missing, ", ") + ", which the request in the file lacks (a sanitized export removes Authorization): judged with them, values unknown.")
		}
		if _, ok := Header(actual.Request.Headers, "Cookie"); ok || actual.Request.Cookies > 0 {
			req.Credentials = "include"
		}
		x.Recorded = actual.Response.Error
	} else {
		req.Method, _ = Header(pre.Request.Headers, "Access-Control-Request-Method")
		for _, n := range requested {
			req.Headers = append(req.Headers, [2]string{n, ""})
		}
		x.note("The file holds the preflight but not the request it was sent for: the request is rebuilt from Access-Control-Request-Method and -Headers (header values unknown).")
	}
	if x.Recorded == "" && pre != nil {
		x.Recorded = pre.Response.Error
	}
	x.Exchange = fetch.Exchange{Request: req, Preflight: response(pre), Actual: response(actual)}
	switch {
	case x.Recorded != "":
	case pre != nil && x.Exchange.Preflight == nil:
		x.Recorded = "no answer to the preflight"
	case actual == nil:
		// An export that left out the request: the preflight failed.
		x.Recorded = "the request itself is not in the file: its preflight failed"
	}

	inferred := false
	if reasons, names := fetch.NeedsPreflight(req); pre == nil && len(reasons) > 0 && x.Exchange.Actual != nil {
		// The request needed a preflight, the file holds none, yet the
		// request was sent: the preflight passed (Chromium's preflight
		// cache, or an export that leaves preflights out).
		x.Exchange.Preflight = passingPreflight(req, names)
		inferred = true
		x.note("The file holds no preflight for this request, though it needs one (" + strings.Join(reasons, "; ") + "); since the request was sent, the preflight passed — a preflight-cache hit, or an export that omits preflights. It is judged as a preflight that allowed exactly this request.")
	}
	x.Verdict = fetch.Judge(x.Exchange)

	noCORSError := x.Verdict.Allowed || (x.Verdict.Error == fetch.ErrTypeError && x.Verdict.ActualRequestSent)
	if noCORSError && x.Recorded != "" && req.Credentials != "include" && req.Mode == "cors" && !inferred {
		// The browser failed it, the model finds no CORS error without credentials:
		// a sanitized export drops the Cookie header, and with no cookie to
		// send a request with credentials: 'include' shows none either.
		try := x.Exchange
		try.Request.Credentials = "include"
		if v := fetch.Judge(try); !v.Allowed && v.Error != fetch.ErrTypeError {
			x.Exchange, x.Verdict = try, v
			x.note("No cookies in the file, but the browser failed this request (" + x.Recorded + ") and these answers block it only for a request with credentials: judged as fetch() with credentials: 'include' (a sanitized export drops cookies).")
		}
	} else if !marksFailures && x.Recorded == "" && req.Credentials != "include" && req.Mode == "cors" && !inferred {
		// The file does not say whether the browser failed it (Firefox
		// does not mark a request whose answer arrived) nor whether fetch()
		// sent credentials (no cookie in the jar, or a sanitized export):
		// say what the verdict would be with them, when it differs.
		try := x.Exchange
		try.Request.Credentials = "include"
		if v := fetch.Judge(try); v.Allowed != x.Verdict.Allowed {
			x.IfCredentials = &v
			x.note("The file does not say whether fetch() sent credentials (no cookie in it). This verdict is without; with credentials: 'include' the browser blocks it: " + v.Error + ".")
		}
	}
	return x
}

// maxChain bounds the redirects followed in a file (browsers stop at 20,
// Fetch §4.4).
const maxChain = 20

// chain folds into each exchange whose answer redirects (a 3xx with a
// Location) the requests the browser made after it: each is an entry of
// its own in a HAR (with Origin "null" once the redirect crossed origins,
// Fetch §4.4 "tainted origin"), and becomes a hop of the exchange (Fetch
// §4.4 "HTTP-redirect fetch"), its preflight included. The first unclaimed
// exchange later in the file whose request went to the resolved Location
// is the next hop.
func chain(xs []*Exchange) []*Exchange {
	claimed := map[*Exchange]bool{}
	for i, x := range xs {
		if claimed[x] || x.Entry == nil {
			continue
		}
		cur := x.Entry
		for range maxChain {
			loc := location(cur)
			if loc == "" {
				break
			}
			next := -1
			for j := i + 1; j < len(xs); j++ {
				if y := xs[j]; !claimed[y] && y.Entry != nil && y.Entry.Request.URL == loc {
					next = j
					break
				}
			}
			if next < 0 {
				break
			}
			y := xs[next]
			claimed[y] = true
			hop := fetch.Hop{URL: loc, Actual: y.Exchange.Actual}
			if y.Preflight != nil {
				hop.Preflight = y.Exchange.Preflight
			}
			x.Exchange.Redirects = append(x.Exchange.Redirects, hop)
			x.Hops = append(x.Hops, y)
			if x.Recorded == "" {
				x.Recorded = y.Recorded
			}
			x.note(fmt.Sprintf("Redirected to %s: entry %d of the file is that hop.", loc, y.Entry.Index))
			cur = y.Entry
		}
		if len(x.Exchange.Redirects) > 0 {
			x.Verdict = fetch.Judge(x.Exchange)
		}
	}
	out := xs[:0]
	for _, x := range xs {
		if !claimed[x] {
			out = append(out, x)
		}
	}
	return out
}

// location is where an entry's answer redirects to, resolved against its
// URL; "" when it does not redirect.
func location(e *Entry) string {
	if s := e.Response.Status; s < 300 || s > 399 {
		return ""
	}
	loc, ok := Header(e.Response.Headers, "Location")
	if !ok {
		return ""
	}
	base, err := url.Parse(e.Request.URL)
	if err != nil {
		return ""
	}
	u, err := base.Parse(strings.TrimSpace(loc))
	if err != nil {
		return ""
	}
	u.Fragment = "" // a HAR's URLs carry none
	return u.String()
}

// passingPreflight is the answer to a preflight that allows exactly req.
func passingPreflight(req fetch.Request, names []string) *fetch.Response {
	h := http.Header{}
	h.Set("Access-Control-Allow-Origin", req.Origin)
	h.Set("Access-Control-Allow-Methods", req.Method)
	if len(names) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(names, ", "))
	}
	if req.Credentials == "include" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return &fetch.Response{Status: http.StatusNoContent, Header: h}
}

func (x *Exchange) note(s string) { x.Notes = append(x.Notes, s) }
