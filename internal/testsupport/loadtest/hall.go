package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The lecture hall: hundreds of browsers on the live log of a lab that a
// load tool drives at a steady rate. The lab is the shipped binary in a
// process of its own; the subscribers run in a second process (LeanSubs)
// and the load in a third (an OpenLoad), both this test binary again, so
// that each process's CPU is its own and the lab's can be read from /proc.

// Hall describes one run.
type Hall struct {
	WS, Origin string // the lab's live log and site A's origin
	Base, Path string // the load's target: site B
	Subs       int
	Rate       int // requests per second
	Duration   time.Duration
	Conns      int // the load's connections
	LabPID     int // the lab's process, for its CPU and RSS
}

// HallResult is what a Hall run measured.
type HallResult struct {
	Load                  OpenResult
	Subs                  HallSubs
	LastSeq               uint64        // the lab's last event once every answered request was recorded
	LabCPU                time.Duration // over the load
	LabSys                time.Duration // of LabCPU, in the kernel
	SubsCPU, LoadCPU      time.Duration // the other two processes', over the whole run
	LabRSS, LabPeakRSS    uint64
	LoadStart, LoadFinish time.Time
}

// Cores is the lab's CPU over the load, in cores.
func (r HallResult) Cores() float64 {
	return r.LabCPU.Seconds() / r.LoadFinish.Sub(r.LoadStart).Seconds()
}

// HallSubs sums up the subscribers.
type HallSubs struct {
	Subs, Evicted, WithGaps, Short int // Short: stopped before the last event
	EventsMin, EventsMax           int
	P50, P99, Max                  time.Duration
	Samples                        uint64
	Problems                       []string // the first few: gaps, errors
}

const hallEnv = "CORSLAB_LOADTEST_HALL"

// hallSpec is what a hall child process is asked to do.
type hallSpec struct {
	Role string // "subs" or "load"
	Hall
}

// RunHall runs h: the subscribers connect, then the load runs, then every
// subscriber must read through the lab's last event.
func RunHall(ctx context.Context, h Hall) (HallResult, error) {
	var res HallResult
	subs, err := startHallChild(ctx, hallSpec{Role: "subs", Hall: h}, h.Duration+5*time.Minute)
	if err != nil {
		return res, err
	}
	defer subs.stop()
	if _, err := subs.expect("ready"); err != nil {
		return res, err
	}
	before, err := ProbeLastSeq(ctx, h.WS, h.Origin, 300*time.Millisecond)
	if err != nil {
		return res, fmt.Errorf("probing the live log: %w", err)
	}
	user0, sys0, err := ProcCPUSplit(h.LabPID)
	if err != nil {
		return res, err
	}
	res.LoadStart = time.Now()
	fmt.Fprintf(subs.stdin, "go %d\n", res.LoadStart.UnixNano())
	load, err := startHallChild(ctx, hallSpec{Role: "load", Hall: h}, h.Duration+2*time.Minute)
	if err != nil {
		return res, err
	}
	defer load.stop()
	done, err := load.expect("done ")
	if err != nil {
		return res, err
	}
	res.LoadFinish = time.Now()
	user1, sys1, err := ProcCPUSplit(h.LabPID)
	if err != nil {
		return res, err
	}
	res.LabCPU, res.LabSys = user1+sys1-user0-sys0, sys1-sys0
	res.LabRSS, res.LabPeakRSS = RSS(h.LabPID), PeakRSS(h.LabPID)
	if err := json.Unmarshal([]byte(done), &res.Load); err != nil {
		return res, fmt.Errorf("load process: %v", err)
	}
	// Site B records an exchange after its answer is written: wait until
	// the live log holds every answered request.
	pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err = Poll(pctx, func() (bool, error) {
		last, err := ProbeLastSeq(pctx, h.WS, h.Origin, 300*time.Millisecond)
		res.LastSeq = last
		return err == nil && last >= before+uint64(res.Load.Answered), nil
	})
	if err != nil {
		return res, fmt.Errorf("the live log holds events through %d, want %d+%d answered: %w", res.LastSeq, before, res.Load.Answered, err)
	}
	fmt.Fprintf(subs.stdin, "last %d\n", res.LastSeq)
	sum, err := subs.expect("subs ")
	if err != nil {
		return res, err
	}
	res.SubsCPU, _ = ProcCPU(subs.cmd.Process.Pid)
	load.stop()
	if st := load.cmd.ProcessState; st != nil {
		res.LoadCPU = st.UserTime() + st.SystemTime()
	}
	if err := json.Unmarshal([]byte(sum), &res.Subs); err != nil {
		return res, fmt.Errorf("subscriber process: %v", err)
	}
	return res, nil
}

// startHallChild starts a hall child process for spec; limit bounds how
// long stopping it waits for its output once it is killed.
func startHallChild(ctx context.Context, spec hallSpec, limit time.Duration) (*child, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	return startChild(ctx, spec.Role, hallEnv+"="+string(b), limit)
}

// hallMain runs a hall child's role; ApartMain calls it.
func hallMain(spec string, in io.Reader, out io.Writer) error {
	var s hallSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		return err
	}
	ctx := context.Background()
	switch s.Role {
	case "load":
		r := OpenLoad{Rate: s.Rate, Duration: s.Duration, Conns: max(s.Conns, 1), Request: BrowserGET(s.Base, s.Origin, s.Path)}.Run(ctx)
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "done %s\n", b)
		return err
	case "subs":
		return hallSubs(ctx, s.Hall, in, out)
	}
	return fmt.Errorf("hall: role %q", s.Role)
}

func hallSubs(ctx context.Context, h Hall, in io.Reader, out io.Writer) error {
	subs := make([]*LeanSub, h.Subs)
	errs := make([]error, h.Subs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32) // connections opened at once
	for i := range subs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			subs[i], errs[i] = DialLean(ctx, h.WS, h.Origin)
		}()
	}
	wg.Wait()
	for i, s := range subs {
		if s != nil {
			defer s.Close()
		}
		if errs[i] != nil {
			return fmt.Errorf("subscriber %d: %w", i, errs[i])
		}
	}
	fmt.Fprintln(out, "ready")
	lines := bufio.NewScanner(in)
	for lines.Scan() {
		cmd, arg, _ := strings.Cut(lines.Text(), " ")
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return fmt.Errorf("hall: command %q", lines.Text())
		}
		switch cmd {
		case "go":
			for _, s := range subs {
				s.TimeFrom(time.Unix(0, n))
			}
		case "last":
			b, err := json.Marshal(sumSubs(ctx, subs, uint64(n)))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "subs %s\n", b)
		}
	}
	return nil
}

// sumSubs waits until every subscriber has read through last (or
// stopped), and sums up what they saw.
func sumSubs(ctx context.Context, subs []*LeanSub, last uint64) HallSubs {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var sum HallSubs
	var hist Histogram
	problem := func(format string, args ...any) {
		if len(sum.Problems) < 10 {
			sum.Problems = append(sum.Problems, fmt.Sprintf(format, args...))
		}
	}
	for i, s := range subs {
		werr := s.WaitSeq(ctx, last)
		st := s.Stats()
		sum.Subs++
		if i == 0 || st.Events < sum.EventsMin {
			sum.EventsMin = st.Events
		}
		sum.EventsMax = max(sum.EventsMax, st.Events)
		if st.Evicted() {
			sum.Evicted++
			problem("subscriber %d: %s", i, st.Err)
		} else if werr != nil {
			sum.Short++
			problem("subscriber %d: %v", i, werr)
		}
		if len(st.Gaps) > 0 {
			sum.WithGaps++
			problem("subscriber %d: gaps %v", i, st.Gaps)
		}
		hist.Merge(&st.Hist)
	}
	sum.P50, sum.P99, sum.Max, sum.Samples = hist.Percentile(50), hist.Percentile(99), hist.Max, hist.N
	return sum
}

// PeakRSS is process pid's high-water mark (VmHWM), from /proc.
func PeakRSS(pid int) uint64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			if f := bytes.Fields(rest); len(f) > 0 {
				kb, _ := strconv.ParseUint(string(f[0]), 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// bareEnv asks a test binary, through BareMain, to serve a bare handler.
const bareEnv = "CORSLAB_LOADTEST_BARE"

// BareMain, called first thing in a test package's TestMain, serves h on a
// free loopback port when this process is a bare server StartBare asked
// for — printing its URL, serving until stdin closes — and exits.
func BareMain(h http.Handler) {
	if os.Getenv(bareEnv) == "" {
		return
	}
	base, srv, err := serveBare(h)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare server:", err)
		os.Exit(1)
	}
	fmt.Println(base)
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	os.Exit(0)
}

// Bare is a bare server in a process of its own (BareMain).
type Bare struct {
	Base string
	PID  int
	c    *child
}

// StartBare starts this test binary as a bare server (the test package's
// TestMain must call BareMain); Stop ends it.
func StartBare(ctx context.Context) (*Bare, error) {
	c, err := startChild(ctx, "bare server", bareEnv+"=1", 0)
	if err != nil {
		return nil, err
	}
	base, err := c.expect("http://")
	if err != nil {
		c.stop()
		return nil, err
	}
	return &Bare{Base: "http://" + base, PID: c.cmd.Process.Pid, c: c}, nil
}

// Stop ends the bare server.
func (b *Bare) Stop() { b.c.stop() }

// RunOpenApart runs h's open-loop load (Base, Origin, Path, Rate,
// Duration, Conns) from a process of its own, and returns what it saw.
func RunOpenApart(ctx context.Context, h Hall) (OpenResult, error) {
	var r OpenResult
	load, err := startHallChild(ctx, hallSpec{Role: "load", Hall: h}, h.Duration+2*time.Minute)
	if err != nil {
		return r, err
	}
	defer load.stop()
	done, err := load.expect("done ")
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(done), &r)
}
