package fetch

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBrowsers: the same exchange in the three browsers — names, parameters
// and first console lines as Chromium 156, Firefox ESR 153 and WebKitGTK 2.50
// print them (the agreement matrices in internal/lab check these against the
// real browsers; this table pins the differences).
func TestBrowsers(t *testing.T) {
	const origin, target = "http://localhost:7070", "http://localhost:7071/api/items"
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	get := func(headers ...string) Request {
		var hs [][2]string
		for i := 0; i+1 < len(headers); i += 2 {
			hs = append(hs, [2]string{headers[i], headers[i+1]})
		}
		return Request{Origin: origin, URL: target, Method: "GET", Headers: hs}
	}
	put := Request{Origin: origin, URL: target, Method: "PUT"}
	type want struct {
		preflight  bool
		err, param string
		first      string // the message's first line
		allowedToo bool
	}
	const ffAt = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + target + ". (Reason: "
	for _, c := range []struct {
		desc string
		x    Exchange
		want map[*Browser]want
	}{
		{"no ACAO", Exchange{Request: get(), Actual: &Response{200, hdr()}}, map[*Browser]want{
			Chromium: {false, ErrMissingAllowOriginHeader, "", "Access to fetch at '" + target + "' from origin '" + origin + "' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.", false},
			Firefox:  {false, "CORSMissingAllowOrigin", "", ffAt + "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.", false},
			WebKit:   {false, "OriginNotAllowed", "", "Origin " + origin + " is not allowed by Access-Control-Allow-Origin. Status code: 200", false},
		}},
		{"a, b on one line", Exchange{Request: get(), Actual: &Response{200, hdr("Access-Control-Allow-Origin", origin+", http://x")}}, map[*Browser]want{
			Chromium: {false, ErrMultipleAllowOriginValues, origin + ", http://x", "", false},
			Firefox:  {false, "CORSAllowOriginNotMatchingOrigin", origin + ", http://x", ffAt + "CORS header ‘Access-Control-Allow-Origin’ does not match ‘" + origin + ", http://x’).", false},
			WebKit:   {false, "MultipleAllowOrigin", "", "Access-Control-Allow-Origin cannot contain more than one origin.", false},
		}},
		{"two lines", Exchange{Request: get(), Actual: &Response{200, hdr("Access-Control-Allow-Origin", origin, "Access-Control-Allow-Origin", origin)}}, map[*Browser]want{
			Chromium: {false, ErrMultipleAllowOriginValues, origin + ", " + origin, "", false},
			Firefox:  {false, "CORSMultipleAllowOriginNotAllowed", "", ffAt + "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).", false},
			WebKit:   {false, "MultipleAllowOrigin", "", "", false},
		}},
		{"two origins separated by a space", Exchange{Request: get(), Actual: &Response{200, hdr("Access-Control-Allow-Origin", origin+" http://x")}}, map[*Browser]want{
			Chromium: {false, ErrMultipleAllowOriginValues, origin + " http://x", "", false},
			Firefox:  {false, "CORSAllowOriginNotMatchingOrigin", origin + " http://x", "", false},
			WebKit:   {false, "OriginNotAllowed", "", "", false},
		}},
		{"wildcard with credentials", Exchange{Request: Request{Origin: origin, URL: target, Method: "GET", Credentials: "include"}, Actual: &Response{200, hdr("Access-Control-Allow-Origin", "*")}}, map[*Browser]want{
			Firefox: {false, "CORSNotSupportingCredentials", "", "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘" + target + "’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).", false},
			WebKit:  {false, "WildcardOriginWithCredentials", "", "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.", false},
		}},
		{"client hint DPR", Exchange{Request: get("DPR", "2"), Preflight: &Response{204, hdr("Access-Control-Allow-Origin", "*")}, Actual: &Response{200, hdr("Access-Control-Allow-Origin", "*")}}, map[*Browser]want{
			Chromium: {false, "", "", "", true},
			Firefox:  {true, "CORSMissingAllowHeaderFromPreflight", "dpr", ffAt + "header ‘dpr’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).", false},
			WebKit:   {true, "HeaderNotAllowed", "dpr", "Request header field dpr is not allowed by Access-Control-Allow-Headers.", false},
		}},
		{"known header name as WebKit spells it", Exchange{Request: get("content-language", "en/US"), Preflight: &Response{204, hdr("Access-Control-Allow-Origin", "*")}}, map[*Browser]want{
			Chromium: {true, ErrHeaderDisallowedByPreflightResponse, "content-language", "", false},
			WebKit:   {true, "HeaderNotAllowed", "Content-Language", "Request header field Content-Language is not allowed by Access-Control-Allow-Headers.", false},
		}},
		{"preflight 500 without ACAO: the order of checks", Exchange{Request: put, Preflight: &Response{500, hdr()}}, map[*Browser]want{
			Chromium: {true, ErrPreflightMissingAllowOriginHeader, "", "", false},
			Firefox:  {true, "CORSMissingAllowOrigin", "", ffAt + "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 500.", false},
			WebKit:   {true, "PreflightNotSuccessful", "", "Preflight response is not successful. Status code: 500", false},
		}},
		{"preflight 301 without ACAO", Exchange{Request: put, Preflight: &Response{301, hdr("Location", "/x")}}, map[*Browser]want{
			Chromium: {true, ErrPreflightDisallowedRedirect, "", "", false},
			Firefox:  {true, "CORSMissingAllowOrigin", "", "", false},
			WebKit:   {true, "PreflightNotSuccessful", "", "Preflight response is not successful. Status code: 301", false},
		}},
		{"preflight 301 with ACAO *", Exchange{Request: put, Preflight: &Response{301, hdr("Location", "/x", "Access-Control-Allow-Origin", "*")}}, map[*Browser]want{
			Chromium: {true, ErrPreflightDisallowedRedirect, "", "", false},
			Firefox:  {true, "CORSExternalRedirectNotAllowed", "", ffAt + "CORS request external redirect not allowed).", false},
		}},
		{"unparsable Allow-Methods", Exchange{Request: put, Preflight: &Response{204, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET, PUT DELETE")}}, map[*Browser]want{
			Chromium: {true, ErrInvalidAllowMethodsPreflightResponse, "", "", false},
			Firefox:  {true, "CORSInvalidAllowMethod", "PUT DELETE", ffAt + "invalid token ‘PUT DELETE’ in CORS header ‘Access-Control-Allow-Methods’).", false},
			WebKit:   {true, "InvalidAllowMethods", "GET, PUT DELETE", "Header Access-Control-Allow-Methods has an invalid value: GET, PUT DELETE", false},
		}},
		{"method not allowed", Exchange{Request: put, Preflight: &Response{204, hdr("Access-Control-Allow-Origin", "*")}}, map[*Browser]want{
			Chromium: {true, ErrMethodDisallowedByPreflightResponse, "PUT", "", false},
			Firefox:  {true, "CORSMethodNotFound", "", ffAt + "Did not find method in CORS header ‘Access-Control-Allow-Methods’).", false},
			WebKit:   {true, "MethodNotAllowed", "PUT", "Method PUT is not allowed by Access-Control-Allow-Methods.", false},
		}},
		{"no answer", Exchange{Request: get()}, map[*Browser]want{
			Chromium: {false, ErrTypeError, "", "TypeError: Failed to fetch", false},
			Firefox:  {false, "CORSDidNotSucceed", "", ffAt + "CORS request did not succeed). Status code: (null).", false},
			WebKit:   {false, ErrTypeError, "", "", false},
		}},
	} {
		for b, w := range c.want {
			t.Run(c.desc+"/"+b.Name, func(t *testing.T) {
				v := b.Judge(c.x)
				first, _, _ := strings.Cut(v.Message, "\n")
				if v.Preflight != w.preflight || v.Error != w.err || v.FailedParameter != w.param || v.Allowed != w.allowedToo || (w.first != "" && first != w.first) {
					t.Errorf("got preflight %t, %s (%q), allowed %t, %q\nwant preflight %t, %s (%q), allowed %t, %q",
						v.Preflight, v.Error, v.FailedParameter, v.Allowed, first, w.preflight, w.err, w.param, w.allowedToo, w.first)
				}
				if v.Browser != b.Title {
					t.Errorf("verdict.Browser = %q, want %q", v.Browser, b.Title)
				}
			})
		}
	}
}

func TestBrowserMaxAge(t *testing.T) {
	for _, c := range []struct {
		maxAge string
		want   map[*Browser]time.Duration
	}{
		{"", map[*Browser]time.Duration{Chromium: 5 * time.Second, Firefox: 5 * time.Second, WebKit: 5 * time.Second}},
		{"600", map[*Browser]time.Duration{Chromium: 600 * time.Second, Firefox: 600 * time.Second, WebKit: 600 * time.Second}},
		{"7201", map[*Browser]time.Duration{Chromium: 2 * time.Hour, Firefox: 7201 * time.Second, WebKit: 10 * time.Minute}},
		{"999999999999999", map[*Browser]time.Duration{Chromium: 2 * time.Hour, Firefox: 24 * time.Hour, WebKit: 10 * time.Minute}},
		{"-1", map[*Browser]time.Duration{Chromium: 0, Firefox: 0, WebKit: 0}},
	} {
		h := http.Header{}
		if c.maxAge != "" {
			h.Set("Access-Control-Max-Age", c.maxAge)
		}
		for b, want := range c.want {
			if got := b.MaxAge(&Response{204, h}); got != want {
				t.Errorf("%s, Max-Age %q: %v, want %v", b.Name, c.maxAge, got, want)
			}
		}
	}
}

func TestBrowserNamed(t *testing.T) {
	for _, b := range Browsers() {
		if got, err := BrowserNamed(b.Name); err != nil || got != b {
			t.Errorf("BrowserNamed(%q) = %v, %v", b.Name, got, err)
		}
	}
	if _, err := BrowserNamed("safari"); err == nil {
		t.Error("BrowserNamed(safari): no error")
	}
}

// The README's table of browser differences sits between these lines.
const (
	tableBegin = "<!-- browsers:begin (generated by go test ./internal/model/fetch -run TestREADMEBrowserTable -update) -->\n"
	tableEnd   = "<!-- browsers:end -->\n"
)

// TestREADMEBrowserTable: the README's table is what BrowserTable generates
// from the model's data; -update rewrites it.
func TestREADMEBrowserTable(t *testing.T) {
	const readme = "../../../README.md"
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", readme, strings.TrimSpace(tableBegin), strings.TrimSpace(tableEnd))
	}
	want := BrowserTable()
	if got := s[i+len(tableBegin) : j]; got != want {
		if *update {
			s = s[:i+len(tableBegin)] + want + s[j:]
			if err := os.WriteFile(readme, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the README's browser table differs from the model's data (go test ./internal/model/fetch -run TestREADMEBrowserTable -update rewrites it); want:\n%s", want)
	}
}

// TestOtherBrowsersNotes: a verdict says where the other two browsers would
// do differently, and nothing when they would not.
func TestOtherBrowsersNotes(t *testing.T) {
	const origin, target = "http://localhost:7070", "http://localhost:7071/x"
	star := http.Header{"Access-Control-Allow-Origin": {"*"}}
	for _, c := range []struct {
		desc string
		b    *Browser
		x    Exchange
		want string // a note containing this; "" for no such note
	}{
		{"client hint", Chromium, Exchange{Request: Request{Origin: origin, URL: target, Method: "GET", Headers: [][2]string{{"DPR", "2"}}},
			Preflight: &Response{204, star}, Actual: &Response{200, star}},
			"Firefox and Safari (WebKit) would send a preflight first and block it. Firefox: CORSMissingAllowHeaderFromPreflight"},
		{"client hint, seen from Firefox", Firefox, Exchange{Request: Request{Origin: origin, URL: target, Method: "GET", Headers: [][2]string{{"DPR", "2"}}},
			Preflight: &Response{204, star}, Actual: &Response{200, star}},
			"Chromium would send no preflight and let JavaScript have the response."},
		{"order of preflight checks", Chromium, Exchange{Request: Request{Origin: origin, URL: target, Method: "PUT"}, Preflight: &Response{500, http.Header{}}},
			"Safari (WebKit) would stop at another check first: PreflightNotSuccessful — \"Preflight response is not successful. Status code: 500\"."},
		{"Max-Age caps", WebKit, Exchange{Request: Request{Origin: origin, URL: target, Method: "PUT"},
			Preflight: &Response{204, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Max-Age": {"86400"}}}, Actual: &Response{200, star}},
			"is reused for: Chromium 7200 s, Firefox 86400 s, Safari (WebKit) 600 s."},
		{"the same everywhere", Chromium, Exchange{Request: Request{Origin: origin, URL: target, Method: "GET"}, Actual: &Response{200, http.Header{}}}, ""},
	} {
		v := c.b.Judge(c.x)
		found := false
		for _, n := range v.Notes {
			found = found || (c.want != "" && strings.Contains(n, c.want)) || (c.want == "" && strings.Contains(n, " would "))
		}
		if found != (c.want != "") {
			t.Errorf("%s: notes %q, want one with %q", c.desc, v.Notes, c.want)
		}
	}
}

func TestBrowserForUserAgent(t *testing.T) {
	for _, c := range []struct {
		ua   string
		want *Browser
	}{
		{"Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0", Firefox},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", WebKit},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15", WebKit},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", Chromium},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", Chromium},
		{"curl/8.0", Chromium},
		{"", Chromium},
	} {
		if got := BrowserForUserAgent(c.ua); got != c.want {
			t.Errorf("BrowserForUserAgent(%q) = %s, want %s", c.ua, got.Name, c.want.Name)
		}
	}
}

// TestBrowserRefusals: a request fetch() refuses before sending anything is a
// TypeError in each browser's own words — the first line of the message, the
// trace's last step and RefusedLocally — as Chromium 156, Firefox ESR 153 and
// WebKitGTK 2.50 word it (the three-browser matrices in internal/lab referee
// Firefox's and WebKit's).
func TestBrowserRefusals(t *testing.T) {
	const origin, target = "http://localhost:7070", "http://localhost:7071/api/items"
	req := func(method, body, mode string, hs ...string) Request {
		r := Request{Origin: origin, URL: target, Method: method, Body: body, Mode: mode}
		for i := 0; i+1 < len(hs); i += 2 {
			r.Headers = append(r.Headers, [2]string{hs[i], hs[i+1]})
		}
		return r
	}
	tests := []struct {
		desc                      string
		r                         Request
		chromium, firefox, webkit string
	}{
		{"GET with a body", req("get", "a=1", ""),
			"Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body.",
			"Window.fetch: HEAD or GET Request cannot have a body.",
			"Request has method 'GET' and cannot have a body"},
		{"forbidden method", req("trace", "", ""),
			"Failed to execute 'fetch' on 'Window': 'trace' HTTP method is unsupported.",
			"Window.fetch: Invalid request method trace.",
			"Method is forbidden."},
		{"PUT in no-cors", req("PUT", "", "no-cors"),
			"Failed to execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode.",
			"Window.fetch: Invalid request method PUT.",
			"Method must be GET, POST or HEAD in no-cors mode."},
		{"invalid header name", req("GET", "", "", "Bad Header", "1"),
			"Failed to execute 'fetch' on 'Window': Invalid name",
			"Window.fetch: bad header is an invalid header name.",
			"Invalid header name: 'Bad Header'"},
		{"header value with a line break", req("GET", "", "", "X-Custom", "a\nb"),
			"Failed to execute 'fetch' on 'Window': Invalid value",
			`Window.fetch: a\nb is an invalid header value.`,
			`Header 'X-Custom' has invalid value: 'a\nb'`},
		{"header value with a NUL: Firefox stops there", req("GET", "", "", "X-Custom", "a\x00b"),
			"Failed to execute 'fetch' on 'Window': Invalid value",
			"Window.fetch: a is an invalid header value.",
			"Header 'X-Custom' has invalid value: 'a\x00b'"},
		{"header name above U+00FF", req("GET", "", "", "X-☃", "1"),
			"Failed to execute 'fetch' on 'Window': Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 code point.",
			"Window.fetch: Cannot convert element of element of sequence<sequence<ByteString>> branch of (sequence<sequence<ByteString>> or record<ByteString, ByteString>) to ByteString because the character at index 2 has value 9731 which is greater than 255.",
			"Type error"},
		{"mode navigate", req("GET", "", "navigate"),
			"Failed to execute 'fetch' on 'Window': Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'.",
			"Window.fetch: Invalid request mode navigate.",
			"Request constructor does not accept navigate fetch mode."},
	}
	for _, tc := range tests {
		for _, b := range Browsers() {
			want := map[*Browser]string{Chromium: tc.chromium, Firefox: tc.firefox, WebKit: tc.webkit}[b]
			t.Run(tc.desc+"/"+b.Name, func(t *testing.T) {
				v := b.Judge(Exchange{Request: tc.r})
				if v.Error != ErrTypeError || v.Allowed || v.ActualRequestSent || v.Preflight {
					t.Errorf("verdict %+v, want a TypeError before any traffic", v)
				}
				if first, _, _ := strings.Cut(v.Message, "\n"); first != "TypeError: "+want {
					t.Errorf("first line\n got %q\nwant %q", first, "TypeError: "+want)
				}
				if got := b.RefusedLocally(tc.r); got != "TypeError: "+want {
					t.Errorf("RefusedLocally %q", got)
				}
				steps := b.Trace(Exchange{Request: tc.r})
				if last := steps[len(steps)-1]; last.What != "TypeError: "+want {
					t.Errorf("the trace's last step %q", last.What)
				}
			})
		}
	}
}
