package siteB_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
	"github.com/corslab/corslab/siteB"
)

// TestReportShipped measures the lab as a user runs it: the shipped binary
// (corslab -no-tui -policy …, its own process, its per-exchange stdout log
// read through a pipe as a terminal would), with 10 live-log subscribers
// and one that never reads, against site B's endpoint on a bare net/http
// server in a process of its own; the load and the subscribers come from a
// third process. Runs alternate, bare first and last, and each lab run is
// compared with the mean of the bare runs beside it; the median lab/bare is the figure
// (target ≥ 0.85). TestReportThroughput's figures are in-process: the lab
// there is a library in the test's process, and has no stdout log.
func TestReportShipped(t *testing.T) {
	if !loadtest.Bench() {
		t.Skip("CORSLAB_BENCH=1 (make bench) measures the shipped binary")
	}
	const pairs, d = 5, 3 * time.Second
	bin := loadtest.BuildCorslab(t)
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyFile, siteB.BenchPolicy, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runBare := func() (float64, time.Duration) {
		bare, err := loadtest.StartBare(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer bare.Stop()
		return shippedRun(t, bare.PID, loadtest.Apart{Base: bare.Base, Origin: "http://127.0.0.1:7070"}, d, nil)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%-5s %10s %14s %10s %14s %8s %8s\n", "pair", "bare req/s", "server CPU/req", "lab req/s", "server CPU/req", "lab/bare", "CPU")
	var ratios, cpuRatios []float64
	// Bare runs before and after each lab run, and each lab run is held
	// against the mean of the two: the machine's speed drifts over a run.
	b, bcpu := runBare()
	for i := range pairs {
		p := loadtest.StartBinary(t, bin, "-policy", policyFile)
		last := func() uint64 {
			seq, _ := loadtest.ProbeLastSeq(ctx, p.WS(), p.URLA, 300*time.Millisecond)
			return seq
		}
		l, lcpu := shippedRun(t, p.Cmd.Process.Pid, loadtest.Apart{Base: p.URLB, Origin: p.URLA, WS: p.WS(), Subs: 10, Stalled: 1}, d, last)
		p.Stop()
		b2, bcpu2 := runBare()
		bm, bcpum := (b+b2)/2, (bcpu+bcpu2)/2
		r, c := l/bm, float64(bcpum)/float64(lcpu)
		ratios, cpuRatios = append(ratios, r), append(cpuRatios, c)
		fmt.Fprintf(&out, "%-5d %10.0f %14v %10.0f %14v %7.1f%% %7.1f%%\n", i+1, bm, bcpum, l, lcpu, 100*r, 100*c)
		b, bcpu = b2, bcpu2
	}
	slices.Sort(ratios)
	slices.Sort(cpuRatios)
	verdict := "met"
	if ratios[pairs/2] < 0.85 {
		verdict = "MISSED"
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("the shipped binary, as a user runs it: corslab -no-tui (10 subscribers + 1 stalled) vs bare net/http, each its own process, "+
		"load (50 connections, GET /api/items) and subscribers from a third, %d pairs of %v; load average %s\n%s"+
		"median lab/bare %.1f%% (range %.1f–%.1f%%)  (target ≥ 85%%: %s); bare's server CPU per request ÷ the lab's: median %.1f%% (range %.1f–%.1f%%)",
		pairs, d, strings.Join(strings.Fields(string(load))[:3], " "), out.String(), 100*ratios[pairs/2], 100*ratios[0], 100*ratios[pairs-1], verdict,
		100*cpuRatios[pairs/2], 100*cpuRatios[0], 100*cpuRatios[pairs-1])
}

// shippedRun loads the server process pid from a process of its own and
// returns its throughput and its CPU per request (warm-up included in
// both CPU and requests' share, as /proc cannot split them).
func shippedRun(t *testing.T, pid int, a loadtest.Apart, d time.Duration, last func() uint64) (float64, time.Duration) {
	t.Helper()
	a.Path, a.Conns, a.Warm, a.Duration = "/api/items", throughputConns, 500*time.Millisecond, d
	cpu0, err := loadtest.ProcCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	res, err := loadtest.RunApart(context.Background(), a, last)
	if err != nil {
		t.Fatal(err)
	}
	cpu1, _ := loadtest.ProcCPU(pid)
	if res.Failures > 0 {
		t.Fatalf("%d requests failed: %v", res.Failures, res.Errors)
	}
	for i, s := range res.Subs {
		if len(s.Gaps) > 0 {
			t.Errorf("subscriber %d: sequence gaps %v", i, s.Gaps)
		}
	}
	perReq := time.Duration(0)
	if n := res.PerSecond() * (a.Warm + d).Seconds(); n > 0 {
		perReq = time.Duration(float64(cpu1-cpu0) / n).Round(100 * time.Nanosecond)
	}
	return res.PerSecond(), perReq
}
