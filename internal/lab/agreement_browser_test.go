package lab_test

// The agreement test: the browser model (internal/model/fetch) against real
// headless Chromium, exchange by exchange. Each case is a policy for site B
// plus one fetch() made from site A's page with the page's own
// window.corslab.send; the test then sets what the lab's verdict on the
// trial says beside what actually happened, each from its own source:
//
//	preflight sent            site B's journal: an OPTIONS preflight for the trial
//	request headers listed    Access-Control-Request-Headers as site B received it
//	actual request sent       site B's journal: a non-preflight exchange
//	allowed, response type    what JavaScript got (the page's outcome)
//	error, failed parameter   Chromium's Network.loadingFailed corsErrorStatus
//	readable headers          the names JavaScript iterated in response.headers
//
// and every case must agree on every point. All cases run in one lab and one
// tab, one after the other, each on a URL of its own (?case=N), so that
// Chromium's preflight cache (5 s by default) never carries an answer from
// one case to the next.
//
// What send() does to a request before fetch() sees it (static/app.js):
// headers go through new Headers([[n, v], …]) and fetch() gets that object
// (an invalid name or value throws there: still a TypeError before any
// network); a missing method is GET, credentials default to same-origin,
// mode to cors, and "same-origin" or any other mode is passed through as
// given. A body is sent only when non-empty, and a string body without a
// Content-Type makes fetch() add Content-Type: text/plain;charset=UTF-8,
// which the model does not see: so the page cannot express "a body without
// Content-Type", and every case with a body sets Content-Type itself. The
// referrer (/trial/<id>, policy unsafe-url) only sets Referer, which changes
// nothing about CORS. Not expressible either: a GET or HEAD with a body
// (fetch() throws, but the model's request has no body), and several
// disallowed headers at once (Chromium names whichever its hash order meets
// first; the model the alphabetically first), so no case has more than one.
//
// Chromium reports a preflight failure on the actual request (its method and
// URL; a refused preflight redirect adds an OPTIONS failure without a CORS
// error), with failedParameter the ACAO or ACAC value, the method or the
// header name, and "" for the rest. A fetch() refused before the network
// leaves no loadingFailed at all: then the verdict must say TypeError.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
)

// agreeReq is a request for window.corslab.send, marshalled to JSON.
type agreeReq struct {
	Label       string      `json:"label"`
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	Headers     [][2]string `json:"headers,omitempty"`
	Body        string      `json:"body,omitempty"`
	Credentials string      `json:"credentials,omitempty"`
	Mode        string      `json:"mode,omitempty"`
}

// agreeCase is one exchange of the matrix.
type agreeCase struct {
	desc string
	// policy is site B's policy document; "" is the closed policy (no CORS
	// headers at all). $ORIGIN_UPPER and $ORIGIN stand for site A's origin
	// (upper-cased for the first), where a placeholder cannot say it.
	policy string
	req    agreeReq
	// want is the error the case is meant to produce ("" for allowed). It
	// checks the case, not the model: a case that agrees with Chromium but
	// misses its point is reported as a broken case.
	want string
}

// unreachable are the error names of verdict-format.md that no page on
// http://localhost can produce against site B, and why.
var unreachable = map[string]string{
	// Only a redirect of the actual request whose Location carries a user
	// name or password gives this error. Site B answers a preflight from its
	// policy (a 3xx there is PreflightDisallowedRedirect, checked before
	// anything else), and an actual response's status comes from its
	// endpoint: none redirects, and the only 3xx site B sends is net/http's
	// ServeMux path-cleaning 307, whose Location (the cleaned path) replaces
	// any Location the policy set and never holds userinfo. A page cannot
	// fetch() a URL with credentials either: that is a TypeError.
	fetch.ErrRedirectContainsCredentials: "needs a redirect to a URL with userinfo, which site B never sends",
	// Chromium's network service names a same-origin-mode request to
	// another origin so, but a page never sees it: Blink refuses such a
	// fetch() before the network (also on a redirect to another origin),
	// JavaScript gets TypeError: Failed to fetch, and DevTools reports no
	// request and no corsErrorStatus. The model says TypeError, and the case
	// "same-origin mode to site B" holds it to that.
	fetch.ErrDisallowedByMode: "Blink refuses mode same-origin before the network: Chromium reports no corsErrorStatus",
}

// Policy fragments.
const (
	acaoStar = `"Access-Control-Allow-Origin": "*"`
	acaoEcho = `"Access-Control-Allow-Origin": "{origin}"`
	acacTrue = `"Access-Control-Allow-Credentials": "true"`
	acamAll  = `"Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS"`
	acahStar = `"Access-Control-Allow-Headers": "*"`
)

// h joins header fragments into the inside of a JSON object.
func h(fragments ...string) string { return strings.Join(fragments, ", ") }

// act is a policy with headers for actual responses only: a preflight gets
// 204 with no CORS headers.
func act(headers string) string { return `{"actual": {"headers": {` + headers + `}}}` }

// pf is a policy answering preflights with status (0: 204) and headers, and
// actual responses with actual.
func pf(status int, headers, actual string) string {
	s := ""
	if status != 0 {
		s = fmt.Sprintf(`"status": %d, `, status)
	}
	return `{"preflight": {` + s + `"headers": {` + headers + `}}, "actual": {"headers": {` + actual + `}}}`
}

// hdr builds a header list from name, value pairs.
func hdr(kv ...string) [][2]string {
	var hs [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		hs = append(hs, [2]string{kv[i], kv[i+1]})
	}
	return hs
}

// Requests. PUT and PATCH rename item 1 to the name it already has, and
// DELETE aims at an item that does not exist (404), so that the cases leave
// site B's data as they found it and run the same way every time.
const apple = `{"name": "apple"}`

var (
	getItems  = agreeReq{Method: "GET", Path: "/api/items"}
	headItems = agreeReq{Method: "HEAD", Path: "/api/items"}
	postForm  = agreeReq{Method: "POST", Path: "/api/items", Headers: hdr("Content-Type", "application/x-www-form-urlencoded"), Body: "name=agreement"}
	putJSON   = agreeReq{Method: "PUT", Path: "/api/items/1", Headers: hdr("Content-Type", "application/json"), Body: apple}
	deleteNo  = agreeReq{Method: "DELETE", Path: "/api/items/999999"}
)

func (r agreeReq) with(f func(*agreeReq)) agreeReq {
	r.Headers = slices.Clone(r.Headers)
	f(&r)
	return r
}
func (r agreeReq) cred(c string) agreeReq { return r.with(func(r *agreeReq) { r.Credentials = c }) }
func (r agreeReq) mode(m string) agreeReq { return r.with(func(r *agreeReq) { r.Mode = m }) }
func (r agreeReq) add(kv ...string) agreeReq {
	return r.with(func(r *agreeReq) { r.Headers = append(r.Headers, hdr(kv...)...) })
}
func (r agreeReq) method(m string) agreeReq { return r.with(func(r *agreeReq) { r.Method = m }) }
func (r agreeReq) path(p string) agreeReq   { return r.with(func(r *agreeReq) { r.Path = p }) }

func rep(s string, n int) string { return strings.Repeat(s, n) }

// Policies used by several cases.
var (
	preflightStarPolicy = pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "*"`, acahStar), acaoStar)
	credPolicy          = pf(0, h(acaoEcho, acacTrue, acamAll, `"Access-Control-Allow-Headers": "authorization, content-type, x-custom"`), h(acaoEcho, acacTrue))
)

// statusCase is a DELETE whose preflight gets status (with a Location when
// loc), allowed in every other way.
func statusCase(status int, loc bool, want string) agreeCase {
	headers := h(acaoStar, `"Access-Control-Allow-Methods": "DELETE"`)
	desc := fmt.Sprintf("preflight status %d", status)
	if loc {
		headers = h(headers, `"Location": "/api/items"`)
		desc += " with Location"
	}
	return agreeCase{desc, pf(status, headers, acaoStar), deleteNo, want}
}

var agreementCases = []agreeCase{
	// Simple requests and the CORS check on the actual response.
	{"simple GET, no ACAO", "", getItems, fetch.ErrMissingAllowOriginHeader},
	{"simple POST form, no ACAO", "", postForm, fetch.ErrMissingAllowOriginHeader},
	{"simple HEAD, no ACAO", "", headItems, fetch.ErrMissingAllowOriginHeader},
	{"simple GET, ACAO *", act(acaoStar), getItems, ""},
	{"simple POST form, ACAO *", act(acaoStar), postForm, ""},
	{"simple HEAD, ACAO *", act(acaoStar), headItems, ""},
	{"simple GET, ACAO exact origin", act(acaoEcho), getItems, ""},
	{"simple GET, ACAO another origin", act(`"Access-Control-Allow-Origin": "http://localhost:1"`), getItems, fetch.ErrAllowOriginMismatch},
	{"simple GET, ACAO null", act(`"Access-Control-Allow-Origin": "null"`), getItems, fetch.ErrAllowOriginMismatch},
	{"simple GET, ACAO with a trailing slash", act(`"Access-Control-Allow-Origin": "{origin}/"`), getItems, fetch.ErrAllowOriginMismatch},
	{"simple GET, ACAO upper-cased origin", act(`"Access-Control-Allow-Origin": "$ORIGIN_UPPER"`), getItems, fetch.ErrAllowOriginMismatch},
	{"simple GET, ACAO https instead of http", act(`"Access-Control-Allow-Origin": "https://localhost:1"`), getItems, fetch.ErrAllowOriginMismatch},
	{"simple GET, ACAO on two lines", act(`"Access-Control-Allow-Origin": ["{origin}", "{origin}"]`), getItems, fetch.ErrMultipleAllowOriginValues},
	{"simple GET, ACAO a, b on one line", act(`"Access-Control-Allow-Origin": "{origin}, http://localhost:1"`), getItems, fetch.ErrMultipleAllowOriginValues},
	{"simple GET, ACAO two origins separated by a space", act(`"Access-Control-Allow-Origin": "{origin} http://localhost:1"`), getItems, fetch.ErrMultipleAllowOriginValues},
	{"simple GET, ACAO * on two lines", act(`"Access-Control-Allow-Origin": ["*", "*"]`), getItems, fetch.ErrMultipleAllowOriginValues},
	{"simple GET, ACAO not a URL", act(`"Access-Control-Allow-Origin": "notaurl"`), getItems, fetch.ErrInvalidAllowOriginValue},
	{"simple GET, ACAO empty", act(`"Access-Control-Allow-Origin": ""`), getItems, fetch.ErrInvalidAllowOriginValue},
	{"simple GET, ACAO http:// without a host", act(`"Access-Control-Allow-Origin": "http://"`), getItems, fetch.ErrInvalidAllowOriginValue},
	{"simple GET to a missing item: a 404 is allowed like a 200", act(acaoStar), getItems.path("/api/items/999999"), ""},

	// Credentials.
	{"credentials include, ACAO *", act(acaoStar), getItems.cred("include"), fetch.ErrWildcardOriginNotAllowed},
	{"credentials include, exact origin, ACAC true", act(h(acaoEcho, acacTrue)), getItems.cred("include"), ""},
	{"credentials include, exact origin, ACAC TRUE", act(h(acaoEcho, `"Access-Control-Allow-Credentials": "TRUE"`)), getItems.cred("include"), fetch.ErrInvalidAllowCredentials},
	{"credentials include, exact origin, no ACAC", act(acaoEcho), getItems.cred("include"), fetch.ErrInvalidAllowCredentials},
	{"credentials include, ACAC true on two lines", act(h(acaoEcho, `"Access-Control-Allow-Credentials": ["true", "true"]`)), getItems.cred("include"), fetch.ErrInvalidAllowCredentials},
	{"credentials include, another origin", act(h(`"Access-Control-Allow-Origin": "http://localhost:1"`, acacTrue)), getItems.cred("include"), fetch.ErrAllowOriginMismatch},
	{"credentials omit, ACAO *", act(acaoStar), getItems.cred("omit"), ""},
	{"credentials omit, ACAC ignored", act(h(acaoStar, `"Access-Control-Allow-Credentials": "nonsense"`)), getItems.cred("omit"), ""},
	{"credentials include, simple POST form, ACAO *", act(acaoStar), postForm.cred("include"), fetch.ErrWildcardOriginNotAllowed},

	// The preflight's status and redirects (a DELETE, otherwise allowed).
	statusCase(200, false, ""),
	statusCase(204, false, ""),
	statusCase(299, false, ""),
	statusCase(300, false, fetch.ErrPreflightInvalidStatus),
	statusCase(301, true, fetch.ErrPreflightDisallowedRedirect),
	statusCase(302, true, fetch.ErrPreflightDisallowedRedirect),
	statusCase(302, false, fetch.ErrPreflightInvalidStatus),
	statusCase(303, true, fetch.ErrPreflightDisallowedRedirect),
	statusCase(307, true, fetch.ErrPreflightDisallowedRedirect),
	statusCase(308, true, fetch.ErrPreflightDisallowedRedirect),
	statusCase(400, false, fetch.ErrPreflightInvalidStatus),
	statusCase(401, false, fetch.ErrPreflightInvalidStatus),
	statusCase(403, false, fetch.ErrPreflightInvalidStatus),
	statusCase(404, false, fetch.ErrPreflightInvalidStatus),
	statusCase(500, false, fetch.ErrPreflightInvalidStatus),
	{"preflight status 500 without ACAO: the origin is checked first", pf(500, "", acaoStar), deleteNo, fetch.ErrPreflightMissingAllowOriginHeader},
	{"preflight 301 with Location and no ACAO: the redirect is checked first", pf(301, `"Location": "/api/items"`, acaoStar), deleteNo, fetch.ErrPreflightDisallowedRedirect},

	// The CORS check on the preflight.
	{"PUT, closed policy", "", putJSON, fetch.ErrPreflightMissingAllowOriginHeader},
	{"PUT, preflight ACAO another origin", pf(0, h(`"Access-Control-Allow-Origin": "http://localhost:1"`, acamAll, acahStar), acaoStar), putJSON, fetch.ErrPreflightAllowOriginMismatch},
	{"PUT, preflight ACAO null", pf(0, h(`"Access-Control-Allow-Origin": "null"`, acamAll, acahStar), acaoStar), putJSON, fetch.ErrPreflightAllowOriginMismatch},
	{"PUT, preflight ACAO on two lines", pf(0, h(`"Access-Control-Allow-Origin": ["{origin}", "*"]`, acamAll, acahStar), acaoStar), putJSON, fetch.ErrPreflightMultipleAllowOriginValues},
	{"PUT, preflight ACAO not a URL", pf(0, h(`"Access-Control-Allow-Origin": "notaurl"`, acamAll, acahStar), acaoStar), putJSON, fetch.ErrPreflightInvalidAllowOriginValue},
	{"PUT with credentials, preflight ACAO *", pf(0, h(acaoStar, acacTrue, acamAll, acahStar), h(acaoEcho, acacTrue)), putJSON.cred("include"), fetch.ErrPreflightWildcardOriginNotAllowed},
	{"PUT with credentials, preflight without ACAC", pf(0, h(acaoEcho, acamAll, `"Access-Control-Allow-Headers": "content-type"`), h(acaoEcho, acacTrue)), putJSON.cred("include"), fetch.ErrPreflightInvalidAllowCredentials},
	{"PUT with credentials, preflight ACAC TRUE", pf(0, h(acaoEcho, `"Access-Control-Allow-Credentials": "TRUE"`, acamAll, `"Access-Control-Allow-Headers": "content-type"`), h(acaoEcho, acacTrue)), putJSON.cred("include"), fetch.ErrPreflightInvalidAllowCredentials},
	{"PUT with credentials, all allowed", credPolicy, putJSON.cred("include"), ""},
	{"PUT allowed with Max-Age 600 (on its own URL: the cache serves no other case)", pf(0, h(acaoStar, acamAll, acahStar, `"Access-Control-Max-Age": "600"`), acaoStar), putJSON, ""},
	{"PUT with credentials, actual response without ACAC", pf(0, h(acaoEcho, acacTrue, acamAll, `"Access-Control-Allow-Headers": "content-type"`), acaoEcho), putJSON.cred("include"), fetch.ErrInvalidAllowCredentials},
	{"PUT allowed by the preflight, actual response without ACAO", pf(0, h(acaoStar, acamAll, acahStar), ""), putJSON, fetch.ErrMissingAllowOriginHeader},

	// Access-Control-Allow-Methods.
	{"DELETE, no Allow-Methods", pf(0, acaoStar, acaoStar), deleteNo, fetch.ErrMethodDisallowedByPreflightResponse},
	{"DELETE, Allow-Methods GET, POST", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "GET, POST"`), acaoStar), deleteNo, fetch.ErrMethodDisallowedByPreflightResponse},
	{"PUT, Allow-Methods lists PUT", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "GET, PUT"`, `"Access-Control-Allow-Headers": "Content-Type"`), acaoStar), putJSON, ""},
	{"PUT, Allow-Methods *", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "*"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON, ""},
	{"PUT with credentials, Allow-Methods *", pf(0, h(acaoEcho, acacTrue, `"Access-Control-Allow-Methods": "*"`, `"Access-Control-Allow-Headers": "content-type"`), h(acaoEcho, acacTrue)), putJSON.cred("include"), fetch.ErrMethodDisallowedByPreflightResponse},
	{"PUT, Allow-Methods put in lower case: methods match case-sensitively", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "put"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON, fetch.ErrMethodDisallowedByPreflightResponse},
	{"Put in mixed case is normalized to PUT", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "PUT"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON.method("Put"), ""},
	{"PUT, Allow-Methods on two lines", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": ["GET", "PUT"]`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON, ""},
	{"PUT, Allow-Methods GET,, PUT with empty items", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "GET,, PUT,"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON, ""},
	{"PUT, Allow-Methods GET PUT without a comma", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "GET PUT"`, acahStar), acaoStar), putJSON, fetch.ErrInvalidAllowMethodsPreflightResponse},
	{"PUT, Allow-Methods quoted", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "\"PUT\""`, acahStar), acaoStar), putJSON, fetch.ErrInvalidAllowMethodsPreflightResponse},
	{"GET with a custom header, Allow-Methods unparsable", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "GET;PUT"`, acahStar), acaoStar), getItems.add("X-Custom", "1"), fetch.ErrInvalidAllowMethodsPreflightResponse},
	{"PATCH, Allow-Methods PATCH", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "PATCH"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON.method("PATCH"), ""},
	{"patch stays lower case, Allow-Methods PATCH", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "PATCH"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON.method("patch"), fetch.ErrMethodDisallowedByPreflightResponse},
	{"patch stays lower case, Allow-Methods patch", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "patch"`, `"Access-Control-Allow-Headers": "content-type"`), acaoStar), putJSON.method("patch"), ""},
	{"OPTIONS as the actual method", pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "OPTIONS"`), acaoStar), getItems.method("options"), ""},

	// Access-Control-Allow-Headers.
	{"custom header, no Allow-Headers", pf(0, acaoStar, acaoStar), getItems.add("X-Custom", "1"), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"custom header, Allow-Headers lists it in another case", pf(0, h(acaoStar, `"Access-Control-Allow-Headers": "x-other, X-CUSTOM"`), acaoStar), getItems.add("X-Custom", "1"), ""},
	{"custom header, Allow-Headers lists another", pf(0, h(acaoStar, `"Access-Control-Allow-Headers": "x-other"`), acaoStar), getItems.add("X-Custom", "1"), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"custom header, Allow-Headers *", pf(0, h(acaoStar, acahStar), acaoStar), getItems.add("X-Custom", "1"), ""},
	{"custom header with credentials, Allow-Headers *", pf(0, h(acaoEcho, acacTrue, acahStar), h(acaoEcho, acacTrue)), getItems.add("X-Custom", "1").cred("include"), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"custom header with credentials, Allow-Headers lists it", credPolicy, getItems.add("X-Custom", "1").cred("include"), ""},
	{"Authorization under Allow-Headers * (Chromium allows it)", pf(0, h(acaoStar, acahStar), acaoStar), getItems.add("Authorization", "Bearer x"), ""},
	{"Authorization with credentials, listed", credPolicy, getItems.add("Authorization", "Bearer x").cred("include"), ""},
	{"Authorization, Allow-Headers lists another", pf(0, h(acaoStar, `"Access-Control-Allow-Headers": "x-custom"`), acaoStar), getItems.add("Authorization", "Bearer x"), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"custom header, Allow-Headers with a space inside a name", pf(0, h(acaoStar, `"Access-Control-Allow-Headers": "x custom"`), acaoStar), getItems.add("X-Custom", "1"), fetch.ErrInvalidAllowHeadersPreflightResponse},
	{"custom header, Allow-Headers quoted", pf(0, h(acaoStar, `"Access-Control-Allow-Headers": "\"x-custom\""`), acaoStar), getItems.add("X-Custom", "1"), fetch.ErrInvalidAllowHeadersPreflightResponse},
	{"custom header, Allow-Headers with empty items", pf(0, h(acaoStar, `"Access-Control-Allow-Headers": ",x-custom,"`), acaoStar), getItems.add("X-Custom", "1"), ""},
	{"three custom headers, listed sorted and lower-cased", preflightStarPolicy, getItems.add("X-Zed", "1", "X-Bee", "1", "x-alpha", "1"), ""},
	{"the same custom header twice is listed once", preflightStarPolicy, getItems.add("X-Custom", "1", "x-custom", "2"), ""},

	// Safelisted request headers and their edge cases.
	{"POST Content-Type text/plain;charset=utf-8: no preflight", act(acaoStar), postForm.with(func(r *agreeReq) { r.Headers = hdr("Content-Type", "text/plain;charset=utf-8") }), ""},
	{"POST Content-Type multipart/form-data: no preflight", act(acaoStar), postForm.with(func(r *agreeReq) { r.Headers = hdr("Content-Type", "multipart/form-data; boundary=x") }), ""},
	{"POST Content-Type application/json: preflight, closed", "", postForm.with(func(r *agreeReq) { r.Headers = hdr("Content-Type", "application/json"); r.Body = apple }), fetch.ErrPreflightMissingAllowOriginHeader},
	{"POST Content-Type application/json, not in Allow-Headers", pf(0, acaoStar, acaoStar), postForm.with(func(r *agreeReq) { r.Headers = hdr("Content-Type", "application/json"); r.Body = apple }), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"POST Content-Type text/plain with a quoted parameter: preflight", preflightStarPolicy, postForm.with(func(r *agreeReq) { r.Headers = hdr("Content-Type", `text/plain; x="y"`) }), ""},
	{"Accept of 128 bytes: no preflight", act(acaoStar), getItems.add("Accept", rep("a", 128)), ""},
	{"Accept of 129 bytes: preflight", preflightStarPolicy, getItems.add("Accept", rep("a", 129)), ""},
	{"Accept of 129 bytes, closed preflight", act(acaoStar), getItems.add("Accept", rep("a", 129)), fetch.ErrPreflightMissingAllowOriginHeader},
	{"Accept with an unsafe byte", preflightStarPolicy, getItems.add("Accept", "text/html(x)"), ""},
	{"Accept-Language en-US,fr;q=0.5: no preflight", act(acaoStar), getItems.add("Accept-Language", "en-US,fr;q=0.5"), ""},
	{"Accept-Language en_US: preflight", preflightStarPolicy, getItems.add("Accept-Language", "en_US"), ""},
	{"Content-Language with a slash: preflight", pf(0, acaoStar, acaoStar), getItems.add("Content-Language", "en/US"), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"Range bytes=0-10: no preflight", act(acaoStar), getItems.add("Range", "bytes=0-10"), ""},
	{"Range bytes=-5: preflight", preflightStarPolicy, getItems.add("Range", "bytes=-5"), ""},
	{"Range bytes=5-1: preflight", pf(0, acaoStar, acaoStar), getItems.add("Range", "bytes=5-1"), fetch.ErrHeaderDisallowedByPreflightResponse},
	{"DPR client hint: no preflight (Chromium)", act(acaoStar), getItems.add("DPR", "2"), ""},
	{"Save-Data client hint: no preflight (Chromium)", act(acaoStar), getItems.add("Save-Data", "on"), ""},
	{"ECT client hint with a bad value: preflight", preflightStarPolicy, getItems.add("ECT", "5g"), ""},
	{"Width client hint 1.5 is not an integer: preflight", preflightStarPolicy, getItems.add("Width", "1.5"), ""},
	{"safelisted values total 1024 bytes with Accept */*: no preflight", act(acaoStar), getItems.add(
		"Accept-Language", rep("a", 128), "Content-Language", rep("a", 128), "DPR", rep("1", 128), "Width", rep("1", 128),
		"Viewport-Width", rep("1", 128), "Device-Memory", rep("1", 128), "RTT", rep("1", 128), "Downlink", rep("1", 125)), ""},
	{"safelisted values total 1027 bytes: preflight listing them all", preflightStarPolicy, getItems.add(
		"Accept-Language", rep("a", 128), "Content-Language", rep("a", 128), "DPR", rep("1", 128), "Width", rep("1", 128),
		"Viewport-Width", rep("1", 128), "Device-Memory", rep("1", 128), "RTT", rep("1", 128), "Downlink", rep("1", 128)), ""},
	{"forbidden headers are dropped: no preflight", act(acaoStar), getItems.add(
		"Cookie", "a=b", "Sec-Custom", "1", "Proxy-Custom", "1", "Keep-Alive", "1", "User-Agent", "me", "DNT", "1"), ""},
	{"X-HTTP-Method-Override: CONNECT is dropped", act(acaoStar), postForm.add("X-HTTP-Method-Override", "CONNECT"), ""},
	{"X-HTTP-Method-Override: PUT needs a preflight", pf(0, acaoStar, acaoStar), postForm.add("X-HTTP-Method-Override", "PUT"), fetch.ErrHeaderDisallowedByPreflightResponse},

	// Which response headers JavaScript can read.
	{"expose: none, X-Total hidden", act(acaoStar), getItems, ""},
	{"expose: X-Total listed", act(h(acaoStar, `"Access-Control-Expose-Headers": "X-Total"`)), getItems, ""},
	{"expose: * without credentials", act(h(acaoStar, `"Access-Control-Expose-Headers": "*"`, `"X-Extra": "1"`)), getItems, ""},
	{"expose: * with credentials is a name", act(h(acaoEcho, acacTrue, `"Access-Control-Expose-Headers": "*"`)), getItems.cred("include"), ""},
	{"expose: X-Total with credentials", act(h(acaoEcho, acacTrue, `"Access-Control-Expose-Headers": "x-total"`)), getItems.cred("include"), ""},
	{"expose: on two lines", act(h(acaoStar, `"Access-Control-Expose-Headers": ["X-Extra", "X-Total"]`, `"X-Extra": "1"`)), getItems, ""},
	{"expose: unparsable list exposes nothing", act(h(acaoStar, `"Access-Control-Expose-Headers": "x total"`, `"X-Extra": "1"`)), getItems, ""},
	{"expose: the safelisted response headers", act(h(acaoStar, `"Cache-Control": "no-store"`, `"Content-Language": "en"`,
		`"Expires": "0"`, `"Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"`, `"Pragma": "no-cache"`, `"X-Extra": "1"`)), getItems, ""},
	{"expose: * never exposes Set-Cookie", act(h(acaoStar, `"Access-Control-Expose-Headers": "*, Set-Cookie"`, `"Set-Cookie": "corslab_agreement=1; Path=/nowhere"`)), getItems, ""},
	{"expose: after a preflight", pf(0, h(acaoStar, acamAll, acahStar), h(acaoStar, `"Access-Control-Expose-Headers": "X-Extra"`, `"X-Extra": "1"`)), putJSON, ""},

	// Mode no-cors, and mode same-origin.
	{"no-cors GET: opaque", "", getItems.mode("no-cors"), ""},
	{"no-cors POST: opaque, and site B ran it", "", postForm.mode("no-cors"), ""},
	{"no-cors HEAD: opaque", act(acaoStar), headItems.mode("no-cors"), ""},
	{"no-cors PUT: fetch() throws", "", putJSON.mode("no-cors"), fetch.ErrTypeError},
	{"no-cors GET with a custom header: dropped, no preflight", "", getItems.add("X-Custom", "1", "Accept", "(x)").mode("no-cors"), ""},
	{"no-cors with credentials: opaque", act(acaoStar), getItems.mode("no-cors").cred("include"), ""},
	{"same-origin mode to site B: refused before the network", act(acaoStar), getItems.mode("same-origin"), fetch.ErrTypeError},
	{"same-origin mode, PUT with a custom header: no preflight either", act(acaoStar), putJSON.add("X-Custom", "1").mode("same-origin"), fetch.ErrTypeError},

	// Requests fetch() refuses before any network traffic.
	{"header value with a newline", act(acaoStar), getItems.add("X-Custom", "a\nb"), fetch.ErrTypeError},
	{"header name with a space", act(acaoStar), getItems.add("Bad Header", "1"), fetch.ErrTypeError},
	{"header value above U+00FF", act(acaoStar), getItems.add("X-Custom", "☃"), fetch.ErrTypeError},
	{"forbidden method CONNECT", act(acaoStar), getItems.method("CONNECT"), fetch.ErrTypeError},
	{"method that is not a token", act(acaoStar), getItems.method("GE T"), fetch.ErrTypeError},
	{"mode navigate", act(acaoStar), getItems.mode("navigate"), fetch.ErrTypeError},
	{"credentials not an enum value", act(acaoStar), getItems.cred("bogus"), fetch.ErrTypeError},

	// A redirect of the actual request: net/http's ServeMux answers
	// /api//items with a 307 to /api/items (the query kept), and the
	// browser runs the CORS check on the redirect first. Allowed, it
	// follows it, and the journal judges the final hop, whose headers
	// JavaScript reads.
	{"actual response is a redirect without ACAO", "", getItems.path("/api//items"), fetch.ErrMissingAllowOriginHeader},
	{"actual response is an allowed redirect, followed", act(acaoStar), getItems.path("/api//items"), ""},
}

// observed is what happened, each from its own source.
type observed struct {
	Preflight     bool     `json:"preflightSent"`           // site B's journal
	ACRH          string   `json:"accessControlReqHeaders"` // as site B received it
	ACRM          string   `json:"accessControlReqMethod"`
	Actual        bool     `json:"actualRequestReachedB"` // site B's journal
	OK            bool     `json:"jsOK"`                  // the page
	Type          string   `json:"jsResponseType"`
	JSError       string   `json:"jsError,omitempty"`
	CORSError     string   `json:"corsError"` // Chromium's corsErrorStatus
	FailedParam   string   `json:"failedParameter"`
	NetFailures   []string `json:"loadingFailed,omitempty"`
	Readable      []string `json:"readable"` // names JS iterated, among those site B recorded
	JSHeaders     []string `json:"jsHeaders,omitempty"`
	Exchanges     string   `json:"siteB"`
	TrialMismatch string   `json:"trialMismatch,omitempty"`
}

// TestAgreementWithChromium runs the matrix. See the top of the file.
func TestAgreementWithChromium(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	start := time.Now()
	covered := map[string]int{}
	ran := 0
	for i, c := range agreementCases {
		t.Run(fmt.Sprintf("%03d %s", i, c.desc), func(t *testing.T) {
			ran++
			cp := *p
			cp.t = t
			if v, ok := runAgreementCase(t, &cp, i, c); ok {
				covered[v.Error]++
			}
		})
	}
	t.Logf("%d cases in %v", len(agreementCases), time.Since(start).Round(time.Millisecond))
	if ran < len(agreementCases) {
		return // a -run filter chose some cases: coverage is not for them to prove
	}
	for _, name := range fetch.ErrorNames() {
		if why, ok := unreachable[name]; ok {
			if covered[name] > 0 {
				t.Errorf("error %s is listed as unreachable (%s), yet a case produced it", name, why)
			}
			continue
		}
		if covered[name] == 0 {
			t.Errorf("no case in agreement with Chromium produced the error %s", name)
		}
	}
	if len(agreementCases) < 80 {
		t.Errorf("the matrix has %d cases, want at least 80", len(agreementCases))
	}
}

// runAgreementCase runs case i and compares the verdict with what happened;
// ok reports agreement.
func runAgreementCase(t *testing.T, p *page, i int, c agreeCase) (fetch.Verdict, bool) {
	policy := c.policy
	if policy == "" {
		policy = "{}"
	}
	policy = strings.ReplaceAll(policy, "$ORIGIN_UPPER", strings.ToUpper(p.lab.URLA))
	policy = strings.ReplaceAll(policy, "$ORIGIN", p.lab.URLA)
	if err := p.lab.SiteB.ReplacePolicy([]byte(policy), "agreement test"); err != nil {
		t.Fatalf("case %d: policy %s: %v", i, policy, err)
	}
	r := c.req
	r.Label = fmt.Sprintf("agreement %d", i)
	sep := "?"
	if strings.Contains(r.Path, "?") {
		sep = "&"
	}
	r.Path += sep + "case=" + strconv.Itoa(i)
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}

	res := p.send(string(js))
	tr := p.settled(res.ID)
	if tr.Verdict == nil {
		t.Fatalf("case %d: trial %s settled without a verdict", i, res.ID)
	}
	v := *tr.Verdict
	obs := observe(t, p, i, tr, &v)

	var diffs []string
	differ := func(what string, model, chromium any) {
		diffs = append(diffs, fmt.Sprintf("%s: model %v, Chromium %v", what, model, chromium))
	}
	if v.Preflight != obs.Preflight {
		differ("preflight sent", v.Preflight, obs.Preflight)
	}
	if got := strings.Join(v.RequestHeadersInPreflight, ","); obs.Preflight && got != obs.ACRH {
		differ("Access-Control-Request-Headers", strconv.Quote(got), strconv.Quote(obs.ACRH))
	}
	if v.ActualRequestSent != obs.Actual {
		differ("actual request reached site B", v.ActualRequestSent, obs.Actual)
	}
	if v.Allowed != obs.OK {
		differ("allowed", v.Allowed, obs.OK)
	}
	if v.ResponseType != obs.Type {
		differ("response type", v.ResponseType, obs.Type)
	}
	wantErr, wantParam := obs.CORSError, obs.FailedParam
	if wantErr == "" && !obs.OK {
		// No corsErrorStatus: fetch() threw before the network (or the
		// request failed without a CORS error), a TypeError.
		wantErr = fetch.ErrTypeError
	}
	if v.Error != wantErr || v.FailedParameter != wantParam {
		differ("error (failed parameter)", fmt.Sprintf("%s (%q)", orDash(v.Error), v.FailedParameter), fmt.Sprintf("%s (%q)", orDash(wantErr), wantParam))
	}
	if !slices.Equal(v.ReadableHeaders, obs.Readable) {
		differ("readable headers", v.ReadableHeaders, obs.Readable)
	}
	if tr.Mismatch != "" {
		diffs = append(diffs, "the journal flags a mismatch: "+tr.Mismatch)
	}
	if len(diffs) > 0 {
		vj, _ := json.MarshalIndent(v, "\t\t", "  ")
		oj, _ := json.MarshalIndent(obs, "\t\t", "  ")
		t.Errorf("case %d %q: the model disagrees with Chromium:\n\t%s\n\tpolicy:  %s\n\trequest: %s\n\tverdict: %s\n\tChromium and site B: %s",
			i, c.desc, strings.Join(diffs, "\n\t"), compact(policy), js, vj, oj)
		return v, false
	}
	t.Logf("agreed: preflight %t %q, sent %t, allowed %t %s, error %s %q, readable %v; loadingFailed %v",
		obs.Preflight, obs.ACRH, obs.Actual, obs.OK, obs.Type, orDash(obs.CORSError), obs.FailedParam, obs.Readable, obs.NetFailures)
	if v.Error != c.want {
		t.Errorf("case %d %q: model and Chromium agree on %s, but the case means to test %s: fix the case",
			i, c.desc, orDash(v.Error), orDash(c.want))
	}
	return v, true
}

// observe gathers what happened in case i from site B's journal, the page's
// outcome and the tab's record of Chromium's failures.
func observe(t *testing.T, p *page, i int, tr *journal.Trial, v *fetch.Verdict) observed {
	t.Helper()
	var obs observed
	o := tr.Outcome
	obs.OK, obs.Type, obs.JSError = o.OK, o.Type, o.Error
	obs.Exchanges = kinds(tr.Exchanges)
	obs.TrialMismatch = tr.Mismatch
	var actual *journal.Exchange
	for k := range tr.Exchanges {
		x := &tr.Exchanges[k]
		switch {
		case x.Preflight && !obs.Preflight:
			obs.Preflight = true
			obs.ACRH = x.RequestHeader.Get("Access-Control-Request-Headers")
			obs.ACRM = x.RequestHeader.Get("Access-Control-Request-Method")
		case !x.Preflight && actual == nil:
			obs.Actual = true
			actual = x
		}
	}

	// Chromium's failure for this case's URL. It reports loadingFailed
	// before the promise rejects, and chromedp hands events to the tab in
	// the order they came, so it is there by now; a short wait covers the
	// case anyway.
	deadline := time.Now().Add(2 * time.Second)
	for {
		obs.CORSError, obs.FailedParam, obs.NetFailures = "", "", nil
		for _, f := range p.tab.Failures() {
			if caseOf(f.URL) != i {
				continue
			}
			obs.NetFailures = append(obs.NetFailures, fmt.Sprintf("%s %s: %s %s (%q)", f.Method, f.URL, f.ErrorText, f.CorsError, f.FailedParameter))
			if f.CorsError != "" && (obs.CORSError == "" || f.Method != http.MethodOptions) {
				obs.CORSError, obs.FailedParam = f.CorsError, f.FailedParameter
			}
		}
		if obs.CORSError != "" || o.OK || v.Error == "" || v.Error == fetch.ErrTypeError || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Readable headers: what JS iterated, among the headers site B recorded
	// (net/http adds Date and Content-Length after the recording).
	obs.Readable = []string{}
	for _, hv := range o.Headers {
		obs.JSHeaders = append(obs.JSHeaders, hv[0])
		name := strings.ToLower(hv[0])
		if actual == nil || !o.OK || o.Type != fetch.ResponseCORS {
			continue
		}
		if _, ok := actual.ResponseHeader[http.CanonicalHeaderKey(name)]; ok && !slices.Contains(obs.Readable, name) {
			obs.Readable = append(obs.Readable, name)
		}
	}
	sort.Strings(obs.Readable)
	return obs
}

// caseOf returns the case number in a request URL's query, or -1.
func caseOf(raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(u.Query().Get("case"))
	if err != nil {
		return -1
	}
	return n
}

func orDash(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func compact(s string) string { return strings.Join(strings.Fields(s), " ") }
