// Package check probes a real server the way a browser would for one fetch():
// it asks the browser model (internal/model/fetch) whether a CORS preflight is
// needed, sends the OPTIONS preflight as Chromium does (Fetch §4.8
// "CORS-preflight fetch": Origin, Access-Control-Request-Method,
// Access-Control-Request-Headers, no credentials), sends the actual request
// only if the model says the preflight passed, and judges the whole exchange
// with fetch.Judge. It follows redirects as the browser does (Fetch §4.4
// "HTTP-redirect fetch"): the model says whether the browser goes on and with
// what request — the new URL, the method a 301/302/303 leaves, the headers
// it keeps, Origin: null after a cross-origin hop, a new preflight — and the
// probe sends exactly that, hop after hop, until the model's verdict is final.
//
// The probe decides nothing about CORS itself; every rule lives in
// internal/model/fetch, so `corslab check`, `corslab explain`, the page and the TUI
// give the same verdict for the same exchange.
package check

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
)

// DefaultTimeout bounds each HTTP request of a probe when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// UserAgent is what the probe sends as User-Agent.
const UserAgent = "Mozilla/5.0 (compatible; corslab-check; like Chromium)"

// Options is one fetch() to probe.
type Options struct {
	// Request is the fetch() call: Origin is the page's origin, URL the server's
	// resource (absolute http or https), Method and Headers as passed to
	// fetch(), Credentials "omit", "same-origin" or "include". Mode is always
	// "cors"; another value is ignored.
	Request fetch.Request
	// Body is sent with the actual request (never with the preflight). Like
	// fetch() with a string body, it adds Content-Type: text/plain;charset=UTF-8
	// unless the request has a Content-Type.
	Body string
	// Cookie is sent as the Cookie header of the actual request when
	// Credentials is "include", as a browser sends the server's cookies.
	Cookie string
	// Timeout bounds each HTTP request, its body included; 0 means DefaultTimeout.
	Timeout time.Duration
	// Transport sends the requests; nil means a clone of
	// http.DefaultTransport (the system's root certificates).
	Transport http.RoundTripper
	// Browser is whose verdict and words the probe gives (whether a
	// preflight is sent depends on it too); nil means fetch.Chromium.
	Browser *fetch.Browser
}

func (opt Options) browser() *fetch.Browser {
	if opt.Browser == nil {
		return fetch.Chromium
	}
	return opt.Browser
}

// Hop is one HTTP request the probe sent and the answer it got.
type Hop struct {
	Method string
	URL    string
	// Sent is every header line sent, in order (Host excepted).
	Sent [][2]string
	// Response is the answer; nil when there was none (a network error).
	Response *fetch.Response
	// Proto is the answer's protocol, e.g. "HTTP/1.1".
	Proto string
	// Body is the start of the answer's body (at most MaxBody bytes), and
	// BodyTruncated says there was more.
	Body          []byte
	BodyTruncated bool
	Elapsed       time.Duration
}

// MaxBody is how much of a response body a Hop keeps.
const MaxBody = 4 << 10

// Result is a finished probe.
type Result struct {
	// Exchange is what the browser model judged: the request as the page
	// passes it to fetch() and the answers to the preflight and the actual
	// request, each nil when it was not sent. Its JSON form (MarshalExchange)
	// is the input of `corslab explain`.
	Exchange fetch.Exchange
	// Verdict is Options.Browser's Judge(Exchange). Meaningless when Err is set.
	Verdict fetch.Verdict
	// Preflight and Actual are the HTTP requests sent, nil when not sent.
	Preflight, Actual *Hop
	// Redirects are the requests sent after Actual redirected, in order, as
	// the browser follows them: each hop's preflight (nil when none) and
	// request.
	Redirects []Redirect
	// Err is the network error that stopped the probe (connection refused,
	// TLS, timeout, DNS), if any; the hop it happened on has no Response.
	Err *NetError
}

// Redirect is one hop of a redirect chain: the preflight sent at its URL,
// if the browser sends one there, and the request.
type Redirect struct {
	Preflight, Actual *Hop
}

// Run probes one fetch(). A network error is reported in Result.Err, with
// what was sent until then; Run itself returns an error only for options
// that cannot be probed (a URL that is not absolute http or https).
func Run(ctx context.Context, opt Options) (*Result, error) {
	req := opt.Request
	req.Mode = "cors"
	target, err := parseTarget(req.URL)
	if err != nil {
		return nil, err
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	res := &Result{Exchange: fetch.Exchange{Request: req}}
	b := opt.browser()

	// What fetch() does before the network: it may reject the call outright.
	before := b.Judge(res.Exchange)
	if !before.Preflight && !before.ActualRequestSent {
		res.Verdict = before
		return res, nil
	}
	c := newClient(opt)
	method := normalizeMethod(req.Method)
	headers := keptHeaders(req)

	if before.Preflight {
		_, names := b.NeedsPreflight(req)
		pre := c.send(ctx, http.MethodOptions, target, preflightHeaders(req.Origin, method, names), "")
		res.Preflight = pre.Hop
		if pre.err != nil {
			res.Err = pre.err
			return res, nil
		}
		res.Exchange.Preflight = res.Preflight.Response
		if v := b.Judge(res.Exchange); !v.ActualRequestSent {
			res.Verdict = v
			return res, nil
		}
	}

	act := c.send(ctx, method, target, actualHeaders(req, headers, opt), opt.Body)
	res.Actual = act.Hop
	if act.err != nil {
		res.Err = act.err
		return res, nil
	}
	res.Exchange.Actual = res.Actual.Response
	for {
		next, ok := b.Next(res.Exchange)
		if !ok {
			break
		}
		if !c.follow(ctx, res, next, opt) {
			return res, nil
		}
	}
	res.Verdict = b.Judge(res.Exchange)
	return res, nil
}

// follow sends the next hop of a redirect chain as the model describes it,
// and records it in res. It returns false when the probe ended there (a
// network error, or a preflight the browser would not pass).
func (c *client) follow(ctx context.Context, res *Result, next fetch.NextRequest, opt Options) bool {
	target, err := url.Parse(next.URL)
	if err != nil { // the model resolved it: cannot happen
		res.Err = &NetError{Method: next.Method, URL: next.URL, Reason: err.Error(), Err: err}
		return false
	}
	res.Redirects = append(res.Redirects, Redirect{})
	at := len(res.Redirects) - 1
	res.Exchange.Redirects = append(res.Exchange.Redirects, fetch.Hop{URL: next.URL})
	if next.Preflight {
		pre := c.send(ctx, http.MethodOptions, target, preflightHeaders(next.Origin, next.Method, next.PreflightHeaders), "")
		res.Redirects[at].Preflight = pre.Hop
		if pre.err != nil {
			res.Err = pre.err
			return false
		}
		res.Exchange.Redirects[at].Preflight = pre.Response
		// Whether a preflight answer passes is the same in every browser
		// (only the name of its failure differs): Chromium's names tell.
		if v := fetch.Judge(res.Exchange); fetch.IsPreflightError(v.Error) {
			res.Verdict = opt.browser().Judge(res.Exchange)
			return false
		}
	}
	body := ""
	if next.KeepBody {
		body = opt.Body
	}
	hopOpt := opt
	hopOpt.Body = body
	if !strings.EqualFold(target.Host, res.Actual.host()) {
		hopOpt.Cookie = "" // the page's cookie belongs to the first host
	}
	act := c.send(ctx, next.Method, target, hopHeaders(next, hopOpt), body)
	res.Redirects[at].Actual = act.Hop
	if act.err != nil {
		res.Err = act.err
		return false
	}
	res.Exchange.Redirects[at].Actual = act.Response
	return true
}

// host is the host:port a hop was sent to.
func (h *Hop) host() string {
	u, err := url.Parse(h.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// hopHeaders are the lines of a request after a redirect: Origin as the
// model says (none on a same-origin GET), then as actualHeaders.
func hopHeaders(next fetch.NextRequest, opt Options) [][2]string {
	lines := actualHeaders(fetch.Request{Origin: next.Origin, Credentials: opt.Request.Credentials}, next.Headers, opt)
	if next.Origin == "" {
		lines = lines[1:]
	}
	return lines
}

// Blocked reports whether the browser blocks the request: JavaScript does
// not get a response.
func (r *Result) Blocked() bool { return r.Err == nil && !r.Verdict.Allowed }

// preflightHeaders are the lines Chromium sends with a preflight (Fetch
// §4.8 step 2-5): no cookies, no Authorization, nothing the page set.
func preflightHeaders(origin, method string, names []string) [][2]string {
	h := [][2]string{
		{"Origin", origin},
		{"Access-Control-Request-Method", method},
	}
	if len(names) > 0 {
		h = append(h, [2]string{"Access-Control-Request-Headers", strings.Join(names, ",")})
	}
	h = append(h, [2]string{"Accept", "*/*"})
	return append(h, browserHeaders...)
}

// browserHeaders are added by the browser to every request. Setting
// Accept-Encoding ourselves also keeps Go from decompressing the body and
// dropping Content-Encoding and Content-Length from the recorded answer.
var browserHeaders = [][2]string{
	{"User-Agent", UserAgent},
	{"Accept-Encoding", "gzip, deflate, br, zstd"},
}

// actualHeaders are the lines of the actual request: the headers fetch()
// keeps, Accept if the page set none (Fetch §4.1 "fetch" step 12), Origin,
// Content-Type for a string body, and the cookie when credentials are
// included.
func actualHeaders(req fetch.Request, kept [][2]string, opt Options) [][2]string {
	h := [][2]string{{"Origin", req.Origin}}
	hasAccept, hasType := false, false
	for _, kv := range kept {
		hasAccept = hasAccept || strings.EqualFold(kv[0], "Accept")
		hasType = hasType || strings.EqualFold(kv[0], "Content-Type")
	}
	h = append(h, kept...)
	if !hasAccept {
		h = append(h, [2]string{"Accept", "*/*"})
	}
	if opt.Body != "" && !hasType {
		h = append(h, [2]string{"Content-Type", "text/plain;charset=UTF-8"})
	}
	if opt.Cookie != "" && req.Credentials == "include" {
		h = append(h, [2]string{"Cookie", opt.Cookie})
	}
	return append(h, browserHeaders...)
}

// droppedNote starts the note fetch.Judge writes for a header fetch() drops.
const droppedNote = "fetch() silently dropped the header "

// keptHeaders returns the page's headers as fetch() sends them: forbidden
// ones dropped (the model says which, in its notes), values stripped of
// surrounding whitespace, repeated names combined with ", " (Fetch §2.2.2
// "combine").
func keptHeaders(req fetch.Request) [][2]string {
	var out [][2]string
	index := map[string]int{}
	for _, h := range req.Headers {
		one := fetch.Request{Origin: req.Origin, URL: req.URL, Method: http.MethodGet, Headers: [][2]string{h}, Credentials: req.Credentials}
		if dropped(fetch.Judge(fetch.Exchange{Request: one})) {
			continue
		}
		name, value := h[0], strings.Trim(h[1], " \t\r\n")
		key := strings.ToLower(name)
		if i, ok := index[key]; ok {
			out[i][1] += ", " + value
			continue
		}
		index[key] = len(out)
		out = append(out, [2]string{name, value})
	}
	return out
}

func dropped(v fetch.Verdict) bool {
	for _, n := range v.Notes {
		if strings.HasPrefix(n, droppedNote) {
			return true
		}
	}
	return false
}

// normalizeMethod is Fetch §2.2.1 "normalize a method", as fetch() applies it
// before sending: DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased,
// any other method keeps its case.
func normalizeMethod(m string) string {
	for _, n := range [...]string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"} {
		if strings.EqualFold(m, n) {
			return n
		}
	}
	return m
}

// ErrBadURL is returned by Run for a URL it cannot probe.
var ErrBadURL = errors.New("want an absolute http:// or https:// URL")
