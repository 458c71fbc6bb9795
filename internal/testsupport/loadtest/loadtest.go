// Package loadtest drives the lab the way a classroom does, only harder: a
// bounded HTTP load generator (so many connections, so many requests, at most
// so long, optionally paced), live-log subscribers that check every sequence
// number and time each event, and the measurements the benchmarks report
// (percentiles, heap, RSS, goroutines).
//
// It targets loopback servers the tests start themselves, and every loop in
// it stops on a count, a deadline or a context: nothing here runs unbounded.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Load is one bounded run of HTTP requests against a loopback server.
type Load struct {
	// Conns is how many connections (and workers) send requests; default 50.
	Conns int
	// Requests is how many requests in all; 0 means until Duration.
	Requests int
	// Duration bounds the run; 0 means 1 minute. The run ends at whichever
	// of Requests and Duration comes first.
	Duration time.Duration
	// Rate paces the run to about this many requests per second across all
	// workers; 0 sends as fast as the server answers.
	Rate int
	// Request builds request i. It must be safe to call from many goroutines.
	Request func(i int) *http.Request
	// Check, if set, inspects each response (the body is already read into
	// body); an error counts as a failure and the first few are kept.
	Check func(i int, resp *http.Response, body []byte) error
	// Latencies keeps each request's round-trip time in Result.Latencies.
	Latencies bool
	// MaxFailures ends the run after this many failures (0: never), for a
	// run against a server that is going away.
	MaxFailures int
	// Drain lets the requests in flight when Duration ends finish, and
	// count, instead of cancelling them: a cancelled request closes its
	// connection, and a run that follows on the same client would dial
	// again.
	Drain bool
}

// Result is what a Load saw.
type Result struct {
	Requests int           // requests answered
	Failures int           // transport errors and failed checks
	Errors   []error       // the first few failures
	Elapsed  time.Duration // wall time of the run
	// CPU is the CPU time the whole process (server, clients and all)
	// used during the run.
	CPU       time.Duration
	Latencies []time.Duration
}

// CPUPerRequest is the process's CPU time per request answered.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// PerSecond is the run's throughput.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Err summarises the failures, or returns nil.
func (r Result) Err() error {
	if r.Failures == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d requests failed, first: %w", r.Failures, r.Requests+r.Failures, errors.Join(r.Errors...))
}

const keepErrors = 5

// NewClient returns an HTTP client that keeps up to conns connections to
// one host alive and never follows redirects.
func NewClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // loopback only: never a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run sends the load with client (NewClient(l.Conns) if nil) and waits for
// it to finish: every worker stops at the request count, the duration or
// when ctx ends.
func (l Load) Run(ctx context.Context, client *http.Client) Result {
	if l.Conns <= 0 {
		l.Conns = 50
	}
	if l.Duration <= 0 {
		l.Duration = time.Minute
	}
	if client == nil {
		client = NewClient(l.Conns)
		defer client.CloseIdleConnections()
	}
	reqCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()
	if !l.Drain {
		reqCtx = ctx
	}

	var next atomic.Int64 // the next request index to claim
	var failedAll atomic.Int64
	var pace <-chan time.Time
	if l.Rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(l.Rate))
		defer t.Stop()
		pace = t.C
	}
	var mu sync.Mutex
	var res Result
	start, cpu := time.Now(), CPUTime()
	var wg sync.WaitGroup
	for range l.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			ok, failed := 0, 0
			var errs []error
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if l.Requests > 0 && i >= l.Requests {
					break
				}
				if pace != nil {
					select {
					case <-pace:
					case <-ctx.Done():
					}
					if ctx.Err() != nil {
						break
					}
				}
				req := l.Request(i).WithContext(reqCtx)
				t0 := time.Now()
				err := do(client, req, buf, func(resp *http.Response, body []byte) error {
					if l.Check != nil {
						return l.Check(i, resp, body)
					}
					return nil
				})
				if ctx.Err() != nil && err != nil {
					break // the run's deadline, not the server's failure
				}
				if err != nil {
					if n := failedAll.Add(1); l.MaxFailures > 0 && n >= int64(l.MaxFailures) {
						cancel()
					}
					failed++
					if len(errs) < keepErrors {
						errs = append(errs, fmt.Errorf("request %d: %w", i, err))
					}
					continue
				}
				ok++
				if l.Latencies {
					lat = append(lat, time.Since(t0))
				}
			}
			mu.Lock()
			res.Requests += ok
			res.Failures += failed
			for _, e := range errs {
				if len(res.Errors) < keepErrors {
					res.Errors = append(res.Errors, e)
				}
			}
			res.Latencies = append(res.Latencies, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed, res.CPU = time.Since(start), CPUTime()-cpu
	return res
}

// do sends req and reads the whole body (up to len(buf) kept for check).
func do(client *http.Client, req *http.Request, buf []byte, check func(*http.Response, []byte) error) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.ReadFull(resp.Body, buf)
	if err == nil { // longer than buf: drain the rest so the connection is reused
		_, err = io.Copy(io.Discard, resp.Body)
	} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil
	}
	if err != nil {
		return err
	}
	return check(resp, buf[:n])
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of ds, sorting ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds))*p/100+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}
