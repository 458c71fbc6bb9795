package loadtest_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
)

// hallFull reports whether the full-size lecture hall was asked for
// (make hall, make soak, make bench).
func hallFull() bool { return loadtest.Soak() || loadtest.Bench() || os.Getenv("CORSLAB_HALL") != "" }

// TestHall: a lecture hall on the live log of the shipped binary
// (corslab -no-tui, its own process and flags), subscribers in a process
// of their own, an open-loop load from a third. In go test it runs at a
// reduced size and asserts behaviour only — every answer, every event to
// every subscriber, in order, nobody evicted; make hall runs the full size
// (1,000 subscribers, 1,000 requests/s, 15 s) and prints the figures of
// docs/BENCHMARKS.md against the targets.
func TestHall(t *testing.T) {
	loadtest.SkipLoad(t)
	subs, rate, d := 100, 200, 3*time.Second
	if hallFull() {
		subs, rate, d = 1000, 1000, 15*time.Second
	}
	p := loadtest.StartBinary(t, loadtest.BuildCorslab(t))
	h := loadtest.Hall{
		WS: p.WS(), Origin: p.URLA, Base: p.URLB, Path: "/api/items",
		Subs: subs, Rate: rate, Duration: d, Conns: 50, LabPID: p.Cmd.Process.Pid,
	}
	res, err := loadtest.RunHall(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(hallReport(h, res))
	if res.Load.Failures > 0 || res.Load.Answered != res.Load.Sent {
		t.Errorf("load: %d sent, %d answered, %d failed %v", res.Load.Sent, res.Load.Answered, res.Load.Failures, res.Load.Errors)
	}
	s := res.Subs
	if s.Subs != subs || s.Evicted > 0 || s.WithGaps > 0 || s.Short > 0 {
		t.Errorf("subscribers: %d of %d reported, %d evicted, %d with gaps, %d short of the last event: %v",
			s.Subs, subs, s.Evicted, s.WithGaps, s.Short, s.Problems)
	}
	if s.EventsMin < res.Load.Answered {
		t.Errorf("a subscriber read %d events, want every one of the %d answered requests'", s.EventsMin, res.Load.Answered)
	}
}

// hallReport prints a run's figures against the targets.
func hallReport(h loadtest.Hall, r loadtest.HallResult) string {
	var b strings.Builder
	load, _ := os.ReadFile("/proc/loadavg")
	verdict := func(ok bool) string {
		switch {
		case !hallFull():
			return "not judged at the reduced size"
		case ok:
			return "met"
		}
		return "MISSED"
	}
	served := r.Load.PerSecond()
	fmt.Fprintf(&b, "lecture hall: corslab -no-tui (shipped binary, own process), %d subscribers (own process), open-loop %d req/s for %v (own process); load average %s\n",
		h.Subs, h.Rate, h.Duration, strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Fprintf(&b, "  served          %.0f req/s (%d of %d answered, %d failed, %d sent late, p99 answer %v)  target ≥ %.0f: %s\n",
		served, r.Load.Answered, r.Load.Sent, r.Load.Failures, r.Load.Late, r.Load.P99, 0.95*float64(h.Rate), verdict(served >= 0.95*float64(h.Rate)))
	fmt.Fprintf(&b, "  event latency   p50 %v, p99 %v, max %v (%d samples)  target p99 < 100ms: %s\n",
		r.Subs.P50, r.Subs.P99, r.Subs.Max, r.Subs.Samples, verdict(r.Subs.P99 < 100*time.Millisecond))
	fmt.Fprintf(&b, "  subscribers     %d evicted, %d with gaps, %d short; events read %d–%d (last seq %d)  target none: %s\n",
		r.Subs.Evicted, r.Subs.WithGaps, r.Subs.Short, r.Subs.EventsMin, r.Subs.EventsMax, r.LastSeq, verdict(r.Subs.Evicted+r.Subs.WithGaps+r.Subs.Short == 0))
	fmt.Fprintf(&b, "  lab CPU         %.2f cores (%v over %v, %v of it in the kernel)  target < 1: %s\n",
		r.Cores(), r.LabCPU, r.LoadFinish.Sub(r.LoadStart).Round(time.Millisecond), r.LabSys, verdict(r.Cores() < 1))
	fmt.Fprintf(&b, "  other processes subscribers %v CPU, load %v CPU (whole run)\n", r.SubsCPU.Round(time.Millisecond), r.LoadCPU.Round(time.Millisecond))
	fmt.Fprintf(&b, "  lab RSS         %s (peak %s)  target < 300 MB: %s",
		loadtest.MB(r.LabRSS), loadtest.MB(r.LabPeakRSS), verdict(r.LabPeakRSS < 300<<20))
	if len(r.Subs.Problems) > 0 {
		fmt.Fprintf(&b, "\n  problems: %v", r.Subs.Problems)
	}
	return b.String()
}
