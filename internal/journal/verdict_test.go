package journal

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/trial"
)

func TestTrialVerdict(t *testing.T) {
	const origin, url = "http://localhost:7070", "http://localhost:7071/api/items/1"
	put := trial.Request{Method: "PUT", URL: url, Headers: [][2]string{{"Content-Type", "application/json"}}}
	preflight := func(h http.Header) Exchange {
		return Exchange{Method: "OPTIONS", Path: "/api/items/1", Preflight: true, Status: 204, ResponseHeader: h}
	}
	actual := func(h http.Header) Exchange {
		return Exchange{Method: "PUT", Path: "/api/items/1", Status: 200, ResponseHeader: h}
	}
	allow := http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Allow-Headers": {"content-type"}}
	ok := &trial.Outcome{OK: true, Type: "cors", Status: 200, Headers: [][2]string{{"content-type", "application/json"}, {"content-length", "20"}}}
	failed := &trial.Outcome{OK: false, Error: "TypeError: Failed to fetch"}

	tests := []struct {
		desc      string
		req       trial.Request
		exchanges []Exchange
		outcome   *trial.Outcome
		wantError string
		wantSent  bool
		mismatch  string // a substring; "" for agreement
		note      string // a substring of a note, if any
	}{
		{"preflight refused", put, []Exchange{preflight(http.Header{})}, failed, "PreflightMissingAllowOriginHeader", false, "", ""},
		{"preflight passes", put, []Exchange{preflight(allow), actual(http.Header{"Access-Control-Allow-Origin": {origin}, "Content-Type": {"application/json"}})}, ok, "", true, "", ""},
		{"from the preflight cache", put, []Exchange{actual(http.Header{"Access-Control-Allow-Origin": {origin}, "Content-Type": {"application/json"}})}, ok, "", true, "", "preflight cache"},
		{"model and browser disagree", put, []Exchange{preflight(http.Header{})}, ok, "PreflightMissingAllowOriginHeader", false, "the model says allowed=false", ""},
		{"a followed redirect is judged at its final hop", trial.Request{Method: "GET", URL: "http://localhost:7071/api//items"}, []Exchange{
			{Method: "GET", Path: "/api//items", Status: 307, ResponseHeader: http.Header{"Access-Control-Allow-Origin": {"*"}, "Location": {"/api/items"}}},
			{Method: "GET", Path: "/api/items", Status: 200, ResponseHeader: http.Header{"Access-Control-Allow-Origin": {"*"}, "Content-Type": {"application/json"}}},
		}, ok, "", true, "", "follows the 307 redirect"},
		{"readable headers disagree", trial.Request{Method: "GET", URL: url}, []Exchange{actual(http.Header{"Access-Control-Allow-Origin": {"*"}, "X-Total": {"3"}})},
			&trial.Outcome{OK: true, Type: "cors", Status: 200, Headers: [][2]string{{"x-total", "3"}}}, "", true, "can read [], but it read [x-total]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			j := New(64)
			if err := j.Announce("t1", origin, tt.req); err != nil {
				t.Fatal(err)
			}
			for i := range tt.exchanges {
				x := tt.exchanges[i]
				x.Trial = "t1"
				j.Record(&x)
			}
			if err := j.Settle("t1", *tt.outcome); err != nil {
				t.Fatal(err)
			}
			tr, _ := j.Trial("t1")
			if tr.Verdict == nil {
				t.Fatal("no verdict after the trial settled")
			}
			if tr.Verdict.Error != tt.wantError || tr.Verdict.ActualRequestSent != tt.wantSent {
				t.Errorf("verdict error %q sent %t, want %q %t", tr.Verdict.Error, tr.Verdict.ActualRequestSent, tt.wantError, tt.wantSent)
			}
			if (tt.mismatch == "") != (tr.Mismatch == "") || !strings.Contains(tr.Mismatch, tt.mismatch) {
				t.Errorf("mismatch %q, want %q", tr.Mismatch, tt.mismatch)
			}
			if tt.note != "" && !strings.Contains(strings.Join(tr.Notes, " "), tt.note) {
				t.Errorf("notes %q, want one about %q", tr.Notes, tt.note)
			}
			if len(tr.Trace) == 0 {
				t.Error("no trace")
			}
		})
	}
}

// A websocket trial is not a fetch(): no verdict (a misleading one would say
// the browser blocked it), no mismatch, a note saying why, and a trace of
// the handshake.
func TestWebsocketTrialHasNoVerdict(t *testing.T) {
	j := New(64)
	req := trial.Request{Method: "GET", URL: "ws://localhost:7071/api/ws?trial=w1", Mode: trial.ModeWebSocket}
	if err := j.Announce("w1", "http://localhost:7070", req); err != nil {
		t.Fatal(err)
	}
	j.Record(&Exchange{Method: "GET", Path: "/api/ws?trial=w1", Status: 101, Trial: "w1", ResponseHeader: http.Header{}})
	if err := j.Settle("w1", trial.Outcome{OK: true, Type: "websocket", Status: 101, Body: `{"hello": "hello from site B"}`}); err != nil {
		t.Fatal(err)
	}
	tr, _ := j.Trial("w1")
	if tr.Verdict != nil || tr.Mismatch != "" || len(tr.Exchanges) != 1 || !tr.Happened.WebSocket || !tr.Happened.ReachedSiteB {
		t.Errorf("verdict %+v mismatch %q exchanges %d happened %+v", tr.Verdict, tr.Mismatch, len(tr.Exchanges), tr.Happened)
	}
	if len(tr.Trace) != 4 || !strings.HasPrefix(tr.Trace[0].What, `new WebSocket("ws://`) || tr.Trace[2].What != "101 Switching Protocols" {
		t.Errorf("trace %+v", tr.Trace)
	}
	if !strings.Contains(strings.Join(tr.Notes, " "), "CORS does not apply") {
		t.Errorf("notes %q", tr.Notes)
	}
}

// A sandboxed iframe's fetch() carries Origin: null and no Referer: its
// exchanges join the open sandboxed trial that announced their method and
// URL — a preflight by its Access-Control-Request-Method — and nothing else.
func TestNullOriginExchangesJoinTheirTrial(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const url = "http://localhost:7071/api/items/1"
	tests := []struct {
		desc  string
		req   trial.Request
		after time.Duration // between the announcement and the exchange
		x     Exchange
		want  string // the trial the exchange joins, "" for none
	}{
		{"actual GET", trial.Request{Method: "GET", URL: url}, time.Second,
			Exchange{Method: "GET", Path: "/api/items/1", Origin: "null", Status: 200}, "s1"},
		{"preflight by its requested method", trial.Request{Method: "put", URL: url}, time.Second,
			Exchange{Method: "OPTIONS", Path: "/api/items/1", Origin: "null", Preflight: true, Status: 204,
				RequestHeader: http.Header{"Access-Control-Request-Method": {"PUT"}}}, "s1"},
		{"another path", trial.Request{Method: "GET", URL: url}, time.Second,
			Exchange{Method: "GET", Path: "/api/items/2", Origin: "null", Status: 200}, ""},
		{"another method", trial.Request{Method: "GET", URL: url}, time.Second,
			Exchange{Method: "POST", Path: "/api/items/1", Origin: "null", Status: 200}, ""},
		{"too late", trial.Request{Method: "GET", URL: url}, nullOriginWindow + time.Second,
			Exchange{Method: "GET", Path: "/api/items/1", Origin: "null", Status: 200}, ""},
		{"not null", trial.Request{Method: "GET", URL: url}, time.Second,
			Exchange{Method: "GET", Path: "/api/items/1", Origin: "http://evil.example", Status: 200}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			j := New(64)
			clock := now
			j.now = func() time.Time { return clock }
			if err := j.Announce("s1", "null", tt.req); err != nil {
				t.Fatal(err)
			}
			clock = now.Add(tt.after)
			x := tt.x
			j.Record(&x)
			if x.Trial != tt.want {
				t.Errorf("exchange joined %q, want %q", x.Trial, tt.want)
			}
			tr, _ := j.Trial("s1")
			if want := tt.want != ""; (len(tr.Exchanges) == 1) != want {
				t.Errorf("trial has %d exchanges, want it to have it: %t", len(tr.Exchanges), want)
			}
		})
	}

	// Two sandboxed trials of the same GET: one exchange each, oldest first;
	// a third exchange joins neither.
	j := New(64)
	for _, id := range []string{"a", "b"} {
		if err := j.Announce(id, "null", trial.Request{Method: "GET", URL: url}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for range 3 {
		x := Exchange{Method: "GET", Path: "/api/items/1", Origin: "null", Status: 200}
		j.Record(&x)
		got = append(got, x.Trial)
	}
	if strings.Join(got, ",") != "a,b," {
		t.Errorf("joined %q, want a, b, then none", got)
	}
	// At most maxNullOpen sandboxed trials are open.
	for i := range maxNullOpen + 3 {
		if err := j.Announce(fmt.Sprint("n", i), "null", trial.Request{Method: "GET", URL: url}); err != nil {
			t.Fatal(err)
		}
	}
	if len(j.null) != maxNullOpen || j.nullOpen.Load() != maxNullOpen {
		t.Errorf("%d open sandboxed trials, want %d", len(j.null), maxNullOpen)
	}
}

// A PUT sent again within the preflight's Max-Age reaches site B with no
// preflight: the account says the cache answered, names the trial whose
// preflight it was, and says when the policy changed since.
func TestCachedPreflightAccount(t *testing.T) {
	const origin, url = "http://localhost:7070", "http://localhost:7071/api/items/1"
	put := trial.Request{Method: "PUT", URL: url, Headers: [][2]string{{"Content-Type", "application/json"}}}
	allow := http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Allow-Headers": {"content-type"}, "Access-Control-Max-Age": {"600"}}
	ok := trial.Outcome{OK: true, Type: "cors", Status: 200}
	for _, changed := range []bool{false, true} {
		j := New(64)
		clock := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		j.now = func() time.Time { clock = clock.Add(time.Second); return clock }
		run := func(id string, xs ...Exchange) *Trial {
			if err := j.Announce(id, origin, put); err != nil {
				t.Fatal(err)
			}
			for _, x := range xs {
				x.Trial = id
				j.Record(&x)
			}
			if err := j.Settle(id, ok); err != nil {
				t.Fatal(err)
			}
			tr, _ := j.Trial(id)
			return tr
		}
		actual := Exchange{Method: "PUT", Path: "/api/items/1", Status: 200, ResponseHeader: http.Header{"Access-Control-Allow-Origin": {origin}}}
		first := run("p1", Exchange{Method: "OPTIONS", Path: "/api/items/1", Preflight: true, Status: 204, ResponseHeader: allow}, actual)
		if first.Happened.Preflight != trial.PreflightSent {
			t.Errorf("first PUT: preflight %q", first.Happened.Preflight)
		}
		if changed {
			j.PolicyChanged("tui", []byte(`{}`))
		}
		second := run("p2", actual)
		notes := strings.Join(second.Notes, " ")
		if second.Happened.Preflight != trial.PreflightCached || !strings.Contains(notes, "from trial p1") ||
			strings.Contains(notes, "policy changed since") != changed || second.Mismatch != "" {
			t.Errorf("policy changed %t: happened %+v notes %q mismatch %q", changed, second.Happened, second.Notes, second.Mismatch)
		}
		for _, s := range second.Trace {
			if strings.HasPrefix(s.What, "OPTIONS") {
				t.Errorf("cached preflight drawn as an OPTIONS: %+v", second.Trace)
			}
		}
	}
}

// A request fetch() refuses before sending reaches site B with nothing, so
// the page's own User-Agent (the live log's connection) says whose words
// explain it.
func TestRefusedTrialInThePagesBrowser(t *testing.T) {
	const firefoxUA = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
	req := trial.Request{Method: "GET", URL: "http://localhost:7071/api/items", Body: "x"}
	for _, tt := range []struct {
		ua   string
		want string
	}{
		{"", "Failed to execute 'fetch' on 'Window'"},
		{firefoxUA, "Window.fetch:"},
	} {
		j := New(64)
		if err := j.AnnounceFrom("r1", "http://localhost:7070", tt.ua, req); err != nil {
			t.Fatal(err)
		}
		if err := j.Settle("r1", trial.Outcome{Error: "TypeError: refused"}); err != nil {
			t.Fatal(err)
		}
		tr, _ := j.Trial("r1")
		if tr.Verdict == nil || !strings.Contains(tr.Verdict.Message, tt.want) || !tr.Happened.RefusedLocally {
			t.Errorf("User-Agent %q: verdict %+v, want its message to say %q", tt.ua, tr.Verdict, tt.want)
		}
	}
}
