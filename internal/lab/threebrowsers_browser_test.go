package lab_test

// The three-browser agreement matrices: the browser model, told which browser
// it speaks for (fetch.Firefox, fetch.WebKit), against real Firefox ESR (over
// WebDriver BiDi) and real WebKitGTK (MiniBrowser), exchange by exchange.
//
// Each case is one fetch() call and the exact answers a test server gives to
// its preflight and to its actual request: the model judges that very
// exchange. Two loopback servers play the page's origin (A, which serves the
// runner page) and the API (B, which answers /c/N from case N's table). The
// page runs every case in one go, one after the other, and posts what
// JavaScript got; site B records what arrived (preflight, its
// Access-Control-Request-Headers, the actual request). What the browser
// printed comes from its console: Firefox's log.entryAdded entries, WebKit's
// standard output ("CONSOLE SECURITY ERROR …"). Every case must agree on:
//
//	preflight sent, request headers listed   what B received
//	actual request sent                      what B received
//	allowed, response type                   what JavaScript got
//	readable headers                         the names JavaScript iterated
//	console sentence                         the first CORS line the browser printed,
//	                                         equal to the first line of the verdict's message
//	error name and failed parameter          read back from that line by the browser's
//	                                         own message templates (below, not the model's)
//
// Every case has a path of its own, so no preflight cache entry serves
// another case.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/firefox"
	"github.com/corslab/corslab/internal/testsupport/webkit"
)

// xResp is one answer of the test server: status (0: 204 for a preflight,
// 200 otherwise) and header lines. "{origin}" in a value stands for the
// page's origin, "{b}" for site B's and "{a}" for the page's host:port.
type xResp struct {
	status int
	lines  [][2]string
}

// xCase is one exchange of the matrix.
type xCase struct {
	desc        string
	method      string
	headers     [][2]string
	body        string
	cred, mode  string
	pre         xResp  // the answer to the preflight
	act         xResp  // the answer to the actual request
	next        *xResp // the answer after act's redirect (Location {next} or {nextA})
	dropsAnswer bool   // B closes the connection instead of answering the actual request
	url         string // the URL fetch() is called with, if not B's /c/N ({b} and {n} expanded)
}

func lines(kv ...string) [][2]string {
	var ls [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		ls = append(ls, [2]string{kv[i], kv[i+1]})
	}
	return ls
}

func ok(kv ...string) xResp             { return xResp{lines: lines(kv...)} }
func st(status int, kv ...string) xResp { return xResp{status: status, lines: lines(kv...)} }

const (
	aco      = "Access-Control-Allow-Origin"
	acc      = "Access-Control-Allow-Credentials"
	acm      = "Access-Control-Allow-Methods"
	ach      = "Access-Control-Allow-Headers"
	ace      = "Access-Control-Expose-Headers"
	orig     = "{origin}"
	formType = "application/x-www-form-urlencoded"
)

// Request shapes.
func xget(desc string, r xResp) xCase { return xCase{desc: desc, method: "GET", act: r} }
func (c xCase) h(kv ...string) xCase {
	c.headers = append(slices.Clone(c.headers), lines(kv...)...)
	return c
}
func (c xCase) cr(v string) xCase   { c.cred = v; return c }
func (c xCase) md(v string) xCase   { c.mode = v; return c }
func (c xCase) m(v string) xCase    { c.method = v; return c }
func (c xCase) p(r xResp) xCase     { c.pre = r; return c }
func (c xCase) b(body string) xCase { c.body = body; return c }
func (c xCase) then(r xResp) xCase  { c.next = &r; return c }
func (c xCase) at(url string) xCase { c.url = url; return c }
func xpost(desc string, r xResp) xCase {
	return xget(desc, r).m("POST").h("Content-Type", formType).b("a=1")
}
func xput(desc string, pre, act xResp) xCase {
	return xget(desc, act).m("PUT").h("Content-Type", "application/json").b(`{"a":1}`).p(pre)
}
func xdel(desc string, pre xResp) xCase { return xget(desc, ok(aco, "*")).m("DELETE").p(pre) }

// preStatus is a DELETE whose preflight answers status, allowed in every other way.
func preStatus(status int, loc bool) xCase {
	r := st(status, aco, "*", acm, "DELETE")
	desc := fmt.Sprintf("preflight status %d", status)
	if loc {
		r.lines = append(r.lines, [2]string{"Location", "/elsewhere"})
		desc += " with Location"
	}
	return xdel(desc, r)
}

var (
	star     = ok(aco, "*")
	preStar  = ok(aco, "*", acm, "*", ach, "*")
	preCred  = ok(aco, orig, acc, "true", acm, "GET, PUT, DELETE", ach, "authorization, content-type, x-custom")
	credOK   = ok(aco, orig, acc, "true")
	other    = "http://127.0.0.1:1"
	r128, r5 = strings.Repeat("a", 128), strings.Repeat("a", 129)
)

var xCases = []xCase{
	// The CORS check on the actual response.
	xget("GET, no ACAO", ok()),
	xpost("POST form, no ACAO", ok()),
	xget("HEAD, no ACAO", ok()).m("HEAD"),
	xget("GET, ACAO *", star),
	xpost("POST form, ACAO *", star),
	xget("HEAD, ACAO *", star).m("HEAD"),
	xget("GET, ACAO exact origin", ok(aco, orig)),
	xget("GET, ACAO another origin", ok(aco, other)),
	xget("GET, ACAO null", ok(aco, "null")),
	xget("GET, ACAO with a trailing slash", ok(aco, orig+"/")),
	xget("GET, ACAO upper-cased", ok(aco, "HTTP://127.0.0.1:{aport}")),
	xget("GET, ACAO https instead of http", ok(aco, "https://127.0.0.1:{aport}")),
	xget("GET, ACAO on two lines", ok(aco, orig, aco, orig)),
	xget("GET, ACAO a, b on one line", ok(aco, orig+", "+other)),
	xget("GET, ACAO two origins separated by a space", ok(aco, orig+" "+other)),
	xget("GET, ACAO * on two lines", ok(aco, "*", aco, "*")),
	xget("GET, ACAO not a URL", ok(aco, "notaurl")),
	xget("GET, ACAO empty", ok(aco, "")),
	xget("GET, ACAO http:// without a host", ok(aco, "http://")),
	xget("GET answered 404 with ACAO *", st(404, aco, "*")),
	xget("GET answered 500 without ACAO", st(500)),
	xpost("POST answered 201 without ACAO", st(201)),

	// Credentials.
	xget("credentials include, ACAO *", star).cr("include"),
	xget("credentials include, ACAO * and ACAC true", ok(aco, "*", acc, "true")).cr("include"),
	xget("credentials include, exact origin, ACAC true", credOK).cr("include"),
	xget("credentials include, ACAC TRUE", ok(aco, orig, acc, "TRUE")).cr("include"),
	xget("credentials include, no ACAC", ok(aco, orig)).cr("include"),
	xget("credentials include, ACAC true on two lines", ok(aco, orig, acc, "true", acc, "true")).cr("include"),
	xget("credentials include, another origin", ok(aco, other, acc, "true")).cr("include"),
	xget("credentials include, no ACAO", ok(acc, "true")).cr("include"),
	xget("credentials omit, ACAO *", star).cr("omit"),
	xget("credentials omit, ACAC nonsense ignored", ok(aco, "*", acc, "nonsense")).cr("omit"),
	xpost("credentials include, POST form, ACAO *", star).cr("include"),

	// The preflight's status and redirects.
	preStatus(200, false), preStatus(204, false), preStatus(299, false),
	preStatus(300, false), preStatus(302, false),
	preStatus(400, false), preStatus(401, false), preStatus(403, false),
	preStatus(404, false), preStatus(405, false), preStatus(500, false),
	preStatus(301, true), preStatus(302, true), preStatus(303, true), preStatus(307, true), preStatus(308, true),
	xdel("preflight 500 without ACAO", st(500)),
	xdel("preflight 404 with another origin", st(404, aco, other)),
	xdel("preflight 301 with Location and no ACAO", st(301, "Location", "/elsewhere")),
	xdel("preflight 307 with Location and another origin", st(307, aco, other, "Location", "/elsewhere")),

	// The CORS check on the preflight.
	xput("PUT, preflight without CORS headers", ok(), star),
	xput("PUT, preflight ACAO another origin", ok(aco, other, acm, "PUT", ach, "*"), star),
	xput("PUT, preflight ACAO null", ok(aco, "null", acm, "PUT", ach, "*"), star),
	xput("PUT, preflight ACAO on two lines", ok(aco, orig, aco, "*", acm, "PUT", ach, "*"), star),
	xput("PUT, preflight ACAO a, b on one line", ok(aco, orig+", "+other, acm, "PUT", ach, "*"), star),
	xput("PUT, preflight ACAO not a URL", ok(aco, "notaurl", acm, "PUT", ach, "*"), star),
	xput("PUT with credentials, preflight ACAO *", ok(aco, "*", acc, "true", acm, "PUT", ach, "content-type"), credOK).cr("include"),
	xput("PUT with credentials, preflight without ACAC", ok(aco, orig, acm, "PUT", ach, "content-type"), credOK).cr("include"),
	xput("PUT with credentials, preflight ACAC TRUE", ok(aco, orig, acc, "TRUE", acm, "PUT", ach, "content-type"), credOK).cr("include"),
	xput("PUT with credentials, all allowed", preCred, credOK).cr("include"),
	xput("PUT allowed with Max-Age 600", ok(aco, "*", acm, "PUT", ach, "*", "Access-Control-Max-Age", "600"), star),
	xput("PUT with credentials, actual response without ACAC", preCred, ok(aco, orig)).cr("include"),
	xput("PUT allowed by the preflight, actual response without ACAO", preStar, ok()),

	// Access-Control-Allow-Methods.
	xdel("DELETE, no Allow-Methods", ok(aco, "*")),
	xdel("DELETE, Allow-Methods GET, POST", ok(aco, "*", acm, "GET, POST")),
	xput("PUT, Allow-Methods GET, PUT", ok(aco, "*", acm, "GET, PUT", ach, "Content-Type"), star),
	xput("PUT, Allow-Methods *", ok(aco, "*", acm, "*", ach, "content-type"), star),
	xput("PUT with credentials, Allow-Methods *", ok(aco, orig, acc, "true", acm, "*", ach, "content-type"), credOK).cr("include"),
	xput("PUT, Allow-Methods put in lower case", ok(aco, "*", acm, "put", ach, "content-type"), star),
	xput("Put in mixed case is normalized to PUT", ok(aco, "*", acm, "PUT", ach, "content-type"), star).m("Put"),
	xput("PUT, Allow-Methods on two lines", ok(aco, "*", acm, "GET", acm, "PUT", ach, "content-type"), star),
	xput("PUT, Allow-Methods with empty items", ok(aco, "*", acm, "GET,, PUT,", ach, "content-type"), star),
	xput("PUT, Allow-Methods GET PUT without a comma", ok(aco, "*", acm, "GET PUT", ach, "*"), star),
	xput("PUT, Allow-Methods quoted", ok(aco, "*", acm, `"PUT"`, ach, "*"), star),
	xput("PUT, Allow-Methods with one bad item among good ones", ok(aco, "*", acm, "GET, PUT DELETE, POST", ach, "*"), star),
	xget("GET with a custom header, Allow-Methods GET;PUT", star).h("X-Custom", "1").p(ok(aco, "*", acm, "GET;PUT", ach, "*")),
	xput("PATCH, Allow-Methods PATCH", ok(aco, "*", acm, "PATCH", ach, "content-type"), star).m("PATCH"),
	xput("patch stays lower case, Allow-Methods PATCH", ok(aco, "*", acm, "PATCH", ach, "content-type"), star).m("patch"),
	xput("patch stays lower case, Allow-Methods patch", ok(aco, "*", acm, "patch", ach, "content-type"), star).m("patch"),
	xget("OPTIONS as the actual method", star).m("OPTIONS").p(ok(aco, "*", acm, "OPTIONS")),

	// Access-Control-Allow-Headers.
	xget("custom header, no Allow-Headers", star).h("X-Custom", "1").p(ok(aco, "*")),
	xget("custom header, listed in another case", star).h("X-Custom", "1").p(ok(aco, "*", ach, "x-other, X-CUSTOM")),
	xget("custom header, Allow-Headers lists another", star).h("X-Custom", "1").p(ok(aco, "*", ach, "x-other")),
	xget("custom header, Allow-Headers *", star).h("X-Custom", "1").p(ok(aco, "*", ach, "*")),
	xget("custom header with credentials, Allow-Headers *", credOK).h("X-Custom", "1").cr("include").p(ok(aco, orig, acc, "true", ach, "*")),
	xget("custom header with credentials, listed", credOK).h("X-Custom", "1").cr("include").p(preCred),
	xget("Authorization under Allow-Headers *", star).h("Authorization", "Bearer x").p(ok(aco, "*", ach, "*")),
	xget("Authorization with credentials, listed", credOK).h("Authorization", "Bearer x").cr("include").p(preCred),
	xget("Authorization, Allow-Headers lists another", star).h("Authorization", "Bearer x").p(ok(aco, "*", ach, "x-custom")),
	xget("custom header, Allow-Headers x custom", star).h("X-Custom", "1").p(ok(aco, "*", ach, "x custom")),
	xget("custom header, Allow-Headers quoted", star).h("X-Custom", "1").p(ok(aco, "*", ach, `"x-custom"`)),
	xget("custom header, Allow-Headers with one bad item among good ones", star).h("X-Custom", "1").p(ok(aco, "*", ach, "x-custom, x b, x-c")),
	xget("custom header, Allow-Headers with empty items", star).h("X-Custom", "1").p(ok(aco, "*", ach, ",x-custom,")),
	xget("three custom headers, listed sorted", star).h("X-Zed", "1", "X-Bee", "1", "x-alpha", "1").p(preStar),
	xget("the same custom header twice", star).h("X-Custom", "1", "x-custom", "2").p(preStar),

	// Safelisted request headers.
	xpost("POST text/plain;charset=utf-8", star).h("Content-Type", "text/plain;charset=utf-8"),
	xpost("POST multipart/form-data", star).h("Content-Type", "multipart/form-data; boundary=x"),
	xget("POST application/json, preflight closed", star).m("POST").h("Content-Type", "application/json").b(`{"a":1}`),
	xget("POST application/json, not in Allow-Headers", star).m("POST").h("Content-Type", "application/json").b(`{"a":1}`).p(ok(aco, "*")),
	xget("POST text/plain with a quoted parameter", star).m("POST").h("Content-Type", `text/plain; x="y"`).b("a").p(preStar),
	xget("Accept of 128 bytes", star).h("Accept", r128),
	xget("Accept of 129 bytes", star).h("Accept", r5).p(preStar),
	xget("Accept with an unsafe byte", star).h("Accept", "text/html(x)").p(preStar),
	xget("Accept-Language en-US,fr;q=0.5", star).h("Accept-Language", "en-US,fr;q=0.5"),
	xget("Accept-Language en_US", star).h("Accept-Language", "en_US").p(preStar),
	xget("Content-Language with a slash, closed", star).h("Content-Language", "en/US").p(ok(aco, "*")),
	xget("Range bytes=0-10", star).h("Range", "bytes=0-10").p(preStar),
	xget("Range bytes=-5", star).h("Range", "bytes=-5").p(preStar),

	// Client hints: Chromium alone safelists them; the preflight refuses them.
	xget("client hint DPR", star).h("DPR", "2").p(ok(aco, "*")),
	xget("client hint Save-Data", star).h("Save-Data", "on").p(ok(aco, "*")),
	xget("client hint Device-Memory", star).h("Device-Memory", "8").p(ok(aco, "*")),
	xget("client hint Viewport-Width", star).h("Viewport-Width", "1000").p(ok(aco, "*")),
	xget("client hint Width", star).h("Width", "100").p(ok(aco, "*")),
	xget("client hint Downlink", star).h("Downlink", "10").p(ok(aco, "*")),
	xget("client hint ECT", star).h("ECT", "4g").p(ok(aco, "*")),
	xget("client hint RTT", star).h("RTT", "50").p(ok(aco, "*")),
	xget("client hint ECT 5g: no browser safelists it", star).h("ECT", "5g").p(preStar),
	xget("client hint DPR allowed by Allow-Headers", star).h("DPR", "2").p(ok(aco, "*", ach, "dpr")),
	xget("forbidden headers are dropped", star).h("Cookie", "a=b", "Sec-Custom", "1", "Proxy-Custom", "1", "Keep-Alive", "1", "DNT", "1"),

	// What JavaScript can read.
	xget("expose: none", ok(aco, "*", "X-Total", "3")),
	xget("expose: X-Total listed", ok(aco, "*", "X-Total", "3", ace, "X-Total")),
	xget("expose: * without credentials", ok(aco, "*", "X-Total", "3", ace, "*")),
	xget("expose: * with credentials is a name", ok(aco, orig, acc, "true", "X-Total", "3", ace, "*")).cr("include"),
	xget("expose: x-total with credentials", ok(aco, orig, acc, "true", "X-Total", "3", ace, "x-total")).cr("include"),
	xget("expose: on two lines", ok(aco, "*", "X-Total", "3", "X-Extra", "1", ace, "X-Extra", ace, "X-Total")),
	xget("expose: unparsable list", ok(aco, "*", "X-Extra", "1", ace, "x extra")),
	xget("expose: the safelisted response headers", ok(aco, "*", "Cache-Control", "no-store", "Content-Language", "en",
		"Expires", "0", "Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT", "Pragma", "no-cache", "X-Extra", "1")),
	xget("expose: * never exposes Set-Cookie", ok(aco, "*", ace, "*, Set-Cookie", "Set-Cookie", "x=1; Path=/nowhere")),
	xput("expose: after a preflight", preStar, ok(aco, "*", ace, "X-Extra", "X-Extra", "1")),

	// Modes no-cors and same-origin.
	xget("no-cors GET", ok()).md("no-cors"),
	xpost("no-cors POST", ok()).md("no-cors"),
	xget("no-cors HEAD", star).m("HEAD").md("no-cors"),
	xput("no-cors PUT", ok(), ok()).md("no-cors"),
	xget("no-cors GET with a custom header", ok()).h("X-Custom", "1").md("no-cors"),
	xget("no-cors with credentials", star).cr("include").md("no-cors"),
	xget("same-origin mode to another origin", star).md("same-origin"),

	// Requests fetch() refuses before any traffic.
	xget("header value with a newline", star).h("X-Custom", "a\nb"),
	xget("header name with a space", star).h("Bad Header", "1"),
	xget("header value above U+00FF", star).h("X-Custom", "☃"),
	xget("forbidden method CONNECT", star).m("CONNECT"),
	xget("method that is not a token", star).m("GE T"),
	xget("mode navigate", star).md("navigate"),
	xget("credentials not an enum value", star).cr("bogus"),
	xget("mode not an enum value", star).md("bogus"),
	xget("GET with a body", star).b("a=1"),
	xget("HEAD with a body", star).m("HEAD").b("a=1"),
	xget("get in lower case with a body", star).m("get").b("a=1"),
	xget("forbidden method TRACE", star).m("TRACE"),
	xget("forbidden method TRACK", star).m("TRACK"),
	xget("forbidden method trace in lower case", star).m("trace"),
	xget("header value with a carriage return", star).h("X-Custom", "a\rb"),
	xget("header value with a NUL byte", star).h("X-Custom", "a\x00b"),
	xget("header name with a colon", star).h("X:Custom", "1"),
	xget("header name above U+00FF", star).h("X-☃", "1"),
	xget("method above U+00FF", star).m("G☃T"),
	xget("no-cors DELETE", star).m("DELETE").md("no-cors"),
	xget("no-cors patch", star).m("patch").md("no-cors"),
	xget("URL with credentials", star).at("http://user:pass@{b}/c/{n}"),
	xget("URL that does not parse", star).at("http://"),

	// Redirects of the actual request.
	xget("redirect without ACAO", st(307, "Location", "{next}")).then(star),
	xget("redirect with ACAO *, followed", st(307, aco, "*", "Location", "{next}")).then(ok(aco, "*", "X-Total", "3", ace, "X-Total")),
	xget("302 redirect, next hop without ACAO", st(302, aco, "*", "Location", "{next}")).then(ok()),
	xget("redirect to another origin: Origin null, ACAO *", st(307, aco, "*", "Location", "{nextA}")).then(star),
	xget("redirect to another origin: Origin null, ACAO the page's origin", st(307, aco, "*", "Location", "{nextA}")).then(ok(aco, orig)),
	xget("redirect with credentials in Location", st(307, aco, "*", "Location", "http://user:pass@{b}/c/{n}/next")).then(star),
	xget("redirect with credentials, ACAO mismatch", st(302, aco, orig, acc, "true", "Location", "{next}")).cr("include").then(ok(aco, orig)),

	// No answer at all.
	{desc: "the server closes the connection", method: "GET", act: star, dropsAnswer: true},
}

// xRecord is what site B received for one case.
type xRecord struct {
	preflights int
	acrh, acrm string
	actuals    int
}

// xServer is the pair of loopback servers.
type xServer struct {
	a, b     *loopServer
	mu       sync.Mutex
	recs     map[string]*xRecord // by path
	results  chan []byte
	casesRun []int
}

type loopServer struct {
	srv  *http.Server
	host string // 127.0.0.1:port
}

func (h *loopServer) origin() string { return "http://" + h.host }

// listenLoopback listens on a free loopback port; serve starts answering
// there, once everything the handler reads is set (no data race with it).
func listenLoopback(t *testing.T, handler http.Handler) (s *loopServer, serve func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	t.Cleanup(func() { srv.Close() })
	return &loopServer{srv: srv, host: l.Addr().String()}, func() { go srv.Serve(l) }
}

func startXServer(t *testing.T) *xServer {
	x := &xServer{recs: map[string]*xRecord{}, results: make(chan []byte, 1)}
	var serveA, serveB func()
	x.a, serveA = listenLoopback(t, http.HandlerFunc(x.serveA))
	x.b, serveB = listenLoopback(t, http.HandlerFunc(x.serveCase))
	serveA()
	serveB()
	return x
}

func (x *xServer) expand(v string, n int) string {
	_, aport, _ := net.SplitHostPort(x.a.host)
	r := strings.NewReplacer("{origin}", x.a.origin(), "{aport}", aport, "{b}", x.b.host,
		"{next}", fmt.Sprintf("%s/c/%d/next", x.b.origin(), n), "{nextA}", fmt.Sprintf("%s/c/%d/next", x.a.origin(), n),
		"{n}", strconv.Itoa(n))
	return r.Replace(v)
}

// header returns a response's header lines as the server sends them, with a
// Content-Type for an actual response that has none.
func (x *xServer) header(r xResp, n int, actual bool) http.Header {
	h := http.Header{}
	for _, l := range r.lines {
		h[http.CanonicalHeaderKey(l[0])] = append(h[http.CanonicalHeaderKey(l[0])], x.expand(l[1], n))
	}
	if actual && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	return h
}

func statusOr(s, def int) int {
	if s == 0 {
		return def
	}
	return s
}

func (x *xServer) serveA(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, runnerPage, x.b.origin())
	case r.URL.Path == "/cases":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(x.pageCases())
	case r.URL.Path == "/results" && r.Method == http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		select {
		case x.results <- body:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(r.URL.Path, "/c/"):
		x.serveCase(w, r) // the second hop of a redirect to another origin
	default:
		http.NotFound(w, r)
	}
}

// serveCase answers /c/N (and /c/N/next) from case N.
func (x *xServer) serveCase(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/c/")
	num, hop, _ := strings.Cut(rest, "/")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || n >= len(xCases) {
		http.NotFound(w, r)
		return
	}
	c := xCases[n]
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	x.mu.Lock()
	rec := x.recs[r.Host+r.URL.Path]
	if rec == nil {
		rec = &xRecord{}
		x.recs[r.Host+r.URL.Path] = rec
	}
	if preflight {
		rec.preflights++
		rec.acrh, rec.acrm = r.Header.Get("Access-Control-Request-Headers"), r.Header.Get("Access-Control-Request-Method")
	} else {
		rec.actuals++
	}
	x.mu.Unlock()
	resp, status := c.act, statusOr(c.act.status, 200)
	switch {
	case preflight:
		resp, status = c.pre, statusOr(c.pre.status, 204)
	case hop == "next" && c.next != nil:
		resp, status = *c.next, statusOr(c.next.status, 200)
	case c.dropsAnswer:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	for k, v := range x.header(resp, n, !preflight) {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	if !preflight && r.Method != http.MethodHead && status != 204 && status != 304 {
		io.WriteString(w, `{"ok":true}`)
	}
}

func (x *xServer) record(host, path string) xRecord {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r := x.recs[host+path]; r != nil {
		return *r
	}
	return xRecord{}
}

// pageCase is a case as the page runs it.
type pageCase struct {
	N           int         `json:"n"`
	Method      string      `json:"method"`
	Headers     [][2]string `json:"headers"`
	Body        string      `json:"body,omitempty"`
	Credentials string      `json:"credentials,omitempty"`
	Mode        string      `json:"mode,omitempty"`
	URL         string      `json:"url,omitempty"`
	// Pairs gives fetch() the header pairs themselves, as the model's
	// Request has them, for a request fetch() refuses: then the TypeError
	// is fetch()'s, not the Headers constructor's. The others go through
	// new Headers(), as the lab's page sends them (static/send.js).
	Pairs bool `json:"pairs,omitempty"`
}

func (x *xServer) pageCases() []pageCase {
	x.mu.Lock()
	defer x.mu.Unlock()
	var pcs []pageCase
	for _, n := range x.casesRun {
		c := xCases[n]
		hs := c.headers
		if hs == nil {
			hs = [][2]string{}
		}
		refused := fetch.RefusedLocally(x.exchange(n).Request) != ""
		pcs = append(pcs, pageCase{n, c.method, hs, c.body, c.cred, c.mode, x.caseURL(n), refused})
	}
	return pcs
}

// runnerPage runs the cases one by one and posts what JavaScript got. Each
// case is marked in the console before and after, and waits a moment after
// its fetch settles so that the browser's console lines for it come before
// the end mark.
const runnerPage = `<!doctype html><meta charset="utf-8"><title>corslab three-browser matrix</title>
<script>
const B = %q;
(async () => {
  const cases = await (await fetch('/cases')).json();
  const results = [];
  for (const c of cases) {
    console.log('corslab-case-start ' + c.n);
    const r = {n: c.n};
    try {
      const init = {method: c.method, headers: c.pairs ? c.headers : new Headers(c.headers)};
      if (c.credentials) init.credentials = c.credentials;
      if (c.mode) init.mode = c.mode;
      if (c.body) init.body = c.body;
      const res = await fetch(c.url, init);
      r.ok = true; r.type = res.type; r.status = res.status;
      r.headers = [...res.headers.keys()];
      await res.text();
    } catch (e) {
      r.ok = false; r.error = String(e);
    }
    await new Promise(s => setTimeout(s, 30));
    console.log('corslab-case-end ' + c.n);
    results.push(r);
  }
  await fetch('/results', {method: 'POST', body: JSON.stringify(results)});
  console.log('corslab-done');
})();
</script>`

// jsResult is what the page got for one case.
type jsResult struct {
	N       int      `json:"n"`
	OK      bool     `json:"ok"`
	Type    string   `json:"type"`
	Status  int      `json:"status"`
	Headers []string `json:"headers"`
	Error   string   `json:"error"`
}

// caseURL is the URL case n calls: B's /c/N unless the case says otherwise.
func (x *xServer) caseURL(n int) string {
	if u := xCases[n].url; u != "" {
		return x.expand(u, n)
	}
	return fmt.Sprintf("%s/c/%d", x.b.origin(), n)
}

// exchange is case n as the model sees it: the request and the answers B
// gave, the redirect's next hop included.
func (x *xServer) exchange(n int) fetch.Exchange {
	c := xCases[n]
	req := fetch.Request{Origin: x.a.origin(), URL: x.caseURL(n), Method: c.method,
		Headers: c.headers, Credentials: c.cred, Mode: c.mode, Body: c.body}
	ex := fetch.Exchange{Request: req,
		Preflight: &fetch.Response{Status: statusOr(c.pre.status, 204), Header: x.header(c.pre, n, false)},
		Actual:    &fetch.Response{Status: statusOr(c.act.status, 200), Header: x.header(c.act, n, true)}}
	if c.dropsAnswer {
		ex.Actual = nil
	}
	if c.next != nil {
		loc := ex.Actual.Header.Get("Location")
		ex.Redirects = []fetch.Hop{{URL: loc, Actual: &fetch.Response{Status: statusOr(c.next.status, 200), Header: x.header(*c.next, n, true)}}}
	}
	return ex
}

// xObserved is what happened in one case.
type xObserved struct {
	Preflight bool
	ACRH      string
	Actual    bool
	JS        jsResult
	Console   []string // the browser's CORS lines for the case, in order
	Readable  []string
}

// browserTemplates recognize each browser's CORS console lines and name
// them, from the browser's own message texts (Firefox's
// security.properties, WebKit's CrossOriginAccessControl.cpp), independent
// of the model. The first group, when there is one, is the failed parameter.
type template struct {
	name string
	re   *regexp.Regexp
}

func ffTemplate(name, reason string) template {
	const pre = `^Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘?\S+?’?\. \(Reason: `
	return template{name, regexp.MustCompile(pre + reason + `\)\.( Status code: \S+\.)?$`)}
}

var firefoxTemplates = []template{
	ffTemplate("CORSMissingAllowOrigin", `CORS header ‘Access-Control-Allow-Origin’ missing`),
	ffTemplate("CORSMultipleAllowOriginNotAllowed", `Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed`),
	ffTemplate("CORSAllowOriginNotMatchingOrigin", `CORS header ‘Access-Control-Allow-Origin’ does not match ‘(.*)’`),
	ffTemplate("CORSNotSupportingCredentials", `Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘\*’`),
	ffTemplate("CORSMethodNotFound", `Did not find method in CORS header ‘Access-Control-Allow-Methods’`),
	ffTemplate("CORSMissingAllowCredentials", `expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’`),
	ffTemplate("CORSPreflightDidNotSucceed", `CORS preflight response did not succeed`),
	ffTemplate("CORSInvalidAllowMethod", `invalid token ‘(.*)’ in CORS header ‘Access-Control-Allow-Methods’`),
	ffTemplate("CORSInvalidAllowHeader", `invalid token ‘(.*)’ in CORS header ‘Access-Control-Allow-Headers’`),
	ffTemplate("CORSMissingAllowHeaderFromPreflight", `header ‘(.*)’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response`),
	ffTemplate("CORSExternalRedirectNotAllowed", `CORS request external redirect not allowed`),
	ffTemplate("CORSDidNotSucceed", `CORS request did not succeed`),
	ffTemplate("CORSRequestNotHttp", `CORS request not http`),
	ffTemplate("CORSDisabled", `CORS disabled`),
	ffTemplate("CORSOriginHeaderNotAdded", `CORS header ‘Origin’ cannot be added`),
}

func wkTemplate(name, re string) template {
	return template{name, regexp.MustCompile(`^` + re + `( Status code: \d+)?$`)}
}

var webkitTemplates = []template{
	wkTemplate("OriginNotAllowed", `Origin \S+ is not allowed by Access-Control-Allow-Origin\.`),
	wkTemplate("MultipleAllowOrigin", `Access-Control-Allow-Origin cannot contain more than one origin\.`),
	wkTemplate("WildcardOriginWithCredentials", `Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true\.`),
	wkTemplate("AllowCredentialsNotTrue", `Credentials flag is true, but Access-Control-Allow-Credentials is not "true"\.`),
	wkTemplate("MethodNotAllowed", `Method (.*) is not allowed by Access-Control-Allow-Methods\.`),
	wkTemplate("HeaderNotAllowed", `Request header field (.*) is not allowed by Access-Control-Allow-Headers\.`),
	wkTemplate("InvalidAllowMethods", `Header Access-Control-Allow-Methods has an invalid value: (.*)`),
	wkTemplate("InvalidAllowHeaders", `Header Access-Control-Allow-Headers has an invalid value: (.*)`),
	wkTemplate("PreflightNotSuccessful", `Preflight response is not successful\.`),
	wkTemplate("RedirectURLHasCredentials", `Cross-origin redirection to \S+ denied by Cross-Origin Resource Sharing policy: redirection URL \S+ has credentials\.?`),
	wkTemplate("RedirectOriginNotAllowed", `Cross-origin redirection to \S+ denied by Cross-Origin Resource Sharing policy: Origin \S+ is not allowed by Access-Control-Allow-Origin\.`),
	wkTemplate("RedirectMultipleAllowOrigin", `Cross-origin redirection to \S+ denied by Cross-Origin Resource Sharing policy: Access-Control-Allow-Origin cannot contain more than one origin\.`),
	wkTemplate("RedirectWildcardOriginWithCredentials", `Cross-origin redirection to \S+ denied by Cross-Origin Resource Sharing policy: Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true\.`),
	wkTemplate("RedirectAllowCredentialsNotTrue", `Cross-origin redirection to \S+ denied by Cross-Origin Resource Sharing policy: Credentials flag is true, but Access-Control-Allow-Credentials is not "true"\.`),
}

// nameOf reads a console line back into the browser's error name and failed
// parameter, or "" when no template knows it.
func nameOf(templates []template, line string) (name, param string) {
	for _, t := range templates {
		if m := t.re.FindStringSubmatch(line); m != nil {
			if t.re.NumSubexp() > 1 && len(m) > 1 {
				param = m[1]
			}
			return t.name, param
		}
	}
	return "", ""
}

// runMatrix runs every case in the browser and compares; console returns the
// browser's CORS lines for case n after the run.
func runMatrix(t *testing.T, x *xServer, b *fetch.Browser, templates []template, start func(url string), console func(n int) []string) {
	t.Helper()
	x.mu.Lock() // the browser asks for the cases on a server goroutine
	for i := range xCases {
		x.casesRun = append(x.casesRun, i)
	}
	x.mu.Unlock()
	begin := time.Now()
	start(x.a.origin() + "/")
	var raw []byte
	select {
	case raw = <-x.results:
	case <-time.After(5 * time.Minute):
		t.Fatalf("%s did not finish the %d cases within 5 minutes", b.Title, len(xCases))
	}
	var results []jsResult
	if err := json.Unmarshal(raw, &results); err != nil {
		t.Fatalf("results: %v", err)
	}
	t.Logf("%s ran %d cases in %v", b.Title, len(results), time.Since(begin).Round(time.Millisecond))
	agreed := 0
	covered := map[string]int{}
	for _, res := range results {
		n := res.N
		c := xCases[n]
		ok := t.Run(fmt.Sprintf("%03d %s", n, c.desc), func(t *testing.T) {
			if v, agree := compareCase(t, x, b, templates, res, console(n)); agree {
				covered[v.Error]++
			}
		})
		if ok {
			agreed++
		}
	}
	t.Logf("%s: %d of %d exchanges agree with the model", b.Title, agreed, len(results))
	if len(results) < 100 {
		t.Errorf("the matrix has %d exchanges, want at least 100", len(results))
	}
	if agreed == len(results) {
		for _, name := range b.ErrorNames() {
			if covered[name] == 0 && !b.Unreachable(name) {
				t.Errorf("no case produced %s's error %s", b.Title, name)
			}
		}
	}
}

// compareCase compares one case's verdict with what the browser did.
func compareCase(t *testing.T, x *xServer, b *fetch.Browser, templates []template, res jsResult, console []string) (fetch.Verdict, bool) {
	n := res.N
	c := xCases[n]
	ex := x.exchange(n)
	v := b.Judge(ex)
	rec := x.record(x.b.host, fmt.Sprintf("/c/%d", n))
	obs := xObserved{Preflight: rec.preflights > 0, ACRH: rec.acrh, Actual: rec.actuals > 0, JS: res, Console: console}

	sentHeaders := x.header(c.act, n, true)
	if c.next != nil {
		sentHeaders = x.header(*c.next, n, true)
	}
	obs.Readable = []string{}
	if res.OK && res.Type == "cors" {
		for _, name := range res.Headers {
			if _, ok := sentHeaders[http.CanonicalHeaderKey(name)]; ok && !slices.Contains(obs.Readable, name) {
				obs.Readable = append(obs.Readable, name)
			}
		}
	}
	sort.Strings(obs.Readable)

	var diffs []string
	differ := func(what string, model, browser any) {
		diffs = append(diffs, fmt.Sprintf("%s: model %v, %s %v", what, model, b.Title, browser))
	}
	if v.Preflight != obs.Preflight {
		differ("preflight sent", v.Preflight, obs.Preflight)
	}
	if got := strings.Join(v.RequestHeadersInPreflight, ","); obs.Preflight && got != obs.ACRH {
		differ("Access-Control-Request-Headers", strconv.Quote(got), strconv.Quote(obs.ACRH))
	}
	if v.ActualRequestSent != obs.Actual {
		differ("actual request sent", v.ActualRequestSent, obs.Actual)
	}
	if v.Allowed != res.OK {
		differ("allowed", v.Allowed, res.OK)
	}
	if res.OK && v.ResponseType != res.Type {
		differ("response type", v.ResponseType, res.Type)
	}
	if !slices.Equal(v.ReadableHeaders, obs.Readable) {
		differ("readable headers", v.ReadableHeaders, obs.Readable)
	}
	first := ""
	if len(console) > 0 {
		first = console[0]
	}
	name, param := nameOf(templates, first)
	switch {
	case first != "" && name == "":
		differ("console line known to the test", "-", strconv.Quote(first))
	case v.Error == fetch.ErrTypeError && first == "":
		// fetch() rejected with no CORS line: the model says TypeError.
	case v.Error != name || (param != "" && v.FailedParameter != param):
		differ("error (failed parameter)", fmt.Sprintf("%s (%q)", orDash(v.Error), v.FailedParameter), fmt.Sprintf("%s (%q)", orDash(name), param))
	}
	if model, _, _ := strings.Cut(v.Message, "\n"); first != "" && model != first {
		differ("console sentence", strconv.Quote(model), strconv.Quote(first))
	}
	if b.RefusedLocally(ex.Request) != "" {
		// fetch() threw before sending anything: the verdict's first line
		// is the exception as String(e) gives it, line breaks written \r \n.
		js := strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(res.Error)
		if model, _, _ := strings.Cut(v.Message, "\n"); model != js {
			differ("the TypeError fetch() threw", strconv.Quote(model), strconv.Quote(js))
		}
	}
	if !res.OK && v.Error != fetch.ErrTypeError && v.Error != "" {
		if want := b.JSError; res.Error != want {
			differ("JavaScript's error", want, res.Error)
		}
	}
	if len(diffs) > 0 {
		vj, _ := json.MarshalIndent(v, "\t\t", "  ")
		t.Errorf("case %d %q: the model disagrees with %s:\n\t%s\n\tconsole: %q\n\tjs: %+v\n\tverdict: %s",
			n, c.desc, b.Title, strings.Join(diffs, "\n\t"), console, res, vj)
		return v, false
	}
	t.Logf("agreed: preflight %t %q, sent %t, allowed %t %s %s, %s %q; console %q", obs.Preflight, obs.ACRH, obs.Actual, res.OK, res.Type, res.Error, orDash(name), param, console)
	return v, true
}

// TestAgreementWithFirefox runs the matrix in Firefox ESR.
func TestAgreementWithFirefox(t *testing.T) {
	ff := firefox.Start(t)
	x := startXServer(t)
	runMatrix(t, x, fetch.Firefox, firefoxTemplates, func(u string) {
		if err := ff.Navigate(u); err != nil {
			t.Fatalf("navigate: %v", err)
		}
	}, func(n int) []string {
		var out []string
		casePath := fmt.Sprintf("/c/%d", n)
		for _, e := range ff.Logs() {
			u, err := url.Parse(urlInLine(e.Text))
			if err == nil && e.Level == "error" && strings.HasPrefix(e.Text, "Cross-Origin Request") &&
				(u.Path == casePath || strings.HasPrefix(u.Path, casePath+"/")) {
				out = append(out, e.Text)
			}
		}
		return out
	})
}

// urlInLine is the resource URL a Firefox CORS line names.
func urlInLine(s string) string {
	const at = "remote resource at "
	i := strings.Index(s, at)
	if i < 0 {
		return ""
	}
	rest := strings.TrimPrefix(s[i+len(at):], "‘")
	end := strings.Index(rest, ". (Reason")
	if end < 0 {
		return ""
	}
	return strings.TrimSuffix(rest[:end], "’")
}

// TestAgreementWithWebKit runs the matrix in WebKitGTK's MiniBrowser.
func TestAgreementWithWebKit(t *testing.T) {
	x := startXServer(t)
	var mb *webkit.Browser
	runMatrix(t, x, fetch.WebKit, webkitTemplates, func(u string) {
		mb = webkit.Start(t, u)
	}, func(n int) []string {
		var out []string
		in := false
		for _, l := range mb.Lines() {
			switch {
			case strings.HasSuffix(l, fmt.Sprintf("corslab-case-start %d", n)):
				in = true
			case strings.HasSuffix(l, fmt.Sprintf("corslab-case-end %d", n)):
				in = false
			case in && strings.Contains(l, "CONSOLE SECURITY ERROR "):
				_, msg, _ := strings.Cut(l, "CONSOLE SECURITY ERROR ")
				out = append(out, msg)
			}
		}
		return out
	})
}
