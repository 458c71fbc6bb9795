package siteB

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// startReplay is site B in replay mode with the recordings of a production
// API whose page was https://app.example.
func startReplay(t *testing.T) *proxySite {
	t.Helper()
	rec := newRecorder()
	s := NewReplay(rec, "https://api.example", []Recording{
		{Method: "GET", Path: "/api/items?page=2", Status: 200, From: "entry 3 of prod.har", Origin: "https://app.example",
			Header: http.Header{"Access-Control-Allow-Origin": {"https://app.example"}, "Content-Type": {"application/json"},
				"Content-Length": {"999"}, "Content-Encoding": {"gzip"}, "X-Total": {"3"}},
			Body: []byte(`{"items":[]}`)},
		{Method: "OPTIONS", Path: "/api/items/1", Status: 204, From: "entry 5 of prod.har", Origin: "https://app.example",
			Header: http.Header{"Access-Control-Allow-Origin": {"https://app.example"}, "Access-Control-Allow-Methods": {"GET, POST"}}},
		{Method: "GET", Path: "/api/me", Status: 200, From: "entry 7 of prod.har", Origin: "https://app.example",
			Header: http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Credentials": {"true"}}, Body: []byte("me")},
	})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &proxySite{Server: srv, site: s, rec: rec}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, policy, method, path string
		header                     []string
		status                     int
		body                       string
		want                       map[string]string // response headers; "" = absent
		upstreamError              string
	}{
		{"recorded answer, the recorded origin swapped for the page's", "", "GET", "/api/items?page=2", []string{"Origin", pageOrigin}, 200, `{"items":[]}`,
			map[string]string{"Access-Control-Allow-Origin": pageOrigin, "X-Total": "3", "Content-Encoding": "", "Content-Type": "application/json"}, ""},
		{"no Origin: nothing swapped", "", "GET", "/api/items?page=2", nil, 200, `{"items":[]}`,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example"}, ""},
		{"the query is part of the key", "", "GET", "/api/items?page=3", []string{"Origin", pageOrigin}, 404,
			"corslab -replay: nothing was recorded for GET /api/items?page=3 on https://api.example", map[string]string{"Access-Control-Allow-Origin": ""}, "nothing recorded for GET /api/items?page=3"},
		{"recorded preflight", "", "OPTIONS", "/api/items/1", []string{"Origin", pageOrigin, "Access-Control-Request-Method", "PUT"}, 204, "",
			map[string]string{"Access-Control-Allow-Methods": "GET, POST"}, ""},
		{"the policy overrides a header, the rest is replayed", `{"preflight": {"headers": {"Access-Control-Allow-Methods": "GET, POST, PUT"}}}`,
			"OPTIONS", "/api/items/1", []string{"Origin", pageOrigin, "Access-Control-Request-Method", "PUT"}, 204, "",
			map[string]string{"Access-Control-Allow-Methods": "GET, POST, PUT", "Access-Control-Allow-Origin": pageOrigin}, ""},
		{"the policy sets the preflight's status", `{"preflight": {"status": 200}}`,
			"OPTIONS", "/api/items/1", []string{"Origin", pageOrigin, "Access-Control-Request-Method", "PUT"}, 200, "",
			map[string]string{"Access-Control-Allow-Methods": "GET, POST"}, ""},
		{"the fix for a wildcard with credentials", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Vary": "Origin"}}}`,
			"GET", "/api/me", []string{"Origin", pageOrigin}, 200, "me",
			map[string]string{"Access-Control-Allow-Origin": pageOrigin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}, ""},
		{"a policy's headers on the 404 too", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`,
			"DELETE", "/api/items/9", []string{"Origin", pageOrigin}, 404, "nothing was recorded for DELETE /api/items/9",
			map[string]string{"Access-Control-Allow-Origin": pageOrigin}, "nothing recorded for DELETE /api/items/9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startReplay(t)
			if tt.policy != "" {
				p.setPolicy(t, tt.policy)
			}
			resp, body := p.do(t, tt.method, tt.path, tt.header...)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) || (tt.body == "" && body != "") {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			for k, v := range tt.want {
				if got := strings.Join(resp.Header.Values(k), ", "); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			x := p.rec.waitExchanges(t, 1)[0]
			if x.UpstreamError != tt.upstreamError || (tt.upstreamError == "" && (x.UpstreamStatus == 0 || !strings.HasPrefix(x.Effect.String(), "replayed entry "))) {
				t.Errorf("journal: %+v", x)
			}
		})
	}
	if got := startReplay(t).site.Replaying(); got != "https://api.example" {
		t.Errorf("Replaying() = %q", got)
	}
}
