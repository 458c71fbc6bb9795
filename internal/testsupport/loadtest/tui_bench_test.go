package loadtest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
	"github.com/corslab/corslab/internal/testsupport/serverproc"
	"github.com/corslab/corslab/internal/testsupport/tmuxtest"
)

// TestReportTUI measures the terminal UI as a teacher runs it: the
// shipped binary with its TUI in a 120×40 tmux pane, an open-loop load of
// 1,000 requests/s for 10 s from a process of its own, and the binary's
// CPU from /proc (target ≤ 0.3 core) — and the same load against
// corslab -no-tui, for comparison. Then, where strace is installed, 3 s
// more of the load with strace counting the TUI's writes to its terminal
// (fd 1): one per rendered frame (target ≤ one per 16 ms, 62.5 a second).
func TestReportTUI(t *testing.T) {
	if !loadtest.Bench() {
		t.Skip("CORSLAB_BENCH=1 (make bench) measures the TUI in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	const rate, d = 1000, 10 * time.Second
	bin := loadtest.BuildCorslab(t)
	var out strings.Builder
	for _, tui := range []bool{true, false} {
		siteA, siteB := serverproc.FreeAddr(t), serverproc.FreeAddr(t)
		var pid int
		if tui {
			pid = tmuxtest.Start(t, 120, 40, nil, "exec "+bin+" -site-a "+siteA+" -site-b "+siteB).PanePID()
		} else {
			cmd := exec.Command(bin, "-no-tui", "-site-a", siteA, "-site-b", siteB)
			cmd.Stdout = nil // /dev/null: the log's lines are written, and dropped
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			pid = cmd.Process.Pid
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err := loadtest.Poll(ctx, func() (bool, error) {
			resp, err := http.Get("http://" + siteB + "/api/items")
			if err == nil {
				resp.Body.Close()
			}
			return err == nil, nil
		})
		cancel()
		if err != nil {
			t.Fatalf("site B never answered: %v", err)
		}
		cpu0, _ := loadtest.ProcCPU(pid)
		start := time.Now()
		r, err := loadtest.RunOpenApart(context.Background(), loadtest.Hall{Base: "http://" + siteB, Origin: "http://" + siteA,
			Path: "/api/items", Rate: rate, Duration: d, Conns: 50})
		if err != nil {
			t.Fatal(err)
		}
		elapsed := time.Since(start)
		cpu1, _ := loadtest.ProcCPU(pid)
		mode := "corslab (TUI, 120×40 tmux)"
		if !tui {
			mode = "corslab -no-tui (stdout /dev/null)"
		}
		cores := (cpu1 - cpu0).Seconds() / elapsed.Seconds()
		verdict := ""
		if tui {
			verdict = "  target ≤ 0.3: met"
			if cores > 0.3 {
				verdict = "  target ≤ 0.3: MISSED"
			}
		}
		fmt.Fprintf(&out, "%-36s %6.0f req/s served  %.2f cores%s\n", mode, r.PerSecond(), cores, verdict)
		if tui {
			fmt.Fprintf(&out, "%-36s %s\n", "", terminalWrites(t, pid, "http://"+siteA, "http://"+siteB))
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("the TUI under an open-loop load of %d req/s for %v (load from its own process); load average %s\n%s",
		rate, d, strings.Join(strings.Fields(string(load))[:3], " "), out.String())
}

// terminalWrites counts, with strace, process pid's writes to its
// terminal (fd 1) during 3 s of the load: the frames the TUI renders.
func terminalWrites(t *testing.T, pid int, origin, base string) string {
	if _, err := exec.LookPath("strace"); err != nil {
		return "renders not counted: strace not installed"
	}
	trace := filepath.Join(t.TempDir(), "strace.out")
	st := exec.Command("strace", "-f", "-qq", "-e", "trace=write", "-e", "signal=none", "-p", strconv.Itoa(pid), "-o", trace)
	if err := st.Start(); err != nil {
		return "renders not counted: " + err.Error()
	}
	const d = 3 * time.Second
	r, err := loadtest.RunOpenApart(context.Background(), loadtest.Hall{Base: base, Origin: origin, Path: "/api/items", Rate: 1000, Duration: d, Conns: 50})
	st.Process.Signal(os.Interrupt) // our own child, by its pid: strace detaches
	st.Wait()
	if err != nil {
		return "renders not counted: " + err.Error()
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		return "renders not counted: " + err.Error()
	}
	n := bytes.Count(data, []byte("write(1,"))
	verdict := "met"
	if float64(n)/d.Seconds() > 1000.0/16 {
		verdict = "MISSED"
	}
	return fmt.Sprintf("renders (writes to the terminal, strace, %v at %.0f req/s): %d, %.1f a second  target ≤ 62.5: %s", d, r.PerSecond(), n, float64(n)/d.Seconds(), verdict)
}
