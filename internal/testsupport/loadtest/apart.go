package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// A load run from a process of its own, as wrk or hey runs one, and as a
// class's browsers are processes of their own. Run in the server's
// process, a load generator's garbage sets off the server's collections,
// and every collection marks the server's whole heap: a lab keeps its
// history there (thousands of exchanges), a bare server almost nothing,
// so in one process the generator's own allocations cost the lab more
// than they cost the bare server. Apart, each process collects its own.

// Apart describes a load (BrowserGET of Path from Conns connections) and
// Subs live-log subscribers, run by a child process.
type Apart struct {
	Base, Origin, Path string
	WS                 string // the live log, for Subs subscribers
	Subs               int
	Stalled            int // subscribers that connect and never read (evicted, by the lab, in time)
	Conns              int
	Warm, Duration     time.Duration // a warm-up (connections, caches), then the measured run

	// Baseline, when set, is a second server's base URL (a bare server)
	// that the load alternates with Base, Slice at a time, over Duration:
	// the two are measured in the same seconds, so a machine whose speed
	// drifts (a shared VM: a fifth within a minute) slows both alike.
	// Slices come in pairs, each pair in the other order (Base first, then
	// Baseline first: ABBA), and each slice is charged the CPU its server's
	// process used (PID, BaselinePID), read from /proc.
	Baseline         string
	Slice            time.Duration
	PID, BaselinePID int
}

// Slice is one slice of an alternating run (Apart.Baseline).
type Slice struct {
	Baseline  bool // the slice loaded the baseline, not Base
	Requests  int
	Elapsed   time.Duration
	ServerCPU time.Duration // the loaded server's process's CPU over the slice
	ClientCPU time.Duration // the load process's (load generator and subscribers)
}

// ApartResult is what an Apart run measured.
type ApartResult struct {
	Requests, Failures int
	Errors             []string
	Elapsed            time.Duration
	ClientCPU          time.Duration // the child's CPU: load generator and subscribers
	ServerCPU          time.Duration // this process's CPU over the same run
	Subs               []SubStats    // each subscriber's, once it has read through Through
	Slices             []Slice       // an alternating run's (Apart.Baseline), in order
	// Through is lastSeq() as RunApart called it once the load had ended.
	// Site B records an exchange after its response is written, so up to
	// Conns exchanges of the last requests may be published after it.
	Through uint64
}

// PerSecond is requests answered per second of the run.
func (r ApartResult) PerSecond() float64 {
	return Result{Requests: r.Requests, Elapsed: r.Elapsed}.PerSecond()
}

// CPUPerRequest is the CPU of both processes per request answered.
func (r ApartResult) CPUPerRequest() time.Duration {
	return Result{Requests: r.Requests, CPU: r.ClientCPU + r.ServerCPU}.CPUPerRequest()
}

const apartEnv = "CORSLAB_LOADTEST_APART"

// RunApart runs a in a child process: this test binary again, which
// ApartMain turns into the load generator. lastSeq, called once the load
// has ended, says which event the subscribers must read through (nil when
// there are none).
func RunApart(ctx context.Context, a Apart, lastSeq func() uint64) (ApartResult, error) {
	spec, err := json.Marshal(a)
	if err != nil {
		return ApartResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, a.Warm+a.Duration+time.Minute)
	defer cancel()
	c, err := startChild(ctx, "load", apartEnv+"="+string(spec), 0)
	if err != nil {
		return ApartResult{}, err
	}
	defer c.stop()
	if _, err := c.expect("ready"); err != nil {
		return ApartResult{}, err
	}
	cpu := CPUTime()
	loaded, err := c.expect("loaded ")
	if err != nil {
		return ApartResult{}, err
	}
	serverCPU := CPUTime() - cpu
	var res ApartResult
	if err := json.Unmarshal([]byte(loaded), &res); err != nil {
		return ApartResult{}, fmt.Errorf("load process: %v", err)
	}
	res.ServerCPU = serverCPU
	if a.Subs > 0 {
		res.Through = lastSeq()
		fmt.Fprintln(c.stdin, res.Through)
		subs, err := c.expect("subs ")
		if err != nil {
			return ApartResult{}, err
		}
		if err := json.Unmarshal([]byte(subs), &res.Subs); err != nil {
			return ApartResult{}, fmt.Errorf("load process: %v", err)
		}
	}
	if err := c.stop(); err != nil { // a race the detector found in the child, say
		return ApartResult{}, fmt.Errorf("load process: %v: %s", err, strings.TrimSpace(c.stderr.String()))
	}
	return res, nil
}

// ApartMain, called first thing in a test package's TestMain, runs the
// load RunApart asked for, when this process is its child, and exits.
func ApartMain() {
	if spec, ok := os.LookupEnv(hallEnv); ok {
		if err := hallMain(spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "hall:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	spec, ok := os.LookupEnv(apartEnv)
	if !ok {
		return
	}
	if err := runChild(spec, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load process:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// load is a's load on the server at base: BrowserGET of Path, each
// answer checked to be 200, request numbers (and so trial ids) counting
// on from one run on the same Load to the next.
func (a Apart) load(base string) Load {
	get := BrowserGET(base, a.Origin, a.Path)
	var n atomic.Int64
	return Load{Conns: a.Conns,
		Request: func(int) *http.Request { return get(int(n.Add(1) - 1)) },
		Check: func(_ int, resp *http.Response, _ []byte) error {
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}}
}

// add counts r in res.
func (res *ApartResult) add(r Result) {
	res.Requests += r.Requests
	res.Elapsed += r.Elapsed
	res.ClientCPU += r.CPU
	res.addFailures(r, "")
}

// addFailures counts r's failures in res, keeping the first few errors,
// each after prefix.
func (res *ApartResult) addFailures(r Result, prefix string) {
	res.Failures += r.Failures
	for _, e := range r.Errors {
		if len(res.Errors) < keepErrors {
			res.Errors = append(res.Errors, prefix+e.Error())
		}
	}
}

// alternate runs an alternating load (Apart.Baseline): a warm-up on
// each server, then pairs of Slice-long runs, one on each, ABBA, until
// Duration has passed. Requests, Elapsed and the rest count Base's slices only.
func (a Apart) alternate(ctx context.Context, out io.Writer) ApartResult {
	type server struct {
		load   Load
		client *http.Client
		pid    int
	}
	servers := [2]*server{
		{load: a.load(a.Base), client: NewClient(a.Conns), pid: a.PID},
		{load: a.load(a.Baseline), client: NewClient(a.Conns), pid: a.BaselinePID},
	}
	for _, s := range servers {
		defer s.client.CloseIdleConnections()
		s.load.Drain = true
		if a.Warm > 0 {
			s.load.Duration = a.Warm
			s.load.Run(ctx, s.client)
		}
		s.load.Duration = a.Slice
	}
	fmt.Fprintln(out, "ready")
	var res ApartResult
	for start, pair := time.Now(), 0; time.Since(start) < a.Duration && ctx.Err() == nil; pair++ {
		order := [2]int{0, 1} // ABBA: Base first in even pairs, the baseline in odd ones
		if pair%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, which := range order {
			s := servers[which]
			cpu0, _ := ProcCPU(s.pid)
			r := s.load.Run(ctx, s.client)
			cpu1, _ := ProcCPU(s.pid)
			res.Slices = append(res.Slices, Slice{Baseline: which == 1, Requests: r.Requests, Elapsed: r.Elapsed, ServerCPU: cpu1 - cpu0, ClientCPU: r.CPU})
			if which == 0 {
				res.add(r)
			} else {
				res.addFailures(r, "baseline: ")
			}
		}
	}
	return res
}

func runChild(spec string, in io.Reader, out io.Writer) error {
	var a Apart
	if err := json.Unmarshal([]byte(spec), &a); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.Warm+a.Duration+50*time.Second)
	defer cancel()
	var subs []*Subscriber
	for range a.Subs {
		s, err := Subscribe(ctx, a.WS, SubOptions{Origin: a.Origin})
		if err != nil {
			return err
		}
		defer s.Close()
		subs = append(subs, s)
	}
	for range a.Stalled {
		s, err := Subscribe(ctx, a.WS, SubOptions{Origin: a.Origin, Stall: true, RecvBuffer: 4 << 10})
		if err != nil {
			return err
		}
		defer s.Close()
	}
	var res ApartResult
	if a.Baseline != "" {
		res = a.alternate(ctx, out)
	} else {
		load := a.load(a.Base)
		client := NewClient(a.Conns) // the warm-up's connections serve the run
		defer client.CloseIdleConnections()
		if a.Warm > 0 { // (a Load of Duration 0 runs a minute)
			load.Duration = a.Warm
			load.Run(ctx, client)
		}
		fmt.Fprintln(out, "ready")
		load.Duration = a.Duration
		res.add(load.Run(ctx, client))
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded %s\n", b)
	if len(subs) == 0 {
		return nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil {
		return err
	}
	last, err := strconv.ParseUint(strings.TrimSpace(line), 10, 64)
	if err != nil {
		return err
	}
	var stats []SubStats
	for i, s := range subs {
		if err := s.WaitSeq(ctx, last); err != nil {
			return fmt.Errorf("subscriber %d: %w", i, err)
		}
		st := s.Stats()
		st.Err = nil // an error does not survive JSON; WaitSeq has reported it
		stats = append(stats, st)
	}
	b, err = json.Marshal(stats)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "subs %s\n", b)
	return err
}

// Alternation sums up alternating runs (Apart.Baseline).
type Alternation struct {
	// Each server's throughput and CPU per request over all its slices,
	// and the load process's CPU per request while it loaded each.
	PerSecond, BaselinePerSecond                     float64
	CPUPerRequest, BaselineCPUPerRequest             time.Duration
	ClientCPUPerRequest, BaselineClientCPUPerRequest time.Duration
	// Ratios is Base's throughput ÷ the baseline's in each pair of
	// slices, sorted.
	Ratios []float64
}

// Ratio is Base's throughput over all its slices ÷ the baseline's.
func (al Alternation) Ratio() float64 {
	if al.BaselinePerSecond == 0 {
		return 0
	}
	return al.PerSecond / al.BaselinePerSecond
}

// Alternate sums up the slices of alternating runs.
func Alternate(runs ...ApartResult) Alternation {
	var al Alternation
	var server, client [2]Result // Base's, the baseline's
	for _, r := range runs {
		for i, s := range r.Slices {
			k := 0
			if s.Baseline {
				k = 1
			}
			server[k].Requests += s.Requests
			server[k].Elapsed += s.Elapsed
			server[k].CPU += s.ServerCPU
			client[k].Requests += s.Requests
			client[k].CPU += s.ClientCPU
			if i%2 == 1 {
				a, b := r.Slices[i-1], s
				if a.Baseline {
					a, b = b, a
				}
				if pa, pb := (Result{Requests: a.Requests, Elapsed: a.Elapsed}).PerSecond(), (Result{Requests: b.Requests, Elapsed: b.Elapsed}).PerSecond(); pb > 0 {
					al.Ratios = append(al.Ratios, pa/pb)
				}
			}
		}
	}
	slices.Sort(al.Ratios)
	al.PerSecond, al.BaselinePerSecond = server[0].PerSecond(), server[1].PerSecond()
	al.CPUPerRequest, al.BaselineCPUPerRequest = server[0].CPUPerRequest(), server[1].CPUPerRequest()
	al.ClientCPUPerRequest, al.BaselineClientCPUPerRequest = client[0].CPUPerRequest(), client[1].CPUPerRequest()
	return al
}
