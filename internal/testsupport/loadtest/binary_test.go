package loadtest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	bin := buildCorslab(t)
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}

	// Start-up: exec to both sites answering, best of 5.
	var startup time.Duration
	for i := range 5 {
		p := startBinary(t, bin)
		if i == 0 || p.startup < startup {
			startup = p.startup
		}
		if i < 4 {
			p.stop(t)
		}
		if i == 4 {
			// Memory after many requests: the history is bounded, so RSS is too.
			rssIdle := loadtest.RSS(p.cmd.Process.Pid)
			res := loadtest.Load{Conns: 50, Requests: requests, Duration: 10 * time.Minute,
				Request: loadtest.BrowserGET(p.urlB, p.urlA, "/api/items")}.Run(context.Background(), nil)
			if err := res.Err(); err != nil {
				t.Errorf("load: %v", err)
			}
			rss, hwm := loadtest.RSS(p.cmd.Process.Pid), loadtest.PeakRSS(p.cmd.Process.Pid)
			t.Logf("binary: %s; start-up to both sites answering: %v (best of 5)", loadtest.MB(uint64(st.Size())), startup.Round(100*time.Microsecond))
			t.Logf("RSS idle %s; after %d requests (%.0f req/s, -no-tui logging every one): %s, peak %s (target < 60 MB)",
				loadtest.MB(rssIdle), res.Requests, res.PerSecond(), loadtest.MB(rss), loadtest.MB(hwm))
			if rss > 60<<20 {
				t.Errorf("RSS %s after %d requests, want < 60 MB", loadtest.MB(rss), res.Requests)
			}

			// SIGTERM mid-load: a clean exit within the shutdown grace.
			loaded := make(chan loadtest.Result, 1)
			go func() {
				loaded <- loadtest.Load{Conns: 50, Duration: 20 * time.Second, MaxFailures: 100,
					Request: loadtest.BrowserGET(p.urlB, p.urlA, "/api/items")}.Run(context.Background(), nil)
			}()
			time.Sleep(300 * time.Millisecond) // pacing: let the load get going
			start := time.Now()
			p.cmd.Process.Signal(syscall.SIGTERM)
			err := p.wait(10 * time.Second)
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

// buildCorslab builds the shipped binary, as a user builds it (no -race).
func buildCorslab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "corslab")
	build := exec.Command("go", "build", "-o", bin, "github.com/corslab/corslab/cmd/corslab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type process struct {
	cmd        *exec.Cmd
	urlA, urlB string
	startup    time.Duration
	done       chan error
}

var siteURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// startBinary runs bin -no-tui on free loopback ports, with extra flags,
// and waits until both sites answer HTTP. Its stdout (the per-exchange
// log) is read as a terminal would, and dropped.
func startBinary(t *testing.T, bin string, extra ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-no-tui", "-site-a", "127.0.0.1:0", "-site-b", "127.0.0.1:0"}, extra...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	t.Cleanup(func() { p.stop(t) })
	urls := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			if u := siteURL.FindString(sc.Text()); u != "" && n < 2 {
				urls <- u
				n++
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { p.done <- cmd.Wait() }()
	for i, u := range []*string{&p.urlA, &p.urlB} {
		select {
		case *u = <-urls:
		case <-time.After(10 * time.Second):
			t.Fatalf("binary printed no URL for site %c", 'A'+i)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{p.urlA + "/lab/config", p.urlB + "/api/items"} {
		err := loadtest.Poll(ctx, func() (bool, error) {
			resp, err := http.Get(u)
			if err != nil {
				return false, nil
			}
			resp.Body.Close()
			return true, nil
		})
		if err != nil {
			t.Fatalf("%s never answered: %v", u, err)
		}
	}
	p.startup = time.Since(start)
	return p
}

func (p *process) wait(d time.Duration) error {
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(d):
		return fmt.Errorf("still running after %v", d)
	}
}

func (p *process) stop(t *testing.T) {
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if p.wait(10*time.Second) != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill() // our own child, by its pid
		p.wait(5 * time.Second)
	}
}
