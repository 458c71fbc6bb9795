package trial

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
)

const (
	siteA = "http://localhost:7070"
	siteB = "http://localhost:7071"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func preflightSeen(kv ...string) Seen {
	return Seen{Preflight: true, Method: "OPTIONS", Path: "/api/items/1", Status: 204, Header: hdr(kv...)}
}

func actualSeen(method, path string, status int, kv ...string) Seen {
	return Seen{Method: method, Path: path, Status: status, Header: hdr(kv...)}
}

var (
	failed   = &Outcome{Error: "TypeError: Failed to fetch"}
	putJSON  = Request{Label: "PUT /api/items/1", Method: "PUT", URL: siteB + "/api/items/1", Headers: [][2]string{{"Content-Type", "application/json"}}, Body: `{"name": "renamed"}`}
	getItems = Request{Method: "GET", URL: siteB + "/api/items"}
)

func okOutcome(typ string, status int, kv ...string) *Outcome {
	o := &Outcome{OK: true, Type: typ, Status: status}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Headers = append(o.Headers, [2]string{kv[i], kv[i+1]})
	}
	return o
}

// TestBuild: the account of each kind of trial issue 11 found drawn wrong —
// same origin, Origin: null, the preflight cache, a request fetch() refuses,
// a websocket — says what happened, and tells no other story.
func TestBuild(t *testing.T) {
	tests := []struct {
		desc     string
		in       Input
		happened Happened
		call     string   // exactly, if set
		headline string   // a prefix
		verdict  string   // the verdict's error, "-" for no verdict
		notes    []string // substrings of the notes
		trace    []string // the steps' What, in order (a prefix of each)
	}{{
		desc: "same origin (lesson 1): no CORS, no server-down story, no mismatch",
		in: Input{Origin: siteA, Request: Request{Label: "GET site A", Method: "GET", URL: siteA + "/api/items", Site: "A"},
			Outcome: okOutcome("basic", 200, "content-type", "application/json", "x-total", "3")},
		happened: Happened{SameOrigin: true, Preflight: PreflightNone},
		call:     `fetch("http://localhost:7070/api/items", {method: "GET"})`,
		headline: "Same origin: no CORS applies — JavaScript got 200",
		notes:    []string{"same-origin, so CORS does not apply"},
		trace:    []string{`fetch("http://localhost:7070/api/items"`, "GET /api/items", "200 OK", "Response (type basic, status 200)"},
	}, {
		desc:     "same origin, site A down",
		in:       Input{Origin: siteA, Request: Request{Method: "GET", URL: siteA + "/api/items"}, Outcome: failed},
		happened: Happened{SameOrigin: true, Preflight: PreflightNone},
		headline: "Same origin: no CORS applies — the request failed: TypeError: Failed to fetch",
		verdict:  fetch.ErrTypeError,
	}, {
		desc: "Origin: null from a sandboxed iframe (lesson 11): the exchange the journal attached",
		in: Input{Origin: "null", Request: Request{Method: "GET", URL: siteB + "/api/items", Sandbox: true},
			Exchanges: []Seen{actualSeen("GET", "/api/items", 200, "Access-Control-Allow-Origin", "*", "Content-Type", "application/json")},
			Outcome:   okOutcome("cors", 200, "content-type", "application/json")},
		happened: Happened{Preflight: PreflightNone, ReachedSiteB: true},
		headline: "Allowed: site B answered 200 and JavaScript read it",
		notes:    []string{"sandboxed iframe", "Origin: null and no Referer"},
	}, {
		desc: "Origin: null refused by site B: it still reached site B",
		in: Input{Origin: "null", Request: Request{Method: "GET", URL: siteB + "/api/items", Sandbox: true},
			Exchanges: []Seen{actualSeen("GET", "/api/items", 200, "Access-Control-Allow-Origin", siteA)}, Outcome: failed},
		happened: Happened{Preflight: PreflightNone, ReachedSiteB: true},
		headline: "Site B ran GET and answered 200, but the browser hid the answer from JavaScript (AllowOriginMismatch)",
		verdict:  fetch.ErrAllowOriginMismatch,
	}, {
		desc: "a PUT sent again within Max-Age (lesson 9): answered from the preflight cache, no OPTIONS drawn",
		in: Input{Origin: siteA, Request: putJSON, Exchanges: []Seen{actualSeen("PUT", "/api/items/1", 200, "Access-Control-Allow-Origin", siteA, "Content-Type", "application/json")},
			Outcome: okOutcome("cors", 200, "content-type", "application/json"), Cache: CacheEntry{Trial: "p1"}},
		happened: Happened{Preflight: PreflightCached, ReachedSiteB: true},
		headline: "Allowed: site B answered 200 and JavaScript read it (preflight answered from the browser's preflight cache)",
		notes:    []string{"answered it from its preflight cache", "from trial p1"},
		trace:    []string{"fetch(", "preflight answered from the browser's preflight cache", "PUT /api/items/1", "200 OK", "Response (type cors"},
	}, {
		desc: "the cached answer outlives a policy change",
		in: Input{Origin: siteA, Request: putJSON, Exchanges: []Seen{actualSeen("PUT", "/api/items/1", 200, "Access-Control-Allow-Origin", siteA)},
			Outcome: okOutcome("cors", 200), Cache: CacheEntry{Trial: "p1", PolicyChanged: true}},
		happened: Happened{Preflight: PreflightCached, ReachedSiteB: true},
		headline: "Allowed:",
		notes:    []string{"policy changed since that preflight", "keeps using the old answer"},
		trace:    []string{"fetch(", "preflight answered from the browser's preflight cache", "PUT /api/items/1", "200 OK", "Response (type cors"},
	}, {
		desc: "a cached preflight, then an actual response the new policy left without Allow-Origin",
		in: Input{Origin: siteA, Request: putJSON, Exchanges: []Seen{actualSeen("PUT", "/api/items/1", 200)}, Outcome: failed,
			Cache: CacheEntry{Trial: "p1", PolicyChanged: true}},
		happened: Happened{Preflight: PreflightCached, ReachedSiteB: true},
		headline: "Site B ran PUT and answered 200, but the browser hid the answer from JavaScript (MissingAllowOriginHeader) (preflight answered",
		verdict:  fetch.ErrMissingAllowOriginHeader,
		trace:    []string{"fetch(", "preflight answered from the browser's preflight cache", "PUT /api/items/1", "200 OK", "TypeError"},
	}, {
		desc: "a lower-case patch stopped at the preflight: named as fetch() sends it, patch",
		in: Input{Origin: siteA, Request: Request{Method: "patch", URL: siteB + "/api/items/1", Headers: [][2]string{{"Content-Type", "application/json"}}, Body: "{}"},
			Exchanges: []Seen{preflightSeen("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "PATCH", "Access-Control-Allow-Headers", "content-type")}, Outcome: failed},
		happened: Happened{Preflight: PreflightSent},
		headline: "patch never reached site B: blocked at the preflight (MethodDisallowedByPreflightResponse)",
		verdict:  fetch.ErrMethodDisallowedByPreflightResponse,
	}, {
		desc: "a lower-case patch sent again within Max-Age: the cached answer allowed patch, as it must have",
		in: Input{Origin: siteA, Request: Request{Method: "patch", URL: siteB + "/api/items/1", Headers: [][2]string{{"Content-Type", "application/json"}}, Body: "{}"},
			Exchanges: []Seen{actualSeen("patch", "/api/items/1", 200, "Access-Control-Allow-Origin", "*")}, Outcome: okOutcome("cors", 200)},
		happened: Happened{Preflight: PreflightCached, ReachedSiteB: true},
		headline: "Allowed: site B answered 200 and JavaScript read it (preflight answered",
		trace:    []string{"fetch(", "preflight answered from the browser's preflight cache", "patch /api/items/1", "200 OK", "Response (type cors"},
	}, {
		desc: "a GET with a body: refused by fetch() itself",
		in: Input{Origin: siteA, Request: Request{Method: "GET", URL: siteB + "/api/items", Body: "x=1"},
			Outcome: &Outcome{Error: "TypeError: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body."}},
		happened: Happened{Preflight: PreflightNone, RefusedLocally: true},
		call:     `fetch("http://localhost:7071/api/items", {method: "GET", body: "x=1"})`,
		headline: "Refused by fetch() itself, nothing sent: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body.",
		verdict:  fetch.ErrTypeError,
		trace:    []string{"fetch(", "TypeError: Failed to execute 'fetch'"},
	}, {
		desc:     "a forbidden method",
		in:       Input{Origin: siteA, Request: Request{Method: "TRACE", URL: siteB + "/api/items"}, Outcome: &Outcome{Error: "TypeError: Failed to execute 'fetch' on 'Window': 'TRACE' HTTP method is unsupported."}},
		happened: Happened{Preflight: PreflightNone, RefusedLocally: true},
		headline: "Refused by fetch() itself, nothing sent: Failed to execute 'fetch' on 'Window': 'TRACE' HTTP method is unsupported.",
		verdict:  fetch.ErrTypeError,
	}, {
		desc: "an invalid header name",
		in: Input{Origin: siteA, Request: Request{Method: "GET", URL: siteB + "/api/items", Headers: [][2]string{{"X Bad", "1"}}},
			Outcome: &Outcome{Error: "TypeError: Failed to execute 'fetch' on 'Window': Invalid name"}},
		happened: Happened{Preflight: PreflightNone, RefusedLocally: true},
		headline: "Refused by fetch() itself, nothing sent: Failed to execute 'fetch' on 'Window': Invalid name",
		verdict:  fetch.ErrTypeError,
	}, {
		desc: "a websocket (lesson 14): new WebSocket(), a 101 handshake, no verdict",
		in: Input{Origin: siteA, Request: Request{Method: "GET", URL: "ws://localhost:7071/api/ws?trial=w1", Mode: ModeWebSocket},
			Exchanges: []Seen{{Method: "GET", Path: "/api/ws?trial=w1", Status: 101, Effect: &Effect{Kind: WSMessage, Origin: siteA}}},
			Outcome:   &Outcome{OK: true, Type: "websocket", Status: 101, Body: `{"hello": "hello from site B"}`}},
		happened: Happened{Preflight: PreflightNone, ReachedSiteB: true, WebSocket: true},
		call:     `new WebSocket("ws://localhost:7071/api/ws?trial=w1")`,
		headline: "WebSocket: site B accepted the handshake (101)",
		verdict:  "-",
		notes:    []string{"CORS does not apply"},
		trace:    []string{`new WebSocket("ws://localhost:7071/api/ws?trial=w1")`, "GET /api/ws?trial=w1 (Upgrade: websocket)", "101 Switching Protocols", "open, then a message"},
	}, {
		desc: "a websocket refused by site B's own Origin check",
		in: Input{Origin: siteA, Request: Request{Method: "GET", URL: "ws://localhost:7071/api/ws?trial=w2", Mode: ModeWebSocket},
			Exchanges: []Seen{{Method: "GET", Path: "/api/ws?trial=w2", Status: 403}},
			Outcome:   &Outcome{Error: "websocket closed (code 1006) before any message"}},
		happened: Happened{Preflight: PreflightNone, ReachedSiteB: true, WebSocket: true},
		headline: "WebSocket refused by site B's handshake (403)",
		verdict:  "-",
		trace:    []string{"new WebSocket(", "GET /api/ws?trial=w2", "403 Forbidden", "error, close"},
	}, {
		desc:     "a PUT stopped at the preflight",
		in:       Input{Origin: siteA, Request: putJSON, Exchanges: []Seen{preflightSeen()}, Outcome: failed},
		happened: Happened{Preflight: PreflightSent},
		call:     `fetch("http://localhost:7071/api/items/1", {method: "PUT", headers: {"Content-Type": "application/json"}, body: "{\"name\": \"renamed\"}"})`,
		headline: "PUT never reached site B: blocked at the preflight (PreflightMissingAllowOriginHeader)",
		verdict:  fetch.ErrPreflightMissingAllowOriginHeader,
		trace:    []string{"fetch(", "OPTIONS /api/items/1 (preflight)", "204 No Content", "TypeError: Failed to fetch"},
	}, {
		desc:     "site B down: a simple GET with no answer",
		in:       Input{Origin: siteA, Request: getItems, Outcome: failed},
		happened: Happened{Preflight: PreflightNone},
		headline: "GET never reached site B: a network error (is site B down?)",
		verdict:  fetch.ErrTypeError,
	}, {
		desc:     "pending: no verdict yet",
		in:       Input{Origin: siteA, Request: getItems},
		happened: Happened{Preflight: PreflightNone},
		headline: "waiting for the page",
		verdict:  "-",
	}}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			a := Build(tt.in)
			if a.Happened != tt.happened {
				t.Errorf("happened %+v, want %+v", a.Happened, tt.happened)
			}
			if tt.call != "" && a.Call != tt.call {
				t.Errorf("call %s, want %s", a.Call, tt.call)
			}
			if !strings.HasPrefix(a.Headline, tt.headline) {
				t.Errorf("headline %q, want it to start %q", a.Headline, tt.headline)
			}
			switch {
			case tt.verdict == "-":
				if a.Verdict != nil {
					t.Errorf("verdict %+v, want none", a.Verdict)
				}
			case a.Verdict == nil && tt.in.Outcome != nil:
				t.Fatal("no verdict for a settled trial")
			case a.Verdict != nil && a.Verdict.Error != tt.verdict:
				t.Errorf("verdict error %q, want %q", a.Verdict.Error, tt.verdict)
			}
			if a.Mismatch != "" {
				t.Errorf("mismatch %q: the model and the browser agree in every case here", a.Mismatch)
			}
			notes := strings.Join(a.Notes, "\n")
			for _, n := range tt.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			if tt.trace != nil {
				if len(a.Trace) != len(tt.trace) {
					t.Fatalf("trace has %d steps, want %d: %+v", len(a.Trace), len(tt.trace), a.Trace)
				}
				for i, w := range tt.trace {
					if !strings.HasPrefix(a.Trace[i].What, w) {
						t.Errorf("step %d: %q, want it to start %q", i, a.Trace[i].What, w)
					}
				}
			}
			// Nothing tells a server-down story unless nothing answered a
			// request the browser did send.
			story := a.Headline + notes
			if a.Verdict != nil {
				story += a.Verdict.Message
			}
			for _, s := range a.Trace {
				story += s.What + s.Note
			}
			if down := strings.Contains(story, "server down") || strings.Contains(story, "site B down"); down != strings.Contains(tt.desc, " down") {
				t.Errorf("server-down story: %t\n%s", down, story)
			}
			if a.Happened.Preflight != PreflightSent {
				for _, s := range a.Trace {
					if strings.HasPrefix(s.What, "OPTIONS") {
						t.Errorf("an OPTIONS drawn with preflight %q: %+v", a.Happened.Preflight, s)
					}
				}
			}
		})
	}
}

// TestWholeFixInOneRound: lesson 4's PUT against a closed site B took four
// rounds, one header each. The account's fix names them all at once, and
// site B answering with it lets the PUT through in one round.
func TestWholeFixInOneRound(t *testing.T) {
	for _, tt := range []struct {
		desc      string
		preflight Seen
		cred      string
	}{
		{"closed", preflightSeen(), ""},
		{"Allow-Origin only", preflightSeen("Access-Control-Allow-Origin", siteA), ""},
		{"methods listed, no headers", preflightSeen("Access-Control-Allow-Origin", siteA, "Access-Control-Allow-Methods", "GET, POST"), ""},
		{"a wildcard with credentials", preflightSeen("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "*", "Access-Control-Allow-Headers", "*"), "include"},
		{"a bad status", Seen{Preflight: true, Method: "OPTIONS", Path: "/api/items/1", Status: 401}, ""},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			req := putJSON
			req.Credentials = tt.cred
			a := Build(Input{Origin: siteA, Request: req, Exchanges: []Seen{tt.preflight}, Outcome: failed})
			f := a.Fix
			if f == nil || a.Verdict == nil || a.Verdict.Fix != f {
				t.Fatalf("fix %+v, want the verdict's, not nil", f)
			}
			if f.Preflight["Access-Control-Allow-Origin"] == "*" || f.Actual["Access-Control-Allow-Origin"] != siteA || !f.ActualUnseen {
				t.Errorf("fix %+v: want the exact origin on both answers, the actual one unseen", f)
			}
			for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
				if !strings.Contains(f.Text, h) && tt.desc == "closed" {
					t.Errorf("fix text lacks %s: %s", h, f.Text)
				}
			}
			// Site B applies the fix: the next round passes.
			pre := http.Header{}
			for k, vs := range tt.preflight.Header {
				pre[k] = vs
			}
			for k, v := range f.Preflight {
				pre.Set(k, v)
			}
			status := tt.preflight.Status
			if f.PreflightStatus != 0 {
				status = f.PreflightStatus
			}
			act := http.Header{"Content-Type": {"application/json"}}
			for k, v := range f.Actual {
				act.Set(k, v)
			}
			next := Build(Input{Origin: siteA, Request: req, Outcome: okOutcome("cors", 200, "content-type", "application/json"), Exchanges: []Seen{
				{Preflight: true, Method: "OPTIONS", Path: "/api/items/1", Status: status, Header: pre},
				{Method: "PUT", Path: "/api/items/1", Status: 200, Header: act},
			}})
			if !next.Verdict.Allowed || next.Fix != nil || next.Mismatch != "" {
				t.Errorf("after the fix: %s (fix %+v, mismatch %q)", next.Verdict.Message, next.Fix, next.Mismatch)
			}
		})
	}
}

func TestRequestResolveAndCall(t *testing.T) {
	for _, tt := range []struct {
		in   Request
		url  string
		call string
	}{
		{Request{URL: "/api/items"}, siteB + "/api/items", `fetch("http://localhost:7071/api/items", {method: "GET"})`},
		{Request{Method: "GET", URL: "/api/items", Site: "A"}, siteA + "/api/items", `fetch("http://localhost:7070/api/items", {method: "GET"})`},
		{Request{Method: "GET", URL: "/api/ws", Mode: ModeWebSocket}, "ws://localhost:7071/api/ws", `new WebSocket("ws://localhost:7071/api/ws")`},
		{Request{Method: "POST", URL: "http://elsewhere:1/x", Credentials: "include", Mode: "no-cors"}, "http://elsewhere:1/x",
			`fetch("http://elsewhere:1/x", {method: "POST", credentials: "include", mode: "no-cors"})`},
	} {
		r := tt.in.Resolve(siteA, siteB)
		if r.URL != tt.url || r.Call() != tt.call {
			t.Errorf("%+v: url %s call %s, want %s %s", tt.in, r.URL, r.Call(), tt.url, tt.call)
		}
	}
}

func TestEffectString(t *testing.T) {
	for _, tt := range []struct {
		e    *Effect
		want string
	}{
		{&Effect{Kind: Created, Item: 4, Name: "pear"}, `created item 4 "pear"`},
		{&Effect{Kind: Renamed, Item: 1, Name: "b", Was: "a"}, `renamed item 1 from "a" to "b"`},
		{&Effect{Kind: Deleted, Item: 3, Name: "x"}, `deleted item 3 "x"`},
		{&Effect{Kind: LoggedIn, Name: "corslab_session"}, "logged in: set cookie corslab_session"},
		{&Effect{Kind: LoggedOut}, "logged out"},
		{&Effect{Kind: WSMessage, Origin: siteA}, "sent a websocket message to " + siteA},
		{nil, ""},
	} {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
}

// TestAccountFor: one recorded trial explained for each browser — the
// verdict's name, console sentence, fix and headline in that browser's
// words, from the same input; a mismatch belongs to the page's browser only.
func TestAccountFor(t *testing.T) {
	refused := Input{Origin: siteA, Request: Request{Method: "GET", URL: siteB + "/api/items", Body: "a=1"}, Outcome: &Outcome{Error: "TypeError: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body."}}
	preflight404 := Input{Origin: siteA, Request: putJSON, Exchanges: []Seen{{Preflight: true, Method: "OPTIONS", Path: "/api/items/1", Status: 404, Header: hdr()}}, Outcome: failed}
	// Chromium's model says allowed here, JavaScript says otherwise: a mismatch.
	disagree := Input{Origin: siteA, Request: getItems, Exchanges: []Seen{actualSeen("GET", "/api/items", 200, "Access-Control-Allow-Origin", "*")}, Outcome: failed}
	tests := []struct {
		desc     string
		in       Input
		b        *fetch.Browser
		err      string
		first    string // the message's first line
		headline string // a prefix
		fix      bool   // the account has a fix
		mismatch bool
	}{
		{"refused, Chromium", refused, fetch.Chromium, fetch.ErrTypeError,
			"TypeError: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body.",
			"Refused by fetch() itself, nothing sent: Failed to execute", false, false},
		{"refused, Firefox", refused, fetch.Firefox, fetch.ErrTypeError,
			"TypeError: Window.fetch: HEAD or GET Request cannot have a body.",
			"Refused by fetch() itself, nothing sent: Window.fetch: HEAD or GET", false, false},
		{"refused, WebKit", refused, fetch.WebKit, fetch.ErrTypeError,
			"TypeError: Request has method 'GET' and cannot have a body",
			"Refused by fetch() itself, nothing sent: Request has method 'GET'", false, false},
		{"preflight 404, Chromium", preflight404, fetch.Chromium, fetch.ErrPreflightMissingAllowOriginHeader,
			"Access to fetch at 'http://localhost:7071/api/items/1' from origin 'http://localhost:7070' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
			"PUT never reached site B: blocked at the preflight", true, false},
		{"preflight 404, Firefox", preflight404, fetch.Firefox, "CORSMissingAllowOrigin",
			"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:7071/api/items/1. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.",
			"PUT never reached site B: blocked at the preflight (CORSMissingAllowOrigin)", true, false},
		{"preflight 404, WebKit (status first)", preflight404, fetch.WebKit, "PreflightNotSuccessful",
			"Preflight response is not successful. Status code: 404",
			"PUT never reached site B: blocked at the preflight (PreflightNotSuccessful)", true, false},
		{"a mismatch stays with the page's browser", disagree, fetch.Chromium, "", "", "Allowed", false, true},
		{"another browser did not run it: no mismatch", disagree, fetch.Firefox, "", "", "Allowed", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			a := AccountFor(tc.in, tc.b)
			if a.Browser != tc.b.Name {
				t.Errorf("browser %q, want %q", a.Browser, tc.b.Name)
			}
			if a.Verdict == nil {
				t.Fatalf("no verdict: %+v", a)
			}
			if a.Verdict.Error != tc.err {
				t.Errorf("error %q, want %q", a.Verdict.Error, tc.err)
			}
			if first, _, _ := strings.Cut(a.Verdict.Message, "\n"); tc.first != "" && first != tc.first {
				t.Errorf("first line\n got %q\nwant %q", first, tc.first)
			}
			if !strings.HasPrefix(a.Headline, tc.headline) {
				t.Errorf("headline %q, want prefix %q", a.Headline, tc.headline)
			}
			if (a.Fix != nil) != tc.fix {
				t.Errorf("fix %+v, want one: %t", a.Fix, tc.fix)
			}
			if (a.Mismatch != "") != tc.mismatch {
				t.Errorf("mismatch %q, want one: %t", a.Mismatch, tc.mismatch)
			}
			if page := Build(tc.in); tc.b == fetch.Chromium && page.Headline != a.Headline {
				t.Errorf("for the page's own browser AccountFor is Build: headline %q, Build %q", a.Headline, page.Headline)
			}
		})
	}
}
