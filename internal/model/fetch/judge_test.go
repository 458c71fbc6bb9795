package fetch

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// want is the part of a verdict a case pins down. allowed is err == ""; the
// response type defaults to cors when allowed and error otherwise; nil slices
// are not checked.
type want struct {
	preflight bool
	sent      bool
	err       string
	param     string
	typ       string
	acrh      []string
	reasons   []string
	readable  []string
	msg       []string // substrings of Message
	note      string   // substring of one of Notes
}

type judgeCase struct {
	desc string
	x    Exchange
	want want
}

// judgeCases come from the Fetch standard's rules, from web-platform-tests
// (fetch/api/cors/*, cors/*) and from what Chromium 156 did with the same
// exchange (checked with a scripted server and headless Chromium).
var judgeCases = []judgeCase{
	// Simple requests and the CORS check (Fetch "CORS check"; Chromium cors.cc CheckAccess).
	{"simple GET, ACAO *", x(req("GET"), nil, resp(200, acao, "*", "Content-Type", "text/plain", "X-Hidden", "1")),
		want{sent: true, readable: []string{"content-type"}}},
	{"simple GET, no ACAO: the request ran, JS sees nothing", x(req("GET"), nil, resp(200)),
		want{sent: true, err: ErrMissingAllowOriginHeader, msg: []string{
			"Access to fetch at 'http://localhost:7071/api/items' from origin 'http://localhost:7070' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\n",
			"`Access-Control-Allow-Origin: http://localhost:7070`", "ran there"}}},
	{"simple POST text/plain, no ACAO", x(req("POST", hdr("Content-Type", "text/plain;charset=UTF-8")), nil, resp(201)),
		want{sent: true, err: ErrMissingAllowOriginHeader, acrh: []string{}}},
	{"ACAO another origin", x(req("GET"), nil, resp(200, acao, "http://localhost:9999")),
		want{sent: true, err: ErrAllowOriginMismatch, param: "http://localhost:9999", msg: []string{
			"The 'Access-Control-Allow-Origin' header has a value 'http://localhost:9999' that is not equal to the supplied origin. Have the server send the header with a valid value.",
			"different port"}}},
	{"ACAO with a trailing slash", x(req("GET"), nil, resp(200, acao, siteA+"/")),
		want{sent: true, err: ErrAllowOriginMismatch, param: siteA + "/", msg: []string{"no trailing slash"}}},
	{"ACAO null", x(req("GET"), nil, resp(200, acao, "null")),
		want{sent: true, err: ErrAllowOriginMismatch, param: "null", msg: []string{"sandboxed"}}},
	{"ACAO upper case", x(req("GET"), nil, resp(200, acao, "HTTP://LOCALHOST:7070")),
		want{sent: true, err: ErrAllowOriginMismatch, param: "HTTP://LOCALHOST:7070", msg: []string{"letter case"}}},
	{"ACAO https for an http page", x(req("GET"), nil, resp(200, acao, "https://localhost:7070")),
		want{sent: true, err: ErrAllowOriginMismatch, param: "https://localhost:7070", msg: []string{"https and http"}}},
	{"ACAO 127.0.0.1 for a localhost page", x(req("GET"), nil, resp(200, acao, "http://127.0.0.1:7070")),
		want{sent: true, err: ErrAllowOriginMismatch, param: "http://127.0.0.1:7070", msg: []string{"different hosts"}}},
	{"ACAO host:port without scheme parses as a URL", x(req("GET"), nil, resp(200, acao, "localhost:7070")),
		want{sent: true, err: ErrAllowOriginMismatch, param: "localhost:7070"}},
	{"ACAO not a URL", x(req("GET"), nil, resp(200, acao, "notaurl")),
		want{sent: true, err: ErrInvalidAllowOriginValue, param: "notaurl", msg: []string{"contains the invalid value 'notaurl'. Have the server"}}},
	{"ACAO empty", x(req("GET"), nil, resp(200, acao, "")),
		want{sent: true, err: ErrInvalidAllowOriginValue, param: ""}},
	{"ACAO http:// without host", x(req("GET"), nil, resp(200, acao, "http://")),
		want{sent: true, err: ErrInvalidAllowOriginValue, param: "http://"}},
	{"ACAO sent twice (two lines combine)", x(req("GET"), nil, resp(200, acao, siteA, acao, siteA)),
		want{sent: true, err: ErrMultipleAllowOriginValues, param: siteA + ", " + siteA, msg: []string{
			"contains multiple values 'http://localhost:7070, http://localhost:7070', but only one is allowed."}}},
	{"ACAO two origins in one line", x(req("GET"), nil, resp(200, acao, siteA+" http://localhost:9999")),
		want{sent: true, err: ErrMultipleAllowOriginValues, param: siteA + " http://localhost:9999"}},
	{"ACAO with a trailing comma", x(req("GET"), nil, resp(200, acao, siteA+",")),
		want{sent: true, err: ErrMultipleAllowOriginValues, param: siteA + ","}},
	{"ACAO * twice", x(req("GET"), nil, resp(200, acao, "*", acao, "*")),
		want{sent: true, err: ErrMultipleAllowOriginValues, param: "*, *"}},
	{"ACAO padded with spaces (the HTTP parser trims them)", x(req("GET"), nil, resp(200, acao, "  "+siteA+"\t")),
		want{sent: true}},
	{"ACAO matching exactly", x(req("GET"), nil, resp(200, acao, siteA)),
		want{sent: true}},
	{"credentials include, ACAO *", x(req("GET", cred("include")), nil, resp(200, acao, "*", acac, "true")),
		want{sent: true, err: ErrWildcardOriginNotAllowed, msg: []string{"must not be the wildcard '*' when the request's credentials mode is 'include'."}}},
	{"credentials include, no ACAC", x(req("GET", cred("include")), nil, resp(200, acao, siteA)),
		want{sent: true, err: ErrInvalidAllowCredentials, param: "", msg: []string{"header in the response is '' which must be 'true'", "no such header"}}},
	{"credentials include, ACAC TRUE", x(req("GET", cred("include")), nil, resp(200, acao, siteA, acac, "TRUE")),
		want{sent: true, err: ErrInvalidAllowCredentials, param: "TRUE"}},
	{"credentials include, ACAC sent twice", x(req("GET", cred("include")), nil, resp(200, acao, siteA, acac, "true", acac, "true")),
		want{sent: true, err: ErrInvalidAllowCredentials, param: "true, true"}},
	{"credentials include, ACAO origin, ACAC true", x(req("GET", cred("include")), nil, resp(200, acao, siteA, acac, "true")),
		want{sent: true}},
	{"credentials omit, ACAO *", x(req("GET", cred("omit")), nil, starActual()), want{sent: true}},
	{"credentials same-origin (cross-origin: no cookies), ACAO * and a bad ACAC", x(req("GET", cred("same-origin")), nil, resp(200, acao, "*", acac, "nope")),
		want{sent: true}},
	{"opaque origin null, ACAO null", x(req("GET", fromOrigin("null")), nil, resp(200, acao, "null")), want{sent: true}},
	{"opaque origin null, ACAO *", x(req("GET", fromOrigin("null")), nil, starActual()), want{sent: true}},
	{"a 500 with ACAO is still readable", x(req("GET"), nil, resp(500, acao, "*")), want{sent: true, readable: []string{}}},
	{"Origin header set by the page is dropped", x(req("GET", hdr("Origin", "http://evil.example")), nil, resp(200, acao, siteA)),
		want{sent: true, note: "dropped the header Origin"}},

	// Method normalization and preflight triggers (Fetch §2.2.1, "main fetch"; wpt cors-preflight.any.js).
	{"PUT, server allows", x(req("PUT"), resp(204, acao, "*", acam, "PUT"), starActual()),
		want{preflight: true, sent: true, acrh: []string{}, reasons: []string{"method PUT is not CORS-safelisted"}}},
	{"PUT, server refuses", x(req("PUT"), resp(204, acao, "*"), starActual()),
		want{preflight: true, err: ErrMethodDisallowedByPreflightResponse, param: "PUT", msg: []string{
			"blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.\n", "never sent the PUT"}}},
	{"DELETE, server allows", x(req("DELETE"), resp(200, acao, "*", acam, "DELETE"), starActual()),
		want{preflight: true, sent: true}},
	{"put is upper-cased by fetch()", x(req("put"), resp(204, acao, "*", acam, "PUT"), starActual()),
		want{preflight: true, sent: true, reasons: []string{"method PUT is not CORS-safelisted"}}},
	{"Put is upper-cased by fetch()", x(req("Put"), resp(204, acao, "*", acam, "PUT"), starActual()),
		want{preflight: true, sent: true}},
	{"options is upper-cased and preflighted", x(req("options"), resp(204, acao, "*", acam, "OPTIONS"), starActual()),
		want{preflight: true, sent: true}},
	{"PATCH, server allows", x(req("PATCH"), resp(204, acao, "*", acam, "PATCH"), starActual()),
		want{preflight: true, sent: true}},
	{"patch stays lower case and is refused by PATCH", x(req("patch"), resp(204, acao, "*", acam, "PATCH"), starActual()),
		want{preflight: true, err: ErrMethodDisallowedByPreflightResponse, param: "patch", reasons: []string{
			"method patch is not CORS-safelisted (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT)"},
			msg: []string{"Method patch is not allowed", "case-sensitively", "method: 'PATCH'"}}},
	{"patch allowed when listed in lower case", x(req("patch"), resp(204, acao, "*", acam, "patch"), starActual()),
		want{preflight: true, sent: true}},
	{"NEW, server allows", x(req("NEW"), resp(204, acao, "*", acam, "NEW"), starActual()), want{preflight: true, sent: true}},
	{"Allow-Methods put does not allow PUT", x(req("PUT"), resp(204, acao, "*", acam, "put"), starActual()),
		want{preflight: true, err: ErrMethodDisallowedByPreflightResponse, param: "PUT", msg: []string{"case-sensitively"}}},
	{"Allow-Methods * allows any method without credentials", x(req("SUPER"), resp(204, acao, "*", acam, "*"), starActual()),
		want{preflight: true, sent: true}},
	{"Allow-Methods * is literal with credentials", x(req("PUT", cred("include")), credPreflight("*", ""), nil),
		want{preflight: true, err: ErrMethodDisallowedByPreflightResponse, param: "PUT", msg: []string{"literally named *"}}},
	{"Allow-Methods with empty items and spaces", x(req("PUT"), resp(204, acao, "*", acam, " , PUT,"), starActual()),
		want{preflight: true, sent: true}},
	{"Allow-Methods over two lines", x(req("PUT"), resp(204, acao, "*", acam, "GET", acam, "PUT"), starActual()),
		want{preflight: true, sent: true}},
	{"method is checked before headers", x(req("DELETE", hdr("X-A", "1")), resp(204, acao, "*"), nil),
		want{preflight: true, err: ErrMethodDisallowedByPreflightResponse, param: "DELETE", acrh: []string{"x-a"}}},

	// Preflight answer checks in Chromium's order (preflight_controller.cc).
	{"preflight without ACAO", x(req("PUT"), resp(204, acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightMissingAllowOriginHeader, msg: []string{
			"has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.\n",
			"to its OPTIONS answer"}}},
	{"preflight 500 without ACAO: the origin error wins", x(req("PUT"), resp(500), nil),
		want{preflight: true, err: ErrPreflightMissingAllowOriginHeader}},
	{"preflight 500 with ACAO", x(req("PUT"), resp(500, acao, "*", acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightInvalidStatus, msg: []string{"doesn't pass access control check: It does not have HTTP ok status.\n", "status 500"}}},
	{"preflight 302 with Location, even without ACAO", x(req("PUT"), resp(302, "Location", "http://localhost:7071/elsewhere"), nil),
		want{preflight: true, err: ErrPreflightDisallowedRedirect, msg: []string{"Redirect is not allowed for a preflight request.", "http://localhost:7071/elsewhere"}}},
	{"preflight 307 with Location", x(req("PUT"), resp(307, acao, "*", "Location", "/x/"), nil),
		want{preflight: true, err: ErrPreflightDisallowedRedirect}},
	{"preflight 302 without Location is just a bad status", x(req("PUT"), resp(302, acao, "*", acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightInvalidStatus}},
	{"preflight 300 with Location is not a redirect", x(req("PUT"), resp(300, acao, "*", acam, "PUT", "Location", "/x"), nil),
		want{preflight: true, err: ErrPreflightInvalidStatus}},
	{"preflight 304", x(req("PUT"), resp(304, acao, "*", acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightInvalidStatus}},
	{"preflight ACAO mismatch", x(req("PUT"), resp(204, acao, "http://localhost:9999", acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightAllowOriginMismatch, param: "http://localhost:9999",
			msg: []string{"doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value 'http://localhost:9999' that is not equal to the supplied origin."}}},
	{"preflight ACAO twice", x(req("PUT"), resp(204, acao, "*", acao, siteA, acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightMultipleAllowOriginValues, param: "*, " + siteA}},
	{"preflight ACAO invalid", x(req("PUT"), resp(204, acao, "nope", acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightInvalidAllowOriginValue, param: "nope"}},
	{"preflight ACAO * with credentials", x(req("PUT", cred("include")), resp(204, acao, "*", acac, "true", acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightWildcardOriginNotAllowed}},
	{"preflight without ACAC, credentials include", x(req("PUT", cred("include")), resp(204, acao, siteA, acam, "PUT"), nil),
		want{preflight: true, err: ErrPreflightInvalidAllowCredentials, param: ""}},
	{"preflight with a bad ACAC is fine without credentials", x(req("PUT"), resp(204, acao, siteA, acac, "nope", acam, "PUT"), starActual()),
		want{preflight: true, sent: true}},
	{"Allow-Methods with a space instead of a comma (wpt: Bad method name)", x(req("PUT"), resp(204, acao, "*", acam, "GET PUT"), nil),
		want{preflight: true, err: ErrInvalidAllowMethodsPreflightResponse, msg: []string{"Cannot parse Access-Control-Allow-Methods response header field in preflight response.\n"}}},
	{"Allow-Headers with a space (wpt: header name with space)", x(req("GET", hdr("X-Force-Preflight", "")), resp(204, acao, "*", acah, "x-force-preflight,header name with space"), nil),
		want{preflight: true, err: ErrInvalidAllowHeadersPreflightResponse, msg: []string{"Cannot parse Access-Control-Allow-Headers"}}},
	{"Allow-Headers quoted", x(req("GET", hdr("X-A", "1")), resp(204, acao, "*", acah, `"x-a"`), nil),
		want{preflight: true, err: ErrInvalidAllowHeadersPreflightResponse}},
	{"Allow-Methods is parsed before Allow-Headers", x(req("DELETE", hdr("X-A", "1")), resp(204, acao, "*", acam, "a b", acah, "c d"), nil),
		want{preflight: true, err: ErrInvalidAllowMethodsPreflightResponse}},
	{"Allow-Methods is parsed even for a GET", x(req("GET", hdr("X-A", "1")), resp(204, acao, "*", acam, "a b", acah, "x-a"), nil),
		want{preflight: true, err: ErrInvalidAllowMethodsPreflightResponse}},

	// Request headers (Fetch §2.2.2; wpt cors-preflight.any.js, cors-preflight-star.any.js).
	{"custom header, server allows", x(req("GET", hdr("X-Test-Header1", "allowed")), resp(204, acao, "*", acah, "x-test-header1"), starActual()),
		want{preflight: true, sent: true, acrh: []string{"x-test-header1"}, reasons: []string{"header x-test-header1 is not CORS-safelisted"}}},
	{"custom header, server refuses", x(req("GET", hdr("X-Test-Header1", "refused")), resp(204, acao, "*"), nil),
		want{preflight: true, err: ErrHeaderDisallowedByPreflightResponse, param: "x-test-header1", msg: []string{
			"Request header field x-test-header1 is not allowed by Access-Control-Allow-Headers in preflight response.\n",
			"`Access-Control-Allow-Headers: x-test-header1`"}}},
	{"several headers: names sorted, lowercase; safelisted ones left out", x(req("GET",
		hdr("x-test-header1", "v"), hdr("x-test-header2", "v"), hdr("X-test-header3", "v"), hdr("x-test-header-b", "v"),
		hdr("x-test-header-D", "v"), hdr("x-test-header-C", "v"), hdr("x-test-header-a", "v"), hdr("Content-Type", "allowedOrRefused"),
		hdr("Accept", "*"), hdr("Accept-Language", "bzh"), hdr("Content-Language", "eu")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"content-type", "x-test-header-a", "x-test-header-b", "x-test-header-c",
			"x-test-header-d", "x-test-header1", "x-test-header2", "x-test-header3"}}},
	{"PUT with only safelisted headers", x(req("PUT", hdr("Accept", "*"), hdr("Accept-Language", "bzh"), hdr("Content-Language", "eu")),
		resp(204, acao, "*", acam, "PUT"), starActual()),
		want{preflight: true, sent: true, acrh: []string{}}},
	{"the alphabetically first disallowed header is named", x(req("GET", hdr("X-Zed", "1"), hdr("X-Bee", "1"), hdr("x-alpha", "1")),
		resp(204, acao, "*", acah, "x-other"), nil),
		want{preflight: true, err: ErrHeaderDisallowedByPreflightResponse, param: "x-alpha", acrh: []string{"x-alpha", "x-bee", "x-zed"},
			note: "Chromium names only the first one it checks"}},
	{"Allow-Headers compares case-insensitively", x(req("GET", hdr("X-Test", "1")), resp(204, acao, "*", acah, "X-TEST"), starActual()),
		want{preflight: true, sent: true}},
	{"Allow-Headers with empty items", x(req("GET", hdr("X-A", "1")), resp(204, acao, "*", acah, ",x-a,"), starActual()),
		want{preflight: true, sent: true}},
	{"Allow-Headers * is literal with credentials", x(req("GET", hdr("X-A", "1"), cred("include")), credPreflight("", "*"), nil),
		want{preflight: true, err: ErrHeaderDisallowedByPreflightResponse, param: "x-a", msg: []string{"every name must be listed"}}},
	{"Allow-Headers * covers Authorization in Chromium (not in the standard)", x(req("GET", hdr("Authorization", "Bearer x")), resp(204, acao, "*", acah, "*"), starActual()),
		want{preflight: true, sent: true, acrh: []string{"authorization"}, note: "The Fetch standard says * never covers Authorization"}},
	{"Allow-Headers * with Authorization and credentials", x(req("GET", hdr("Authorization", "x"), cred("include")), credPreflight("", "*"), nil),
		want{preflight: true, err: ErrHeaderDisallowedByPreflightResponse, param: "authorization"}},
	{"Authorization listed by name", x(req("GET", hdr("Authorization", "x"), cred("include")), credPreflight("", "authorization"), resp(200, acao, siteA, acac, "true")),
		want{preflight: true, sent: true}},
	{"JSON POST", x(req("POST", hdr("Content-Type", "application/json")), resp(204, acao, "*", acah, "content-type"), starActual()),
		want{preflight: true, sent: true, acrh: []string{"content-type"}, reasons: []string{
			"header content-type has value application/json, which is not one of the three safelisted MIME types"}}},
	{"JSON POST refused", x(req("POST", hdr("Content-Type", "application/json")), resp(204, acao, "*"), nil),
		want{preflight: true, err: ErrHeaderDisallowedByPreflightResponse, param: "content-type"}},
	{"text/plain with parameters needs no preflight", x(req("POST", hdr("Content-Type", "Text/Plain; charset=utf-8; x=y")), nil, starActual()),
		want{sent: true}},
	{"Content-Type padded with spaces (fetch() trims)", x(req("POST", hdr("Content-Type", " text/plain ")), nil, starActual()),
		want{sent: true}},
	{"duplicate Accept combined and still safe", x(req("GET", hdr("Accept", "a"), hdr("accept", "b")), nil, starActual()),
		want{sent: true}},
	{"duplicate Accept combined into an unsafe value", x(req("GET", hdr("Accept", "a"), hdr("accept", "(")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"accept"}}},
	{"empty custom header value still needs a preflight", x(req("GET", hdr("X-A", "")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"x-a"}}},
	{"forbidden headers are dropped silently", x(req("GET", hdr("DNT", "1"), hdr("Sec-Foo", "1"), hdr("Proxy-X", "1"), hdr("Set-Cookie", "a=b"),
		hdr("Cookie", "a=b"), hdr("Referer", "http://x/"), hdr("Host", "x"), hdr("Keep-Alive", "1"), hdr("Accept-Encoding", "x"),
		hdr("Connection", "close"), hdr("Content-Length", "1"), hdr("Date", "x"), hdr("Expect", "x"), hdr("TE", "x"), hdr("Trailer", "x"),
		hdr("Transfer-Encoding", "x"), hdr("Upgrade", "x"), hdr("Via", "x"), hdr("Cookie2", "x"), hdr("Accept-Charset", "x"),
		hdr("Access-Control-Request-Method", "PUT"), hdr("Access-Control-Request-Headers", "x")), nil, starActual()),
		want{sent: true, acrh: []string{}, note: "dropped the header Sec-Foo"}},
	{"User-Agent is dropped by Chromium (the standard allows it)", x(req("GET", hdr("User-Agent", "me")), nil, starActual()),
		want{sent: true, note: "Chromium still treats User-Agent as forbidden"}},
	{"not forbidden: Access-Control-Request-Foo, Set-Cookie2, ACR-Private-Network", x(req("GET", hdr("Access-Control-Request-Foo", "1"),
		hdr("Access-Control-Request-Private-Network", "1"), hdr("Set-Cookie2", "x")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"access-control-request-foo", "access-control-request-private-network", "set-cookie2"}}},
	{"X-HTTP-Method-Override: CONNECT is dropped", x(req("POST", hdr("X-HTTP-Method-Override", "CONNECT")), nil, starActual()),
		want{sent: true, note: "forbidden method"}},
	{"X-Method-Override with trace in a list is dropped", x(req("POST", hdr("X-Method-Override", "PUT, trace")), nil, starActual()),
		want{sent: true}},
	{"X-HTTP-Method: track is dropped", x(req("POST", hdr("X-HTTP-Method", " Track ")), nil, starActual()),
		want{sent: true}},
	{"X-HTTP-Method-Override: PUT is an ordinary unsafe header", x(req("POST", hdr("X-HTTP-Method-Override", "PUT")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"x-http-method-override"}}},
	{"Chromium safelists client hints", x(req("GET", hdr("DPR", "1.5"), hdr("Width", "100"), hdr("Viewport-Width", "800"), hdr("Device-Memory", "8"),
		hdr("RTT", "50"), hdr("Downlink", "1.5"), hdr("ECT", "4g"), hdr("Save-Data", "On"), hdr("Intervention", "<x>")), nil, starActual()),
		want{sent: true, note: "client-hint header dpr"}},
	{"client hints with bad values", x(req("GET", hdr("dpr", "2."), hdr("width", "1.5"), hdr("ect", "5g"), hdr("save-data", "off"),
		hdr("rtt", "-1"), hdr("downlink", ".5"), hdr("device-memory", "x")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"device-memory", "downlink", "dpr", "ect", "rtt", "save-data", "width"}}},
	{"lang and last-event-id are not safelisted", x(req("GET", hdr("Lang", "en"), hdr("Last-Event-ID", "x")), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"lang", "last-event-id"}}},

	// The 1024-byte rule (Fetch §2.2.2 CORS-unsafe request-header names step 3).
	{"safelisted values total exactly 1024 bytes", x(req("GET", bigSafelisted(128)...), nil, starActual()),
		want{sent: true}},
	{"safelisted values total 1025 bytes: all listed", x(req("GET", append(bigSafelisted(128), hdr("rtt", "1"))...),
		resp(204, acao, "*", acah, "accept"), nil),
		want{preflight: true, err: ErrHeaderDisallowedByPreflightResponse, param: "accept-language",
			acrh: []string{"accept", "accept-language", "content-language", "content-type", "device-memory", "dpr", "intervention", "rtt", "width"},
			msg:  []string{"exceed 1024 bytes"}}},
	{"the browser's own Accept: */* counts toward 1024", x(req("GET", bigWithoutAccept(126)...), starPreflight(), starActual()),
		want{preflight: true, sent: true, acrh: []string{"accept", "accept-language", "content-language", "content-type", "device-memory", "dpr", "intervention", "viewport-width", "width"}}},
	{"... and 1021 + 3 bytes is still fine", x(req("GET", bigWithoutAccept(125)...), nil, starActual()),
		want{sent: true}},

	// Modes (Fetch "main fetch", "Request class" constructor).
	{"no-cors GET without ACAO: opaque", x(req("GET", mode("no-cors")), nil, resp(200, "X-A", "1")),
		want{sent: true, typ: ResponseOpaque, readable: []string{}}},
	{"no-cors drops unsafe headers, no preflight", x(req("GET", mode("no-cors"), hdr("X-A", "1"), hdr("Accept", "a"), hdr("Accept", "("),
		hdr("Content-Type", "application/json"), hdr("Range", "bytes=0-")), nil, resp(200)),
		want{sent: true, typ: ResponseOpaque, note: "dropped the header X-A"}},
	{"no-cors HEAD with credentials", x(req("HEAD", mode("no-cors"), cred("include")), nil, resp(200)),
		want{sent: true, typ: ResponseOpaque}},
	{"no-cors PUT is a TypeError", x(req("PUT", mode("no-cors")), nil, nil),
		want{err: ErrTypeError, msg: []string{"TypeError: Failed to execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode.\n"}}},
	{"no-cors patch is a TypeError", x(req("patch", mode("no-cors")), nil, nil),
		want{err: ErrTypeError, msg: []string{"'patch' is unsupported in no-cors mode."}}},
	// Chromium 156 (the lab's agreement test): Blink refuses it before the
	// network, JS gets TypeError: Failed to fetch and DevTools no
	// corsErrorStatus — not the network service's DisallowedByMode.
	{"mode same-origin to another origin is a TypeError, not DisallowedByMode", x(req("GET", mode("same-origin")), nil, nil),
		want{err: ErrTypeError, msg: []string{
			`Fetch API cannot load http://localhost:7071/api/items. Request mode is "same-origin" but the URL's origin is not same as the request origin http://localhost:7070.` + "\nTypeError: Failed to fetch\n",
			"no CORS check ran"}}},
	{"mode same-origin to another origin: no preflight, even for a PUT with a custom header", x(req("PUT", mode("same-origin"), hdr("X-A", "1")), nil, nil),
		want{err: ErrTypeError, acrh: []string{}, reasons: []string{}}},
	{"mode same-origin on the same origin", x(req("GET", mode("same-origin"), toURL(siteA+"/x")), nil, resp(200, "X-A", "1")),
		want{sent: true, readable: []string{"x-a"}}},
	{"same-origin PUT with custom headers: no CORS at all", x(req("PUT", toURL(siteA+"/api"), hdr("X-A", "1")), nil,
		resp(200, "X-A", "1", "Set-Cookie", "a=b", "Content-Type", "text/plain")),
		want{sent: true, readable: []string{"content-type", "x-a"}, note: "same-origin"}},
	{"same-origin via a relative URL", x(req("DELETE", toURL("/api/items/1")), nil, resp(204)),
		want{sent: true, readable: []string{}}},
	{"default port makes it same-origin", x(req("GET", fromOrigin("http://localhost"), toURL("http://LOCALHOST:80/x")), nil, resp(200)),
		want{sent: true}},
	{"mode navigate is a TypeError", x(req("GET", mode("navigate")), nil, nil),
		want{err: ErrTypeError, msg: []string{"Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'."}}},
	{"unknown mode is a TypeError", x(req("GET", mode("bogus")), nil, nil),
		want{err: ErrTypeError, msg: []string{"Failed to read the 'mode' property from 'RequestInit': The provided value 'bogus' is not a valid enum value of type RequestMode."}}},
	{"unknown credentials is a TypeError", x(req("GET", cred("bogus")), nil, nil),
		want{err: ErrTypeError, msg: []string{"The provided value 'bogus' is not a valid enum value of type RequestCredentials."}}},

	// fetch() rejects before any traffic (Fetch "Request class", "Headers class").
	{"CONNECT", x(req("CONNECT"), nil, nil), want{err: ErrTypeError, msg: []string{"'CONNECT' HTTP method is unsupported."}}},
	{"trace", x(req("trace"), nil, nil), want{err: ErrTypeError, msg: []string{"'trace' HTTP method is unsupported."}}},
	{"TRACK", x(req("TRACK"), nil, nil), want{err: ErrTypeError}},
	{"method with a space", x(req("GE T"), nil, nil), want{err: ErrTypeError, msg: []string{"'GE T' is not a valid HTTP method."}}},
	{"empty method", x(req(""), nil, nil), want{err: ErrTypeError, msg: []string{"'' is not a valid HTTP method."}}},
	{"method beyond latin-1", x(req("G☃"), nil, nil), want{err: ErrTypeError, msg: []string{"Failed to read the 'method' property"}}},
	{"header value with a newline", x(req("GET", hdr("X-A", "a\nb")), nil, nil), want{err: ErrTypeError, msg: []string{"Failed to execute 'fetch' on 'Window': Invalid value\n"}}},
	{"header value with CR LF inside", x(req("GET", hdr("X-A", "a\r\nInjected: 1")), nil, nil), want{err: ErrTypeError}},
	{"header value with NUL", x(req("GET", hdr("X-A", "a\x00b")), nil, nil), want{err: ErrTypeError}},
	{"trailing newline is trimmed, not an error", x(req("GET", hdr("X-A", "v\r\n")), starPreflight(), starActual()),
		want{preflight: true, sent: true}},
	{"header name with a space", x(req("GET", hdr("X A", "1")), nil, nil), want{err: ErrTypeError, msg: []string{"Invalid name"}}},
	{"empty header name", x(req("GET", hdr("", "1")), nil, nil), want{err: ErrTypeError, msg: []string{"Invalid name"}}},
	{"header value beyond latin-1", x(req("GET", hdr("X-A", "☃")), nil, nil),
		want{err: ErrTypeError, msg: []string{"String contains non ISO-8859-1 code point."}}},
	{"latin-1 header value is fine", x(req("GET", hdr("X-A", "é")), starPreflight(), starActual()), want{preflight: true, sent: true}},
	{"URL with credentials", x(req("GET", toURL("http://u:p@localhost:7071/x")), nil, nil),
		want{err: ErrTypeError, msg: []string{"Request cannot be constructed from a URL that includes credentials: http://u:p@localhost:7071/x"}}},
	{"ftp URL", x(req("GET", toURL("ftp://localhost/x")), nil, nil),
		want{err: ErrTypeError, msg: []string{`URL scheme "ftp" is not supported.`}}},
	{"unparsable URL", x(req("GET", toURL("http://[::1")), nil, nil), want{err: ErrTypeError, msg: []string{"Failed to parse URL from http://[::1"}}},

	// Network errors: a request sent but no answer recorded.
	{"no answer to the preflight", x(req("PUT"), nil, nil), want{preflight: true, err: ErrTypeError, msg: []string{"no answer to the OPTIONS preflight"}}},
	{"no answer to the actual request", x(req("PUT"), starPreflight(), nil), want{preflight: true, sent: true, err: ErrTypeError}},
	{"no answer to a simple request", x(req("GET"), nil, nil), want{sent: true, err: ErrTypeError}},

	// Redirects of the actual request (Fetch "HTTP-redirect fetch"; Chromium CorsURLLoader).
	{"redirect to a URL with credentials", x(req("GET"), nil, resp(302, acao, "*", "Location", "http://user:pw@localhost:7071/t")),
		want{sent: true, err: ErrRedirectContainsCredentials, param: "", msg: []string{"Redirect location '' contains a username and password, which is disallowed for cross-origin requests."}}},
	{"redirect without ACAO fails the CORS check first", x(req("GET"), nil, resp(302, "Location", "http://user:pw@localhost:7071/t")),
		want{sent: true, err: ErrMissingAllowOriginHeader}},
	{"redirect followed", x(req("GET"), nil, resp(301, acao, "*", "Location", "/api/items/")),
		want{sent: true, readable: []string{}, note: "follows the 301 redirect to http://localhost:7071/api/items/"}},
	{"redirect after a preflight", x(req("PUT"), resp(204, acao, "*", acam, "PUT"), resp(307, acao, "*", "Location", "http://localhost:7072/x")),
		want{preflight: true, sent: true}},

	// Readable headers (Fetch §2.2.6 CORS filtered response; wpt cors-expose-star.js).
	{"Expose-Headers * without credentials", x(req("GET"), nil, resp(200, acao, "*", aceh, "*", "Test", "X", "Set-Cookie", "X", "*", "whoa", "Content-Type", "text/plain")),
		want{sent: true, readable: []string{"*", "access-control-allow-origin", "access-control-expose-headers", "content-type", "test"}}},
	{"Expose-Headers * with credentials matches only a header named *", x(req("GET", cred("include")), nil,
		resp(200, acao, siteA, acac, "true", aceh, "*", "Test", "X", "Set-Cookie", "X", "*", "whoa", "Content-Type", "text/plain")),
		want{sent: true, readable: []string{"*", "content-type"}}},
	{"Expose-Headers * and set-cookie", x(req("GET"), nil, resp(200, acao, "*", aceh, "*", aceh, "set-cookie", "Test", "X", "Set-Cookie", "X")),
		want{sent: true, readable: []string{"access-control-allow-origin", "access-control-expose-headers", "test"}}},
	{"safelisted response headers only", x(req("GET"), nil, resp(200, acao, "*", "Cache-Control", "no-store", "Expires", "0", "Last-Modified", "x",
		"Pragma", "x", "Content-Language", "en", "Content-Length", "4", "Vary", "Origin", "X-Hidden", "1")),
		want{sent: true, readable: []string{"cache-control", "content-language", "content-length", "expires", "last-modified", "pragma"}}},
	{"Expose-Headers unparsable exposes nothing", x(req("GET"), nil, resp(200, acao, "*", aceh, "x-a, bad value", "X-A", "1")),
		want{sent: true, readable: []string{}}},
	{"Expose-Headers with empty items", x(req("GET"), nil, resp(200, acao, "*", aceh, " , x-a ,,", "X-A", "1")),
		want{sent: true, readable: []string{"x-a"}}},
	{"Expose-Headers over two lines, any case", x(req("GET"), nil, resp(200, acao, "*", aceh, "x-a", aceh, "X-B", "X-A", "1", "x-b", "1")),
		want{sent: true, readable: []string{"x-a", "x-b"}}},
	{"exposed but absent headers are not listed", x(req("GET"), nil, resp(200, acao, "*", aceh, "x-a, x-b", "X-A", "1")),
		want{sent: true, readable: []string{"x-a"}}},
}

// bigSafelisted returns safelisted headers whose values total 7*128+n bytes
// (Accept included).
func bigSafelisted(n int) []reqOpt {
	return []reqOpt{hdr("accept", rep("a", 128)), hdr("accept-language", rep("a", 128)), hdr("content-language", rep("a", 128)),
		hdr("content-type", "text/plain;"+rep("a", 117)), hdr("intervention", rep("a", 128)), hdr("device-memory", rep("1", 128)),
		hdr("dpr", rep("1", 128)), hdr("width", rep("1", n))}
}

// bigWithoutAccept leaves Accept to the browser (3 bytes): 7*128+n+3 in all.
func bigWithoutAccept(n int) []reqOpt {
	return []reqOpt{hdr("accept-language", rep("a", 128)), hdr("content-language", rep("a", 128)),
		hdr("content-type", "text/plain;"+rep("a", 117)), hdr("intervention", rep("a", 128)), hdr("device-memory", rep("1", 128)),
		hdr("dpr", rep("1", 128)), hdr("width", rep("1", 128)), hdr("viewport-width", rep("1", n))}
}

func TestJudge(t *testing.T) {
	for _, c := range judgeCases {
		t.Run(c.desc, func(t *testing.T) {
			got := Judge(c.x)
			checkVerdict(t, got, c.want)
			checkInvariants(t, got)
		})
	}
}

func checkVerdict(t *testing.T, got Verdict, w want) {
	t.Helper()
	typ := w.typ
	if typ == "" {
		typ = ResponseCORS
		if w.err != "" {
			typ = ResponseError
		}
	}
	if got.Preflight != w.preflight || got.ActualRequestSent != w.sent || got.Error != w.err ||
		got.FailedParameter != w.param || got.Allowed != (w.err == "") || got.ResponseType != typ {
		t.Errorf("got preflight=%v sent=%v allowed=%v type=%q error=%q param=%q\nwant preflight=%v sent=%v allowed=%v type=%q error=%q param=%q\nmessage: %s",
			got.Preflight, got.ActualRequestSent, got.Allowed, got.ResponseType, got.Error, got.FailedParameter,
			w.preflight, w.sent, w.err == "", typ, w.err, w.param, got.Message)
	}
	if w.acrh != nil && !slices.Equal(got.RequestHeadersInPreflight, w.acrh) {
		t.Errorf("requestHeadersInPreflight = %q, want %q", got.RequestHeadersInPreflight, w.acrh)
	}
	if w.reasons != nil && !slices.Equal(got.PreflightReasons, w.reasons) {
		t.Errorf("preflightReasons = %q, want %q", got.PreflightReasons, w.reasons)
	}
	if w.readable != nil && !slices.Equal(got.ReadableHeaders, w.readable) {
		t.Errorf("readableHeaders = %q, want %q", got.ReadableHeaders, w.readable)
	}
	for _, m := range w.msg {
		if !strings.Contains(got.Message, m) {
			t.Errorf("message lacks %q:\n%s", m, got.Message)
		}
	}
	if w.note != "" && !slices.ContainsFunc(got.Notes, func(n string) bool { return strings.Contains(n, w.note) }) {
		t.Errorf("no note contains %q: %q", w.note, got.Notes)
	}
}

// checkInvariants holds for every verdict.
func checkInvariants(t testing.TB, v Verdict) {
	t.Helper()
	if v.Allowed != (v.Error == "") {
		t.Errorf("allowed=%v but error=%q", v.Allowed, v.Error)
	}
	if (v.ResponseType == ResponseError) != !v.Allowed {
		t.Errorf("responseType=%q but allowed=%v", v.ResponseType, v.Allowed)
	}
	switch v.ResponseType {
	case ResponseCORS, ResponseOpaque, ResponseError:
	default:
		t.Errorf("responseType=%q", v.ResponseType)
	}
	if v.Error != "" && !slices.Contains(ErrorNames(), v.Error) {
		t.Errorf("unknown error %q", v.Error)
	}
	if v.Error == ErrDisallowedByMode {
		t.Errorf("error %s: Chromium never reports it to a page", v.Error)
	}
	if !v.ActualRequestSent && v.Error != ErrTypeError && !(v.Preflight && IsPreflightError(v.Error)) {
		t.Errorf("actual request not sent, but error=%q preflight=%v", v.Error, v.Preflight)
	}
	// A preflight error after a request was sent: only at a later hop of a
	// redirect chain, after the first request ran.
	followed := slices.ContainsFunc(v.Notes, func(n string) bool { return strings.HasPrefix(n, "The browser followed the ") })
	if IsPreflightError(v.Error) && (!v.Preflight || v.ActualRequestSent && !followed) {
		t.Errorf("preflight error %q with preflight=%v sent=%v", v.Error, v.Preflight, v.ActualRequestSent)
	}
	if !v.Preflight && (len(v.PreflightReasons) > 0 || len(v.RequestHeadersInPreflight) > 0) {
		t.Errorf("no preflight but reasons %q, headers %q", v.PreflightReasons, v.RequestHeadersInPreflight)
	}
	if v.Preflight && len(v.PreflightReasons) == 0 {
		t.Errorf("preflight without a reason")
	}
	if len(v.ReadableHeaders) > 0 && v.ResponseType != ResponseCORS {
		t.Errorf("readable headers %q for type %q", v.ReadableHeaders, v.ResponseType)
	}
	checkNameList(t, "readableHeaders", v.ReadableHeaders)
	checkNameList(t, "requestHeadersInPreflight", v.RequestHeadersInPreflight)
	if (v.Message == "") != v.Allowed {
		t.Errorf("allowed=%v but message=%q", v.Allowed, v.Message)
	}
	if v.Message != "" && !strings.Contains(v.Message, "\n") {
		t.Errorf("message has no explanation line: %q", v.Message)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	for _, k := range []string{"preflightReasons", "requestHeadersInPreflight", "readableHeaders"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s is %v in %s", k, m[k], b)
		}
	}
	fields := 10
	if _, ok := m["fix"]; ok {
		fields = 11
	}
	if corsError := !v.Allowed && v.Error != "" && v.Error != ErrTypeError; corsError != (v.Fix != nil) || v.Fix != nil && v.Fix.Text == "" {
		t.Errorf("blocked by a CORS error: %t, but fix %+v", corsError, v.Fix)
	}
	if len(m) != fields {
		t.Errorf("JSON has %d fields, want %d: %s", len(m), fields, b)
	}
}

// checkNameList: lowercase, sorted, unique.
func checkNameList(t testing.TB, what string, names []string) {
	t.Helper()
	for i, n := range names {
		if n != strings.ToLower(n) {
			t.Errorf("%s: %q is not lowercase", what, n)
		}
		if i > 0 && names[i-1] >= n {
			t.Errorf("%s not sorted and unique: %q", what, names)
		}
	}
}

func TestEveryErrorNameIsProduced(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range judgeCases {
		seen[Judge(c.x).Error] = true
	}
	for _, name := range ErrorNames() {
		if !seen[name] && name != ErrDisallowedByMode { // never reaches a page: see ErrDisallowedByMode
			t.Errorf("no test case produces %s", name)
		}
		if seen[name] && name == ErrDisallowedByMode {
			t.Errorf("a test case produces %s, which Chromium never reports to a page", name)
		}
	}
}
