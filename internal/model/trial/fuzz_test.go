package trial

import (
	"net/http"
	"testing"
)

// FuzzBuild: for any request, exchanges and outcome, Build does not panic
// and its facts hold together.
func FuzzBuild(f *testing.F) {
	f.Add("PUT", "http://localhost:7071/api/items/1", "Content-Type", "application/json", "", "", "cors", 204, 200, true, true, true)
	f.Add("GET", "http://localhost:7070/api/items", "", "", "x", "include", "", 0, 200, false, true, true)
	f.Add("GET", "ws://localhost:7071/api/ws", "", "", "", "", "websocket", 0, 101, false, true, false)
	f.Fuzz(func(t *testing.T, method, url, hk, hv, body, cred, mode string, preStatus, actStatus int, pre, act, ok bool) {
		in := Input{Origin: "http://localhost:7070", Request: Request{Method: method, URL: url, Body: body, Credentials: cred, Mode: mode}}
		if hk != "" {
			in.Request.Headers = [][2]string{{hk, hv}}
		}
		if pre {
			in.Exchanges = append(in.Exchanges, Seen{Preflight: true, Method: "OPTIONS", Path: "/", Status: preStatus, Header: http.Header{hk: {hv}}})
		}
		if act {
			in.Exchanges = append(in.Exchanges, Seen{Method: method, Path: "/", Status: actStatus, Header: http.Header{hv: {hk}}})
		}
		for _, settled := range []bool{false, true} {
			if settled {
				in.Outcome = &Outcome{OK: ok, Status: actStatus}
			}
			a := Build(in)
			h := a.Happened
			if a.Call == "" || a.Headline == "" {
				t.Errorf("no call or headline: %+v", a)
			}
			if h.ReachedSiteB != act || h.RefusedLocally && (act || pre) || h.Preflight == PreflightCached && (pre || !act) {
				t.Errorf("happened %+v with preflight seen %t, actual seen %t", h, pre, act)
			}
			if h.WebSocket != (mode == ModeWebSocket) || h.WebSocket && a.Verdict != nil {
				t.Errorf("websocket %t, verdict %+v", h.WebSocket, a.Verdict)
			}
			if !h.WebSocket && settled != (a.Verdict != nil) {
				t.Errorf("settled %t, verdict %+v", settled, a.Verdict)
			}
			if a.Verdict != nil && a.Fix != a.Verdict.Fix {
				t.Errorf("the account's fix is not the verdict's")
			}
		}
	})
}
