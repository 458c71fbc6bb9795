package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/testsupport/checktest"
)

// corsServer answers preflights for PUT with content-type from any origin,
// and every request with Access-Control-Allow-Origin: {origin} — except
// from http://evil.example.
func corsServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "http://evil.example" {
			w.Header().Set("Access-Control-Allow-Origin", o)
		}
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "PUT")
			w.Header().Set("Access-Control-Allow-Headers", "content-type")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCheckCommand(t *testing.T) {
	t.Parallel()
	srv := corsServer(t)
	u := srv.URL + "/api/items/1"
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string // substrings
		stderrHas string
	}{
		{"allowed PUT", []string{"check", u, "-origin", "http://localhost:3000", "-method", "PUT", "-H", "Content-Type: application/json", "-body", "{}"},
			0, []string{"> OPTIONS " + u + "   (preflight)", "> ▸ Access-Control-Request-Headers: content-type", "> PUT " + u, "Allowed: JavaScript gets the response."}, ""},
		{"flags after and before the URL", []string{"check", "-origin", "http://localhost:3000", u, "-method", "get"},
			0, []string{"> GET " + u + "   (actual request)", "Preflight: no."}, ""},
		{"blocked at the preflight", []string{"check", u, "-origin", "http://localhost:3000", "-method", "DELETE"},
			1, []string{"Blocked by CORS: MethodDisallowedByPreflightResponse (DELETE)", "Fix: `Access-Control-Allow-Methods: PUT, DELETE`."}, ""},
		{"blocked origin", []string{"check", u, "-origin", "http://evil.example"},
			1, []string{"Blocked by CORS: MissingAllowOriginHeader."}, ""},
		{"table", []string{"check", u, "-origin", "http://localhost:3000", "-origin", "http://evil.example", "-method", "GET", "-method", "PUT"},
			1, []string{"ORIGIN                 METHOD  PREFLIGHT  ALLOWED  ERROR",
				"http://localhost:3000  GET     no         yes      -",
				"http://localhost:3000  PUT     yes        yes      -",
				"http://evil.example    GET     no         no       MissingAllowOriginHeader",
				"http://evil.example    PUT     yes        no       PreflightMissingAllowOriginHeader"}, ""},
		{"table all allowed", []string{"check", u, "-origin", "http://a.example", "-origin", "http://b.example"}, 0, []string{"http://b.example  GET     no         yes"}, ""},
		{"fetch() rejects", []string{"check", u, "-origin", "http://localhost:3000", "-method", "TRACE"}, 1, []string{"nothing sent", "Blocked: fetch() rejects"}, ""},
		{"client hint: no preflight in Chromium", []string{"check", u, "-origin", "http://localhost:3000", "-H", "DPR: 2"},
			0, []string{"Preflight: no.", "Allowed"}, ""},
		{"client hint: Firefox preflights it", []string{"check", u, "-origin", "http://localhost:3000", "-H", "DPR: 2", "-browser", "firefox"},
			1, []string{"> OPTIONS " + u + "   (preflight)", "Blocked by CORS: CORSMissingAllowHeaderFromPreflight (dpr)",
				"Firefox says:", "‘dpr’ is not allowed according to header"}, ""},
		{"client hint: WebKit preflights it", []string{"check", u, "-origin", "http://localhost:3000", "-H", "DPR: 2", "-browser", "webkit"},
			1, []string{"Blocked by CORS: HeaderNotAllowed (dpr)", "Safari (WebKit) says:\n  Request header field dpr is not allowed by"}, ""},
		{"unknown browser", []string{"check", u, "-origin", "http://a.example", "-browser", "lynx"}, 2, nil, `corslab check: -browser: unknown browser "lynx"`},
		{"help", []string{"check", "-h"}, 0, nil, "usage: corslab check URL"},
		{"no URL", []string{"check", "-origin", "http://a.example"}, 2, nil, "corslab check: missing the URL"},
		{"two URLs", []string{"check", u, u, "-origin", "http://a.example"}, 2, nil, "one URL at a time"},
		{"no origin", []string{"check", u}, 2, nil, "-origin is required"},
		{"origin with a path", []string{"check", u, "-origin", "http://a.example/"}, 2, nil, `corslab check: -origin: "http://a.example/" is not serialized as the browser does it: "http://a.example"`},
		{"origin with a longer path", []string{"check", u, "-origin", "http://host/app"}, 2, nil, `corslab check: -origin: "http://host/app" has a path (/app): an origin is scheme://host[:port], the page's URL without its path; use -origin http://host`},
		{"origin not an origin", []string{"check", u, "-origin", "localhost:3000"}, 2, nil, "-origin:"},
		{"unknown flag", []string{"check", u, "-origin", "http://a.example", "-X", "PUT"}, 2, nil, "flag provided but not defined: -X"},
		{"bad credentials", []string{"check", u, "-origin", "http://a.example", "-credentials", "yes"}, 2, nil, `-credentials "yes": want omit, same-origin or include`},
		{"bad header", []string{"check", u, "-origin", "http://a.example", "-H", "NoColon"}, 2, nil, `-H "NoColon": want 'Name: value'`},
		{"bad timeout", []string{"check", u, "-origin", "http://a.example", "-timeout", "0s"}, 2, nil, "-timeout 0s: must be more than 0"},
		{"body on GET", []string{"check", u, "-origin", "http://a.example", "-body", "x"}, 2, nil, "fetch() refuses a body on GET and HEAD"},
		{"ftp URL", []string{"check", "ftp://x/", "-origin", "http://a.example"}, 2, nil, `"ftp://x/": want an absolute http:// or https:// URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("stderr = %q, want %q", errOut, tt.stderrHas)
			}
			if tt.code == 2 && tt.name != "help" && strings.Count(errOut, "\n") != 1 {
				t.Errorf("want one line on stderr, got %q", errOut)
			}
		})
	}
}

// check -json prints {"exchange", "verdict"}, and `corslab explain` on the
// exchange prints the same verdict.
func TestCheckJSONEqualsExplain(t *testing.T) {
	t.Parallel()
	srv := corsServer(t)
	for _, args := range [][]string{
		{"-method", "PUT", "-H", "Content-Type: application/json", "-H", "X-Trace: 1"},
		{"-method", "PUT", "-H", "Content-Type: application/json"},
		{"-credentials", "include"},
		{"-H", "Cookie: dropped=1"},
		{},
	} {
		args := append([]string{"check", srv.URL + "/x", "-origin", "http://localhost:3000", "-json"}, args...)
		code, out, errOut := runCmd(t, "", args...)
		if code == 2 {
			t.Fatalf("%v: exit 2: %s", args, errOut)
		}
		var got struct {
			Exchange json.RawMessage `json:"exchange"`
			Verdict  json.RawMessage `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		for _, in := range []string{string(got.Exchange), out} { // the exchange, or the whole output piped in
			ecode, eout, eerr := runCmd(t, in, "explain")
			if ecode != 0 {
				t.Fatalf("explain: exit %d: %s", ecode, eerr)
			}
			if a, b := compact(t, eout), compact(t, string(got.Verdict)); a != b {
				t.Errorf("%v:\nexplain: %s\ncheck:   %s", args, a, b)
			}
		}
		var v struct{ Allowed bool }
		json.Unmarshal(got.Verdict, &v)
		if (code == 0) != v.Allowed {
			t.Errorf("%v: exit %d with allowed %v", args, code, v.Allowed)
		}
	}
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return b.String()
}

func TestCheckNetworkErrors(t *testing.T) {
	t.Parallel()
	closed, hang := checktest.ClosedURL(t), checktest.Hanging(t)

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check", closed, "-origin", "http://a.example"}, "corslab check: GET " + closed + ": connection refused"},
		{[]string{"check", closed, "-origin", "http://a.example", "-method", "PUT"}, "corslab check: OPTIONS " + closed + ": connection refused"},
		{[]string{"check", hang.URL, "-origin", "http://a.example", "-timeout", "200ms"}, "corslab check: GET " + hang.URL + ": timed out: no answer within 200ms"},
		{[]string{"check", hang.URL, "-origin", "http://a.example", "-timeout", "200ms", "-json"}, "corslab check: GET " + hang.URL + ": timed out"},
	}
	for _, tt := range tests {
		code, out, errOut := runCmd(t, "", tt.args...)
		if code != 2 || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tt.args, code, errOut, tt.want)
		}
		if reason := strings.TrimPrefix(errOut, "corslab check: "); !slices.Contains(tt.args, "-json") && strings.Contains(out, strings.TrimSpace(reason)) {
			t.Errorf("%v: the error is on stdout too (say it once):\n%s", tt.args, out)
		}
		if strings.Contains(strings.Join(tt.args, " "), "-json") && !strings.Contains(out, `"error": "GET `) {
			t.Errorf("-json output lacks the error: %s", out)
		}
	}
	// In a table, a network error is a row, and the exit status is 2.
	code, out, _ := runCmd(t, "", "check", closed, "-origin", "http://a.example", "-origin", "http://b.example")
	if code != 2 || !strings.Contains(out, "http://b.example  GET     no         -        connection refused") {
		t.Errorf("table: exit %d:\n%s", code, out)
	}
}

// https works, with the server's certificate pool through the test hook.
func TestCheckHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	srv.StartTLS()
	defer srv.Close()
	code, out, errOut := runCmd(t, "", "check", srv.URL, "-origin", "http://a.example")
	if code != 2 || !strings.Contains(errOut, "TLS error: certificate signed by an unknown authority") {
		t.Errorf("untrusted: exit %d %q %s", code, errOut, out)
	}
	checkTransport = srv.Client().Transport
	defer func() { checkTransport = nil }()
	if code, out, errOut := runCmd(t, "", "check", srv.URL, "-origin", "http://a.example"); code != 0 || !strings.Contains(out, "Allowed") {
		t.Errorf("trusted: exit %d %s %s", code, out, errOut)
	}
}

// check follows redirects as the browser does, shows every hop, and its
// -json output piped into explain gives the same verdict (issue 16).
func TestCheckRedirectChains(t *testing.T) {
	t.Parallel()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("no CORS here\n"))
	}))
	t.Cleanup(bare.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		switch r.URL.Path {
		case "/express":
			http.Redirect(w, r, bare.URL+"/data", http.StatusTemporaryRedirect)
		case "/items":
			http.Redirect(w, r, "/items/", http.StatusMovedPermanently)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	t.Cleanup(api.Close)
	for _, tt := range []struct {
		path string
		code int
		text []string
	}{
		{"/express", exitBlocked, []string{"(redirect 1, followed as the browser does)", "> ▸ Origin: null", "MissingAllowOriginHeader", "(redirected from"}},
		{"/items", exitOK, []string{"< ▸ Location: /items/", "> GET " + api.URL + "/items/   (redirect 1", "Allowed"}},
	} {
		code, out, errOut := runCmd(t, "", "check", api.URL+tt.path, "-origin", "http://localhost:3000")
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", tt.path, code, tt.code, out, errOut)
		}
		for _, w := range tt.text {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.path, w, out)
			}
		}
		_, jout, _ := runCmd(t, "", "check", api.URL+tt.path, "-origin", "http://localhost:3000", "-json")
		ecode, eout, eerr := runCmd(t, jout, "explain")
		var got struct{ Verdict json.RawMessage }
		json.Unmarshal([]byte(jout), &got)
		if ecode != 0 || compact(t, eout) != compact(t, string(got.Verdict)) {
			t.Errorf("%s: check -json | explain: exit %d %s\n%s\nwant %s", tt.path, ecode, eerr, eout, got.Verdict)
		}
	}
}
