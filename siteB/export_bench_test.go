package siteB

import "net/http"

// BareAPI is site B's endpoints with none of the lab's machinery, the
// baseline of the whole-server benchmarks (lab_bench_test.go,
// shipped_bench_test.go): the same endpoint, answering what the lab answers
// under BenchPolicy — status, headers and body — as a developer would write
// its CORS headers by hand in net/http. Without them the baseline's answers
// were three headers shorter, and the figure measured the policy's headers
// (a client parses each: docs/BENCHMARKS.md) besides the lab's machinery.
// TestBareAnswersAsTheLab holds the two to the same answer.
func BareAPI() http.Handler {
	api := newAPI()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header["Origin"]; len(origin) == 1 {
			h := w.Header()
			h["Access-Control-Allow-Origin"] = origin
			h["Access-Control-Expose-Headers"] = []string{"X-Total"}
			h["Vary"] = []string{"Origin"}
		}
		api.ServeHTTP(w, r)
	})
}

// BenchPolicy is the policy the benchmarks run under.
var BenchPolicy = benchPolicy
