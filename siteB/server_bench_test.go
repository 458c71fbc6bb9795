package siteB

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/cors"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/testsupport/loadtest/race"
)

// The request path's benchmarks compare site B with the same endpoint
// served bare, and wrapped by github.com/rs/cors configured to send the
// same headers. TestReportRequestPath (CORSLAB_BENCH=1, make bench) prints
// the ratios, measured in the same run.

const benchOrigin = "http://localhost:7070"

// benchPolicy is what a lesson's "right answer" looks like: the origin
// mirrored, the methods and headers allowed, a Max-Age, Vary: Origin.
var benchPolicy = []byte(`{
  "preflight": {"status": 204, "headers": {
    "Access-Control-Allow-Origin": "{origin}",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
    "Access-Control-Allow-Headers": "{request-headers}",
    "Access-Control-Max-Age": "600",
    "Vary": "Origin"}},
  "actual": {"headers": {
    "Access-Control-Allow-Origin": "{origin}",
    "Access-Control-Expose-Headers": "X-Total",
    "Vary": "Origin"}}
}`)

// benchRSCors is rs/cors set up to answer as benchPolicy does.
func benchRSCors(h http.Handler) http.Handler {
	return cors.New(cors.Options{
		AllowedOrigins: []string{benchOrigin},
		AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
		AllowedHeaders: []string{"Content-Type", "X-Lab"},
		ExposedHeaders: []string{"X-Total"},
		MaxAge:         600,
	}).Handler(h)
}

// browserRequest builds a request as Chromium sends it from site A's page.
func browserRequest(method, path string, extra ...string) *http.Request {
	r, _ := http.NewRequest(method, "http://localhost:7071"+path, nil)
	r.RequestURI = path
	h := r.Header
	h.Set("Host", "localhost:7071")
	h.Set("Connection", "keep-alive")
	h.Set("Sec-Ch-Ua", `"Chromium";v="140", "Not=A?Brand";v="24"`)
	h.Set("Sec-Ch-Ua-Mobile", "?0")
	h.Set("Sec-Ch-Ua-Platform", `"Linux"`)
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36")
	h.Set("Accept", "*/*")
	h.Set("Origin", benchOrigin)
	h.Set("Sec-Fetch-Site", "same-site")
	h.Set("Sec-Fetch-Mode", "cors")
	h.Set("Sec-Fetch-Dest", "empty")
	h.Set("Referer", benchOrigin+"/trial/t-20250101-000042")
	h.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	h.Set("Accept-Language", "en-GB,en;q=0.9")
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return r
}

func preflightRequest() *http.Request {
	return browserRequest("OPTIONS", "/api/items/1",
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "content-type,x-lab")
}

func actualRequest() *http.Request { return browserRequest("GET", "/api/items") }

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks
// measure the handler rather than a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// nopRecorder drops what site B records.
type nopRecorder struct{}

func (nopRecorder) Record(*journal.Exchange)     {}
func (nopRecorder) PolicyChanged(string, []byte) {}

// policyLayer is site B's policy machinery and nothing else: one snapshot,
// the preflight answered from it, the policy's headers on everything else.
func policyLayer(s *Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.Policy()
		if IsPreflight(r) {
			p.WritePreflight(w.Header(), r)
			w.WriteHeader(p.PreflightStatus())
			return
		}
		p.WriteActual(w.Header(), r)
		next.ServeHTTP(w, r)
	})
}

type benchCase struct {
	name    string
	handler func() http.Handler
}

// benchCases are the contenders, the baselines first.
func benchCases(tb testing.TB) []benchCase {
	newSiteB := func(rec Recorder) *Server {
		s := New(rec)
		if err := s.ReplacePolicy(benchPolicy, "bench"); err != nil {
			tb.Fatal(err)
		}
		return s
	}
	return []benchCase{
		{"bare", func() http.Handler { return newAPI() }},
		{"rs-cors", func() http.Handler { return benchRSCors(newAPI()) }},
		{"policy", func() http.Handler { s := newSiteB(nopRecorder{}); return policyLayer(s, s.api) }},
		{"siteB", func() http.Handler { return newSiteB(journal.New(4096)) }},
	}
}

var benchRequests = []struct {
	name string
	req  func() *http.Request
}{
	{"preflight", preflightRequest},
	{"actual", actualRequest},
}

// requests returns 8,192 requests built by newReq, each with a header map
// of its own as net/http gives every request (site B's journal keeps it),
// and the Referer of trial k/2: two exchanges per trial, as a preflighted
// fetch() makes. A benchmark cycles through them, so an exchange still in
// the journal never shares its request with a later one.
func requests(newReq func() *http.Request, trial bool) []*http.Request {
	rs := make([]*http.Request, 8192)
	for k := range rs {
		rs[k] = newReq()
		rs[k].Header.Del("Referer")
		if trial {
			rs[k].Header.Set("Referer", fmt.Sprintf("%s/trial/t%06d-%04x", benchOrigin, k/2, k*7919%65536))
		}
	}
	return rs
}

// serveLoop runs h b.N times on the requests rs, in turn, each with a
// new response header map, as net/http gives every response.
func serveLoop(b *testing.B, h http.Handler, rs []*http.Request) {
	w := &discardWriter{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		w.h = make(http.Header)
		w.status = 0
		r := rs[i%len(rs)]
		r.Body = http.NoBody // the API wraps it in a MaxBytesReader each time
		h.ServeHTTP(w, r)
	}
	b.StopTimer()
	if w.status == 0 || w.status >= 500 {
		b.Fatalf("status %d", w.status)
	}
}

// BenchmarkRequestPath: {preflight,actual}/{bare,rs-cors,policy,siteB}.
// "policy" is the policy layer alone; "siteB" is the whole request path,
// recording into a journal.
func BenchmarkRequestPath(b *testing.B) {
	for _, rq := range benchRequests {
		for _, c := range benchCases(b) {
			rs := requests(rq.req, true)
			b.Run(rq.name+"/"+c.name, func(b *testing.B) { serveLoop(b, c.handler(), rs) })
		}
	}
}

// BenchmarkRequestPathHostile is a preflight with a 100 KB
// Access-Control-Request-Headers, which benchPolicy echoes.
func BenchmarkRequestPathHostile(b *testing.B) {
	acrh := strings.Repeat("x-a,", 25<<10)
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			serveLoop(b, c.handler(), requests(func() *http.Request {
				return browserRequest("OPTIONS", "/api/items/1",
					"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", acrh)
			}, true)[:64])
		})
	}
}

// recordLoop is recording an exchange and nothing else: the request's
// side, the response's headers when it is committed, the journal.
func recordLoop(b *testing.B, trial bool) {
	s := New(journal.New(4096))
	rs := requests(actualRequest, trial)
	ws := make([]*discardWriter, len(rs)) // a response header map each, as net/http gives
	for k := range ws {
		ws[k] = &discardWriter{h: http.Header{
			"Access-Control-Allow-Origin": {benchOrigin}, "Access-Control-Expose-Headers": {"X-Total"},
			"Vary": {"Origin"}, "Content-Type": {"application/json"}, "X-Total": {"3"},
		}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		e := newExchange(ws[i%len(ws)], rs[i%len(rs)])
		e.rec.WriteHeader(http.StatusOK)
		s.record(e, start)
	}
}

// BenchmarkRecordExchange is the cost of recording one exchange (target:
// ≤ 2 µs and ≤ 10 allocations), with and without a trial to update.
func BenchmarkRecordExchange(b *testing.B) {
	b.Run("trial", func(b *testing.B) { recordLoop(b, true) })
	b.Run("no-trial", func(b *testing.B) { recordLoop(b, false) })
}

// TestReportRequestPath prints the request path's figures and ratios for
// docs/BENCHMARKS.md. It runs under CORSLAB_BENCH=1 (make bench).
func TestReportRequestPath(t *testing.T) {
	if os.Getenv("CORSLAB_BENCH") == "" {
		t.Skip("CORSLAB_BENCH=1 (make bench) prints the request path's figures")
	}
	type row struct {
		name string
		r    testing.BenchmarkResult
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%-10s %-8s %10s %10s %9s %9s %9s\n", "request", "handler", "ns/op", "allocs/op", "×bare", "×rs-cors", "allocs×rs")
	for _, rq := range benchRequests {
		var rows []row
		for _, c := range benchCases(t) {
			rs := requests(rq.req, true)
			res := testing.Benchmark(func(b *testing.B) { serveLoop(b, c.handler(), rs) })
			rows = append(rows, row{c.name, res})
		}
		bare, rs := rows[0].r, rows[1].r
		for _, r := range rows {
			fmt.Fprintf(&out, "%-10s %-8s %10d %10d %8.2f× %8.2f× %8.2f×\n", rq.name, r.name, r.r.NsPerOp(), r.r.AllocsPerOp(),
				float64(r.r.NsPerOp())/float64(bare.NsPerOp()), float64(r.r.NsPerOp())/float64(rs.NsPerOp()),
				float64(r.r.AllocsPerOp())/float64(max(rs.AllocsPerOp(), 1)))
		}
	}
	for _, c := range []struct {
		name string
		loop func(*testing.B)
	}{
		{"with a trial", func(b *testing.B) { recordLoop(b, true) }},
		{"without", func(b *testing.B) { recordLoop(b, false) }},
	} {
		r := testing.Benchmark(c.loop)
		verdict := "met"
		if r.NsPerOp() > 2000 || r.AllocsPerOp() > 10 {
			verdict = "MISSED"
		}
		fmt.Fprintf(&out, "recording an exchange, %-12s %6d ns/op %3d allocs/op  (target ≤ 2 µs, ≤ 10 allocs: %s)\n", c.name, r.NsPerOp(), r.AllocsPerOp(), verdict)
	}
	t.Logf("request path (same run):\n%s", out.String())
}

// TestRecordExchangeAllocs holds recording an exchange to its target of
// at most 10 allocations (the time target is BenchmarkRecordExchange's).
func TestRecordExchangeAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("allocation counts differ under -race")
	}
	s := New(journal.New(4096))
	w := &discardWriter{h: http.Header{"Content-Type": {"application/json"}, "Vary": {"Origin"}}}
	rs := requests(actualRequest, true)
	i := 0
	got := testing.AllocsPerRun(2000, func() {
		e := newExchange(w, rs[i%len(rs)])
		i++
		e.rec.WriteHeader(http.StatusOK)
		s.record(e, time.Now())
	})
	if got > 10 {
		t.Errorf("recording an exchange: %.1f allocations, want at most 10", got)
	}
}
