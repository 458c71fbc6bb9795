package har

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
)

func analyzeFile(t *testing.T, name string) (*Report, error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Analyze(f)
}

func TestAnalyze(t *testing.T) {
	type want struct {
		method, url string
		preflightEntry,
		entry int // -1: none
		allowed     bool
		err, param  string
		credentials string
		headers     string // the page's headers, "name=value;…"
		recorded    string
		ifCred      string // IfCredentials' error, "-" when nil
	}
	tests := []struct {
		file    string
		browser string
		entries int
		want    []want
	}{
		{"chromium-put-blocked.har", "chromium", 4, []want{
			{"PUT", "http://localhost:8081/api/items/1", 1, 0, false, fetch.ErrMethodDisallowedByPreflightResponse, "PUT", "same-origin",
				"Content-Type=application/json;X-Trace=1", "net::ERR_FAILED", "-"},
			{"GET", "http://localhost:8081/api/items?page=2", -1, 2, true, "", "", "same-origin", "", "", "-"},
		}},
		{"chromium-preflight-401.har", "chromium", 2, []want{
			{"GET", "http://localhost:36827/api/items", 0, 1, false, fetch.ErrPreflightInvalidStatus, "", "same-origin",
				"authorization=Bearer secret-token", "net::ERR_FAILED", "-"},
		}},
		{"chromium-wildcard-credentials.har", "chromium", 1, []want{
			{"GET", "http://localhost:44535/api/me", -1, 0, false, fetch.ErrWildcardOriginNotAllowed, "", "include", "", "net::ERR_FAILED", "-"},
		}},
		{"chromium-sanitized.har", "chromium", 2, []want{
			{"GET", "https://api.example/me", 1, 0, true, "", "", "same-origin", "authorization=", "", "-"},
		}},
		{"redirect.har", "chromium", 4, []want{
			{"GET", "http://b.test/r", -1, 0, false, fetch.ErrAllowOriginMismatch, "http://a.test", "same-origin", "", "net::ERR_FAILED", "-"},
			{"GET", "http://b.test/r2", -1, 2, true, "", "", "same-origin", "", "", "-"},
		}},
		{"firefox-lab.har", "firefox", 9, []want{
			{"POST", "http://localhost:38979/api/login", -1, 2, true, "", "", "same-origin", "", "", fetch.ErrWildcardOriginNotAllowed},
			{"PUT", "http://localhost:38979/api/items/1", 4, 3, false, fetch.ErrMethodDisallowedByPreflightResponse, "PUT", "same-origin",
				"Content-Type=application/json", "", "-"},
			{"GET", "http://localhost:38979/api/items?page=2", -1, 5, true, "", "", "same-origin", "", "", fetch.ErrWildcardOriginNotAllowed},
			{"GET", "http://localhost:38979/api/me", -1, 6, false, fetch.ErrWildcardOriginNotAllowed, "", "include", "", "", "-"},
		}},
		{"firefox-credentials.har", "firefox", 1, []want{
			{"GET", "http://localhost:8081/api/me", 0, -1, false, fetch.ErrPreflightWildcardOriginNotAllowed, "", "include",
				"authorization=", "the request itself is not in the file: its preflight failed", "-"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := analyzeFile(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Browser != tt.browser || rep.Log.Entries != tt.entries {
				t.Errorf("browser %q, %d entries; want %q, %d", rep.Browser, rep.Log.Entries, tt.browser, tt.entries)
			}
			if len(rep.Exchanges) != len(tt.want) {
				t.Fatalf("%d exchanges, want %d", len(rep.Exchanges), len(tt.want))
			}
			for i, w := range tt.want {
				x := rep.Exchanges[i]
				r := x.Exchange.Request
				var hs []string
				for _, h := range r.Headers {
					hs = append(hs, h[0]+"="+h[1])
				}
				idx := func(e *Entry) int {
					if e == nil {
						return -1
					}
					return e.Index
				}
				ifCred := "-"
				if x.IfCredentials != nil {
					ifCred = x.IfCredentials.Error
				}
				got := want{r.Method, r.URL, idx(x.Preflight), idx(x.Entry), x.Verdict.Allowed, x.Verdict.Error,
					x.Verdict.FailedParameter, r.Credentials, strings.Join(hs, ";"), x.Recorded, ifCred}
				if got != w {
					t.Errorf("exchange %d:\n got %+v\nwant %+v\nnotes %q", i, got, w, x.Notes)
				}
				// What the model says for the exchange is what explain says
				// for it: the verdict is Judge's, nothing of the reader's own.
				if v := fetch.Judge(x.Exchange); v.Error != x.Verdict.Error || v.Allowed != x.Verdict.Allowed {
					t.Errorf("exchange %d: verdict %+v differs from Judge %+v", i, x.Verdict, v)
				}
			}
		})
	}
}

func TestReplayBody(t *testing.T) {
	rep, err := analyzeFile(t, "chromium-put-blocked.har")
	if err != nil {
		t.Fatal(err)
	}
	e := rep.Exchanges[1].Entry
	if string(e.Response.Body) != `{"items":[]}` || e.Response.BodyTruncated {
		t.Errorf("body %q truncated=%v; want the base64-decoded text", e.Response.Body, e.Response.BodyTruncated)
	}
}

func TestNothingCrossOrigin(t *testing.T) {
	rep, err := analyzeFile(t, "same-origin.har")
	if !errors.Is(err, ErrNothingCrossOrigin) || rep == nil || rep.Log.Entries != 1 {
		t.Fatalf("got %v, %+v; want ErrNothingCrossOrigin with the log read", err, rep)
	}
}

// An export whose actual request needs a preflight that the file does not
// hold (a preflight-cache hit) is judged as if that preflight passed.
func TestMissingPreflightInferred(t *testing.T) {
	const har = `{"log":{"creator":{"name":"WebInspector"},"entries":[{"request":{"method":"DELETE","url":"http://b.test/x",
	"headers":[{"name":"Origin","value":"http://a.test"}]},"response":{"status":200,"headers":[{"name":"Access-Control-Allow-Origin","value":"http://a.test"}]}}]}}`
	rep, err := Analyze(strings.NewReader(har))
	if err != nil {
		t.Fatal(err)
	}
	x := rep.Exchanges[0]
	if !x.Verdict.Allowed || x.Exchange.Preflight == nil || len(x.Notes) == 0 || !strings.Contains(x.Notes[0], "no preflight") {
		t.Errorf("verdict %+v, preflight %+v, notes %q", x.Verdict, x.Exchange.Preflight, x.Notes)
	}
}

func TestBadInput(t *testing.T) {
	entry := func(s string) string { return `{"log":{"entries":[` + s + `]}}` }
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty file, not a HAR"},
		{"not JSON", "GET / HTTP/1.1", "not JSON: invalid character 'G'"},
		{"array", "[]", "not a HAR: the file must be a JSON object"},
		{"no log", `{"x":1}`, "not a HAR: no \"log\" field"},
		{"log not object", `{"log":[]}`, "log: must be an object"},
		{"no entries", `{"log":{"version":"1.2"}}`, "log.entries: missing"},
		{"entries not array", `{"log":{"entries":{}}}`, "log.entries: must be an array"},
		{"entry not object", entry(`1`), "log.entries[0]: must be an object, not a number"},
		{"request missing", entry(`{}`), "log.entries[0].request: missing"},
		{"request a string", entry(`{"request":"GET /"}`), "log.entries[0].request: must be an object, not a string"},
		{"url missing", entry(`{"request":{"method":"GET"}}`), "log.entries[0].request.url: missing"},
		{"method a number", entry(`{"request":{"method":1,"url":"x"}}`), "log.entries[0].request.method: must be a string, not a number"},
		{"header no value", entry(`{"request":{"method":"GET","url":"x","headers":[{"name":"A"}]}}`), "log.entries[0].request.headers[0].value: missing"},
		{"headers object", entry(`{"request":{"method":"GET","url":"x","headers":{"A":"b"}}}`), "log.entries[0].request.headers: must be an array"},
		{"status missing", entry(`{"request":{"method":"GET","url":"x"},"response":{}}`), "log.entries[0].response.status: missing"},
		{"status string", entry(`{"request":{"method":"GET","url":"x"},"response":{"status":"200"}}`), "log.entries[0].response.status: must be a number, not a string"},
		{"status 999", entry(`{"request":{"method":"GET","url":"x"},"response":{"status":999}}`), "log.entries[0].response.status: must be 0 or an integer from 100 to 599"},
		{"bad base64", entry(`{"request":{"method":"GET","url":"x"},"response":{"status":200,"content":{"text":"@@","encoding":"base64"}}}`), "log.entries[0].response.content.text: encoding is base64 but the text is not valid base64"},
		{"second entry", entry(`{"request":{"method":"GET","url":"x"}},{"request":{"url":"y"}}`), "log.entries[1].request.method: missing"},
		{"truncated", `{"log":{"entries":[{"request":{"method":"GET","url":"x"},"response":{"status":200,"content":{"text":"abc`, "log.entries[0]: unexpected end of file (the HAR is truncated)"},
		{"truncated between", `{"log":{"entries":[{"request":{"method":"GET","url":"x"}},`, "unexpected end of file (the HAR is truncated)"},
		{"trailing", `{"log":{"entries":[]}} {}`, "unexpected data after the HAR object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Analyze(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q; want one line containing %q", msg, tt.want)
			}
		})
	}
}

func TestHeadersOfThePage(t *testing.T) {
	sent := [][2]string{{":authority", "b"}, {"accept", "*/*"}, {"cache-control", "no-cache"}, {"sec-ch-ua", "x"},
		{"priority", "u=1, i"}, {"x-trace", "1"}, {"user-agent", "UA"}, {"Cache-Control", "max-age=0"}}
	tests := []struct {
		requested []string
		want      string
	}{
		{nil, "x-trace=1"},
		{[]string{"cache-control", "x-trace", "accept"}, "accept=*/*;cache-control=no-cache;x-trace=1;Cache-Control=max-age=0"},
	}
	for _, tt := range tests {
		kept, _ := pageHeaders(sent, tt.requested)
		var got []string
		for _, h := range kept {
			got = append(got, h[0]+"="+h[1])
		}
		if g := strings.Join(got, ";"); g != tt.want {
			t.Errorf("requested %q: got %q, want %q", tt.requested, g, tt.want)
		}
	}
}
