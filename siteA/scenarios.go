package siteA

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/corslab/corslab/internal/content/scenario"
)

// The bug catalogue on the page: GET /lab/scenarios lists the scenarios
// (and the one corslab -scenario started in); POST
// /lab/scenarios/{name}/{policy} puts one of a scenario's policies in
// force — "buggy" (show the bug), "deploy" (the later policy of a
// stale-cache scenario) or "fixed" (apply the fix).

// Scenarios is GET /lab/scenarios.
type Scenarios struct {
	// Current is the scenario the lab started in (corslab -scenario), "" for none.
	Current   string              `json:"current,omitempty"`
	Scenarios []scenario.Scenario `json:"scenarios"`
}

func (s *Server) routeScenarios() {
	s.mux.HandleFunc("GET /lab/scenarios", s.getScenarios)
	s.mux.Handle("POST /lab/scenarios/{name}/{policy}", sameOriginOnly(s.teacherOnly(http.HandlerFunc(s.scenarioPolicy))))
}

func (s *Server) getScenarios(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(Scenarios{Current: s.cfg.Scenario, Scenarios: scenario.All()})
}

func (s *Server) scenarioPolicy(w http.ResponseWriter, r *http.Request) {
	sc, err := scenario.Get(r.PathValue("name"))
	if err != nil {
		http.Error(w, "scenario: "+err.Error(), http.StatusNotFound)
		return
	}
	var doc json.RawMessage
	switch which := r.PathValue("policy"); which {
	case "buggy":
		doc = sc.Buggy
	case "deploy":
		doc = sc.Deploy
	case "fixed":
		doc = sc.Fixed
	default:
		http.Error(w, fmt.Sprintf("scenario %s: %q is not buggy, deploy or fixed", sc.Name, which), http.StatusNotFound)
		return
	}
	if len(doc) == 0 {
		http.Error(w, fmt.Sprintf("scenario %s has no %s policy", sc.Name, r.PathValue("policy")), http.StatusNotFound)
		return
	}
	if err := s.policy.ReplacePolicy(doc, fmt.Sprintf("scenario %s (%s)", sc.Name, r.PathValue("policy"))); err != nil {
		http.Error(w, oneLine(err), http.StatusInternalServerError) // the catalogue's tests keep its policies valid
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.policy.PolicyJSON())
}
