package siteB_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
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
// net/http's (target ≥ 80%). Bare and lab runs alternate, in pairs, and
// each pair gives a ratio: the median of the pairs is the figure, the
// range shows what a busy neighbour on the machine did to it.
func TestReportThroughput(t *testing.T) {
	if !loadtest.Bench() {
		t.Skip("CORSLAB_BENCH=1 (make bench) prints the throughput figures")
	}
	const pairs, d = 5, 3 * time.Second
	var wall, cpu []float64
	var out strings.Builder
	fmt.Fprintf(&out, "%-5s %10s %12s %10s %12s %8s %8s\n", "pair", "bare req/s", "CPU/request", "lab req/s", "CPU/request", "wall", "CPU")
	for i := range pairs {
		res := map[string]loadtest.Result{}
		for _, side := range []string{"bare", "lab"} {
			t.Run(side, func(t *testing.T) {
				var base, origin string
				if side == "bare" {
					base, origin = bareTarget(t)
				} else {
					base, origin, _ = labTarget(t, 10)
				}
				load(base, origin, 0, 500*time.Millisecond) // warm up: connections, caches
				res[side] = load(base, origin, 0, d)
				if err := res[side].Err(); err != nil {
					t.Fatal(err)
				}
			})
		}
		bare, lab := res["bare"], res["lab"]
		wall = append(wall, lab.PerSecond()/bare.PerSecond())
		cpu = append(cpu, float64(bare.CPUPerRequest())/float64(lab.CPUPerRequest()))
		fmt.Fprintf(&out, "%-5d %10.0f %12v %10.0f %12v %7.1f%% %7.1f%%\n", i+1, bare.PerSecond(), bare.CPUPerRequest().Round(100*time.Nanosecond),
			lab.PerSecond(), lab.CPUPerRequest().Round(100*time.Nanosecond), 100*wall[i], 100*cpu[i])
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	verdict := "met"
	if wall[pairs/2] < 0.8 {
		verdict = "MISSED"
	}
	t.Logf("throughput, %d connections, GET /api/items, lab (journal + 10 ws subscribers) vs bare net/http, %d pairs of %v:\n%s"+
		"median lab/bare: %.1f%% wall (range %.1f–%.1f%%), %.1f%% CPU/request (range %.1f–%.1f%%)  (target ≥ 80%%: %s)\n"+
		"(CPU/request is the whole process's, load generator and subscribers included: the share a busy machine skews least)",
		throughputConns, pairs, d, out.String(), 100*wall[pairs/2], 100*wall[0], 100*wall[pairs-1], 100*cpu[pairs/2], 100*cpu[0], 100*cpu[pairs-1], verdict)
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
