package lab_test

// One real-browser test per scenario of the bug catalogue: under the buggy
// policy Chromium shows the bug (its corsErrorStatus, or the observable
// effect when the browser lets the request through); under the fixed
// policy it is gone. Each phase runs on a lab of its own, so that nothing
// the browser cached in one (a preflight, a response) leaks into the other.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/content/scenario"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
)

// observe checks a scenario's bug (fixed false) or its absence (fixed true)
// where Chromium reports no error; tr is the trial of the request.
var scenarioObserve = map[string]func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool){
	"missing-vary": func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool) {
		x := tr.Exchanges[len(tr.Exchanges)-1]
		if got := x.ResponseHeader.Get("Access-Control-Allow-Origin"); got != p.lab.URLA {
			t.Errorf("Access-Control-Allow-Origin = %q, want the page's origin echoed", got)
		}
		// Another origin gets another answer for the same URL.
		req, _ := http.NewRequest("GET", p.lab.URLB+s.Request.URL, nil)
		req.Header.Set("Origin", "http://c.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://c.example" {
			t.Errorf("for Origin http://c.example: Access-Control-Allow-Origin = %q", got)
		}
		vary := strings.Contains(strings.Join(x.ResponseHeader.Values("Vary"), ","), "Origin")
		if vary != fixed {
			t.Errorf("fixed=%t: the response's Vary has Origin: %t (%v)", fixed, vary, x.ResponseHeader)
		}
	},
	"expose-headers-missing": func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool) {
		if res.Read == nil || (res.Read.Value != nil) != fixed {
			t.Errorf("fixed=%t: headers.get(X-Total) = %+v", fixed, res.Read)
		}
		if x := tr.Exchanges[0]; x.ResponseHeader.Get("X-Total") == "" {
			t.Error("site B did not send X-Total")
		}
	},
	"reflect-origin-credentials": func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool) {
		if fixed {
			return // FixedError covers it
		}
		if res.Outcome.Status != 200 || !strings.Contains(res.Outcome.Body, "private data") {
			t.Errorf("site A read %d %q, want the learner's private data (the leak)", res.Outcome.Status, res.Outcome.Body)
		}
	},
	// The server failure paths (siteB/failures.go): site B's own answer, and what JavaScript reads once fixed.
	"error-status-without-cors": failureObserved(404, ""),
	"auth-before-cors":          failureObserved(401, ""),
	"redirect-trailing-slash":   failureObserved(301, "/api/items/"),
	"redirect-https":            failureObserved(301, "https://"),
	"stale-preflight-cache": func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool) {
		// res is the request made again after the deploy.
		if fixed {
			return // FixedError covers it: the new policy was asked and refused PUT
		}
		if got := kinds(tr.Exchanges); got != "PUT 200" || !res.Outcome.OK {
			t.Errorf("after the deploy site B saw %s (outcome %+v), want a PUT 200 and no preflight", got, res.Outcome)
		}
		if len(tr.Notes) == 0 || !strings.Contains(tr.Notes[0], "preflight cache") {
			t.Errorf("notes %q, want the preflight cache noted", tr.Notes)
		}
	},
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	for _, s := range scenario.All() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			for _, fixed := range []bool{false, true} {
				doc, wantErr := s.Buggy, s.Error
				if fixed {
					doc, wantErr = s.Fixed, s.FixedError
				}
				p := openPage(t, string(doc))
				for _, r := range s.Setup {
					p.send(jsObject(t, r))
				}
				res := p.send(jsObject(t, s.Request))
				if s.Deploy != nil {
					p.settled(res.ID)
					p.putPolicy(string(s.Deploy))
					res = p.send(jsObject(t, s.Request))
				}
				tr := p.settled(res.ID)
				if wantErr != "" && s.Request.Kind != "" {
					// Not a fetch(): the element's error event, the API's rejection.
					if res.Outcome.OK {
						t.Errorf("fixed=%t: a %s loaded, want it to fail", fixed, s.Request.Kind)
					}
					wantCORSError(t, p, s.Request.URL, wantErr)
				} else if wantErr != "" {
					wantFailed(t, res.Outcome)
					wantCORSError(t, p, s.Request.URL, wantErr)
				} else if !res.Outcome.OK {
					t.Errorf("fixed=%t: outcome %+v, want fetch() to resolve", fixed, res.Outcome)
				}
				if tr.Verdict == nil || tr.Verdict.Error != wantErr || tr.Mismatch != "" {
					t.Errorf("fixed=%t: verdict %+v (mismatch %q), want error %q", fixed, tr.Verdict, tr.Mismatch, wantErr)
				}
				if f := scenarioObserve[s.Name]; f != nil {
					f(t, p, s, res, tr, fixed)
				} else if wantErr == "" && !fixed {
					t.Fatalf("scenario %s: no error and nothing to observe", s.Name)
				}
			}
		})
	}
}

func jsObject(t *testing.T, r trial.Request) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// failureObserved checks a failure path's scenario: under the buggy policy
// site B answered status (a redirect to a Location containing location)
// and the browser hid it; fixed, JavaScript reads site B's real answer — the
// 404 or the 401 itself, or the list once nothing redirects.
func failureObserved(status int, location string) func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool) {
	return func(t *testing.T, p *page, s scenario.Scenario, res sent, tr *journal.Trial, fixed bool) {
		if len(tr.Exchanges) == 0 {
			t.Fatalf("fixed=%t: site B saw nothing", fixed)
		}
		x := tr.Exchanges[0]
		if !fixed {
			if x.Status != status || !strings.Contains(x.ResponseHeader.Get("Location"), location) || x.ResponseHeader.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("site B answered %d %v, want %d without CORS headers (Location …%s)", x.Status, x.ResponseHeader, status, location)
			}
			return
		}
		want := status
		if status == 301 {
			want = 200
		}
		if res.Outcome.Status != want {
			t.Errorf("fixed: JavaScript read %d, want %d", res.Outcome.Status, want)
		}
	}
}
