package loadtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
)

// TestReportBinary measures the real binary: its size, the time from exec
// to both sites answering, its RSS after many requests (bounded history),
// and a SIGTERM in the middle of load. It builds cmd/corslab, so it runs
// only under CORSLAB_BENCH=1 (make bench: 200,000 requests) or
// CORSLAB_SOAK=1 (make soak: 1,000,000).
func TestReportBinary(t *testing.T) {
	if !loadtest.Bench() && !loadtest.Soak() {
		t.Skip("CORSLAB_BENCH=1 (make bench) or CORSLAB_SOAK=1 (make soak) builds and measures the binary")
	}
	requests := 200_000
	if loadtest.Soak() {
		requests = 1_000_000
	}
	bin := loadtest.BuildCorslab(t)
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}

	// Start-up: exec to both sites answering, best of 5.
	var startup time.Duration
	for i := range 5 {
		p := loadtest.StartBinary(t, bin)
		if i == 0 || p.Startup < startup {
			startup = p.Startup
		}
		if i < 4 {
			p.Stop()
		}
		if i == 4 {
			// Memory after many requests: the history is bounded, so RSS is
			// too. The lab's collector lets the heap grow to five times what
			// is live (cmd/corslab/gc.go): about 70 MB here, against 35 MB at
			// Go's default, for a tenth less CPU a request.
			rssIdle := loadtest.RSS(p.Cmd.Process.Pid)
			res := loadtest.Load{Conns: 50, Requests: requests, Duration: 10 * time.Minute,
				Request: loadtest.BrowserGET(p.URLB, p.URLA, "/api/items")}.Run(context.Background(), nil)
			if err := res.Err(); err != nil {
				t.Errorf("load: %v", err)
			}
			rss, hwm := loadtest.RSS(p.Cmd.Process.Pid), loadtest.PeakRSS(p.Cmd.Process.Pid)
			t.Logf("binary: %s; start-up to both sites answering: %v (best of 5)", loadtest.MB(uint64(st.Size())), startup.Round(100*time.Microsecond))
			t.Logf("RSS idle %s; after %d requests (%.0f req/s, -no-tui logging them: 200 lines a second, the rest summarised): %s, peak %s (target < 100 MB)",
				loadtest.MB(rssIdle), res.Requests, res.PerSecond(), loadtest.MB(rss), loadtest.MB(hwm))
			if rss > 100<<20 {
				t.Errorf("RSS %s after %d requests, want < 100 MB", loadtest.MB(rss), res.Requests)
			}

			// SIGTERM mid-load: a clean exit within the shutdown grace.
			loaded := make(chan loadtest.Result, 1)
			go func() {
				loaded <- loadtest.Load{Conns: 50, Duration: 20 * time.Second, MaxFailures: 100,
					Request: loadtest.BrowserGET(p.URLB, p.URLA, "/api/items")}.Run(context.Background(), nil)
			}()
			time.Sleep(300 * time.Millisecond) // pacing: let the load get going
			start := time.Now()
			p.Cmd.Process.Signal(syscall.SIGTERM)
			err := p.Wait(10 * time.Second)
			took := time.Since(start)
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				t.Errorf("SIGTERM under load: exit status %d, want 0", ee.ExitCode())
			case err != nil:
				t.Errorf("SIGTERM under load: %v", err)
			case took > 6*time.Second:
				t.Errorf("SIGTERM under load: took %v to exit", took)
			}
			r := <-loaded
			t.Logf("SIGTERM under load: exited 0 in %v, %d requests answered before", took.Round(time.Millisecond), r.Requests)
		}
	}
}
