package lesson

import (
	"net/http"
	"testing"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
)

const (
	siteAURL = "http://localhost:7070"
	siteBURL = "http://localhost:7071"
)

// trial builds a settled trial: method, URL on site B (or path on site A
// when it starts with "A"), whether JS got a response, and exchanges.
func mk(method, path string, okay bool, xs ...journal.Exchange) *journal.Trial {
	url := siteBURL + path
	if path[0] == 'A' {
		url = siteAURL + path[1:]
	}
	t := &journal.Trial{ID: "t", Origin: siteAURL, Request: trial.Request{Method: method, URL: url}, Exchanges: xs,
		Outcome: &trial.Outcome{OK: okay, Status: 200}, Account: trial.Account{Verdict: &fetch.Verdict{Allowed: okay}}}
	if !okay {
		t.Outcome = &trial.Outcome{Error: "TypeError: Failed to fetch"}
	}
	return t
}

func x(method string, status int, h ...string) journal.Exchange {
	hd := http.Header{}
	for i := 0; i+1 < len(h); i += 2 {
		hd.Add(h[i], h[i+1])
	}
	return journal.Exchange{Method: method, Status: status, ResponseHeader: hd}
}

func pre(h ...string) journal.Exchange {
	e := x("OPTIONS", 204, h...)
	e.Preflight = true
	return e
}

// cached marks t as the journal's account does a request sent with a
// preflight answered from the browser's cache.
func cached(t *journal.Trial) *journal.Trial {
	t.Happened = trial.Happened{Preflight: trial.PreflightCached, ReachedSiteB: true}
	return t
}

func with(t *journal.Trial, f func(*journal.Trial)) *journal.Trial { f(t); return t }

func TestChecks(t *testing.T) {
	blockedGet := mk("GET", "/api/items", false, x("GET", 200))
	okGet := mk("GET", "/api/items", true, x("GET", 200, "Access-Control-Allow-Origin", siteAURL))
	tests := []struct {
		id     string
		done   [][]*journal.Trial
		undone [][]*journal.Trial
	}{
		{"same-origin", [][]*journal.Trial{{mk("GET", "A/api/items", true), blockedGet}},
			[][]*journal.Trial{{mk("GET", "A/api/items", true)}, {blockedGet}}},
		{"blocked-get", [][]*journal.Trial{{blockedGet, okGet}}, [][]*journal.Trial{{okGet, blockedGet}, {blockedGet}}},
		{"blocked-post", [][]*journal.Trial{{with(mk("POST", "/api/items", false, x("POST", 201)), func(t *journal.Trial) { t.Exchanges[0].Effect = &trial.Effect{Kind: trial.Created, Item: 4, Name: "x"} })}},
			[][]*journal.Trial{{mk("POST", "/api/items", false, x("POST", 400))}}},
		{"preflight", [][]*journal.Trial{{mk("PUT", "/api/items/1", true, pre("Access-Control-Allow-Origin", siteAURL), x("PUT", 200, "Access-Control-Allow-Origin", siteAURL))},
			// The fix made within the cache's Max-Age: the browser reused the earlier preflight.
			{mk("PUT", "/api/items/1", false, pre("Access-Control-Allow-Origin", siteAURL), x("PUT", 200)), cached(mk("PUT", "/api/items/1", true, x("PUT", 200, "Access-Control-Allow-Origin", siteAURL)))}},
			[][]*journal.Trial{{mk("PUT", "/api/items/1", true, pre("Access-Control-Allow-Origin", "*"), x("PUT", 200, "Access-Control-Allow-Origin", "*"))},
				{mk("PUT", "/api/items/1", false, pre())},
				{mk("PUT", "/api/items/1", false, pre("Access-Control-Allow-Origin", "*"), x("PUT", 200)), cached(mk("PUT", "/api/items/1", true, x("PUT", 200, "Access-Control-Allow-Origin", siteAURL)))},
				{cached(mk("PUT", "/api/items/1", true, x("PUT", 200, "Access-Control-Allow-Origin", siteAURL)))}}},
		{"non-simple", [][]*journal.Trial{{mk("GET", "/", false, with2(pre(), "x-requested-with")), mk("POST", "/", false, with2(pre(), "content-type"))}},
			[][]*journal.Trial{{mk("GET", "/", false, with2(pre(), "x-requested-with"))}}},
		{"methods-headers", [][]*journal.Trial{{mk("DELETE", "/api/items/3", true), hdr(mk("GET", "/api/items", true), "X-Requested-With")}},
			[][]*journal.Trial{{mk("DELETE", "/api/items/3", true), hdr(mk("GET", "/api/items", false), "X-Requested-With")}}},
		{"credentials", [][]*journal.Trial{{cred(mk("GET", "/api/me", true))}},
			[][]*journal.Trial{{cred(mk("GET", "/api/me", false))}, {mk("GET", "/api/me", true)}}},
		{"expose-headers", [][]*journal.Trial{{with(mk("GET", "/api/items", true), func(t *journal.Trial) { t.Outcome.Headers = [][2]string{{"x-total", "3"}} })}},
			[][]*journal.Trial{{okGet}}},
		{"max-age", [][]*journal.Trial{{cached(mk("PUT", "/api/items/1", true, x("PUT", 200)))}},
			[][]*journal.Trial{{mk("PUT", "/api/items/1", true, pre(), x("PUT", 200))}}},
		{"vary-origin", [][]*journal.Trial{{mk("GET", "/api/items", true, x("GET", 200, "Access-Control-Allow-Origin", siteAURL, "Vary", "Origin"))}},
			[][]*journal.Trial{{okGet}, {mk("GET", "/api/items", true, x("GET", 200, "Access-Control-Allow-Origin", "*", "Vary", "Origin"))}}},
		{"null-origin", [][]*journal.Trial{{with(mk("GET", "/api/items", true), func(t *journal.Trial) { t.Origin = "null" })}},
			[][]*journal.Trial{{okGet}, {with(mk("GET", "/api/items", false), func(t *journal.Trial) { t.Origin = "null" })}}},
		{"reflect-credentials", [][]*journal.Trial{{mk("GET", "/api/me", true, x("GET", 200, "Access-Control-Allow-Origin", siteAURL)), mismatch(mk("GET", "/api/me", false))}},
			[][]*journal.Trial{{mismatch(mk("GET", "/api/me", false)), mk("GET", "/api/me", true, x("GET", 200, "Access-Control-Allow-Origin", siteAURL))},
				{mk("GET", "/api/me", true, x("GET", 200, "Access-Control-Allow-Origin", siteAURL))}}},
		{"no-cors", [][]*journal.Trial{{with(mk("GET", "/api/items", true), func(t *journal.Trial) { t.Outcome.Type = "opaque" })}},
			[][]*journal.Trial{{okGet}}},
		{"websocket", [][]*journal.Trial{{ws(true, "hello from site B, you are "+siteAURL)}},
			[][]*journal.Trial{{ws(false, "")}, {okGet}, {with(ws(true, "hello from site B"), func(t *journal.Trial) { t.Request.URL = "ws://localhost:7070/api/ws" })},
				{with(ws(true, "hello from site B"), func(t *journal.Trial) { t.Request.Mode = "" })}}},
	}
	tests = append(tests, kindChecks...) // kinds_test.go
	if len(tests) != len(All()) {
		t.Errorf("%d lessons tested, %d lessons", len(tests), len(All()))
	}
	for _, tt := range tests {
		i := indexOf(tt.id)
		if i < 0 {
			t.Errorf("no lesson %s", tt.id)
			continue
		}
		for _, ts := range tt.done {
			if !Done(i, Attempt{Trials: ts}) {
				t.Errorf("%s: not done after %s", tt.id, describe(ts))
			}
		}
		for _, ts := range tt.undone {
			if Done(i, Attempt{Trials: ts}) {
				t.Errorf("%s: done after %s", tt.id, describe(ts))
			}
		}
		if Done(i, Attempt{}) {
			t.Errorf("%s: done with no trials", tt.id)
		}
	}
}

func TestLessonsWellFormed(t *testing.T) {
	all := All()
	if len(all) < 12 {
		t.Fatalf("%d lessons, want at least 12", len(all))
	}
	for _, l := range all {
		if l.ID == "" || l.Title == "" || l.Concept == "" || l.Goal == "" || l.Hint == "" || len(l.Requests) == 0 || l.Check == nil {
			t.Errorf("lesson %q incomplete: %+v", l.ID, l)
		}
		if _, err := parseDoc(l.Policy); err != nil {
			t.Errorf("lesson %s: policy: %v", l.ID, err)
		}
	}
}

func indexOf(id string) int {
	for i, l := range All() {
		if l.ID == id {
			return i
		}
	}
	return -1
}

func describe(ts []*journal.Trial) string {
	s := ""
	for _, t := range ts {
		s += t.Request.Method + " " + t.Request.URL + "; "
	}
	return s
}

func with2(e journal.Exchange, acrh string) journal.Exchange {
	e.RequestHeader = http.Header{"Access-Control-Request-Headers": {acrh}}
	return e
}

func hdr(t *journal.Trial, name string) *journal.Trial {
	t.Request.Headers = [][2]string{{name, "x"}}
	return t
}

func cred(t *journal.Trial) *journal.Trial { t.Request.Credentials = "include"; return t }

func mismatch(t *journal.Trial) *journal.Trial {
	t.Verdict.Error = fetch.ErrAllowOriginMismatch
	return t
}

// ws is a settled websocket trial to site B: what the page read, if okay.
func ws(okay bool, body string) *journal.Trial {
	t := &journal.Trial{ID: "w", Origin: siteAURL, Request: trial.Request{Method: "GET", URL: "ws://localhost:7071/api/ws?trial=w", Mode: trial.ModeWebSocket},
		Exchanges: []journal.Exchange{x("GET", 101)}, Outcome: &trial.Outcome{OK: okay, Type: "websocket", Status: 101, Body: body}}
	if !okay {
		t.Outcome = &trial.Outcome{Error: "websocket closed (code 1006) before any message"}
	}
	return t
}

// The websocket lesson is done only while site B's policy sends no
// Access-Control-Allow-Origin: the point is that none is needed.
func TestWebsocketCheckNeedsAClosedPolicy(t *testing.T) {
	i := indexOf("websocket")
	trials := []*journal.Trial{ws(true, "hello from site B, you are "+siteAURL)}
	for doc, want := range map[string]bool{
		`{}`: true,
		`{"actual": {"headers": {"X-Other": "1"}}}`:                               true,
		`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`:           false,
		`{"preflight": {"headers": {"access-control-allow-origin": "{origin}"}}}`: false,
	} {
		d, err := parseDoc([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := Done(i, Attempt{Trials: trials, Policy: d}); got != want {
			t.Errorf("policy %s: done = %t, want %t", doc, got, want)
		}
	}
}
