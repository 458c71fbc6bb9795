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
	"github.com/corslab/corslab/internal/tool/har"
)

// harRecorder collects a tab's network events.
type harRecorder struct {
	mu      sync.Mutex
	order   []network.RequestID
	entries map[network.RequestID]*recEntry
}

type recEntry struct {
	started      time.Time
	method, url  string
	reqHeaders   network.Headers // from requestWillBeSent
	rawReq       network.Headers // from requestWillBeSentExtraInfo: what went on the wire
	postData     string
	resourceType string
	initiator    *network.Initiator

	status     int64
	statusText string
	respHdrs   network.Headers // responseReceived's
	rawResp    network.Headers // responseReceivedExtraInfo's
	rawStatus  int64
	mimeType   string
	finished   bool
	body       []byte
	bodyB64    bool
	errorText  string
	corsError  string
}

func recordHAR(t *testing.T, ctx context.Context) *harRecorder {
	t.Helper()
	r := &harRecorder{entries: map[network.RequestID]*recEntry{}}
	if err := chromedp.Listen(ctx, r.observe); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	return r
}

func (r *harRecorder) get(id network.RequestID) *recEntry {
	e, ok := r.entries[id]
	if !ok {
		e = &recEntry{}
		r.entries[id] = e
		r.order = append(r.order, id)
	}
	return e
}

func (r *harRecorder) observe(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.RedirectResponse != nil {
			// DevTools keeps the redirected request as an entry of its
			// own under a new id; the lab's scenarios never follow one.
			old := r.get(ev.RequestID)
			old.status, old.statusText, old.respHdrs = ev.RedirectResponse.Status, ev.RedirectResponse.StatusText, ev.RedirectResponse.Headers
			old.finished = true
			r.entries[ev.RequestID+"-redirected"] = old
			delete(r.entries, ev.RequestID)
			r.order[slices.Index(r.order, ev.RequestID)] = ev.RequestID + "-redirected"
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
		r.get(ev.RequestID).rawReq = ev.Headers
	case *network.EventResponseReceived:
		e := r.get(ev.RequestID)
		e.status, e.statusText, e.respHdrs, e.mimeType = ev.Response.Status, ev.Response.StatusText, ev.Response.Headers, ev.Response.MimeType
	case *network.EventResponseReceivedExtraInfo:
		e := r.get(ev.RequestID)
		e.rawResp, e.rawStatus = ev.Headers, ev.StatusCode
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

// fetchBodies asks DevTools for the bodies of the finished requests, as
// DevTools does when it saves a HAR with content.
func (r *harRecorder) fetchBodies(t *testing.T, ctx context.Context) {
	t.Helper()
	r.mu.Lock()
	var ids []network.RequestID
	for _, id := range r.order {
		if e := r.entries[id]; e.finished && e.errorText == "" && e.resourceType != "preflight" {
			ids = append(ids, id)
		}
	}
	r.mu.Unlock()
	for _, id := range ids {
		res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		if err != nil {
			continue // DevTools, too, saves no content when it has none
		}
		r.mu.Lock()
		r.entries[id].body = res.Body
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
			return e.corsError, true
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
	for _, id := range r.order {
		e := r.entries[id]
		if e.url == "" || strings.HasPrefix(e.url, "data:") {
			continue
		}
		reqHdrs := e.rawReq
		if reqHdrs == nil {
			reqHdrs = e.reqHeaders
		}
		status, respHdrs := e.status, e.respHdrs
		if e.rawResp != nil {
			respHdrs = e.rawResp
		}
		if status == 0 {
			status = e.rawStatus
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
