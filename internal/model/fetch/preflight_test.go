package fetch

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSafelistedRequestHeaderWPT transcribes web-platform-tests
// cors/cors-safelisted-request-header.any.js: a POST with one header, and
// whether it needs a preflight.
func TestSafelistedRequestHeaderWPT(t *testing.T) {
	type hv struct {
		name, value string
		preflight   bool
	}
	var cases []hv
	for _, c := range []struct {
		v  string
		pf bool
	}{
		{"text /plain", true}, {"text\t/\tplain", true}, {"text/plain;", false}, {"text/plain;garbage", false},
		{"text/plain;garbage\u0001\u0002", true}, {"text/plain,", true}, {",text/plain", true},
		{"text/plain,text/plain", true}, {"text/plain,x/x", true}, {"text/plain\u000B", true}, {"text/plain\u000C", true},
		{"application/www-form-urlencoded", true}, {"application/x-www-form-urlencoded;\u007F", true},
		{"multipart/form-data", false}, {"multipart/form-data;\"", true},
	} {
		cases = append(cases, hv{"content-type", c.v, c.pf})
	}
	for _, c := range []struct {
		v  string
		pf bool
	}{
		{"100-200", true}, {"MB=100-200", true}, {"bytes=100-200", false}, {"bytes =100-200", true}, {"bytes\t=100-200", true},
		{"bytes=  100-200", true}, {"bytes=\t\t100-200", true}, {"bytes= \t100-200", true}, {"bytes=100 -200", true},
		{"bytes=100\t-200", true}, {"bytes=100- 200", true}, {"bytes=100-\t200", true}, {"bytes=100-200hello", true},
		{"bytes=abc-def", true}, {"bytes=100-200,300-400", true}, {"bytes=-200", true}, {"bytes=200-", false},
		{"bytes=200-100", true}, {"bytes=1" + strings.Repeat("0", 60) + "-2" + strings.Repeat("0", 60), true},
		{"bytes 100-200", true}, {"bytes = 100-200", true}, {",bytes=100-200", true}, {"bytes=,100-200", true},
		{"Bytes=0-", false}, // Chromium lower-cases the value first
	} {
		cases = append(cases, hv{"range", c.v, c.pf})
	}
	for _, c := range []struct {
		v  string
		pf bool
	}{{"abc123", true}, {"\"", true}, {"e5p3n<3k0k0s", true}, {strings.Repeat("0123456789", 13)[:129], true}} {
		// last-event-id is not safelisted for fetch(): every value preflights.
		cases = append(cases, hv{"last-event-id", c.v, c.pf})
	}
	// fetch/api/cors/resources/not-cors-safelisted.json: each needs a preflight.
	for _, c := range [][2]string{
		{"accept", "\""}, {"accept", strings.Repeat("0123456789", 13)[:129]}, {"accept-language", "\u0001"},
		{"accept-language", "@"}, {"authorization", "basics"}, {"content-language", "\u0001"}, {"content-language", "@"},
		{"content-type", "text/html"}, {"content-type", "text/plain; long=" + strings.Repeat("0123456789", 12)[:112]},
		{"range", "bytes 0-"}, {"test", "hi"},
	} {
		cases = append(cases, hv{c[0], c[1], true})
	}
	// Safe ones from fetch/api/cors/cors-preflight.any.js and the spec's examples.
	for _, c := range [][2]string{
		{"Accept", "*"}, {"Accept-Language", "bzh"}, {"Content-Language", "eu"}, {"Accept-Language", "*;q=0.5, en-US"},
		{"content-type", "text/plain; charset=utf-8"}, {"content-type", "text/plain; x=y"},
		{"content-type", "application/x-www-form-urlencoded"}, {"Accept", strings.Repeat("a", 128)},
	} {
		cases = append(cases, hv{c[0], c[1], false})
	}
	cases = append(cases, hv{"accept-language", "en_US", true}, hv{"content-type", "application/json", true})

	for _, c := range cases {
		reasons, names := NeedsPreflight(req("POST", hdr(c.name, c.value)))
		if got := len(names) > 0; got != c.preflight {
			t.Errorf("%s: %q: preflight=%v, want %v (reasons %q)", c.name, c.value, got, c.preflight, reasons)
		}
		if c.preflight && !slices.Equal(names, []string{strings.ToLower(c.name)}) {
			t.Errorf("%s: %q: Access-Control-Request-Headers %q", c.name, c.value, names)
		}
		if len(reasons) != len(names) {
			t.Errorf("%s: %q: reasons %q for names %q", c.name, c.value, reasons, names)
		}
	}
}

func TestNeedsPreflight(t *testing.T) {
	for _, c := range []struct {
		desc    string
		r       Request
		reasons []string
		names   []string
	}{
		{"simple GET", req("GET"), []string{}, []string{}},
		{"contract example", req("PUT", hdr("Content-Type", "application/json"), hdr("X-Trace", "1"), cred("include")),
			[]string{"method PUT is not CORS-safelisted",
				"header content-type has value application/json, which is not one of the three safelisted MIME types",
				"header x-trace is not CORS-safelisted"},
			[]string{"content-type", "x-trace"}},
		{"values over 128 bytes and bad bytes", req("GET", hdr("Accept", strings.Repeat("a", 129)), hdr("Content-Language", "fr@x")),
			[]string{"header accept value exceeds 128 bytes (129)",
				`header content-language value contains '@'; only 0-9 A-Z a-z, space and * , - . ; = are safelisted`},
			[]string{"accept", "content-language"}},
		{"1024-byte rule", req("GET", append(bigSafelisted(128), hdr("rtt", "1"))...),
			[]string{"safelisted header values total more than 1024 bytes (1025), so accept, accept-language, content-language, content-type, device-memory, dpr, intervention, rtt, width count as unsafe too"},
			[]string{"accept", "accept-language", "content-language", "content-type", "device-memory", "dpr", "intervention", "rtt", "width"}},
		{"duplicate names listed once", req("GET", hdr("X-A", "1"), hdr("x-a", "2"), hdr("X-a", "3")),
			[]string{"header x-a is not CORS-safelisted"}, []string{"x-a"}},
		{"no-cors: never", req("GET", mode("no-cors"), hdr("X-A", "1")), []string{}, []string{}},
		{"same-origin: never", req("PUT", toURL(siteA+"/x"), hdr("X-A", "1")), []string{}, []string{}},
		{"TypeError: never", req("CONNECT"), []string{}, []string{}},
		{"forbidden headers do not count", req("GET", hdr("Cookie", "a"), hdr("Sec-Fetch-Mode", "x")), []string{}, []string{}},
	} {
		reasons, names := NeedsPreflight(c.r)
		if !slices.Equal(reasons, c.reasons) || !slices.Equal(names, c.names) || reasons == nil || names == nil {
			t.Errorf("%s:\nreasons %q\nwant    %q\nnames %q, want %q", c.desc, reasons, c.reasons, names, c.names)
		}
	}
}

// TestPreflightStarWPT transcribes fetch/api/cors/cors-preflight-star.any.js.
func TestPreflightStarWPT(t *testing.T) {
	for _, c := range []struct {
		ok                    bool
		withCredentials       bool
		allowMethod, allowHdr string
		method                string
		useHeader             [2]string
	}{
		{true, false, "get", "x-test", "GET", [2]string{"X-Test", "1"}},
		{true, false, "*", "x-test", "SUPER", [2]string{"X-Test", "1"}},
		{true, false, "*", "*", "OK", [2]string{"X-Test", "1"}},
		{false, true, "*", "*", "OK", [2]string{"X-Test", "1"}},
		{false, true, "*", "", "PUT", [2]string{}},
		{true, true, "PUT", "*", "PUT", [2]string{}},
		{false, true, "get", "*", "GET", [2]string{"X-Test", "1"}},
		{false, true, "*", "*", "GET", [2]string{"X-Test", "1"}},
		{true, true, "*", "*", "*", [2]string{"*", "1"}},
		{false, true, "put", "*", "PUT", [2]string{}},
	} {
		r := req(c.method)
		if c.useHeader[0] != "" {
			r.Headers = [][2]string{c.useHeader}
		}
		pre := resp(200, acam, c.allowMethod, acah, c.allowHdr)
		act := resp(200, acao, "*")
		if c.withCredentials {
			r.Credentials = credInclude
			pre.Header.Set(acao, siteA)
			pre.Header.Set(acac, "true")
			act = resp(200, acao, siteA, acac, "true")
		} else {
			pre.Header.Set(acao, "*")
		}
		v := Judge(Exchange{Request: r, Preflight: pre, Actual: act})
		if v.Allowed != c.ok {
			t.Errorf("credentials=%v method %s (allowed %q) header %q (allowed %q): allowed=%v, want %v: %s",
				c.withCredentials, c.method, c.allowMethod, c.useHeader[0], c.allowHdr, v.Allowed, c.ok, v.Message)
		}
		checkInvariants(t, v)
	}
}

// TestPreflightStatusWPT transcribes fetch/api/cors/cors-preflight-status.any.js.
func TestPreflightStatusWPT(t *testing.T) {
	for _, status := range []int{200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 306, 307, 308,
		400, 401, 402, 403, 404, 405, 501, 502, 503, 504, 505} {
		r := req("GET", hdr("x-force-preflight", ""))
		v := Judge(Exchange{Request: r, Preflight: resp(status, acao, "*", acah, "x-force-preflight"), Actual: starActual()})
		ok := status >= 200 && status <= 299
		if v.Allowed != ok || (!ok && v.Error != ErrPreflightInvalidStatus) {
			t.Errorf("preflight status %d: allowed=%v error=%q", status, v.Allowed, v.Error)
		}
	}
}

func TestScanList(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want []string
	}{
		{"", true, nil}, {"GET, PUT", true, []string{"GET", "PUT"}}, {" , PUT,", true, []string{"PUT"}},
		{"GET PUT", false, nil}, {`"PUT"`, false, nil}, {"x-a,\tx-b", true, []string{"x-a", "x-b"}},
		{"a;b", false, nil}, {"*", true, []string{"*"}}, {",,,", true, nil},
	} {
		var got []string
		ok := scanList(c.in, func(item string) { got = append(got, item) })
		if !ok {
			got = nil
		}
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("scanList(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestPreflightMaxAge(t *testing.T) {
	for _, c := range []struct {
		v    []string
		want time.Duration
	}{
		{nil, 5 * time.Second}, {[]string{"600"}, 10 * time.Minute}, {[]string{"86400"}, 2 * time.Hour},
		{[]string{"7200"}, 2 * time.Hour}, {[]string{"-1"}, 0}, {[]string{"abc"}, 5 * time.Second},
		{[]string{"0"}, 0}, {[]string{"99999999999999999999"}, 5 * time.Second}, {[]string{"60", "60"}, 5 * time.Second},
	} {
		r := &Response{Status: 204, Header: http.Header{}}
		if c.v != nil {
			r.Header["Access-Control-Max-Age"] = c.v
		}
		if got := PreflightMaxAge(r); got != c.want {
			t.Errorf("Max-Age %q: %v, want %v", c.v, got, c.want)
		}
	}
	if PreflightMaxAge(nil) != 0 {
		t.Error("nil preflight")
	}
}

func TestOrigins(t *testing.T) {
	for _, c := range []struct {
		in, canon string
		exact, ok bool
	}{
		{"http://localhost:7070", "http://localhost:7070", true, true},
		{"null", "null", true, true},
		{"http://localhost:80", "http://localhost", false, true},
		{"HTTP://LOCALHOST:7070", "http://localhost:7070", false, true},
		{"http://localhost:7070/", "http://localhost:7070", false, true},
		{"https://[::1]:8443", "https://[::1]:8443", true, true},
		{"http://localhost:7070/path", "", false, false},
		{"localhost:7070", "", false, false},
		{"http://u@localhost", "", false, false},
		{"http://localhost:99999", "", false, false},
		{"", "", false, false},
	} {
		canon, exact, ok := parseOrigin(c.in)
		if canon != c.canon || exact != c.exact || ok != c.ok {
			t.Errorf("parseOrigin(%q) = %q %v %v, want %q %v %v", c.in, canon, exact, ok, c.canon, c.exact, c.ok)
		}
	}
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"http://localhost:7070", true}, {"http://", false}, {"notaurl", false}, {"", false}, {"localhost:7070", true},
		{"http:x", true}, {"http://a:99999", false}, {"foo:bar", true}, {"1http://x", false}, {"http://[::1]:80", true},
		{"http://[::1", false}, {"http://x%y", false}, {"file:///etc", true},
	} {
		if got := gurlValid(c.in); got != c.ok {
			t.Errorf("gurlValid(%q) = %v", c.in, got)
		}
	}
}
