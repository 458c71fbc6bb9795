package siteB

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
)

// recorder is a Recorder that keeps everything and says when it grows.
type recorder struct {
	mu        sync.Mutex
	exchanges []*journal.Exchange
	policies  []policyChange
	grew      chan struct{} // a token after each Record
}

type policyChange struct {
	by  string
	doc string
}

func newRecorder() *recorder { return &recorder{grew: make(chan struct{}, 1)} }

func (r *recorder) Record(x *journal.Exchange) {
	r.mu.Lock()
	r.exchanges = append(r.exchanges, x)
	r.mu.Unlock()
	select {
	case r.grew <- struct{}{}:
	default:
	}
}

func (r *recorder) PolicyChanged(by string, document []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.policies = append(r.policies, policyChange{by, string(document)})
}

func (r *recorder) policyChanges() []policyChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.policies)
}

// waitExchanges waits until n exchanges are recorded and returns them.
// Site B records after the response is sent, so a client may get there first.
func (r *recorder) waitExchanges(t *testing.T, n int) []*journal.Exchange {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		got := slices.Clone(r.exchanges)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.grew:
		case <-timeout:
			t.Fatalf("%d exchanges recorded, want %d", len(got), n)
		}
	}
}

// site is site B on an httptest server.
type site struct {
	s      *Server
	rec    *recorder
	ts     *httptest.Server
	client *http.Client
	n      int // exchanges made so far
}

func newSite(t *testing.T, policy string) *site {
	t.Helper()
	rec := newRecorder()
	s := New(rec)
	if policy != "" {
		if err := s.ReplacePolicy([]byte(policy), "test"); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	return &site{s: s, rec: rec, ts: ts, client: client}
}

type response struct {
	status int
	header http.Header
	body   string
	x      *journal.Exchange // as recorded
}

// do sends a request and waits for site B to record it.
func (st *site) do(t *testing.T, method, path string, header http.Header, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, st.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := st.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	st.n++
	xs := st.rec.waitExchanges(t, st.n)
	return response{resp.StatusCode, resp.Header, string(b), xs[st.n-1]}
}

// names lists the items, through the API.
func (st *site) names(t *testing.T) []string {
	t.Helper()
	r := st.do(t, "GET", "/api/items", nil, "")
	var items []Item
	if err := json.Unmarshal([]byte(r.body), &items); err != nil {
		t.Fatalf("GET /api/items: %v: %s", err, r.body)
	}
	out := []string{}
	for _, it := range items {
		out = append(out, it.Name)
	}
	return out
}

var initialNames = []string{"apple", "banana", "cherry"}

// hasHeaders fails unless every header in want is in got with exactly those values.
func hasHeaders(t *testing.T, what string, got, want http.Header) {
	t.Helper()
	for k, vs := range want {
		if !slices.Equal(got.Values(k), vs) {
			t.Errorf("%s %s = %q, want %q", what, k, got.Values(k), vs)
		}
	}
}

func TestPreflightNeverReachesAnEndpoint(t *testing.T) {
	const origin = "http://localhost:7070"
	preflight := func(method string, more ...string) http.Header {
		h := http.Header{"Origin": {origin}, "Access-Control-Request-Method": {method}}
		for i := 0; i < len(more); i += 2 {
			h.Set(more[i], more[i+1])
		}
		return h
	}
	tests := []struct {
		desc       string
		policy     string
		path       string
		header     http.Header
		wantStatus int
		want       http.Header
		wantAbsent []string
	}{
		{"closed policy: 204 and no CORS headers", "", "/api/items", preflight("PUT"), 204,
			http.Header{}, []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Allow"}},
		{"status 200 on OPTIONS /api/items does not run an endpoint",
			`{"preflight": {"status": 200, "headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "{request-method}"}},
			  "actual": {"headers": {"X-Actual": "yes"}}}`,
			"/api/items", preflight("POST"), 200,
			http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Allow-Methods": {"POST"}},
			[]string{"X-Actual", "X-Total", "Location"}},
		{"a DELETE's preflight deletes nothing",
			`{"preflight": {"headers": {"Access-Control-Allow-Methods": ["GET", "DELETE"]}}}`,
			"/api/items/1", preflight("DELETE"), 204,
			http.Header{"Access-Control-Allow-Methods": {"GET", "DELETE"}}, nil},
		{"a PUT's preflight renames nothing",
			`{"preflight": {"headers": {"Access-Control-Allow-Headers": "{request-headers}"}}}`,
			"/api/items/2", preflight("PUT", "Access-Control-Request-Headers", "content-type"), 204,
			http.Header{"Access-Control-Allow-Headers": {"content-type"}}, nil},
		{"a path the API does not have", `{"preflight": {"status": 204, "headers": {"X-Pre": "p"}}}`,
			"/no/such/path", preflight("GET"), 204, http.Header{"X-Pre": {"p"}}, nil},
		{"a redirect", `{"preflight": {"status": 301, "headers": {"Location": "http://elsewhere.example/"}}}`,
			"/api/items", preflight("PUT"), 301, http.Header{"Location": {"http://elsewhere.example/"}}, nil},
		{"a failing status", `{"preflight": {"status": 403}}`, "/api/items", preflight("PUT"), 403, http.Header{}, nil},
		{"no Origin: the {origin} line is dropped",
			`{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Max-Age": "5"}}}`,
			"/api/items", http.Header{"Access-Control-Request-Method": {"PUT"}}, 204,
			http.Header{"Access-Control-Max-Age": {"5"}}, []string{"Access-Control-Allow-Origin"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, tt.policy)
			r := st.do(t, "OPTIONS", tt.path, tt.header, "")
			if r.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", r.status, tt.wantStatus)
			}
			if r.body != "" {
				t.Errorf("body = %q, want none", r.body)
			}
			hasHeaders(t, "response", r.header, tt.want)
			hasHeaders(t, "recorded", r.x.ResponseHeader, tt.want)
			for _, k := range tt.wantAbsent {
				if v, ok := r.header[k]; ok {
					t.Errorf("response has %s: %q", k, v)
				}
			}
			if !r.x.Preflight || r.x.Status != tt.wantStatus || r.x.Effect != nil {
				t.Errorf("recorded preflight %v, status %d, effect %q", r.x.Preflight, r.x.Status, r.x.Effect.String())
			}
			if got := st.names(t); !slices.Equal(got, initialNames) {
				t.Errorf("items after a preflight: %v, want %v", got, initialNames)
			}
		})
	}
}

func TestPlainOptionsGoesToTheAPI(t *testing.T) {
	st := newSite(t, `{"preflight": {"status": 200, "headers": {"X-Pre": "p"}}, "actual": {"headers": {"X-Act": "a"}}}`)
	r := st.do(t, "OPTIONS", "/api/items", http.Header{"Origin": {"http://localhost:7070"}}, "")
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("status = %d, want 405 from the API", r.status)
	}
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q, want the API's methods", allow)
	}
	hasHeaders(t, "response", r.header, http.Header{"X-Act": {"a"}})
	if _, ok := r.header["X-Pre"]; ok {
		t.Error("a plain OPTIONS got the preflight headers")
	}
	if r.x.Preflight {
		t.Error("recorded as a preflight")
	}
}

func TestActualHeadersOnEveryResponse(t *testing.T) {
	const origin = "http://localhost:7070"
	policy := `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Expose-Headers": ["X-Total", "Location"], "Vary": "Origin"}}}`
	want := http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Expose-Headers": {"X-Total", "Location"}, "Vary": {"Origin"}}
	tests := []struct {
		desc       string
		method     string
		path       string
		ctype      string
		body       string
		wantStatus int
	}{
		{"the list", "GET", "/api/items", "", "", 200},
		{"the help", "GET", "/", "", "", 200},
		{"created", "POST", "/api/items", "text/plain", "kiwi", 201},
		{"no such item", "GET", "/api/items/99", "", "", 404},
		{"no such path", "GET", "/nope", "", "", 404},
		{"method not allowed", "PUT", "/api/items", "", "", 405},
		{"body too large", "POST", "/api/items", "text/plain", strings.Repeat("x", MaxBody+1), 413},
		{"bad item id", "GET", "/api/items/x", "", "", 400},
		{"not logged in", "GET", "/api/me", "", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, policy)
			h := http.Header{"Origin": {origin}}
			if tt.ctype != "" {
				h.Set("Content-Type", tt.ctype)
			}
			r := st.do(t, tt.method, tt.path, h, tt.body)
			if r.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", r.status, tt.wantStatus)
			}
			hasHeaders(t, "response", r.header, want)
			hasHeaders(t, "recorded", r.x.ResponseHeader, want)
			if r.x.Status != tt.wantStatus {
				t.Errorf("recorded status %d, want %d", r.x.Status, tt.wantStatus)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	type step struct {
		method, path, ctype, body string
	}
	tests := []struct {
		desc       string
		req        step
		wantStatus int
		wantBody   string // a substring
		wantEffect string
		wantNames  []string
	}{
		{"create from a form", step{"POST", "/api/items", "application/x-www-form-urlencoded", "name=kiwi"},
			201, `{"id":4,"name":"kiwi"}`, `created item 4 "kiwi"`, []string{"apple", "banana", "cherry", "kiwi"}},
		{"create from JSON", step{"POST", "/api/items", "application/json", `{"name": "kiwi"}`},
			201, `{"id":4,"name":"kiwi"}`, `created item 4 "kiwi"`, []string{"apple", "banana", "cherry", "kiwi"}},
		{"create from JSON with a charset", step{"POST", "/api/items", "application/json; charset=utf-8", `{"name": "kiwi"}`},
			201, `"kiwi"`, `created item 4 "kiwi"`, []string{"apple", "banana", "cherry", "kiwi"}},
		{"create from text/plain", step{"POST", "/api/items", "text/plain;charset=UTF-8", "  kiwi\n"},
			201, `"kiwi"`, `created item 4 "kiwi"`, []string{"apple", "banana", "cherry", "kiwi"}},
		{"create with no content type", step{"POST", "/api/items", "", "kiwi"},
			201, `"kiwi"`, `created item 4 "kiwi"`, []string{"apple", "banana", "cherry", "kiwi"}},
		{"create with an empty body", step{"POST", "/api/items", "text/plain", ""},
			201, `"unnamed"`, `created item 4 "unnamed"`, []string{"apple", "banana", "cherry", "unnamed"}},
		{"create with a name of MaxName bytes", step{"POST", "/api/items", "text/plain", strings.Repeat("n", MaxName)},
			201, `"id":4`, fmt.Sprintf("created item 4 %q", strings.Repeat("n", MaxName)), []string{"apple", "banana", "cherry", strings.Repeat("n", MaxName)}},
		{"create with a name over MaxName", step{"POST", "/api/items", "text/plain", strings.Repeat("n", MaxName+1)},
			400, `"error":"name: longer than 200 bytes"`, "", initialNames},
		{"create with bad JSON", step{"POST", "/api/items", "application/json", `{"name": 5}`},
			400, `not JSON`, "", initialNames},
		{"create with a body over MaxBody", step{"POST", "/api/items", "text/plain", strings.Repeat("x", MaxBody+1)},
			413, `"error":"body: larger than 65536 bytes"`, "", initialNames},
		{"create with a form over MaxBody", step{"POST", "/api/items", "application/x-www-form-urlencoded", "name=" + strings.Repeat("x", MaxBody)},
			413, `larger than`, "", initialNames},
		{"rename with PUT", step{"PUT", "/api/items/2", "application/json", `{"name": "blueberry"}`},
			200, `{"id":2,"name":"blueberry"}`, `renamed item 2 from "banana" to "blueberry"`, []string{"apple", "blueberry", "cherry"}},
		{"rename with PATCH", step{"PATCH", "/api/items/3", "application/x-www-form-urlencoded", "name=cranberry"},
			200, `{"id":3,"name":"cranberry"}`, `renamed item 3 from "cherry" to "cranberry"`, []string{"apple", "banana", "cranberry"}},
		{"rename a missing item", step{"PUT", "/api/items/99", "text/plain", "x"},
			404, `no item 99`, "", initialNames},
		{"rename with a bad id", step{"PUT", "/api/items/one", "text/plain", "x"},
			400, `item id must be a number`, "", initialNames},
		{"rename with a body over MaxBody", step{"PUT", "/api/items/1", "text/plain", strings.Repeat("x", MaxBody+1)},
			413, `larger than`, "", initialNames},
		{"delete", step{"DELETE", "/api/items/1", "", ""},
			200, `{"id":1,"name":"apple"}`, `deleted item 1 "apple"`, []string{"banana", "cherry"}},
		{"delete a missing item", step{"DELETE", "/api/items/99", "", ""},
			404, `no item 99`, "", initialNames},
		{"get one", step{"GET", "/api/items/3", "", ""},
			200, `{"id":3,"name":"cherry"}`, "", initialNames},
		{"help", step{"GET", "/", "", ""},
			200, `corslab site B`, "", initialNames},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, "")
			h := http.Header{}
			if tt.req.ctype != "" {
				h.Set("Content-Type", tt.req.ctype)
			}
			r := st.do(t, tt.req.method, tt.req.path, h, tt.req.body)
			if r.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", r.status, tt.wantStatus)
			}
			if !strings.Contains(r.body, tt.wantBody) {
				t.Errorf("body = %.200q, want it to contain %q", r.body, tt.wantBody)
			}
			if r.x.Effect.String() != tt.wantEffect {
				t.Errorf("effect = %q, want %q", r.x.Effect.String(), tt.wantEffect)
			}
			if got := st.names(t); !slices.Equal(got, tt.wantNames) {
				t.Errorf("items = %.200q, want %.200q", got, tt.wantNames)
			}
			if tt.wantStatus == 201 {
				if loc := r.header.Get("Location"); loc != "/api/items/4" {
					t.Errorf("Location = %q", loc)
				}
			}
		})
	}
}

func TestItemListIsCapped(t *testing.T) {
	st := newSite(t, "")
	const extra = 5
	created := MaxItems - len(initialNames) + extra
	for i := range created {
		if r := st.do(t, "POST", "/api/items", http.Header{"Content-Type": {"text/plain"}}, fmt.Sprint("item", i)); r.status != 201 {
			t.Fatalf("create %d: %d %s", i, r.status, r.body)
		}
	}
	r := st.do(t, "GET", "/api/items", nil, "")
	var items []Item
	if err := json.Unmarshal([]byte(r.body), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != MaxItems || r.header.Get("X-Total") != strconv.Itoa(MaxItems) {
		t.Fatalf("%d items, X-Total %q; want %d", len(items), r.header.Get("X-Total"), MaxItems)
	}
	// The oldest are forgotten: the three fruit and the first extra-3 created.
	lastID := len(initialNames) + created
	if first, last := items[0].ID, items[MaxItems-1].ID; first != lastID-MaxItems+1 || last != lastID {
		t.Errorf("ids %d..%d, want %d..%d", first, last, lastID-MaxItems+1, lastID)
	}
	if r := st.do(t, "GET", "/api/items/1", nil, ""); r.status != 404 {
		t.Errorf("the oldest item is still there: %d", r.status)
	}
}

func TestXTotal(t *testing.T) {
	st := newSite(t, "")
	tests := []struct {
		desc   string
		method string
		path   string
		want   string
	}{
		{"initially", "", "", "3"},
		{"after a create", "POST", "/api/items", "4"},
		{"after a delete", "DELETE", "/api/items/1", "3"},
		{"after a second delete", "DELETE", "/api/items/2", "2"},
	}
	for _, tt := range tests { // steps on one site, in order
		if tt.method != "" {
			st.do(t, tt.method, tt.path, nil, "")
		}
		if got := st.do(t, "GET", "/api/items", nil, "").header.Get("X-Total"); got != tt.want {
			t.Errorf("%s: X-Total = %q, want %q", tt.desc, got, tt.want)
		}
	}
}

func TestLoginAndMe(t *testing.T) {
	st := newSite(t, "")
	tests := []struct {
		desc       string
		method     string
		path       string
		wantStatus int
		wantBody   string
		wantEffect string
	}{
		{"me without the cookie", "GET", "/api/me", 401, "not logged in", ""},
		{"log in", "POST", "/api/login", 200, `"user":"learner"`, "logged in: set cookie " + SessionCookie},
		{"me with the cookie", "GET", "/api/me", 200, `"secret"`, ""},
		{"log out", "POST", "/api/logout", 200, `"user":""`, "logged out"},
		{"me after logging out", "GET", "/api/me", 401, "not logged in", ""},
		{"log in again", "POST", "/api/login", 200, `"user":"learner"`, "logged in: set cookie " + SessionCookie},
		// A GET changes nothing: any site's <img src=…/api/login> would
		// otherwise replace the learner's session (log them out).
		{"a GET does not log in", "GET", "/api/login", 405, "", ""},
		{"a GET does not log out", "GET", "/api/logout", 405, "", ""},
		{"me still logged in", "GET", "/api/me", 200, `"secret"`, ""},
	}
	for _, tt := range tests { // steps on one site and one cookie jar, in order
		r := st.do(t, tt.method, tt.path, nil, "")
		if r.status != tt.wantStatus || !strings.Contains(r.body, tt.wantBody) || r.x.Effect.String() != tt.wantEffect {
			t.Errorf("%s: %d %q effect %q; want %d, %q, effect %q", tt.desc, r.status, r.body, r.x.Effect.String(), tt.wantStatus, tt.wantBody, tt.wantEffect)
		}
		if strings.HasSuffix(tt.path, "/login") && tt.method == "POST" {
			c := r.header.Get("Set-Cookie")
			for _, want := range []string{SessionCookie + "=", "HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(c, want) {
					t.Errorf("%s: Set-Cookie %q lacks %q", tt.desc, c, want)
				}
			}
		}
	}
	// A cookie site B never issued is no session.
	u, _ := url.Parse(st.ts.URL)
	st.client.Jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: "forged"}})
	if r := st.do(t, "GET", "/api/me", nil, ""); r.status != 401 {
		t.Errorf("forged cookie: %d, want 401", r.status)
	}
}

func TestRecordedExchange(t *testing.T) {
	const origin = "http://localhost:7070"
	policy := `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Expose-Headers": "X-Total"}}}`
	tests := []struct {
		desc          string
		method, path  string
		header        http.Header
		wantPreflight bool
		wantStatus    int
		wantTrial     string
		wantResponse  http.Header
	}{
		{"actual GET with a trial and a query", "GET", "/api/items?x=1&y=%20",
			http.Header{"Origin": {origin}, "Referer": {origin + "/trial/abc-1"}, "X-Custom": {"c"}},
			false, 200, "abc-1",
			http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Expose-Headers": {"X-Total"}, "X-Total": {"3"}, "Content-Type": {"application/json"}}},
		{"preflight with a trial", "OPTIONS", "/api/items/1",
			http.Header{"Origin": {origin}, "Referer": {"http://x/trial/T_2"}, "Access-Control-Request-Method": {"PUT"}},
			true, 204, "T_2",
			http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Allow-Methods": {"PUT"}}},
		{"another referer", "GET", "/api/items",
			http.Header{"Origin": {origin}, "Referer": {origin + "/"}},
			false, 200, "", http.Header{"Access-Control-Allow-Origin": {origin}}},
		{"a bad trial id", "GET", "/api/items",
			http.Header{"Origin": {origin}, "Referer": {origin + "/trial/a.b"}},
			false, 200, "", http.Header{"Access-Control-Allow-Origin": {origin}}},
		{"no Origin", "GET", "/api/items/9", http.Header{}, false, 404, "", http.Header{"Content-Type": {"application/json"}}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, policy)
			r := st.do(t, tt.method, tt.path, tt.header, "")
			x := r.x
			if x.Method != tt.method || x.Path != tt.path || x.Preflight != tt.wantPreflight || x.Status != tt.wantStatus || x.Trial != tt.wantTrial {
				t.Errorf("recorded %s %s preflight %v status %d trial %q; want %s %s %v %d %q",
					x.Method, x.Path, x.Preflight, x.Status, x.Trial, tt.method, tt.path, tt.wantPreflight, tt.wantStatus, tt.wantTrial)
			}
			if x.Origin != tt.header.Get("Origin") {
				t.Errorf("origin = %q, want %q", x.Origin, tt.header.Get("Origin"))
			}
			hasHeaders(t, "recorded request", x.RequestHeader, tt.header)
			hasHeaders(t, "recorded response", x.ResponseHeader, tt.wantResponse)
			if !tt.wantPreflight {
				if _, ok := x.ResponseHeader["Access-Control-Allow-Methods"]; ok {
					t.Error("an actual response recorded the preflight's headers")
				}
			}
			if x.Micros < 0 {
				t.Errorf("micros = %d", x.Micros)
			}
		})
	}
}

// The journal keeps the header maps net/http gives each exchange rather
// than copies: what it recorded for one exchange must stay that
// exchange's after more requests on the same keep-alive connection.
func TestRecordedHeadersStayTheirExchanges(t *testing.T) {
	st := newSite(t, `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Vary": "Origin"}}}`)
	const n = 20
	for i := range n {
		st.do(t, "GET", "/api/items", http.Header{"Origin": {fmt.Sprintf("http://o%d.test", i)}, "X-N": {strconv.Itoa(i)}}, "")
	}
	for i, x := range st.rec.waitExchanges(t, n) {
		origin := fmt.Sprintf("http://o%d.test", i)
		if got := x.RequestHeader.Get("X-N"); got != strconv.Itoa(i) || x.RequestHeader.Get("Origin") != origin {
			t.Errorf("exchange %d: recorded request X-N %q Origin %q", i, got, x.RequestHeader.Get("Origin"))
		}
		if got := x.ResponseHeader.Get("Access-Control-Allow-Origin"); got != origin {
			t.Errorf("exchange %d: recorded Access-Control-Allow-Origin %q, want %q", i, got, origin)
		}
	}
}

func TestReplacePolicy(t *testing.T) {
	const good = `{"actual": {"headers": {"X-Policy": "one"}}}`
	tests := []struct {
		desc    string
		in      string
		wantErr string
	}{
		{"valid", `{"actual": {"headers": {"X-Policy": "two"}}}`, ""},
		{"not JSON", `{`, "policy: line 1, column 2: unexpected end of JSON input"},
		{"header injection", `{"actual": {"headers": {"X-Policy": "two\r\nSet-Cookie: a=b"}}}`,
			`actual.headers["X-Policy"]: value contains CR or LF, which would inject a header`},
		{"bad status", `{"preflight": {"status": 1000}}`, "preflight.status: 1000 is not an HTTP status (100-599)"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, good)
			before := string(st.s.PolicyJSON())
			err := st.s.ReplacePolicy([]byte(tt.in), "control API")
			if fmt.Sprint(err) != tt.wantErr && !(err == nil && tt.wantErr == "") {
				t.Fatalf("ReplacePolicy = %v, want %q", err, tt.wantErr)
			}
			changes := st.rec.policyChanges()
			wantHeader := "two"
			if tt.wantErr != "" {
				wantHeader = "one"
				if got := string(st.s.PolicyJSON()); got != before {
					t.Errorf("policy changed to %s", got)
				}
				if len(changes) != 1 {
					t.Errorf("an invalid document was announced: %v", changes)
				}
			} else if len(changes) != 2 || changes[1].by != "control API" || changes[1].doc != string(st.s.PolicyJSON()) {
				t.Errorf("announcements = %v, want the start-up policy then this one by control API", changes)
			}
			if got := st.do(t, "GET", "/api/items", nil, "").header.Get("X-Policy"); got != wantHeader {
				t.Errorf("next response X-Policy = %q, want %q", got, wantHeader)
			}
		})
	}
}

func TestSetPolicyIsAnnounced(t *testing.T) {
	st := newSite(t, "")
	p, err := policy.ParsePolicy([]byte(`{"preflight": {"status": 200}}`))
	if err != nil {
		t.Fatal(err)
	}
	st.s.SetPolicy(p, "tui")
	if st.s.Policy() != p {
		t.Error("Policy() is not the policy set")
	}
	want := []policyChange{{"tui", string(p.JSON())}}
	if got := st.rec.policyChanges(); !reflect.DeepEqual(got, want) {
		t.Errorf("announced %v, want %v", got, want)
	}
}

// TestSetPolicyAnnouncesInOrder: whatever SetPolicy calls race, the last
// policy announced is the one in force.
func TestSetPolicyAnnouncesInOrder(t *testing.T) {
	st := newSite(t, "")
	var wg sync.WaitGroup
	for i := range 8 {
		p, err := policy.ParsePolicy(fmt.Appendf(nil, `{"actual": {"headers": {"X-Policy": "p%d"}}}`, i))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				st.s.SetPolicy(p, "race")
			}
		}()
	}
	wg.Wait()
	changes := st.rec.policyChanges()
	if last := changes[len(changes)-1].doc; last != string(st.s.PolicyJSON()) {
		t.Errorf("last announced %s, but in force %s", last, st.s.PolicyJSON())
	}
}

// TestEditPolicyLosesNoEdit: the page and the TUI edit at the same moment,
// each its own headers; every edit takes (none overwrites another with a
// stale copy), and an edit that fails or leaves an invalid document changes
// nothing.
func TestEditPolicyLosesNoEdit(t *testing.T) {
	st := newSite(t, "")
	const hands, edits = 4, 25
	var wg sync.WaitGroup
	for h := range hands {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range edits {
				err := st.s.EditPolicy(fmt.Sprint("hand", h), func(d *policy.Document) error {
					d.SetHeader(fmt.Sprintf("X-Hand-%d-%d", h, i), policy.OnActual, policy.Values{"1"})
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	d := st.s.Policy().Document()
	if n := len(d.Actual.Headers); n != hands*edits {
		t.Errorf("%d headers in force after %d edits: %s", n, hands*edits, st.s.PolicyJSON())
	}
	if n := len(st.rec.policyChanges()); n != hands*edits {
		t.Errorf("%d changes announced, want %d", n, hands*edits)
	}
	before := string(st.s.PolicyJSON())
	for _, tt := range []struct {
		edit func(*policy.Document) error
		want string
	}{
		{func(*policy.Document) error { return fmt.Errorf("no such row") }, "no such row"},
		{func(d *policy.Document) error { d.SetHeader("X Bad", policy.OnBoth, policy.Values{"1"}); return nil }, "invalid header name"},
	} {
		if err := st.s.EditPolicy("tui", tt.edit); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want %q", err, tt.want)
		}
		if after := string(st.s.PolicyJSON()); after != before {
			t.Errorf("a refused edit changed the policy:\n%s", after)
		}
	}
	if n := len(st.rec.policyChanges()); n != hands*edits {
		t.Errorf("refused edits announced: %d changes", n)
	}
}

// TestPolicySwapIsAtomic swaps policies while requests run: every response
// carries the headers of exactly one policy. Policy i marks each of its
// header lines with "m<i>" and answers preflights with status 200+i.
func TestPolicySwapIsAtomic(t *testing.T) {
	const policies, workers, requests = 6, 4, 60
	var ps []*policy.Policy
	for i := range policies {
		m := fmt.Sprint("m", i)
		p, err := policy.ParsePolicy(fmt.Appendf(nil, `{
			"preflight": {"status": %d, "headers": {"Access-Control-Allow-Origin": %q, "Access-Control-Allow-Methods": [%[2]q, %[2]q], "X-Marker": %[2]q}},
			"actual": {"headers": {"Access-Control-Allow-Origin": %[2]q, "Access-Control-Expose-Headers": [%[2]q, %[2]q], "X-Marker": %[2]q}}}`, 200+i, m))
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	preflightKeys := []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "X-Marker"}
	actualKeys := []string{"Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "X-Marker"}
	st := newSite(t, "")

	stop := make(chan struct{})
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				st.s.SetPolicy(ps[i%policies], "swap")
			}
		}
	}()

	// check reports a problem with one response's headers, or "".
	check := func(h http.Header, status int, preflight bool) string {
		keys := actualKeys
		if preflight {
			keys = preflightKeys
		}
		marker := h.Get("X-Marker")
		if marker == "" { // the Closed policy, before the first swap
			for _, k := range keys {
				if _, ok := h[k]; ok {
					return fmt.Sprintf("no marker but %s: %q", k, h[k])
				}
			}
			return ""
		}
		for _, k := range keys {
			vs := h.Values(k)
			if len(vs) == 0 {
				return fmt.Sprintf("marker %s but no %s", marker, k)
			}
			for _, v := range vs {
				if v != marker {
					return fmt.Sprintf("marker %s but %s: %q", marker, k, vs)
				}
			}
		}
		if i, _ := strconv.Atoi(strings.TrimPrefix(marker, "m")); preflight && status != 200+i {
			return fmt.Sprintf("marker %s but status %d", marker, status)
		}
		return ""
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range requests {
				preflight := (w+i)%2 == 0
				method := "GET"
				if preflight {
					method = "OPTIONS"
				}
				req, _ := http.NewRequest(method, st.ts.URL+"/api/items", nil)
				req.Header.Set("Origin", "http://localhost:7070")
				if preflight {
					req.Header.Set("Access-Control-Request-Method", "PUT")
				}
				resp, err := st.client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if msg := check(resp.Header, resp.StatusCode, preflight); msg != "" {
					t.Errorf("%s response: %s", method, msg)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-swapped
	for _, x := range st.rec.waitExchanges(t, workers*requests) {
		if msg := check(x.ResponseHeader, x.Status, x.Preflight); msg != "" {
			t.Errorf("recorded %s: %s", x.Method, msg)
		}
	}
}

// TestRecordedHeadersAreBounded: a hostile request's headers are recorded
// only up to the journal's limits, and what is left out is counted.
func TestRecordedHeadersAreBounded(t *testing.T) {
	many := http.Header{}
	for i := range maxRecordedLines + 20 {
		many.Set(fmt.Sprintf("X-H%03d", i), "v")
	}
	tests := []struct {
		desc          string
		header        http.Header
		wantTruncated int
		check         func(t *testing.T, h http.Header)
	}{
		{"a browser's request", http.Header{"Origin": {"http://a"}, "Access-Control-Request-Headers": {"content-type"}}, 0,
			func(t *testing.T, h http.Header) {
				if h.Get("Access-Control-Request-Headers") != "content-type" {
					t.Errorf("recorded %v", h)
				}
			}},
		{"too many lines", many, 20 + 2, // 122 lines with the client's Accept-Encoding and User-Agent: 22 over
			func(t *testing.T, h http.Header) {
				if n := lineCount(h); n != maxRecordedLines {
					t.Errorf("%d lines recorded, want %d", n, maxRecordedLines)
				}
			}},
		{"a huge value", http.Header{"Access-Control-Request-Headers": {strings.Repeat("x,", maxRecordedValue)}}, 1,
			func(t *testing.T, h http.Header) {
				if v := h.Get("Access-Control-Request-Headers"); len(v) != maxRecordedValue+len(journal.ClipMark) || !strings.HasSuffix(v, journal.ClipMark) {
					t.Errorf("recorded a value of %d bytes, want %d and the mark %s", len(v), maxRecordedValue, journal.ClipMark)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, "")
			r := st.do(t, "OPTIONS", "/api/items", tt.header, "")
			if r.x.Truncated != tt.wantTruncated {
				t.Errorf("truncated = %d, want %d", r.x.Truncated, tt.wantTruncated)
			}
			tt.check(t, r.x.RequestHeader)
			// The size site B measured as it checked the limits is the
			// size of what it kept: the journal's bound counts it.
			if got, want := r.x.HeaderSize, journal.MeasureHeader(r.x.RequestHeader).Size+journal.MeasureHeader(r.x.ResponseHeader).Size; got != want {
				t.Errorf("HeaderSize = %d, what was kept measures %d", got, want)
			}
		})
	}
}

func lineCount(h http.Header) int {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	return n
}

// A trial ID is taken only from site A's own pages: a foreign page (or
// anything else) sending a Referer that ends in /trial/<id> parks nothing
// under a trial.
func TestTrialIDOnlyFromSiteA(t *testing.T) {
	st := newSite(t, "")
	st.s.SetTrialOrigins([]string{"http://localhost:7070", "http://127.0.0.1:7070"})
	for _, tt := range []struct {
		desc, path string
		header     http.Header
		want       string
	}{
		{"site A's page", "/api/items", http.Header{"Referer": {"http://localhost:7070/trial/abc"}}, "abc"},
		{"site A under 127.0.0.1", "/api/items", http.Header{"Referer": {"http://127.0.0.1:7070/trial/abc"}}, "abc"},
		{"a foreign page", "/api/items", http.Header{"Referer": {"http://evil.example/trial/abc"}}, ""},
		{"site A's name on another port", "/api/items", http.Header{"Referer": {"http://localhost:7071/trial/abc"}}, ""},
		{"a prefix of site A's name", "/api/items", http.Header{"Referer": {"http://localhost:70701/trial/abc"}}, ""},
		{"a websocket from site A", WSPath + "?trial=abc", http.Header{"Origin": {"http://localhost:7070"}}, "abc"},
		{"a websocket from a foreign page", WSPath + "?trial=abc", http.Header{"Origin": {"http://evil.example"}}, ""},
	} {
		r := st.do(t, "GET", tt.path, tt.header, "")
		if r.x.Trial != tt.want {
			t.Errorf("%s: trial %q, want %q", tt.desc, r.x.Trial, tt.want)
		}
	}
}

// A 200 KB query string is recorded cut, saying so.
func TestRecordedPathIsClipped(t *testing.T) {
	st := newSite(t, "")
	q := strings.Repeat("q", 60<<10)
	r := st.do(t, "GET", "/api/items?"+q, nil, "")
	if len(r.x.Path) > maxRecordedPath+100 || !strings.Contains(r.x.Path, journal.ClipMark) || !strings.HasPrefix(r.x.Path, "/api/items?qqq") {
		t.Errorf("recorded path of %d bytes (%.40q…), want at most %d and the mark", len(r.x.Path), r.x.Path, maxRecordedPath)
	}
}
