package siteB

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/request"
)

func TestParseUpstream(t *testing.T) {
	tests := []struct {
		raw, want, err string
	}{
		{"http://localhost:3000", "http://localhost:3000", ""},
		{"https://api.example.com/base", "https://api.example.com/base", ""},
		{"http://[::1]:8080/", "http://[::1]:8080/", ""},
		{"localhost:3000", "", "want an http:// or https:// URL"},
		{"ftp://host/", "", "want an http:// or https:// URL"},
		{"http://", "", "no host"},
		{"http://:3000", "", "no host"},
		{"http://u:p@host/", "", "user name or password"},
		{"http://host/#x", "", "fragment"},
		{"http://host/%zz", "", "not a URL"},
		{"", "", "want an http:// or https:// URL"},
	}
	for _, tt := range tests {
		u, err := ParseUpstream(tt.raw)
		switch {
		case tt.err == "" && (err != nil || u.String() != tt.want):
			t.Errorf("ParseUpstream(%q) = %v, %v; want %s", tt.raw, u, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseUpstream(%q) error = %v, want %q", tt.raw, err, tt.err)
		}
	}
}

// upstreamSeen is a request the upstream got.
type upstreamSeen struct {
	method, path, host string
	header             http.Header
}

// proxySite is site B in proxy mode in front of an upstream handler.
type proxySite struct {
	*httptest.Server
	site *Server
	rec  *recorder
	seen chan upstreamSeen
}

func startProxy(t *testing.T, upstream http.Handler, headerTimeout time.Duration) *proxySite {
	t.Helper()
	seen := make(chan upstreamSeen, 16)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case seen <- upstreamSeen{r.Method, r.URL.RequestURI(), r.Host, r.Header.Clone()}:
		default:
		}
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	u, _ := ParseUpstream(up.URL + "/base")
	return startProxyTo(t, u, headerTimeout, seen)
}

func startProxyTo(t *testing.T, u *url.URL, headerTimeout time.Duration, seen chan upstreamSeen) *proxySite {
	t.Helper()
	rec := newRecorder()
	s := New(rec)
	s.proxy = newProxy(u, time.Second, headerTimeout)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &proxySite{Server: srv, site: s, rec: rec, seen: seen}
}

func (p *proxySite) setPolicy(t *testing.T, doc string) {
	t.Helper()
	if err := p.site.ReplacePolicy([]byte(doc), "test"); err != nil {
		t.Fatal(err)
	}
}

func (p *proxySite) do(t *testing.T, method, path string, h ...string) (*http.Response, string) {
	t.Helper()
	return request.Do(t, method, p.URL+path, h...)
}

// buggyUpstream answers like a typical misconfigured API: a wrong
// Access-Control-Allow-Origin, and 404 to preflights.
var buggyUpstream = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Upstream", "yes")
	w.Header().Set("Access-Control-Allow-Origin", "http://wrong.example")
	if r.Method == http.MethodOptions {
		http.Error(w, "no route for OPTIONS", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `[{"id":1}]`)
})

const pageOrigin = "http://localhost:7070"

// The closed policy is a pure pass-through, preflights included; the
// journal has the upstream's answer beside the browser's.
func TestProxyPassThrough(t *testing.T) {
	t.Parallel()
	p := startProxy(t, buggyUpstream, time.Second)
	resp, body := p.do(t, "GET", "/api/items?x=1", "Origin", pageOrigin, "Referer", pageOrigin+"/trial/t1")
	if resp.StatusCode != 200 || body != `[{"id":1}]` || resp.Header.Get("Access-Control-Allow-Origin") != "http://wrong.example" || resp.Header.Get("X-Upstream") != "yes" {
		t.Errorf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
	got := <-p.seen
	if got.path != "/base/api/items?x=1" || got.header.Get("Origin") != pageOrigin || !strings.HasPrefix(got.header.Get("X-Forwarded-For"), "127.0.0.1") || got.host != strings.TrimPrefix(p.site.Upstream().Host, "") {
		t.Errorf("upstream saw %+v", got)
	}

	resp, _ = p.do(t, "OPTIONS", "/api/items/1", "Origin", pageOrigin, "Access-Control-Request-Method", "PUT")
	if resp.StatusCode != 404 {
		t.Errorf("preflight: %d, want the upstream's 404", resp.StatusCode)
	}
	if got := <-p.seen; got.method != "OPTIONS" || got.header.Get("Access-Control-Request-Method") != "PUT" {
		t.Errorf("upstream saw %+v, want the preflight", got)
	}

	xs := p.rec.waitExchanges(t, 2)
	get, pre := xs[0], xs[1]
	if get.Trial != "t1" || get.Status != 200 || get.UpstreamStatus != 200 || get.UpstreamHeader.Get("X-Upstream") != "yes" ||
		get.ResponseHeader.Get("Access-Control-Allow-Origin") != "http://wrong.example" || get.UpstreamError != "" {
		t.Errorf("GET recorded as %+v", get)
	}
	if !pre.Preflight || pre.Status != 404 || pre.UpstreamStatus != 404 {
		t.Errorf("preflight recorded as %+v", pre)
	}
}

// The policy overrides header by header; the rest passes through.
func TestProxyOverride(t *testing.T) {
	t.Parallel()
	p := startProxy(t, buggyUpstream, time.Second)
	p.setPolicy(t, `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT"}},
		"actual": {"headers": {"access-control-allow-origin": "{origin}", "Vary": ["Origin", "Accept"]}}}`)

	resp, body := p.do(t, "GET", "/api/items", "Origin", pageOrigin)
	if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != pageOrigin {
		t.Errorf("ACAO = %q, want only %s", got, pageOrigin)
	}
	if resp.Header.Get("X-Upstream") != "yes" || body != `[{"id":1}]` || strings.Join(resp.Header.Values("Vary"), "|") != "Origin|Accept" {
		t.Errorf("got %v %q", resp.Header, body)
	}
	// Without an Origin, {origin} fills in nothing: the upstream's header goes too.
	resp, _ = p.do(t, "GET", "/api/items")
	if v := resp.Header.Values("Access-Control-Allow-Origin"); len(v) != 0 {
		t.Errorf("ACAO without Origin = %q, want none", v)
	}
	// A preflight keeps the upstream's status unless the policy sets one.
	resp, _ = p.do(t, "OPTIONS", "/api/items/1", "Origin", pageOrigin, "Access-Control-Request-Method", "PUT")
	if resp.StatusCode != 404 || resp.Header.Get("Access-Control-Allow-Methods") != "PUT" || resp.Header.Get("Access-Control-Allow-Origin") != pageOrigin {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	p.setPolicy(t, `{"preflight": {"status": 204, "headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)
	resp, body = p.do(t, "OPTIONS", "/api/items/1", "Origin", pageOrigin, "Access-Control-Request-Method", "PUT")
	if resp.StatusCode != 204 || body != "" || resp.Header.Get("X-Upstream") != "yes" {
		t.Errorf("preflight with status 204: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	xs := p.rec.waitExchanges(t, 4)
	last := xs[3]
	if last.Status != 204 || last.UpstreamStatus != 404 || last.UpstreamHeader.Get("Access-Control-Allow-Origin") != "http://wrong.example" ||
		last.ResponseHeader.Get("Access-Control-Allow-Origin") != pageOrigin {
		t.Errorf("recorded %+v", last)
	}
	// The actual rule is gone now: the upstream's ACAO passes again.
	if resp, _ = p.do(t, "GET", "/api/items", "Origin", pageOrigin); resp.Header.Get("Access-Control-Allow-Origin") != "http://wrong.example" {
		t.Errorf("ACAO = %q after the actual rule went", resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

// An unreachable upstream gives a 502 with a clear body, on the log too,
// and the policy's headers so the page can read it.
func TestProxyUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := ParseUpstream("http://" + ln.Addr().String())
	ln.Close()
	p := startProxyTo(t, u, time.Second, nil)
	p.setPolicy(t, `{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`)
	start := time.Now()
	resp, body := p.do(t, "GET", "/api/items", "Origin", pageOrigin)
	want := "corslab: upstream " + u.String() + ": connection refused"
	if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(body, want) || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("got %d %q %v, want 502 %q", resp.StatusCode, body, resp.Header, want)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	x := p.rec.waitExchanges(t, 1)[0]
	if x.Status != 502 || !strings.HasPrefix(x.UpstreamError, "connection refused") || x.UpstreamStatus != 0 {
		t.Errorf("recorded %+v", x)
	}
}

// An upstream that never answers gives a 504 after the header timeout.
func TestProxyUpstreamHangs(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), 200*time.Millisecond)
	defer close(release)
	start := time.Now()
	resp, body := p.do(t, "GET", "/slow")
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(body, "no answer within 200ms") {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

// Bodies stream both ways: the upstream reads the first part before the
// browser has sent the rest, and the browser reads the first part of the
// answer before the upstream has finished.
func TestProxyStreams(t *testing.T) {
	t.Parallel()
	gotFirst := make(chan string, 1)
	sendRest := make(chan struct{})
	p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		br := bufio.NewReader(r.Body)
		line, _ := br.ReadString('\n')
		gotFirst <- line
		rest, _ := io.ReadAll(br)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "answer 1\n")
		http.NewResponseController(w).Flush()
		<-sendRest
		io.WriteString(w, "answer 2 after "+string(rest))
	}), time.Second)

	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", p.URL+"/upload", pr)
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			close(done)
			return
		}
		done <- resp
	}()
	io.WriteString(pw, "part 1\n")
	select {
	case line := <-gotFirst:
		if line != "part 1\n" {
			t.Errorf("upstream read %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the upstream did not get the first part while the body was still open")
	}
	io.WriteString(pw, "part 2")
	pw.Close()
	resp := <-done
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != "answer 1\n" {
		t.Fatalf("first part %q, %v", first, err)
	}
	close(sendRest)
	rest, _ := io.ReadAll(br)
	if string(rest) != "answer 2 after part 2" {
		t.Errorf("rest %q", rest)
	}
}

// Hop-by-hop headers stay on their hop, both ways; 1xx answers are not
// taken for the final status.
func TestProxyHopByHop(t *testing.T) {
	t.Parallel()
	p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Connection", "X-Internal")
		w.Header().Set("X-Internal", "secret")
		w.Header().Set("X-Public", "1")
		w.WriteHeader(http.StatusCreated)
	}), time.Second)
	resp, _ := p.do(t, "POST", "/x", "Connection", "X-Hop", "X-Hop", "1", "X-End", "2")
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Internal") != "" || resp.Header.Get("X-Public") != "1" {
		t.Errorf("got %d %v", resp.StatusCode, resp.Header)
	}
	got := <-p.seen
	if got.header.Get("X-Hop") != "" || got.header.Get("X-End") != "2" {
		t.Errorf("upstream saw %v", got.header)
	}
	if x := p.rec.waitExchanges(t, 1)[0]; x.Status != http.StatusCreated || x.UpstreamStatus != http.StatusCreated {
		t.Errorf("recorded %d (upstream %d), want 201", x.Status, x.UpstreamStatus)
	}
}

// An upstream's trailers reach the browser as trailers; the journal's
// response headers are the ones committed before the body, without them.
func TestProxyTrailersAreNotRecordedAsHeaders(t *testing.T) {
	t.Parallel()
	p := startProxy(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		io.WriteString(w, "body")
		w.Header().Set("X-Checksum", "abc")
	}), time.Second)
	resp, body := p.do(t, "GET", "/t", "Origin", pageOrigin)
	if body != "body" || resp.Trailer.Get("X-Checksum") != "abc" {
		t.Fatalf("browser got body %q, trailer %q; want the upstream's", body, resp.Trailer.Get("X-Checksum"))
	}
	x := p.rec.waitExchanges(t, 1)[0]
	for k := range x.ResponseHeader {
		if k == "X-Checksum" || strings.HasPrefix(k, http.TrailerPrefix) {
			t.Errorf("recorded response headers include the trailer %q: %v", k, x.ResponseHeader)
		}
	}
}
