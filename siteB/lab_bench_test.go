package siteB_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/loadtest"
	"github.com/corslab/corslab/siteB"
)

// Whole-server figures on loopback: site B inside the running lab (journal,
// live-log subscribers) against the same endpoint on a bare net/http
// server, measured in the same run. TestReport* print them for
// BENCHMARKS.md under CORSLAB_BENCH=1 (make bench); the Benchmark*
// functions keep them compiling and running in CI's short mode.

const throughputConns = 50

// labTarget starts the lab with subs live-log subscribers reading, and
// returns site B's URL and site A's origin.
func labTarget(tb testing.TB, subs int) (base, origin string, l *loadtest.Lab) {
	l = loadtest.StartLab(tb, siteB.BenchPolicy)
	for range subs {
		l.Subscribe(tb, loadtest.SubOptions{})
	}
	return l.URLB, l.URLA, l
}

func bareTarget(tb testing.TB) (base, origin string) {
	return loadtest.ServeBare(tb, siteB.BareAPI()), "http://127.0.0.1:7070"
}

// load sends GET /api/items as the page does, from 50 connections.
func load(base, origin string, requests int, d time.Duration) loadtest.Result {
	return loadtest.Load{
		Conns:    throughputConns,
		Requests: requests,
		Duration: d,
		Request:  loadtest.BrowserGET(base, origin, "/api/items"),
		Check: func(_ int, resp *http.Response, _ []byte) error {
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		},
	}.Run(context.Background(), nil)
}

// BenchmarkThroughput: b.N requests from 50 connections; ns/op is the
// inverse of throughput. "lab" has 10 live-log subscribers reading.
func BenchmarkThroughput(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		base, origin := bareTarget(b)
		benchLoad(b, base, origin)
	})
	b.Run("lab", func(b *testing.B) {
		base, origin, _ := labTarget(b, 10)
		benchLoad(b, base, origin)
	})
}

func benchLoad(b *testing.B, base, origin string) {
	b.ResetTimer()
	res := load(base, origin, b.N, time.Minute)
	b.StopTimer()
	if err := res.Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.PerSecond(), "req/s")
}

// TestReportThroughput prints lab-on throughput as a share of bare
// net/http's (target ≥ 80%). Each side runs twice, alternating, and keeps
// its best, so that a neighbour's burst on the machine is not blamed on
// either.
func TestReportThroughput(t *testing.T) {
	if !loadtest.Bench() {
		t.Skip("CORSLAB_BENCH=1 (make bench) prints the throughput figures")
	}
	const d = 4 * time.Second
	best := map[string]loadtest.Result{}
	for range 2 {
		for _, side := range []string{"bare", "lab"} {
			t.Run(side, func(t *testing.T) {
				var base, origin string
				if side == "bare" {
					base, origin = bareTarget(t)
				} else {
					base, origin, _ = labTarget(t, 10)
				}
				load(base, origin, 0, time.Second) // warm up: connections, caches
				res := load(base, origin, 0, d)
				if err := res.Err(); err != nil {
					t.Fatal(err)
				}
				if res.PerSecond() > best[side].PerSecond() {
					best[side] = res
				}
			})
		}
	}
	bare, lab := best["bare"], best["lab"]
	ratio := lab.PerSecond() / bare.PerSecond()
	cpuRatio := float64(bare.CPUPerRequest()) / float64(lab.CPUPerRequest())
	verdict := "met"
	if ratio < 0.8 {
		verdict = "MISSED"
	}
	t.Logf("throughput, %d connections, GET /api/items, best of 2×%v each:\n"+
		"                   %8s %14s\n"+
		"bare net/http      %8.0f %14v\n"+
		"lab + 10 ws subs   %8.0f %14v\n"+
		"lab / bare         %7.1f%% %13.1f%%  (target ≥ 80%%: %s)\n"+
		"(CPU/request is the whole process's, load generator included: the share a busy machine does not skew)",
		throughputConns, d, "req/s", "CPU/request", bare.PerSecond(), bare.CPUPerRequest(), lab.PerSecond(), lab.CPUPerRequest(),
		100*ratio, 100*cpuRatio, verdict)
}

// eventLatency runs rate requests/s for d against a lab with subs
// subscribers, and returns every subscriber's latency samples: from the
// exchange's record (stamped as the response is written) to the frame
// carrying it being read by the client.
func eventLatency(t testing.TB, subs, rate int, d time.Duration) ([]time.Duration, loadtest.Result) {
	base, origin, l := labTarget(t, 0)
	var all []*loadtest.Subscriber
	for range subs {
		all = append(all, l.Subscribe(t, loadtest.SubOptions{Latency: true}))
	}
	res := loadtest.Load{
		Conns: throughputConns, Rate: rate, Duration: d,
		Request: loadtest.BrowserGET(base, origin, "/api/items"),
	}.Run(context.Background(), nil)
	last := l.LastSeq()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var lat []time.Duration
	for i, s := range all {
		if err := s.WaitSeq(ctx, last); err != nil {
			t.Fatalf("subscriber %d: %v", i, err)
		}
		st := s.Stats()
		if len(st.Gaps) > 0 {
			t.Errorf("subscriber %d: sequence gaps %v", i, st.Gaps)
		}
		lat = append(lat, st.Latencies...)
	}
	return lat, res
}

// BenchmarkEventLatency keeps the latency harness running in short mode;
// TestReportEventLatency is the figure.
func BenchmarkEventLatency(b *testing.B) {
	for range b.N {
		lat, _ := eventLatency(b, 2, 200, 100*time.Millisecond)
		b.ReportMetric(float64(loadtest.Percentile(lat, 99).Microseconds()), "p99-µs")
	}
}

// TestReportEventLatency prints p50/p99 event latency at 1,000 req/s with
// 1, 10 and 100 subscribers (target: p99 < 5 ms at 100).
func TestReportEventLatency(t *testing.T) {
	if !loadtest.Bench() {
		t.Skip("CORSLAB_BENCH=1 (make bench) prints the latency figures")
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%-12s %10s %10s %10s %12s\n", "subscribers", "req/s", "p50", "p99", "samples")
	for _, subs := range []int{1, 10, 100} {
		lat, res := eventLatency(t, subs, 1000, 3*time.Second)
		fmt.Fprintf(&out, "%-12d %10.0f %10v %10v %12d\n", subs, res.PerSecond(),
			loadtest.Percentile(lat, 50).Round(time.Microsecond), loadtest.Percentile(lat, 99).Round(time.Microsecond), len(lat))
	}
	t.Logf("event latency, response written → frame read:\n%s", out.String())
}
