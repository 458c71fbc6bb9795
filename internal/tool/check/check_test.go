package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/checktest"
)

const origin = "http://localhost:3000"

// seen is what a test server received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (s *seen) add(r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	s.body = append(s.body, string(b))
}

func (s *seen) all() ([]*http.Request, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...), append([]string(nil), s.body...)
}

func (s *seen) methods() string {
	reqs, _ := s.all()
	var m []string
	for _, r := range reqs {
		m = append(m, r.Method)
	}
	return strings.Join(m, ",")
}

// serve starts a test server whose preflight and actual answers are set
// by pre and act (nil: 200 with no headers), recording what it receives.
func serve(t *testing.T, pre, act http.HandlerFunc) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.add(r)
		h := act
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h = pre
		}
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

// headers returns a handler that sets the given header lines and status.
func headers(status int, kv ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(kv); i += 2 {
			v := strings.ReplaceAll(kv[i+1], "{origin}", r.Header.Get("Origin"))
			w.Header().Add(kv[i], v)
		}
		w.WriteHeader(status)
		io.WriteString(w, "hello\n")
	}
}

var (
	echoPUT = headers(204, "Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Methods", "GET, PUT",
		"Access-Control-Allow-Headers", "content-type, x-trace")
	echo = headers(200, "Access-Control-Allow-Origin", "{origin}", "X-Total", "3", "Access-Control-Expose-Headers", "X-Total")
)

func TestRun(t *testing.T) {
	jsonPUT := fetch.Request{Method: "PUT", Headers: [][2]string{{"Content-Type", "application/json"}}}
	tests := []struct {
		name     string
		pre, act http.HandlerFunc
		req      fetch.Request // Origin and URL are filled in
		wantErr  string        // the verdict's error, "" for allowed
		param    string
		wantSeen string // methods the server received
	}{
		{"simple GET allowed by *", nil, headers(200, "Access-Control-Allow-Origin", "*"), fetch.Request{Method: "GET"}, "", "", "GET"},
		{"simple GET, no ACAO", nil, headers(200), fetch.Request{Method: "GET"}, fetch.ErrMissingAllowOriginHeader, "", "GET"},
		{"ACAO mismatch", nil, headers(200, "Access-Control-Allow-Origin", "http://other.example"), fetch.Request{Method: "GET"}, fetch.ErrAllowOriginMismatch, "http://other.example", "GET"},
		{"two ACAO lines", nil, headers(200, "Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Origin", "*"), fetch.Request{Method: "GET"}, fetch.ErrMultipleAllowOriginValues, "http://localhost:3000, *", "GET"},
		{"* with credentials", nil, headers(200, "Access-Control-Allow-Origin", "*"), fetch.Request{Method: "GET", Credentials: "include"}, fetch.ErrWildcardOriginNotAllowed, "", "GET"},
		{"credentials without ACAC", nil, echo, fetch.Request{Method: "GET", Credentials: "include"}, fetch.ErrInvalidAllowCredentials, "", "GET"},
		{"PUT allowed after the preflight", echoPUT, echo, jsonPUT, "", "", "OPTIONS,PUT"},
		{"preflight without ACAO", headers(204), echo, jsonPUT, fetch.ErrPreflightMissingAllowOriginHeader, "", "OPTIONS"},
		{"preflight 404", headers(404, "Access-Control-Allow-Origin", "{origin}"), echo, jsonPUT, fetch.ErrPreflightInvalidStatus, "", "OPTIONS"},
		{"preflight 500", headers(500, "Access-Control-Allow-Origin", "*"), echo, jsonPUT, fetch.ErrPreflightInvalidStatus, "", "OPTIONS"},
		{"preflight credentials", echoPUT, echo, fetch.Request{Method: "PUT", Credentials: "include"}, fetch.ErrPreflightInvalidAllowCredentials, "", "OPTIONS"},
		{"method refused", echoPUT, echo, fetch.Request{Method: "DELETE"}, fetch.ErrMethodDisallowedByPreflightResponse, "DELETE", "OPTIONS"},
		{"header refused", echoPUT, echo, fetch.Request{Method: "GET", Headers: [][2]string{{"X-Other", "1"}}}, fetch.ErrHeaderDisallowedByPreflightResponse, "x-other", "OPTIONS"},
		{"preflight redirect", headers(307, "Location", "/elsewhere", "Access-Control-Allow-Origin", "*"), echo, jsonPUT, fetch.ErrPreflightDisallowedRedirect, "", "OPTIONS"},
		{"actual redirect loop: 20 followed, the 21st fails", nil, headers(302, "Location", "/elsewhere", "Access-Control-Allow-Origin", "*"), fetch.Request{Method: "GET"}, fetch.ErrTypeError, "", strings.TrimSuffix(strings.Repeat("GET,", 21), ",")},
		{"fetch() refuses CONNECT", nil, echo, fetch.Request{Method: "CONNECT"}, fetch.ErrTypeError, "", ""},
		{"simple POST with a body", nil, echo, fetch.Request{Method: "post"}, "", "", "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, s := serve(t, tt.pre, tt.act)
			req := tt.req
			req.Origin, req.URL = origin, srv.URL+"/api/items/1?x=1"
			res, err := Run(context.Background(), Options{Request: req, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if res.Err != nil {
				t.Fatalf("network error: %v", res.Err)
			}
			if res.Verdict.Error != tt.wantErr || res.Verdict.Allowed != (tt.wantErr == "") || res.Verdict.FailedParameter != tt.param {
				t.Errorf("verdict = %s (%q) allowed %v, want %q (%q)", res.Verdict.Error, res.Verdict.FailedParameter, res.Verdict.Allowed, tt.wantErr, tt.param)
			}
			if got := s.methods(); got != tt.wantSeen {
				t.Errorf("server received %q, want %q", got, tt.wantSeen)
			}
			if res.Blocked() != (tt.wantErr != "") {
				t.Errorf("Blocked() = %v", res.Blocked())
			}
			sameAsExplain(t, res)
		})
	}
}

// sameAsExplain checks that `corslab explain` on the result's exchange prints
// the result's verdict.
func sameAsExplain(t *testing.T, res *Result) {
	t.Helper()
	x, err := fetch.ParseExchange(MarshalExchange(res.Exchange))
	if err != nil {
		t.Fatalf("explain: %v\nexchange: %s", err, MarshalExchange(res.Exchange))
	}
	want, _ := json.Marshal(res.Verdict)
	var a, b any
	json.Unmarshal(fetch.Judge(x).IndentedJSON(), &a)
	json.Unmarshal(want, &b)
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	if !bytes.Equal(aj, bj) {
		t.Errorf("explain's verdict differs:\nexplain: %s\ncheck:   %s", aj, bj)
	}
}

// The preflight carries exactly what Chromium sends, and no credentials;
// the actual request carries the page's headers, the cookie and the body.
func TestRequestsAsABrowserSendsThem(t *testing.T) {
	srv, s := serve(t, headers(204, "Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Methods", "PUT",
		"Access-Control-Allow-Headers", "x-trace, content-type", "Access-Control-Allow-Credentials", "true"),
		headers(200, "Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Credentials", "true"))
	res, err := Run(context.Background(), Options{
		Request: fetch.Request{Origin: origin, URL: srv.URL + "/x", Method: "put", Credentials: "include",
			Headers: [][2]string{{"X-Trace", " 1 "}, {"Content-Type", "application/json"}, {"Cookie", "dropped=1"}, {"x-trace", "2"}}},
		Body:   `{"name":"n"}`,
		Cookie: "session=abc",
	})
	if err != nil || res.Err != nil {
		t.Fatalf("Run: %v %v", err, res.Err)
	}
	if !res.Verdict.Allowed {
		t.Fatalf("verdict %+v", res.Verdict)
	}
	reqs, bodies := s.all()
	if len(reqs) != 2 {
		t.Fatalf("server received %d requests", len(reqs))
	}
	pre, act := reqs[0], reqs[1]
	for name, want := range map[string]string{
		"Origin": origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-trace",
		"Accept": "*/*", "Cookie": "", "Authorization": "", "Content-Type": "", "X-Trace": "",
	} {
		if got := pre.Header.Get(name); got != want {
			t.Errorf("preflight %s = %q, want %q", name, got, want)
		}
	}
	if pre.ContentLength != 0 {
		t.Errorf("preflight has a body of %d bytes", pre.ContentLength)
	}
	for name, want := range map[string]string{
		"Origin": origin, "X-Trace": "1, 2", "Content-Type": "application/json", "Cookie": "session=abc", "Accept": "*/*",
		"Access-Control-Request-Method": "",
	} {
		if got := strings.Join(act.Header.Values(name), " | "); got != want {
			t.Errorf("actual %s = %q, want %q", name, got, want)
		}
	}
	if act.Method != "PUT" || bodies[1] != `{"name":"n"}` {
		t.Errorf("actual = %s with body %q", act.Method, bodies[1])
	}
	sameAsExplain(t, res)

	// The -json form is {"exchange", "verdict"}, and the exchange is explain's input as the page gave it.
	j, _ := json.Marshal(res.JSON())
	var back struct {
		Exchange struct {
			Request struct {
				Method  string            `json:"method"`
				Headers map[string]string `json:"headers"`
			} `json:"request"`
			Preflight *struct{ Status int } `json:"preflightResponse"`
		} `json:"exchange"`
		Verdict fetch.Verdict `json:"verdict"`
	}
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	if back.Exchange.Request.Method != "put" || back.Exchange.Preflight == nil || back.Exchange.Preflight.Status != 204 || !back.Verdict.Allowed {
		t.Errorf("-json = %s", j)
	}
}

func TestStringBodyGetsTextPlain(t *testing.T) {
	srv, s := serve(t, nil, echo)
	res, err := Run(context.Background(), Options{Request: fetch.Request{Origin: origin, URL: srv.URL, Method: "POST"}, Body: "hi"})
	if err != nil || res.Err != nil || !res.Verdict.Allowed || res.Preflight != nil {
		t.Fatalf("Run: %v %v %+v", err, res.Err, res.Verdict)
	}
	reqs, bodies := s.all()
	if ct := reqs[0].Header.Get("Content-Type"); ct != "text/plain;charset=UTF-8" || bodies[0] != "hi" {
		t.Errorf("Content-Type %q body %q", ct, bodies[0])
	}
}

// TestRedirects: check follows a redirect chain as the browser does (Fetch
// §4.4), and what each server received shows it.
func TestRedirects(t *testing.T) {
	type got struct{ method, path, origin, auth, body string }
	var mu sync.Mutex
	var log []got
	record := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		log = append(log, got{r.Method, r.URL.Path, r.Header.Get("Origin"), r.Header.Get("Authorization"), string(b)})
	}
	// other is a server without CORS headers, except under /cors/.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		if strings.HasPrefix(r.URL.Path, "/cors/") {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
		}
		io.WriteString(w, "other\n")
	}))
	t.Cleanup(other.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT")
		h.Set("Access-Control-Allow-Headers", "authorization, content-type")
		h.Set("Access-Control-Expose-Headers", "X-Total")
		if r.Method == http.MethodOptions {
			w.WriteHeader(204)
			return
		}
		switch r.URL.Path {
		case "/express": // res.redirect(307, …) to a host without CORS
			http.Redirect(w, r, other.URL+"/data", http.StatusTemporaryRedirect)
		case "/express-cors":
			http.Redirect(w, r, other.URL+"/cors/data", http.StatusTemporaryRedirect)
		case "/items": // Django's APPEND_SLASH
			http.Redirect(w, r, "/items/", http.StatusMovedPermanently)
		case "/put":
			http.Redirect(w, r, "/put/", http.StatusTemporaryRedirect)
		case "/post":
			http.Redirect(w, r, "/done", http.StatusSeeOther)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			h.Set("X-Total", "3")
			io.WriteString(w, "final\n")
		}
	}))
	t.Cleanup(api.Close)
	bearer := [][2]string{{"Authorization", "Bearer t"}}
	tests := []struct {
		name     string
		req      fetch.Request
		body     string
		err      string
		readable []string
		log      []got
	}{
		{"Express 307 to a host without CORS", fetch.Request{Method: "GET", URL: api.URL + "/express"}, "", fetch.ErrMissingAllowOriginHeader, nil,
			[]got{{"GET", "/express", origin, "", ""}, {"GET", "/data", "null", "", ""}}},
		{"Django trailing-slash 301", fetch.Request{Method: "GET", URL: api.URL + "/items"}, "", "", []string{"content-length", "content-type", "x-total"},
			[]got{{"GET", "/items", origin, "", ""}, {"GET", "/items/", origin, "", ""}}},
		{"307 keeps PUT and its body, with a new preflight", fetch.Request{Method: "PUT", URL: api.URL + "/put"}, "x", "", []string{"content-length", "content-type", "x-total"},
			[]got{{"OPTIONS", "/put", origin, "", ""}, {"PUT", "/put", origin, "", "x"}, {"OPTIONS", "/put/", origin, "", ""}, {"PUT", "/put/", origin, "", "x"}}},
		{"303 turns POST into GET without the body", fetch.Request{Method: "POST", URL: api.URL + "/post"}, "x", "", []string{"content-length", "content-type", "x-total"},
			[]got{{"POST", "/post", origin, "", "x"}, {"GET", "/done", origin, "", ""}}},
		{"Authorization dropped on a cross-origin hop, Origin null, PUT preflighted again",
			fetch.Request{Method: "PUT", URL: api.URL + "/express-cors", Headers: bearer}, "", "", []string{"content-length", "content-type"},
			[]got{{"OPTIONS", "/express-cors", origin, "", ""}, {"PUT", "/express-cors", origin, "Bearer t", ""}, {"OPTIONS", "/cors/data", "null", "", ""}, {"PUT", "/cors/data", "null", "", ""}}},
		{"a redirect loop stops after 20 redirects", fetch.Request{Method: "GET", URL: api.URL + "/loop"}, "", fetch.ErrTypeError, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			log = nil
			mu.Unlock()
			req := tt.req
			req.Origin = origin
			res, err := Run(context.Background(), Options{Request: req, Body: tt.body, Timeout: 5 * time.Second})
			if err != nil || res.Err != nil {
				t.Fatal(err, res.Err)
			}
			if res.Verdict.Error != tt.err || (tt.readable != nil && !slices.Equal(res.Verdict.ReadableHeaders, tt.readable)) {
				t.Errorf("verdict %s readable %q, want %q %q\n%s", res.Verdict.Error, res.Verdict.ReadableHeaders, tt.err, tt.readable, res.Verdict.Message)
			}
			mu.Lock()
			seen := append([]got(nil), log...)
			mu.Unlock()
			if tt.log != nil && !slices.Equal(seen, tt.log) {
				t.Errorf("servers received\n%+v\nwant\n%+v", seen, tt.log)
			}
			if tt.log == nil && len(seen) != 21 {
				t.Errorf("a loop: %d requests, want 21", len(seen))
			}
			// explain gives the same verdict for the same chain.
			x, err := fetch.ParseExchange(MarshalExchange(res.Exchange))
			if err != nil {
				t.Fatalf("the exchange does not decode: %v\n%s", err, MarshalExchange(res.Exchange))
			}
			if v := fetch.Judge(x); v.Error != res.Verdict.Error || v.Message != res.Verdict.Message || !slices.Equal(v.ReadableHeaders, res.Verdict.ReadableHeaders) {
				t.Errorf("explain: %+v\ncheck: %+v", v, res.Verdict)
			}
			var out bytes.Buffer
			res.Text(&out, false)
			if n := len(res.Redirects); n > 0 && !strings.Contains(out.String(), fmt.Sprintf("redirect %d, followed", n)) {
				t.Errorf("text does not show hop %d:\n%s", n, out.String())
			}
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	closed, hang := checktest.ClosedURL(t), checktest.Hanging(t)

	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewUnstartedServer(echo)
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	tests := []struct {
		name, url, method string
		transport         http.RoundTripper
		want, wantMethod  string
	}{
		{"connection refused", closed, "GET", nil, "connection refused", "GET"},
		{"preflight refused", closed, "PUT", nil, "connection refused", "OPTIONS"},
		{"timeout", hang.URL, "GET", nil, "timed out: no answer within 200ms", "GET"},
		{"untrusted certificate", tlsSrv.URL, "GET", nil, "TLS error: certificate signed by an unknown authority", "GET"},
		{"https to a plain server", strings.Replace(plain.URL, "http:", "https:", 1), "GET", nil, "TLS error: the server answered in plain HTTP", "GET"},
		{"DNS", "http://no-such-host.invalid/", "GET", dialErr(&net.DNSError{Err: "no such host", Name: "no-such-host.invalid", IsNotFound: true}), `cannot resolve host "no-such-host.invalid": no such host`, "GET"},
		{"reset", "http://example.invalid/", "GET", dialErr(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), "connection reset", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Only the hanging server gets the short timeout: a TLS handshake on
			// a busy machine can take longer than 200ms.
			timeout := 10 * time.Second
			if tt.name == "timeout" {
				timeout = 200 * time.Millisecond
			}
			start := time.Now()
			res, err := Run(context.Background(), Options{Request: fetch.Request{Origin: origin, URL: tt.url, Method: tt.method}, Timeout: timeout, Transport: tt.transport})
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "timeout" && time.Since(start) > 5*time.Second {
				t.Errorf("took %v with a 200ms timeout", time.Since(start))
			}
			if res.Err == nil {
				t.Fatalf("no network error; verdict %+v", res.Verdict)
			}
			if !strings.Contains(res.Err.Reason, tt.want) || res.Err.Method != tt.wantMethod || !strings.HasPrefix(res.Err.Error(), tt.wantMethod+" "+tt.url) {
				t.Errorf("error = %q (%s), want %q on %s", res.Err.Error(), res.Err.Reason, tt.want, tt.wantMethod)
			}
			if res.Blocked() {
				t.Error("a network error counts as blocked")
			}
		})
	}
}

// dialErr is a transport that fails every request with err.
func dialErr(err error) http.RoundTripper { return failing{err} }

type failing struct{ err error }

func (f failing) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

func TestHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(echo)
	t.Cleanup(srv.Close)
	res, err := Run(context.Background(), Options{Request: fetch.Request{Origin: origin, URL: srv.URL + "/x", Method: "GET"}, Transport: srv.Client().Transport})
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	if !res.Verdict.Allowed || res.Actual.Proto == "" {
		t.Errorf("verdict %+v proto %q", res.Verdict, res.Actual.Proto)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{x509.UnknownAuthorityError{}, "TLS error: certificate signed by an unknown authority"},
		{x509.HostnameError{Certificate: &x509.Certificate{}, Host: "a.example"}, "TLS error: x509: certificate is not valid for any names"},
		{tls.RecordHeaderError{}, "TLS error: the server does not speak TLS"},
		{errors.New("http: server gave HTTP response to HTTPS client"), "TLS error: the server answered in plain HTTP"},
		{io.EOF, "the server closed the connection without an answer"},
		{context.DeadlineExceeded, "timed out: no answer within 1s"},
		{context.Canceled, "interrupted"},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, "connection refused"},
		{&net.OpError{Op: "dial", Err: errors.New("network is unreachable")}, "network is unreachable"},
	}
	for _, tt := range tests {
		if got := describe(tt.err, time.Second); !strings.HasPrefix(got, tt.want) {
			t.Errorf("describe(%v) = %q, want %q…", tt.err, got, tt.want)
		}
	}
}

func TestBadURL(t *testing.T) {
	for _, u := range []string{"ftp://x/", "/relative", "http://", "http://user:pw@host/", "::"} {
		if _, err := Run(context.Background(), Options{Request: fetch.Request{Origin: origin, URL: u, Method: "GET"}}); err == nil {
			t.Errorf("Run(%q) took it", u)
		}
	}
}

// Text marks the CORS headers and ends with the verdict.
func TestText(t *testing.T) {
	srv, _ := serve(t, echoPUT, echo)
	res, err := Run(context.Background(), Options{Request: fetch.Request{Origin: origin, URL: srv.URL + "/i", Method: "PUT", Headers: [][2]string{{"X-Trace", "1"}}}})
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	var plain, colour bytes.Buffer
	res.Text(&plain, false)
	res.Text(&colour, true)
	for _, want := range []string{
		"> OPTIONS " + srv.URL + "/i   (preflight)",
		"> ▸ Access-Control-Request-Method: PUT",
		"> ▸ Access-Control-Request-Headers: x-trace",
		">   Accept: */*",
		"< HTTP/1.1 204 No Content",
		"< ▸ Access-Control-Allow-Methods: GET, PUT",
		"> PUT " + srv.URL + "/i   (actual request)",
		">   X-Trace: 1",
		"< ▸ Access-Control-Allow-Origin: " + origin,
		"<   X-Total: 3",
		"(body: 6 bytes) hello\n",
		"Allowed: JavaScript gets the response.",
		"JavaScript can read: the status, the body and the headers content-length,\n  content-type, x-total.",
	} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, plain.String())
		}
	}
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(colour.String(), "\x1b[1;33mAccess-Control-Allow-Origin") {
		t.Errorf("colour only when asked:\n%s", colour.String())
	}
	row := res.Row()
	if row != (Row{Origin: origin, Method: "PUT", Preflight: "yes", Allowed: "yes"}) {
		t.Errorf("row = %+v", row)
	}
}

// TestHeadersAsSent: Go's client drops Connection: close and
// Transfer-Encoding from its header map; the probe records every line the
// server sent, so Expose-Headers: * lists them as Chromium does.
func TestHeadersAsSent(t *testing.T) {
	srv, _ := serve(t, nil, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "*")
		w.Header().Set("Connection", "close")
		w.Header().Add("X-Twice", "1")
		w.Header().Add("X-Twice", "2")
		w.WriteHeader(200)
		w.(http.Flusher).Flush() // chunked
		io.WriteString(w, "x")
	})
	for _, tlsOn := range []bool{false, true} {
		url := srv.URL
		var transport http.RoundTripper
		if tlsOn {
			ts := httptest.NewTLSServer(srv.Config.Handler)
			t.Cleanup(ts.Close)
			url, transport = ts.URL, ts.Client().Transport
		}
		res, err := Run(context.Background(), Options{Request: fetch.Request{Origin: origin, URL: url + "/", Method: "GET"}, Transport: transport, Timeout: 5 * time.Second})
		if err != nil || res.Err != nil {
			t.Fatal(err, res.Err)
		}
		want := []string{"access-control-allow-origin", "access-control-expose-headers", "connection", "date", "transfer-encoding", "x-twice"}
		if !slices.Equal(res.Verdict.ReadableHeaders, want) {
			t.Errorf("tls %v: readable %q, want %q", tlsOn, res.Verdict.ReadableHeaders, want)
		}
		if got := res.Actual.Response.Header["X-Twice"]; !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("X-Twice lines %q", got)
		}
	}
}

func TestRawHeader(t *testing.T) {
	for _, c := range []struct {
		name, in string
		status   int
		want     http.Header
	}{
		{"plain", "HTTP/1.1 200 OK\r\nConnection: close\r\nx-a:  1 \r\nX-A: 2\r\n\r\nbody", 200, http.Header{"Connection": {"close"}, "X-A": {"1", "2"}}},
		{"after a 103", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\nVary: Origin\r\n\r\n", 204, http.Header{"Vary": {"Origin"}}},
		{"no header lines", "HTTP/1.1 204 No Content\r\n\r\n", 204, http.Header{}},
		{"incomplete", "HTTP/1.1 200 OK\r\nX: 1\r\n", 200, nil},
		{"folded line", "HTTP/1.1 200 OK\r\nX: 1\r\n 2\r\n\r\n", 200, nil},
		{"another status", "HTTP/1.1 200 OK\r\n\r\n", 404, nil},
	} {
		got, ok := rawHeader([]byte(c.in), c.status)
		if ok != (c.want != nil) || ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, got, ok, c.want)
		}
	}
}
