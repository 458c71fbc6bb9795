package siteA

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/content/scenario"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/policy"
)

func TestEditPolicy(t *testing.T) {
	l := newLab(t, 64, nil, nil)
	tests := []struct {
		desc   string
		body   string
		status int
		want   string // the document in force after, or the error's start
	}{
		{"set on both", `{"header":"Access-Control-Allow-Origin","where":"both","values":["*"]}`, 200,
			`{"preflight":{"headers":{"Access-Control-Allow-Origin":"*"}},"actual":{"headers":{"Access-Control-Allow-Origin":"*"}}}`},
		{"move to the actual only", `{"header":"access-control-allow-origin","where":"actual","values":["{origin}"]}`, 200,
			`{"preflight":{},"actual":{"headers":{"access-control-allow-origin":"{origin}"}}}`},
		{"a move keeps the values in force", `{"header":"Access-Control-Allow-Origin","where":"preflight","move":true,"values":["*"]}`, 200,
			`{"preflight":{"headers":{"Access-Control-Allow-Origin":"{origin}"}},"actual":{}}`},
		{"and moves back", `{"header":"access-control-allow-origin","where":"actual","move":true}`, 200,
			`{"preflight":{},"actual":{"headers":{"access-control-allow-origin":"{origin}"}}}`},
		{"status", `{"status":500}`, 200,
			`{"preflight":{"status":500},"actual":{"headers":{"access-control-allow-origin":"{origin}"}}}`},
		{"a redirect gets a Location", `{"status":301}`, 200,
			`{"preflight":{"status":301,"headers":{"Location":"http://127.0.0.1:7071/api/items"}},"actual":{"headers":{"access-control-allow-origin":"{origin}"}}}`},
		{"back to the default", `{"status":204}`, 200,
			`{"preflight":{},"actual":{"headers":{"access-control-allow-origin":"{origin}"}}}`},
		{"remove", `{"header":"Access-Control-Allow-Origin","where":"none"}`, 200, `{"preflight":{},"actual":{}}`},
		{"nothing to move", `{"header":"Access-Control-Allow-Origin","where":"both","move":true}`, 400,
			`edit: Access-Control-Allow-Origin is not sent, so there is nothing to move`},
		{"invalid name: the old policy stays", `{"header":"X Bad","where":"both","values":["1"]}`, 400,
			`preflight.headers["X Bad"]: invalid header name`},
		{"two problems on one line", `{"header":"X-A","where":"both","values":["{nope}"]}`, 400,
			`preflight.headers["X-A"]: unknown placeholder {nope} (want {origin}, {request-method} or {request-headers}); actual.headers["X-A"]`},
		{"bad where", `{"header":"X-A","where":"sideways","values":["1"]}`, 400, `edit.where: "sideways" is not`},
		{"nothing named", `{}`, 400, `edit: name a header, or a preflight status`},
		{"unknown field", `{"heder":"X"}`, 400, `edit: not the JSON expected`},
	}
	var lastSeq uint64
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			before := string(l.b.PolicyJSON())
			resp, body := l.request(t, "POST", "/lab/policy/edit", nil, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status != 200 {
				if !strings.HasPrefix(body, tt.want) || strings.Count(body, "\n") != 1 {
					t.Errorf("error %q, want one line starting %q", body, tt.want)
				}
				if after := string(l.b.PolicyJSON()); after != before {
					t.Errorf("policy changed to %s on error", after)
				}
				return
			}
			if got := compact(t, body); got != tt.want {
				t.Errorf("policy %s\nwant %s", got, tt.want)
			}
			// The answer names the live log's event that announced it: a
			// new one for each edit.
			seq, err := strconv.ParseUint(resp.Header.Get(PolicySeqHeader), 10, 64)
			announced, last := l.j.LastPolicy()
			if err != nil || seq != last || seq <= lastSeq || compact(t, string(announced)) != tt.want {
				t.Errorf("%s: %q (%v); the last policy event is %d (the edit before's %d): %s", PolicySeqHeader, resp.Header.Get(PolicySeqHeader), err, last, lastSeq, announced)
			}
			lastSeq = seq
		})
	}
	resp, _ := l.request(t, "POST", "/lab/policy/edit", http.Header{"Origin": {"http://evil.example"}, "Sec-Fetch-Site": {"cross-site"}},
		`{"header":"X-A","where":"both","values":["1"]}`)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin edit: status %d, want 403", resp.StatusCode)
	}
}

func TestFixPolicyDoors(t *testing.T) {
	l := newLab(t, 64, nil, nil)
	for _, tt := range []struct {
		body   string
		status int
	}{
		{`{"trial":"t-none"}`, http.StatusNotFound},
		{`{"trial":`, http.StatusBadRequest},
	} {
		if resp, body := l.request(t, "POST", "/lab/policy/fix", nil, tt.body); resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.body, resp.StatusCode, tt.status, body)
		}
	}
}

func TestApplyFix(t *testing.T) {
	start := policy.Document{
		Preflight: policy.PreflightRule{Status: 403, Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}},
		Actual:    policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}, "X-Kept": {"1"}}},
	}
	tests := []struct {
		desc string
		fix  fetch.Fix
		want policy.Document
	}{
		{"status and preflight headers; the actual's kept",
			fetch.Fix{PreflightStatus: 204, Preflight: map[string]string{"Access-Control-Allow-Methods": "PUT"}},
			policy.Document{
				Preflight: policy.PreflightRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"PUT"}}},
				Actual:    policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}, "X-Kept": {"1"}}},
			}},
		{"credentials on both responses",
			fetch.Fix{
				Preflight: map[string]string{"Access-Control-Allow-Origin": "http://a", "Access-Control-Allow-Credentials": "true"},
				Actual:    map[string]string{"Access-Control-Allow-Origin": "http://a", "Access-Control-Allow-Credentials": "true"},
			},
			policy.Document{
				Preflight: policy.PreflightRule{Status: 403, Headers: policy.Headers{"Access-Control-Allow-Origin": {"http://a"}, "Access-Control-Allow-Credentials": {"true"}}},
				Actual:    policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"http://a"}, "Access-Control-Allow-Credentials": {"true"}, "X-Kept": {"1"}}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d := start.Clone()
			ApplyFix(&d, &tt.fix)
			if !reflect.DeepEqual(d, tt.want) {
				t.Errorf("ApplyFix = %s\nwant %s", d.Encode(), tt.want.Encode())
			}
		})
	}
}

// compact is a JSON document on one line, for comparing.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return b.String()
}

func TestScenarioDoors(t *testing.T) {
	l := newLab(t, 64, func(string) Config { return Config{SiteBPort: siteBPort, Scenario: "missing-vary"} }, nil)
	resp, body := l.request(t, "GET", "/lab/scenarios", nil, "")
	var got Scenarios
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 || got.Current != "missing-vary" || len(got.Scenarios) == 0 {
		t.Fatalf("GET /lab/scenarios: %d %v %s", resp.StatusCode, err, body)
	}
	sc, err := scenario.Get("stale-preflight-cache")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		status int
		want   json.RawMessage
	}{
		{"/lab/scenarios/stale-preflight-cache/buggy", 200, sc.Buggy},
		{"/lab/scenarios/stale-preflight-cache/deploy", 200, sc.Deploy},
		{"/lab/scenarios/stale-preflight-cache/fixed", 200, sc.Fixed},
		{"/lab/scenarios/missing-vary/deploy", 404, nil},
		{"/lab/scenarios/missing-vary/sideways", 404, nil},
		{"/lab/scenarios/no-such/buggy", 404, nil},
	}
	for _, tt := range tests {
		resp, body := l.request(t, "POST", tt.path, nil, "")
		if resp.StatusCode != tt.status {
			t.Errorf("POST %s: status %d, want %d: %s", tt.path, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.want != nil {
			want, err := policy.ParseDocument(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(l.b.PolicyJSON()); compact(t, got) != compact(t, string(want.Encode())) {
				t.Errorf("POST %s: policy %s, want %s", tt.path, got, want.Encode())
			}
		}
	}
}
