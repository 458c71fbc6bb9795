package journal

import (
	"net/http"
	"strings"
	"testing"
)

func TestTrialVerdict(t *testing.T) {
	const origin, url = "http://localhost:7070", "http://localhost:7071/api/items/1"
	put := TrialRequest{Method: "PUT", URL: url, Headers: [][2]string{{"Content-Type", "application/json"}}}
	preflight := func(h http.Header) Exchange {
		return Exchange{Method: "OPTIONS", Path: "/api/items/1", Preflight: true, Status: 204, ResponseHeader: h}
	}
	actual := func(h http.Header) Exchange {
		return Exchange{Method: "PUT", Path: "/api/items/1", Status: 200, ResponseHeader: h}
	}
	allow := http.Header{"Access-Control-Allow-Origin": {origin}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Allow-Headers": {"content-type"}}
	ok := &Outcome{OK: true, Type: "cors", Status: 200, Headers: [][2]string{{"content-type", "application/json"}, {"content-length", "20"}}}
	failed := &Outcome{OK: false, Error: "TypeError: Failed to fetch"}

	tests := []struct {
		desc      string
		req       TrialRequest
		exchanges []Exchange
		outcome   *Outcome
		wantError string
		wantSent  bool
		mismatch  string // a substring; "" for agreement
		note      string // a substring of a note, if any
	}{
		{"preflight refused", put, []Exchange{preflight(http.Header{})}, failed, "PreflightMissingAllowOriginHeader", false, "", ""},
		{"preflight passes", put, []Exchange{preflight(allow), actual(http.Header{"Access-Control-Allow-Origin": {origin}, "Content-Type": {"application/json"}})}, ok, "", true, "", ""},
		{"from the preflight cache", put, []Exchange{actual(http.Header{"Access-Control-Allow-Origin": {origin}, "Content-Type": {"application/json"}})}, ok, "", true, "", "preflight cache"},
		{"model and browser disagree", put, []Exchange{preflight(http.Header{})}, ok, "PreflightMissingAllowOriginHeader", false, "the model says allowed=false", ""},
		{"a followed redirect is judged at its final hop", TrialRequest{Method: "GET", URL: "http://localhost:7071/api//items"}, []Exchange{
			{Method: "GET", Path: "/api//items", Status: 307, ResponseHeader: http.Header{"Access-Control-Allow-Origin": {"*"}, "Location": {"/api/items"}}},
			{Method: "GET", Path: "/api/items", Status: 200, ResponseHeader: http.Header{"Access-Control-Allow-Origin": {"*"}, "Content-Type": {"application/json"}}},
		}, ok, "", true, "", "follows the 307 redirect"},
		{"readable headers disagree", TrialRequest{Method: "GET", URL: url}, []Exchange{actual(http.Header{"Access-Control-Allow-Origin": {"*"}, "X-Total": {"3"}})},
			&Outcome{OK: true, Type: "cors", Status: 200, Headers: [][2]string{{"x-total", "3"}}}, "", true, "can read [], but it read [x-total]", ""},
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
// the browser blocked it), no mismatch, and a note saying why.
func TestWebsocketTrialHasNoVerdict(t *testing.T) {
	j := New(64)
	req := TrialRequest{Method: "GET", URL: "ws://localhost:7071/api/ws?trial=w1", Mode: ModeWebSocket}
	if err := j.Announce("w1", "http://localhost:7070", req); err != nil {
		t.Fatal(err)
	}
	j.Record(&Exchange{Method: "GET", Path: "/api/ws?trial=w1", Status: 101, Trial: "w1", ResponseHeader: http.Header{}})
	if err := j.Settle("w1", Outcome{OK: true, Type: "websocket", Status: 101, Body: `{"hello": "hello from site B"}`}); err != nil {
		t.Fatal(err)
	}
	tr, _ := j.Trial("w1")
	if tr.Verdict != nil || tr.Trace != nil || tr.Mismatch != "" || len(tr.Exchanges) != 1 {
		t.Errorf("verdict %+v trace %v mismatch %q exchanges %d", tr.Verdict, tr.Trace, tr.Mismatch, len(tr.Exchanges))
	}
	if !strings.Contains(strings.Join(tr.Notes, " "), "CORS does not apply") {
		t.Errorf("notes %q", tr.Notes)
	}
}
