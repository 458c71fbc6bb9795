package siteB

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

// Replay mode (corslab -replay FILE.har): site B answers as a recorded
// server did. Each recorded request — method, path and query — gets the
// recorded status, headers and body; the policy then overrides the answer
// header by header exactly as in proxy mode (a header the policy names
// replaces the recorded one, a preflight's status changes only when the
// policy sets one), so the closed policy replays the recording untouched. A
// request nothing was recorded for gets a 404 that says so. The journal
// records the recorded answer as the upstream's, beside what went to the
// browser.

// Recording is one recorded answer site B replays.
type Recording struct {
	Method string // as the browser sent it; OPTIONS for a preflight
	Path   string // path and query, as in the request line
	Status int
	Header http.Header
	Body   []byte
	// Origin is the page origin the recorded request came from. The lab's
	// page has another one: an Access-Control-Allow-Origin naming Origin
	// is answered with the request's own Origin instead, so the recording
	// behaves for site A's page as it did for the recorded one.
	Origin string
	// From says where the answer was recorded, for the live log
	// ("entry 12 of prod.har").
	From string
}

// replayer answers from recordings.
type replayer struct {
	answers map[string]*Recording // method + " " + path
	origin  string                // what is replayed, e.g. https://api.example.com
}

// NewReplay returns site B in replay mode: every request is answered from
// the recordings (the last one recorded for a method and path wins), under
// the policy's overrides, each exchange recorded into rec. recorded names
// the server that was recorded, for the 404 of an unknown request.
func NewReplay(rec Recorder, recorded string, recs []Recording) *Server {
	s := New(rec)
	s.replay = &replayer{answers: map[string]*Recording{}, origin: recorded}
	for i := range recs {
		r := &recs[i]
		s.replay.answers[r.Method+" "+r.Path] = r
	}
	return s
}

// Replaying returns the origin site B replays the answers of, or "" when
// it is not in replay mode.
func (s *Server) Replaying() string {
	if s.replay == nil {
		return ""
	}
	return s.replay.origin
}

// replayHeaders are the recorded header lines not replayed: the connection's
// own (RFC 9110 §7.6.1), and the body's framing and encoding — a HAR holds
// the body decoded, and net/http frames it anew.
var replayHeaders = []string{"Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Content-Encoding", "Upgrade", "Proxy-Connection", "Te", "Trailer", "Date", "Alt-Svc"}

// serve answers r from the recording, under policy pol, recording into e.
func (rp *replayer) serve(e *exchange, r *http.Request, pol *policy.Policy) {
	w := &e.rec
	rec, ok := rp.answers[r.Method+" "+r.URL.RequestURI()]
	if !ok {
		e.x.UpstreamError = "nothing recorded for " + r.Method + " " + r.URL.RequestURI()
		if e.x.Preflight {
			pol.WritePreflight(w.Header(), r)
		} else {
			pol.WriteActual(w.Header(), r)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "corslab -replay: nothing was recorded for %s %s on %s; the HAR's requests are the page's replay presets\n", r.Method, r.URL.RequestURI(), rp.origin)
		return
	}
	h := w.Header()
	for k, vs := range rec.Header {
		h[k] = append([]string(nil), vs...)
	}
	for _, k := range replayHeaders {
		h.Del(k)
	}
	if o := r.Header.Get("Origin"); o != "" && rec.Origin != "" && o != rec.Origin {
		for i, v := range h.Values("Access-Control-Allow-Origin") {
			if strings.TrimSpace(v) == rec.Origin {
				h["Access-Control-Allow-Origin"][i] = o
			}
		}
	}
	e.x.UpstreamStatus, e.x.UpstreamHeader = rec.Status, rec.Header
	e.rec.effect = trial.Effect{Kind: trial.Replayed, Name: rec.From}
	status, body := rec.Status, rec.Body
	if e.x.Preflight && pol.SetsPreflightStatus() {
		status, body = pol.PreflightStatus(), nil
	}
	pol.Override(h, r, e.x.Preflight)
	w.WriteHeader(status)
	if r.Method != http.MethodHead && status != http.StatusNoContent && status != http.StatusNotModified {
		w.Write(body)
	}
}
