package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
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
}

// ApartResult is what an Apart run measured.
type ApartResult struct {
	Requests, Failures int
	Errors             []string
	Elapsed            time.Duration
	ClientCPU          time.Duration // the child's CPU: load generator and subscribers
	ServerCPU          time.Duration // this process's CPU over the same run
	Subs               []SubStats    // each subscriber's, once it has read through Through
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
	load := Load{Conns: a.Conns, Request: BrowserGET(a.Base, a.Origin, a.Path),
		Check: func(_ int, resp *http.Response, _ []byte) error {
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}}
	client := NewClient(a.Conns) // the warm-up's connections serve the run
	defer client.CloseIdleConnections()
	if a.Warm > 0 { // (a Load of Duration 0 runs a minute)
		load.Duration = a.Warm
		load.Run(ctx, client)
	}
	fmt.Fprintln(out, "ready")
	load.Duration = a.Duration
	r := load.Run(ctx, client)
	res := ApartResult{Requests: r.Requests, Failures: r.Failures, Elapsed: r.Elapsed, ClientCPU: r.CPU}
	for _, e := range r.Errors {
		res.Errors = append(res.Errors, e.Error())
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
