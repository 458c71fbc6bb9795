package lab_test

// HAR files from real Chromium: a recorder turns the tab's DevTools network
// events into a HAR as DevTools' "Save all as HAR" builds one (HARLog in
// devtools-frontend: one entry per request, preflights included as entries
// of their own with _resourceType "preflight" and an _initiator naming the
// request; status and headers from responseReceived, or from
// responseReceivedExtraInfo when a CORS error means no responseReceived
// comes; response._error from loadingFailed's errorText). Then `corslab
// har`'s verdict for each scenario's request must name the error Chromium
// itself reported (corsErrorStatus) in the run that wrote the HAR.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/content/scenario"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/testsupport/labtest"
	"github.com/corslab/corslab/internal/tool/har"
	"github.com/corslab/corslab/siteA"
)

// harRecorder collects a tab's network events. A redirect continues a
// request under the same id: each hop is an entry of its own, keyed by id
// and hop number; the extra-info events (the headers as on the wire) come
// before or after theirs, and are matched to hops in order.
type harRecorder struct {
	mu       sync.Mutex
	order    []string // entry keys, as requests started
	entries  map[string]*recEntry
	hop      map[network.RequestID]int
	rawReqs  map[network.RequestID][]network.Headers
	rawResps map[network.RequestID][]rawResponse
}

type rawResponse struct {
	headers network.Headers
	status  int64
}

type recEntry struct {
	id           network.RequestID
	hop          int
	started      time.Time
	method, url  string
	reqHeaders   network.Headers // from requestWillBeSent
	postData     string
	resourceType string
	initiator    *network.Initiator

	status     int64
	statusText string
	respHdrs   network.Headers // responseReceived's
	mimeType   string
	finished   bool
	body       []byte
	errorText  string
	corsError  string
}

func recordHAR(t *testing.T, ctx context.Context) *harRecorder {
	t.Helper()
	r := &harRecorder{entries: map[string]*recEntry{}, hop: map[network.RequestID]int{},
		rawReqs: map[network.RequestID][]network.Headers{}, rawResps: map[network.RequestID][]rawResponse{}}
	if err := chromedp.Listen(ctx, r.observe); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	return r
}

// get returns the current hop's entry of request id.
func (r *harRecorder) get(id network.RequestID) *recEntry {
	k := fmt.Sprintf("%s#%d", id, r.hop[id])
	e, ok := r.entries[k]
	if !ok {
		e = &recEntry{id: id, hop: r.hop[id]}
		r.entries[k] = e
		r.order = append(r.order, k)
	}
	return e
}

func (r *harRecorder) observe(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.RedirectResponse != nil {
			// The redirect's answer ends the hop; DevTools lists the
			// next hop as an entry of its own.
			old := r.get(ev.RequestID)
			old.status, old.statusText, old.respHdrs = ev.RedirectResponse.Status, ev.RedirectResponse.StatusText, ev.RedirectResponse.Headers
			old.finished = true
			r.hop[ev.RequestID]++
		}
		e := r.get(ev.RequestID)
		e.method, e.url, e.reqHeaders = ev.Request.Method, ev.Request.URL, ev.Request.Headers
		sec := float64(ev.WallTime)
		e.started = time.Unix(0, int64(sec*1e9))
		for _, p := range ev.Request.PostDataEntries {
			e.postData += string(p.Bytes)
		}
		e.resourceType = strings.ToLower(string(ev.Type))
		e.initiator = ev.Initiator
	case *network.EventRequestWillBeSentExtraInfo:
		r.rawReqs[ev.RequestID] = append(r.rawReqs[ev.RequestID], ev.Headers)
	case *network.EventResponseReceived:
		e := r.get(ev.RequestID)
		e.status, e.statusText, e.respHdrs, e.mimeType = ev.Response.Status, ev.Response.StatusText, ev.Response.Headers, ev.Response.MimeType
	case *network.EventResponseReceivedExtraInfo:
		r.rawResps[ev.RequestID] = append(r.rawResps[ev.RequestID], rawResponse{ev.Headers, ev.StatusCode})
	case *network.EventLoadingFinished:
		r.get(ev.RequestID).finished = true
	case *network.EventLoadingFailed:
		e := r.get(ev.RequestID)
		e.errorText = ev.ErrorText
		if ev.CorsErrorStatus != nil {
			e.corsError = string(ev.CorsErrorStatus.CorsError)
		}
	}
}

// settle waits (a while at most) until every request that went on the
// wire has its extra-info events: they may come after loadingFailed, and
// DevTools, too, shows the headers as sent once they are there.
func (r *harRecorder) settle() {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.mu.Lock()
		missing := false
		for _, e := range r.entries {
			// A CORS error on an answer (not a preflight's refusal, which
			// keeps the request off the wire) means it was sent: no
			// responseReceived comes, but its extra-info events do.
			blockedOnAnswer := e.corsError != "" && !strings.Contains(e.corsError, "Preflight")
			answered := e.status != 0 || len(r.rawResps[e.id]) > e.hop || blockedOnAnswer
			missing = missing || (answered && len(r.rawReqs[e.id]) <= e.hop)
		}
		r.mu.Unlock()
		if !missing {
			return
		}
	}
}

// fetchBodies asks DevTools for the bodies of the finished requests, as
// DevTools does when it saves a HAR with content.
func (r *harRecorder) fetchBodies(t *testing.T, ctx context.Context) {
	t.Helper()
	r.settle()
	r.mu.Lock()
	var last []*recEntry // the final hop of each finished request: the one with a body
	for _, k := range r.order {
		if e := r.entries[k]; e.finished && e.errorText == "" && e.resourceType != "preflight" && e.hop == r.hop[e.id] {
			last = append(last, e)
		}
	}
	r.mu.Unlock()
	for _, e := range last {
		res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: e.id})
		if err != nil {
			continue // DevTools, too, saves no content when it has none
		}
		r.mu.Lock()
		e.body = res.Body
		r.mu.Unlock()
	}
}

// corsError is Chromium's corsErrorStatus for the last request to urlSuffix
// with method (not its preflight), "" when it did not fail.
func (r *harRecorder) corsError(method, urlSuffix string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.order) - 1; i >= 0; i-- {
		e := r.entries[r.order[i]]
		if e.resourceType != "preflight" && e.method == method && strings.HasSuffix(e.url, urlSuffix) {
			// The failure is reported on the last hop of its request.
			return r.entries[fmt.Sprintf("%s#%d", e.id, r.hop[e.id])].corsError, true
		}
	}
	return "", false
}

// harHeaders turns DevTools' header object (repeated lines joined by \n)
// into HAR's list, sorted by name as DevTools sorts them.
func harHeaders(h network.Headers) []map[string]string {
	out := []map[string]string{}
	for k, v := range h {
		s, _ := v.(string)
		for _, line := range strings.Split(s, "\n") {
			out = append(out, map[string]string{"name": k, "value": line})
		}
	}
	slices.SortStableFunc(out, func(a, b map[string]string) int { return strings.Compare(a["name"], b["name"]) })
	return out
}

// HAR builds the HAR file, as "Save all as HAR" does.
func (r *harRecorder) HAR() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	entries := []any{}
	for _, k := range r.order {
		e := r.entries[k]
		if e.url == "" || strings.HasPrefix(e.url, "data:") {
			continue
		}
		// The headers as on the wire when the request went there (a
		// request its preflight stopped has only the page's).
		reqHdrs := e.reqHeaders
		if raw := r.rawReqs[e.id]; e.hop < len(raw) {
			reqHdrs = raw[e.hop]
		}
		status, respHdrs := e.status, e.respHdrs
		if raw := r.rawResps[e.id]; e.hop < len(raw) {
			respHdrs = raw[e.hop].headers
			if status == 0 {
				status = raw[e.hop].status // a CORS error: no responseReceived
			}
		}
		u, _ := url.Parse(e.url)
		query := []map[string]string{}
		if u != nil {
			for k, vs := range u.Query() {
				for _, v := range vs {
					query = append(query, map[string]string{"name": k, "value": v})
				}
			}
		}
		req := map[string]any{"method": e.method, "url": e.url, "httpVersion": "HTTP/1.1", "headers": harHeaders(reqHdrs),
			"queryString": query, "cookies": []any{}, "headersSize": -1, "bodySize": len(e.postData)}
		if e.postData != "" {
			req["postData"] = map[string]any{"mimeType": "", "text": e.postData}
		}
		content := map[string]any{"size": len(e.body), "mimeType": e.mimeType}
		if e.mimeType == "" {
			content["mimeType"] = "x-unknown"
		}
		if e.body != nil {
			content["text"] = base64.StdEncoding.EncodeToString(e.body)
			content["encoding"] = "base64"
		}
		resp := map[string]any{"status": status, "statusText": e.statusText, "httpVersion": "HTTP/1.1", "headers": harHeaders(respHdrs),
			"cookies": []any{}, "content": content, "redirectURL": "", "headersSize": -1, "bodySize": -1}
		if e.errorText != "" {
			resp["_error"] = e.errorText
		}
		initiator := map[string]any{"type": "other"}
		if e.initiator != nil {
			initiator = map[string]any{"type": string(e.initiator.Type)}
			if e.initiator.URL != "" {
				initiator["url"] = e.initiator.URL
			}
			if e.initiator.RequestID != "" {
				initiator["requestId"] = string(e.initiator.RequestID)
			}
		}
		entries = append(entries, map[string]any{
			"_initiator": initiator, "_resourceType": e.resourceType, "cache": map[string]any{},
			"request": req, "response": resp, "startedDateTime": e.started.UTC().Format(time.RFC3339Nano),
			"time": 0, "timings": map[string]any{"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0},
		})
	}
	out, _ := json.MarshalIndent(map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]string{"name": "WebInspector", "version": "537.36"},
		"pages": []any{}, "entries": entries,
	}}, "", "  ")
	return out
}

// TestHARFromChromium records each scenario of the catalogue (buggy and
// fixed) in real Chromium, writes the HAR, and checks that `corslab har`'s
// verdict for the scenario's request is what Chromium did.
func TestHARFromChromium(t *testing.T) {
	t.Parallel()
	keep := os.Getenv("CORSLAB_KEEP_HAR") // a directory: keep the HAR files written
	for _, s := range scenario.All() {
		if s.Deploy != nil || s.Request.Site == "A" || s.Request.Sandbox {
			continue // a policy change in mid-run; not cross-origin from the page's origin
		}
		for _, fixed := range []bool{false, true} {
			name, doc := s.Name+"-buggy", s.Buggy
			if fixed {
				name, doc = s.Name+"-fixed", s.Fixed
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p := openPage(t, string(doc))
				rec := recordHAR(t, p.tab.Ctx)
				for _, r := range s.Setup {
					p.settled(p.send(jsObject(t, r)).ID)
				}
				res := p.send(jsObject(t, s.Request))
				p.settled(res.ID)
				chromiumErr, ok := rec.corsError(s.Request.Method, s.Request.URL)
				if !ok {
					t.Fatalf("Chromium reported no request %s %s", s.Request.Method, s.Request.URL)
				}
				rec.fetchBodies(t, p.tab.Ctx)
				file := rec.HAR()
				if keep != "" {
					os.WriteFile(filepath.Join(keep, name+".har"), file, 0o644)
				}
				rep, err := har.Analyze(bytes.NewReader(file))
				if err != nil {
					t.Fatalf("corslab har: %v\n%s", err, file)
				}
				x := lastFor(rep, s.Request.Method, p.lab.URLB+s.Request.URL)
				if x == nil {
					t.Fatalf("no exchange for %s %s in the HAR:\n%s", s.Request.Method, s.Request.URL, file)
				}
				if x.Verdict.Error != chromiumErr || x.Verdict.Allowed != (chromiumErr == "") {
					t.Errorf("corslab har says %q (allowed %t), Chromium said %q\nexchange %+v\nnotes %q", x.Verdict.Error, x.Verdict.Allowed, chromiumErr, x.Exchange, x.Notes)
				}
			})
		}
	}
}

func lastFor(rep *har.Report, method, u string) *har.Exchange {
	for i := len(rep.Exchanges) - 1; i >= 0; i-- {
		if x := rep.Exchanges[i]; x.Method() == method && x.Exchange.Request.URL == u {
			return x
		}
	}
	return nil
}

// TestReplayInChromium: a HAR recorded from real Chromium against a buggy
// API, replayed by a second lab (corslab -replay), reproduces the bug when
// the recorded request is clicked on the page — re-issued from the second
// lab's origin — and the policy's override of one header fixes it.
func TestReplayInChromium(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scenario string
		fix      string // the policy that overrides the recorded answer
	}{
		{"wildcard-credentials", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`},
		{"multiple-allow-origin", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			s, serr := scenario.Get(tt.scenario)
			if serr != nil {
				t.Fatal(serr)
			}
			// The production run: the buggy API, recorded.
			prod := openPage(t, string(s.Buggy))
			rec := recordHAR(t, prod.tab.Ctx)
			prod.settled(prod.send(jsObject(t, s.Request)).ID)
			rec.fetchBodies(t, prod.tab.Ctx)
			rp, err := lab.LoadReplay(bytes.NewReader(rec.HAR()), "prod.har", "")
			if err != nil {
				t.Fatal(err)
			}

			// The replay, on other ports: another page origin.
			l := labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Replay: rp})
			p := openLabPage(t, l.Lab)
			if p.lab.URLA == prod.lab.URLA {
				t.Fatal("the replay's page has the recorded page's origin")
			}
			button := slices.IndexFunc(rp.Calls, func(c siteA.ReplayCall) bool { return c.Method == s.Request.Method && c.URL == s.Request.URL })
			if button < 0 {
				t.Fatalf("no replay call for %s %s: %+v", s.Request.Method, s.Request.URL, rp.Calls)
			}
			sel := fmt.Sprintf(`#replay-calls button[data-replay="%d"]`, button)
			if got := pollJS[string](p, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, sel)); !strings.Contains(got, "recorded from "+prod.lab.URLA+": blocked ("+s.Error+")") {
				t.Errorf("button text %q", got)
			}

			// Reproduce: Chromium fails it as it did in production.
			tr := p.click(sel)
			wantCORSError(t, p, s.Request.URL, s.Error)
			if tr.Verdict == nil || tr.Verdict.Error != s.Error || tr.Outcome.OK {
				t.Errorf("replayed: verdict %+v, outcome %+v; want %s", tr.Verdict, tr.Outcome, s.Error)
			}
			// The page says where site B's answer came from.
			p.entryText(tr.ID, "answered as recorded in entry ")
			// Fix: one header overridden, the rest as recorded.
			p.putPolicy(tt.fix)
			failures := len(p.tab.Failures())
			tr = p.click(sel)
			if !tr.Outcome.OK || tr.Verdict == nil || !tr.Verdict.Allowed || len(p.tab.Failures()) != failures {
				t.Errorf("with the override: outcome %+v, verdict %+v, Chromium failures %+v", tr.Outcome, tr.Verdict, p.tab.Failures()[failures:])
			}
		})
	}
}

// click clicks the button sel on the page and returns the trial it made,
// settled.
func (p *page) click(sel string) *journal.Trial {
	p.t.Helper()
	before := evalJS[[]string](p, `[...document.querySelectorAll("#log [data-trial]")].map(e => e.dataset.trial)`)
	if err := chromedp.Do(p.tab.Ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("click %s: %v", sel, err)
	}
	id := pollJS[string](p, fmt.Sprintf(`[...document.querySelectorAll("#log [data-trial]")].map(e => e.dataset.trial).find(id => !%s.includes(id)) ?? ""`, jsonString(before)))
	return p.settled(id)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestHARRedirectFromChromium: a fetch() that the server redirects is
// recorded hop by hop, as DevTools lists it, and `corslab har` follows the
// chain to what Chromium did. Site B is a proxy to a server that
// redirects (the page's Content-Security-Policy lets it reach only site B
// and its own origin): to site B's own /final, to site A (another origin:
// from there the browser sends Origin: null), or without sharing the
// redirect itself.
func TestHARRedirectFromChromium(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		target       func(l *lab.Lab) string
		redirectACAO bool
		hops         int
	}{
		{"same-origin redirect", func(l *lab.Lab) string { return l.URLB + "/final?from=r" }, true, 1},
		{"to another origin: Origin null", func(l *lab.Lab) string { return l.URLA + "/api/items" }, true, 1},
		{"the redirect is not shared", func(l *lab.Lab) string { return l.URLB + "/final?from=r" }, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var l *lab.Lab
			var mu sync.Mutex
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				switch r.URL.Path {
				case "/r":
					if tt.redirectACAO {
						w.Header().Set("Access-Control-Allow-Origin", "*")
					}
					http.Redirect(w, r, tt.target(l), http.StatusFound)
				default:
					w.Header().Set("Access-Control-Allow-Origin", l.URLA)
					w.Write([]byte("final"))
				}
			}))
			t.Cleanup(up.Close)
			mu.Lock()
			l = labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Upstream: up.URL}).Lab
			mu.Unlock()
			p := openLabPage(t, l)
			rec := recordHAR(t, p.tab.Ctx)
			res := p.send(`{"url": "/r"}`)
			p.settled(res.ID)
			chromiumErr, ok := rec.corsError("GET", "/r")
			if !ok {
				t.Fatal("Chromium reported no request")
			}
			rec.fetchBodies(t, p.tab.Ctx)
			file := rec.HAR()
			rep, err := har.Analyze(bytes.NewReader(file))
			if err != nil {
				t.Fatalf("corslab har: %v\n%s", err, file)
			}
			x := lastFor(rep, "GET", l.URLB+"/r")
			if x == nil {
				t.Fatalf("no exchange for the request in the HAR:\n%s", file)
			}
			if x.Verdict.Error != chromiumErr || x.Verdict.Allowed != res.Outcome.OK || len(x.Hops) != tt.hops {
				t.Errorf("corslab har says %q (allowed %t, %d hops), Chromium said %q (fetch ok %t); want %d hops\nexchange %+v\nnotes %q\n%s",
					x.Verdict.Error, x.Verdict.Allowed, len(x.Hops), chromiumErr, res.Outcome.OK, tt.hops, x.Exchange, x.Notes, file)
			}
		})
	}
}
