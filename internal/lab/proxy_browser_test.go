package lab_test

// Proxy mode (corslab -upstream) in real Chromium: site A's page fetches
// the user's own API through site B. With the default, closed policy site B
// passes the upstream's answer through and the browser blocks it exactly
// as it blocks the upstream; a policy override fixes it without touching
// the upstream. The journal keeps the upstream's own answer beside what the
// browser got.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/testsupport/labtest"
)

// userAPI is a user's API with a CORS bug: no CORS headers at all, except a
// hard-coded Access-Control-Allow-Origin for the wrong origin on /wrong, and
// 405 to every OPTIONS. It counts the requests it served by method.
type userAPI struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]int
}

func startUserAPI(t *testing.T) *userAPI {
	t.Helper()
	api := &userAPI{seen: map[string]int{}}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.mu.Lock()
		api.seen[r.Method]++
		api.mu.Unlock()
		w.Header().Set("X-Upstream", "user-api")
		if strings.HasPrefix(r.URL.Path, "/wrong") {
			w.Header().Set("Access-Control-Allow-Origin", "http://localhost:3000")
		}
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", "GET, PUT")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"from":"the user's API","method":"`+r.Method+`","body":`+string(orNull(body))+`}`)
	}))
	t.Cleanup(api.Close)
	return api
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

func (a *userAPI) count(method string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[method]
}

// openProxyPage starts a lab whose site B proxies to upstream, and opens
// site A's page.
func openProxyPage(t *testing.T, upstream string) *page {
	t.Helper()
	return openLabPage(t, labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Upstream: upstream}).Lab)
}

// A simple GET through site B: pass-through is blocked as the upstream is
// (MissingAllowOriginHeader), the journal shows the upstream's headers; an
// Allow-Origin override makes the same fetch succeed with the upstream's body.
func TestProxyPassThroughThenOverride(t *testing.T) {
	t.Parallel()
	api := startUserAPI(t)
	p := openProxyPage(t, api.URL)

	res := p.send(`corslab.presets.simpleGet()`)
	wantFailed(t, res.Outcome)
	wantCORSError(t, p, "/api/items", "MissingAllowOriginHeader")
	tr := p.settled(res.ID)
	if len(tr.Exchanges) != 1 {
		t.Fatalf("exchanges = %s, want one GET", kinds(tr.Exchanges))
	}
	x := tr.Exchanges[0]
	if x.Status != 200 || x.UpstreamStatus != 200 || x.UpstreamHeader.Get("X-Upstream") != "user-api" ||
		x.ResponseHeader.Get("X-Upstream") != "user-api" || x.ResponseHeader.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("site B recorded %+v", x)
	}
	if api.count("GET") != 1 {
		t.Errorf("the user's API served %d GETs, want 1", api.count("GET"))
	}

	p.putPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)
	res = p.send(`corslab.presets.simpleGet()`)
	if !res.Outcome.OK || res.Outcome.Status != 200 || !strings.Contains(res.Outcome.Body, `"from":"the user's API"`) {
		t.Fatalf("with the override: outcome %+v, want ok with the user's API's body", res.Outcome)
	}
	x = p.settled(res.ID).Exchanges[0]
	if x.ResponseHeader.Get("Access-Control-Allow-Origin") != p.lab.URLA || x.UpstreamHeader.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("recorded ACAO %q (upstream %q), want %s (upstream none)", x.ResponseHeader.Get("Access-Control-Allow-Origin"), x.UpstreamHeader.Get("Access-Control-Allow-Origin"), p.lab.URLA)
	}

	// The page names the upstream, and shows the upstream's own answer
	// under the exchange, the wrong origin it hard-codes marked replaced.
	if got := evalJS[string](p, `document.getElementById("upstream").hidden ? "" : document.getElementById("upstream").textContent`); got != "→ proxy to "+api.URL {
		t.Errorf("page header: %q, want → proxy to %s", got, api.URL)
	}
	res = p.send(`{label: "wrong origin", method: "GET", path: "/wrong"}`)
	if !res.Outcome.OK {
		t.Fatalf("/wrong with the override: %+v", res.Outcome)
	}
	got := pollJS[string](p, fmt.Sprintf(`(() => {
		const d = document.querySelector('#log [data-trial=%q] details.upstream');
		const r = d && [...d.querySelectorAll('.hdr.u-replaced')].find((e) => e.textContent.startsWith("Access-Control-Allow-Origin: "));
		return r ? d.querySelector("summary").textContent + " | " + r.textContent : "";
	})()`, res.ID))
	if want := "upstream answered 200 (before the policy) | Access-Control-Allow-Origin: http://localhost:3000 → replaced by the policy"; got != want {
		t.Errorf("the page's upstream block: %q, want %q", got, want)
	}
}

// A wrong hard-coded origin passes through (AllowOriginMismatch); a PUT is
// stopped by the upstream's 405 preflight, which site B forwarded; a policy
// that answers the preflight (status and headers) lets the PUT reach the
// upstream.
func TestProxyPreflightForwardedThenFixed(t *testing.T) {
	t.Parallel()
	api := startUserAPI(t)
	p := openProxyPage(t, api.URL)

	res := p.send(`{label: "wrong origin", method: "GET", path: "/wrong"}`)
	wantFailed(t, res.Outcome)
	if f := p.tab.WaitCORSError(t, "/wrong", wait); f.CorsError != "AllowOriginMismatch" || f.FailedParameter != "http://localhost:3000" {
		t.Errorf("Chromium: %s (%q), want AllowOriginMismatch (http://localhost:3000)", f.CorsError, f.FailedParameter)
	}

	res = p.send(`corslab.presets.put({name: "through the proxy"})`)
	wantFailed(t, res.Outcome)
	wantCORSError(t, p, "/api/items/1", "PreflightMissingAllowOriginHeader")
	tr := p.settled(res.ID)
	if got := kinds(tr.Exchanges); got != "OPTIONS(preflight) 405" || tr.Exchanges[0].UpstreamStatus != 405 {
		t.Errorf("site B saw %s (upstream %+v), want the upstream's 405 preflight", got, tr.Exchanges)
	}
	if api.count("OPTIONS") != 1 || api.count("PUT") != 0 {
		t.Errorf("the user's API served %d OPTIONS and %d PUT, want 1 and 0", api.count("OPTIONS"), api.count("PUT"))
	}

	p.putPolicy(`{"preflight": {"status": 204, "headers": {"Access-Control-Allow-Origin": "{origin}",
		"Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)
	res = p.send(`corslab.presets.put({name: "through the proxy"})`)
	if !res.Outcome.OK || !strings.Contains(res.Outcome.Body, `"method":"PUT","body":{"name":"through the proxy"}`) {
		t.Fatalf("with the override: outcome %+v", res.Outcome)
	}
	tr = p.settled(res.ID)
	if got := kinds(tr.Exchanges); got != "OPTIONS(preflight) 204, PUT 200" {
		t.Errorf("site B saw %s, want OPTIONS(preflight) 204, PUT 200", got)
	} else if pre := tr.Exchanges[0]; pre.UpstreamStatus != 405 || pre.UpstreamHeader.Get("Allow") != "GET, PUT" {
		t.Errorf("the preflight's upstream answer: %d %v, want 405 with Allow", pre.UpstreamStatus, pre.UpstreamHeader)
	}
	if api.count("PUT") != 1 {
		t.Errorf("the user's API served %d PUTs, want 1", api.count("PUT"))
	}
}

// An unreachable upstream: a 502 with a clear body, readable by the page
// when the policy allows it, and the cause on the journal.
func TestProxyUnreachableUpstream(t *testing.T) {
	t.Parallel()
	api := startUserAPI(t)
	url := api.URL
	api.Close()
	p := openProxyPage(t, url)
	p.putPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`)
	res := p.send(`corslab.presets.simpleGet()`)
	if !res.Outcome.OK || res.Outcome.Status != 502 || !strings.Contains(res.Outcome.Body, "corslab: upstream "+url+": connection refused") {
		t.Errorf("outcome %+v, want a readable 502 naming the upstream", res.Outcome)
	}
	tr := p.settled(res.ID)
	if len(tr.Exchanges) != 1 || !strings.HasPrefix(tr.Exchanges[0].UpstreamError, "connection refused") {
		t.Errorf("recorded %+v", tr.Exchanges)
	}
}

// -upstream is checked before anything listens, naming the flag.
func TestUpstreamValidated(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"localhost:3000", "ftp://x", "http://"} {
		_, err := lab.Listen(lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Upstream: bad})
		var fe *lab.FlagError
		if !errors.As(err, &fe) || fe.Flag != "upstream" || !strings.HasPrefix(err.Error(), "-upstream "+bad+": ") {
			t.Errorf("Upstream %q: %v, want a -upstream error", bad, err)
		}
	}
}
