package siteB

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/trial"
)

// TestFailurePaths: each server failure path answers as the layer it
// stands for does — which responses carry the policy's headers, which
// status, where a redirect points — and the recorded exchange is what was sent.
func TestFailurePaths(t *testing.T) {
	const acao = `"headers": {"Access-Control-Allow-Origin": "*"}`
	origin := http.Header{"Origin": {"http://localhost:7070"}}
	withCookie := http.Header{"Origin": {"http://localhost:7070"}, "Cookie": {SessionCookie + "=x"}}
	tests := []struct {
		desc     string
		failures string
		method   string
		path     string
		header   http.Header
		body     string
		status   int
		acao     bool
		location string // a suffix
		effect   trial.EffectKind
	}{
		{"no failure: a 404 carries the headers", ``, "GET", "/api/items/999", origin, "", 404, true, "", ""},
		{"error-without-cors: a 404 carries none", `"error-without-cors"`, "GET", "/api/items/999", origin, "", 404, false, "", ""},
		{"error-without-cors: a 200 carries them", `"error-without-cors"`, "GET", "/api/items", origin, "", 200, true, "", ""},
		{"error-without-cors: a 201 carries them, and the item is created", `"error-without-cors"`, "POST", "/api/items", origin, "name=x", 201, true, "", trial.Created},
		{"error-without-cors: a 400 carries none", `"error-without-cors"`, "PUT", "/api/items/x", origin, "", 400, false, "", ""},
		{"auth-before-cors: no cookie, 401 without headers", `"auth-before-cors"`, "GET", "/api/items", origin, "", 401, false, "", ""},
		{"auth-before-cors: a cookie passes", `"auth-before-cors"`, "GET", "/api/items", withCookie, "", 200, true, "", ""},
		{"auth-before-cors: logging in passes", `"auth-before-cors"`, "POST", "/api/login", origin, "", 200, true, "", trial.LoggedIn},
		{"auth-after-cors: no cookie, 401 with headers", `"auth-after-cors"`, "GET", "/api/items", origin, "", 401, true, "", ""},
		{"redirect-trailing-slash: redirected without headers", `"redirect-trailing-slash"`, "GET", "/api/items?x=1", origin, "", 301, false, "/api/items/?x=1", ""},
		{"redirect-trailing-slash: the slashed path is served", `"redirect-trailing-slash"`, "GET", "/api/items/", origin, "", 200, true, "", ""},
		{"redirect-https: redirected without headers", `"redirect-https"`, "GET", "/api/items", origin, "", 301, false, "/api/items", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			st := newSite(t, `{"actual": {`+acao+`, "failures": [`+tt.failures+`]}}`)
			h := tt.header.Clone()
			if tt.body != "" {
				h.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			r := st.do(t, tt.method, tt.path, h, tt.body)
			if r.status != tt.status || (r.header.Get("Access-Control-Allow-Origin") != "") != tt.acao {
				t.Errorf("got %d, Access-Control-Allow-Origin %q; want %d, present %t", r.status, r.header.Get("Access-Control-Allow-Origin"), tt.status, tt.acao)
			}
			if r.x.Status != r.status || (r.x.ResponseHeader.Get("Access-Control-Allow-Origin") != "") != tt.acao {
				t.Errorf("recorded %d %v, sent %d %v", r.x.Status, r.x.ResponseHeader, r.status, r.header)
			}
			if loc := r.header.Get("Location"); tt.location != "" && !strings.HasSuffix(loc, tt.location) {
				t.Errorf("Location %q, want …%s", loc, tt.location)
			}
			if tt.failures == `"redirect-https"` && !strings.HasPrefix(r.header.Get("Location"), "https://") {
				t.Errorf("Location %q, want https:", r.header.Get("Location"))
			}
			if got := r.x.Effect; (got == nil) != (tt.effect == "") || got != nil && got.Kind != tt.effect {
				t.Errorf("effect %+v, want %q", got, tt.effect)
			}
		})
	}
}
