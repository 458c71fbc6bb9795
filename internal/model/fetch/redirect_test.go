package fetch

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	otherB = "http://localhost:7072" // a third origin, the target of cross-origin redirects
)

func chain(r Request, pre, act *Response, hops ...Hop) Exchange {
	return Exchange{Request: r, Preflight: pre, Actual: act, Redirects: hops}
}

func hopTo(u string, pre, act *Response) Hop { return Hop{URL: u, Preflight: pre, Actual: act} }

// redirectCases follow Fetch §4.4 "HTTP-redirect fetch" and Chromium's
// CorsURLLoader (OnReceiveRedirect, FollowRedirect); the ones marked
// "real" are played against Chromium in internal/tool/check's browser tests.
var redirectCases = []judgeCase{
	{"same-origin 301 with CORS headers, final answer readable (Django APPEND_SLASH)",
		chain(req("GET"), nil, resp(301, acao, siteA, "Location", "/api/items/"),
			hopTo(siteB+"/", nil, resp(200, acao, siteA, aceh, "X-Total", "X-Total", "3"))),
		want{sent: true, readable: []string{"x-total"}, note: "followed the 301 redirect to http://localhost:7071/api/items/"}},
	{"307 to a host without CORS headers (Express res.redirect)",
		chain(req("GET"), nil, resp(307, acao, siteA, "Location", otherB+"/data"),
			hopTo(otherB+"/data", nil, resp(200))),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{
			"Access to fetch at 'http://localhost:7072/data' (redirected from 'http://localhost:7071/api/items') from origin 'http://localhost:7070' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
			"Origin: null"}}},
	{"3xx without CORS headers fails at the redirect itself",
		chain(req("GET"), nil, resp(307, "Location", otherB+"/data"), hopTo(otherB+"/data", nil, resp(200, acao, "*"))),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{"Access to fetch at 'http://localhost:7071/api/items' from origin"}}},
	{"after a cross-origin hop the Origin is null: the page's origin no longer matches",
		chain(req("GET"), nil, resp(302, acao, siteA, "Location", otherB+"/data"), hopTo("", nil, resp(200, acao, siteA))),
		want{sent: true, err: ErrAllowOriginMismatch, param: siteA, msg: []string{"Origin: null", "fetch " + otherB + "/data directly"}}},
	{"after a cross-origin hop, ACAO * passes without credentials",
		chain(req("GET"), nil, resp(302, acao, "*", "Location", otherB+"/data"), hopTo("", nil, resp(200, acao, "*", "Content-Type", "text/plain"))),
		want{sent: true, readable: []string{"content-type"}, note: "Origin: null"}},
	{"after a cross-origin hop, ACAO null passes",
		chain(req("GET"), nil, resp(302, acao, siteA, "Location", otherB+"/data"), hopTo("", nil, resp(200, acao, "null"))),
		want{sent: true, readable: []string{}}},
	{"with credentials, * at the final hop is refused",
		chain(req("GET", cred("include")), nil, resp(302, acao, siteA, acac, "true", "Location", otherB+"/data"), hopTo("", nil, resp(200, acao, "*"))),
		want{sent: true, err: ErrWildcardOriginNotAllowed}},
	{"a same-origin redirect keeps the origin",
		chain(req("GET"), nil, resp(308, acao, siteA, "Location", "/v2/items"), hopTo("", nil, resp(200, acao, siteA))),
		want{sent: true, readable: []string{}}},
	{"a PUT redirected by 307 gets a new preflight at the new URL, which fails",
		chain(req("PUT", hdr("Content-Type", "application/json")), resp(204, acao, siteA, acam, "PUT", acah, "content-type"),
			resp(307, acao, siteA, "Location", otherB+"/items"), hopTo("", resp(404), nil)),
		want{preflight: true, sent: true, err: ErrPreflightMissingAllowOriginHeader, acrh: []string{"content-type"},
			msg:  []string{"Access to fetch at 'http://localhost:7072/items' (redirected from 'http://localhost:7071/api/items')"},
			note: "a new preflight at the new URL"}},
	{"a PUT redirected by 307 to a server that allows it: the second preflight comes with Origin null",
		chain(req("PUT"), resp(204, acao, siteA, acam, "PUT"), resp(307, acao, siteA, "Location", otherB+"/items"),
			hopTo("", resp(204, acao, "*", acam, "PUT"), resp(200, acao, "*"))),
		want{preflight: true, sent: true, readable: []string{}}},
	{"a 307 to the same origin keeps the PUT and preflights again",
		chain(req("PUT"), resp(204, acao, siteA, acam, "PUT"), resp(307, acao, siteA, "Location", "/api/items/"),
			hopTo("", resp(204, acao, siteA), nil)),
		want{preflight: true, sent: true, err: ErrMethodDisallowedByPreflightResponse, param: "PUT"}},
	{"a network error at the second hop's preflight",
		chain(req("PUT"), resp(204, acao, siteA, acam, "PUT"), resp(307, acao, siteA, "Location", "/api/items/"), hopTo("", nil, nil)),
		want{preflight: true, sent: true, err: ErrTypeError, msg: []string{"after a redirect"}}},
	{"303 turns a JSON POST into a GET without Content-Type: no new preflight",
		chain(req("POST", hdr("Content-Type", "application/json")), resp(204, acao, siteA, acah, "content-type"),
			resp(303, acao, siteA, "Location", "/api/items/1"), hopTo("", nil, resp(200, acao, siteA))),
		want{preflight: true, sent: true, readable: []string{}, note: "the 303 turned POST into GET without a body; it dropped the Content-Type header"}},
	{"302 turns POST into GET", chain(req("POST", hdr("Content-Type", "text/plain")), nil,
		resp(302, acao, "*", "Location", "/x"), hopTo("", nil, resp(200, acao, "*"))),
		want{sent: true, readable: []string{}, note: "the 302 turned POST into GET"}},
	{"307 keeps POST and its body", chain(req("POST", hdr("Content-Type", "text/plain")), nil,
		resp(307, acao, "*", "Location", "/x"), hopTo("", nil, resp(200, acao, "*"))),
		want{sent: true, readable: []string{}}},
	{"Authorization is dropped on a cross-origin hop: no preflight needed there",
		chain(req("GET", hdr("Authorization", "Bearer x")), resp(204, acao, siteA, acah, "authorization"),
			resp(302, acao, siteA, "Location", otherB+"/data"), hopTo("", nil, resp(200, acao, "*"))),
		want{preflight: true, sent: true, readable: []string{}, note: "it dropped the Authorization header"}},
	{"Authorization kept on a same-origin hop: a new preflight",
		chain(req("GET", hdr("Authorization", "Bearer x")), resp(204, acao, siteA, acah, "authorization"),
			resp(302, acao, siteA, "Location", "/api/v2"), hopTo("", resp(204, acao, siteA), nil)),
		want{preflight: true, sent: true, err: ErrHeaderDisallowedByPreflightResponse, param: "authorization"}},
	{"a same-origin request redirected cross-origin becomes CORS",
		chain(req("GET", toURL(siteA+"/go")), nil, resp(302, "Location", siteB), hopTo("", nil, resp(200))),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{"(redirected from 'http://localhost:7070/go')"}}},
	{"a same-origin request redirected cross-origin keeps its own Origin",
		chain(req("GET", toURL(siteA+"/go")), nil, resp(302, "Location", siteB), hopTo("", nil, resp(200, acao, siteA, aceh, "x-a", "X-A", "1"))),
		want{sent: true, readable: []string{"x-a"}}},
	{"a redirect chain with credentials in the next URL",
		chain(req("GET"), nil, resp(302, acao, "*", "Location", "/a"), hopTo("", nil, resp(302, acao, "*", "Location", "http://u:p@localhost:7071/b"))),
		want{sent: true, err: ErrRedirectContainsCredentials}},
	{"a redirect to a non-http scheme", chain(req("GET"), nil, resp(302, acao, "*", "Location", "data:text/plain,x")),
		want{sent: true, err: ErrTypeError, msg: []string{"only to http and https"}}},
	{"the last hop given still redirects: followed, unknown",
		chain(req("GET"), nil, resp(302, acao, "*", "Location", "/a"), hopTo("", nil, resp(302, acao, "*", "Location", "/b"))),
		want{sent: true, readable: []string{}, note: "follows the 302 redirect to http://localhost:7071/b"}},
}

func TestJudgeRedirects(t *testing.T) {
	for _, c := range redirectCases {
		t.Run(c.desc, func(t *testing.T) {
			got := Judge(c.x)
			checkVerdict(t, got, c.want)
			checkInvariants(t, got)
			steps := Trace(c.x)
			if len(steps) == 0 || steps[len(steps)-1].OK != got.Allowed {
				t.Errorf("trace ends %+v, verdict allowed=%v", steps[len(steps)-1], got.Allowed)
			}
		})
	}
}

// TestTooManyRedirects: 20 redirects are followed, the 21st fails.
func TestTooManyRedirects(t *testing.T) {
	build := func(n int) Exchange {
		x := chain(req("GET"), nil, resp(302, acao, "*", "Location", "/r1"))
		for i := 1; i <= n; i++ {
			x.Redirects = append(x.Redirects, hopTo("", nil, resp(302, acao, "*", "Location", fmt.Sprintf("/r%d", i+1))))
		}
		return x
	}
	ok := build(19) // 20 redirects, the last one unknown
	ok.Redirects = append(ok.Redirects, hopTo("", nil, resp(200, acao, "*")))
	if v := Judge(ok); !v.Allowed {
		t.Fatalf("20 redirects: %s", v.Message)
	}
	if v := Judge(build(20)); v.Allowed || v.Error != ErrTypeError || !strings.Contains(v.Message, "ERR_TOO_MANY_REDIRECTS") {
		t.Fatalf("21 redirects: %+v", v)
	}
}

func TestTraceShowsEveryHop(t *testing.T) {
	x := chain(req("PUT"), resp(204, acao, siteA, acam, "PUT"), resp(307, acao, siteA, "Location", otherB+"/items"),
		hopTo("", resp(204, acao, "*", acam, "PUT"), resp(200, acao, "*")))
	var whats []string
	for _, s := range Trace(x) {
		whats = append(whats, s.From+">"+s.To+" "+s.What)
	}
	want := []string{
		"page>browser fetch(\"http://localhost:7071/api/items\", {method: \"PUT\"})",
		"browser>server OPTIONS /api/items (preflight)",
		"server>browser 204 No Content",
		"browser>server PUT /api/items",
		"server>browser 307 Temporary Redirect",
		"browser>server OPTIONS http://localhost:7072/items (preflight)",
		"server>browser 204 No Content",
		"browser>server PUT http://localhost:7072/items",
		"server>browser 200 OK",
		"browser>page Response (type cors, status 200)",
	}
	if !slices.Equal(whats, want) {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(whats, "\n"), strings.Join(want, "\n"))
	}
	if n := Trace(x)[5].Note; !strings.Contains(n, "Origin: null") {
		t.Errorf("second preflight note %q lacks Origin: null", n)
	}
}

// adviceCases pin the advice for a real server (issue 16): the status of an
// error answer, a CORS layer's refusal, neutral wording.
var adviceCases = []judgeCase{
	{"a 404 without CORS headers: advice about the status and nginx's always",
		x(req("GET"), nil, resp(404)),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{"The answer is a 404 Not Found", "`always`", "add_header Access-Control-Allow-Origin http://localhost:7070 always;"}}},
	{"a 500 without CORS headers", x(req("GET"), nil, resp(500)),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{"The answer is a 500 Internal Server Error", "server's logs"}}},
	{"rs/cors refuses a method: 204 with no CORS header",
		x(req("PUT"), resp(204, "Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"), nil),
		want{preflight: true, err: ErrPreflightMissingAllowOriginHeader, msg: []string{"your CORS layer most likely refused method PUT", "add PUT to the allowed methods"}}},
	{"jub0bs/cors refuses a header: 403 with no CORS header",
		x(req("GET", hdr("X-Trace", "1")), resp(403), nil),
		want{preflight: true, err: ErrPreflightMissingAllowOriginHeader, msg: []string{"refused header x-trace", "add x-trace to the allowed headers", "answer OPTIONS before them"}}},
	{"a redirect without CORS headers is not said to have run a handler",
		x(req("GET"), nil, resp(301, "Location", "/api/items/")),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{"before any handler runs"}}},
}

func TestJudgeAdvice(t *testing.T) {
	for _, c := range adviceCases {
		t.Run(c.desc, func(t *testing.T) {
			got := Judge(c.x)
			checkVerdict(t, got, c.want)
			checkInvariants(t, got)
			if strings.Contains(got.Message, "ite B") {
				t.Errorf("message speaks of site B: %s", got.Message)
			}
			if strings.Contains(c.desc, "redirect") && strings.Contains(got.Message, "ran there") {
				t.Errorf("a redirect is said to have run: %s", got.Message)
			}
		})
	}
}
