package siteB_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
// third process. The two servers run side by side and the load alternates
// between them half a second at a time, in ABBA pairs: on a shared machine
// whose speed drifts by a fifth within a minute, runs seconds apart
// measured the drift as much as the lab. And a lab process runs a few
// percent faster or slower than the next for its whole life (where its
// threads and memory land; so does a bare server), so six lab processes,
// each beside a bare server of its own, are measured for 5 seconds each:
// the figure averages six draws of that luck, not three. It is the lab's
// throughput over all its slices ÷ the bare servers' over theirs (target
// ≥ 0.85); the bare server answers what the lab answers (BareAPI).
// TestReportThroughput's figures are in-process: the lab there is a
// library in the test's process, and has no stdout log.
func TestReportShipped(t *testing.T) {
	if !loadtest.Bench() {
		t.Skip("CORSLAB_BENCH=1 (make bench) measures the shipped binary")
	}
	const runs, d, slice = 6, 5 * time.Second, 500 * time.Millisecond
	bin := loadtest.BuildCorslab(t)
	var all []loadtest.ApartResult
	var each strings.Builder
	for range runs {
		res := shippedAlternation(t, bin, d, slice)
		all = append(all, res)
		fmt.Fprintf(&each, " %.1f%%", 100*loadtest.Alternate(res).Ratio())
	}
	al := loadtest.Alternate(all...)
	n := len(al.Ratios)
	verdict := "met"
	if al.Ratio() < 0.85 {
		verdict = "MISSED"
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("the shipped binary, as a user runs it: corslab -no-tui (10 subscribers + 1 stalled) vs bare net/http, each its own process, "+
		"load (%d connections, GET /api/items) and subscribers from a third, alternating %v slices in ABBA pairs, %d lab processes × %v; load average %s\n"+
		"%-5s %10s %15s %15s\n%-5s %10.0f %15v %15v\n%-5s %10.0f %15v %15v\n"+
		"lab/bare %.1f%% (target ≥ 85%%: %s); each lab process:%s; pair by pair: median %.1f%%, quartiles %.1f–%.1f%%; "+
		"bare's server CPU per request ÷ the lab's: %.1f%%",
		throughputConns, slice, runs, d, strings.Join(strings.Fields(string(load))[:3], " "),
		"", "req/s", "server CPU/req", "load CPU/req",
		"bare", al.BaselinePerSecond, al.BaselineCPUPerRequest, al.BaselineClientCPUPerRequest,
		"lab", al.PerSecond, al.CPUPerRequest, al.ClientCPUPerRequest,
		100*al.Ratio(), verdict, each.String(), 100*al.Ratios[n/2], 100*al.Ratios[n/4], 100*al.Ratios[3*n/4],
		100*float64(al.BaselineCPUPerRequest)/float64(al.CPUPerRequest))
}

// shippedAlternation runs bin -no-tui (10 subscribers, 1 stalled) and a
// bare server side by side, and alternates the load between them for d.
func shippedAlternation(t *testing.T, bin string, d, slice time.Duration) loadtest.ApartResult {
	t.Helper()
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyFile, siteB.BenchPolicy, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bare, err := loadtest.StartBare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Stop()
	lab := loadtest.StartBinary(t, bin, "-policy", policyFile)
	defer lab.Stop()
	a := loadtest.Apart{Base: lab.URLB, Origin: lab.URLA, Path: "/api/items", WS: lab.WS(), Subs: 10, Stalled: 1,
		Conns: throughputConns, Warm: 500 * time.Millisecond, Duration: d,
		Baseline: bare.Base, Slice: slice, PID: lab.Cmd.Process.Pid, BaselinePID: bare.PID}
	res, err := loadtest.RunApart(ctx, a, func() uint64 {
		seq, _ := loadtest.ProbeLastSeq(ctx, lab.WS(), lab.URLA, 300*time.Millisecond)
		return seq
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failures > 0 {
		t.Fatalf("%d requests failed: %v", res.Failures, res.Errors)
	}
	for i, s := range res.Subs {
		if len(s.Gaps) > 0 {
			t.Errorf("subscriber %d: sequence gaps %v", i, s.Gaps)
		}
	}
	return res
}
