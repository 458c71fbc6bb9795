package siteA

import (
	"encoding/json"
	"net/http"

	"github.com/corslab/corslab/internal/model/trial"
)

// Replay is what site A's page learns of `corslab -replay FILE.har` from
// GET /lab/replay: the recorded server site B answers as, and the recorded
// fetch() calls to it, which the page offers as presets — re-issued from
// site A's origin instead of the recorded one.
type Replay struct {
	File   string       `json:"file"`
	Server string       `json:"server"` // the recorded server site B replays, e.g. https://api.example.com
	Calls  []ReplayCall `json:"calls"`
}

// ReplayCall is one recorded fetch(), as the page's corslab.send takes it
// (its URL a path on site B), with what the recording said of it.
type ReplayCall struct {
	trial.Request
	// RecordedOrigin is the page origin that made the call in the
	// recording; the page makes it from site A's origin instead.
	RecordedOrigin string `json:"recordedOrigin"`
	// RecordedError is the verdict on the recording: "" when it was
	// allowed, else the browser's CORS error name.
	RecordedError string `json:"recordedError"`
}

// getReplay answers GET /lab/replay: the replay, or {"calls": []} with no
// server when site B is not replaying a HAR.
func (s *Server) getReplay(w http.ResponseWriter, r *http.Request) {
	rp := s.cfg.Replay
	if rp == nil {
		rp = &Replay{}
	}
	if rp.Calls == nil {
		rp = &Replay{File: rp.File, Server: rp.Server, Calls: []ReplayCall{}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(rp)
}
