package loadtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/testsupport/loadtest"
)

// The soak runs at full size (1,000,000 requests, 10,000 policy swaps)
// under CORSLAB_SOAK=1 (make soak), and small in an ordinary go test.

// swapPolicy is the k-th of the policies the soak swaps between. Every
// header it sets names k, and some are there only for odd k, so a response
// that mixed two policies would show it.
func swapPolicy(k int) *policy.Policy {
	status := []int{204, 200}[k%2]
	cred := ""
	if k%2 == 1 {
		cred = `, "Access-Control-Allow-Credentials": "true"`
	}
	doc := fmt.Sprintf(`{
	  "preflight": {"status": %d, "headers": {"Access-Control-Allow-Origin": "http://policy%d.test",
	    "Access-Control-Allow-Methods": "PUT, X%d", "X-Policy": "%d"%s}},
	  "actual": {"headers": {"Access-Control-Allow-Origin": "http://policy%d.test",
	    "Access-Control-Expose-Headers": "X-Total, X%d", "X-Policy": "%d"%s}}}`, status, k, k, k, cred, k, k, k, cred)
	p, err := policy.ParsePolicy([]byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

const swapPolicies = 4

// consistent checks that resp is wholly one of the swapped policies.
func consistent(preflight bool, resp *http.Response) error {
	h := resp.Header
	k, err := strconv.Atoi(h.Get("X-Policy"))
	if err != nil {
		return fmt.Errorf("X-Policy %q: %v", h.Get("X-Policy"), err)
	}
	want := map[string]string{"Access-Control-Allow-Origin": fmt.Sprintf("http://policy%d.test", k)}
	if preflight {
		want["Access-Control-Allow-Methods"] = fmt.Sprintf("PUT, X%d", k)
		if st := []int{204, 200}[k%2]; resp.StatusCode != st {
			return fmt.Errorf("policy %d preflight: status %d, want %d", k, resp.StatusCode, st)
		}
	} else {
		want["Access-Control-Expose-Headers"] = fmt.Sprintf("X-Total, X%d", k)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if k%2 == 1 {
		want["Access-Control-Allow-Credentials"] = "true"
	} else if v, ok := h["Access-Control-Allow-Credentials"]; ok {
		return fmt.Errorf("policy %d: Access-Control-Allow-Credentials %q belongs to another policy", k, v)
	}
	for name, v := range want {
		if got := h.Values(name); len(got) != 1 || got[0] != v {
			return fmt.Errorf("policy %d: %s %q, want %q: half of one policy, half of another", k, name, got, v)
		}
	}
	return nil
}

// soakRequest alternates a page's GET with a PUT's preflight, each from its
// own trial.
func soakRequest(base, origin string) func(i int) *http.Request {
	get := loadtest.BrowserGET(base, origin, "/api/items")
	return func(i int) *http.Request {
		r := get(i)
		if i%2 == 1 {
			r.Method, r.URL.Path = http.MethodOptions, "/api/items/1"
			r.Header.Set("Access-Control-Request-Method", "PUT")
			r.Header.Set("Access-Control-Request-Headers", "content-type")
		}
		return r
	}
}

// TestSoak: requests from 50 connections while the policy is swapped
// thousands of times, with three live-log subscribers, one of which never
// reads. The stalled one is evicted; the others get every event in order;
// every response is wholly one policy; the heap stays flat once the
// history is full; and when it is all over the goroutines are back to
// where they started.
func TestSoak(t *testing.T) {
	loadtest.SkipLoad(t)
	requests := loadtest.Size(1_000_000, 20_000, 3_000)
	swaps := loadtest.Size(10_000, 2_000, 300)
	limit := 90 * time.Second
	if loadtest.Soak() {
		limit = 15 * time.Minute
	}
	before := runtime.NumGoroutine()

	l := loadtest.StartLab(t, nil)
	l.SiteB.SetPolicy(swapPolicy(0), "soak")
	client := loadtest.NewClient(50)
	healthy := []*loadtest.Subscriber{l.Subscribe(t, loadtest.SubOptions{}), l.Subscribe(t, loadtest.SubOptions{})}
	stalled := l.Subscribe(t, loadtest.SubOptions{Stall: true, RecvBuffer: 4 << 10})

	// The swapper changes the policy once every requests/swaps responses.
	every := max(requests/swaps, 1)
	swap := make(chan struct{}, swaps+1) // room for every swap: none is dropped
	var swapped atomic.Int64
	swapperDone := make(chan struct{})
	stopSwapper := make(chan struct{})
	go func() {
		defer close(swapperDone)
		for k := 1; ; k++ {
			select {
			case <-swap:
			case <-stopSwapper:
				return
			}
			l.SiteB.SetPolicy(swapPolicy(k%swapPolicies), "soak")
			swapped.Add(1)
		}
	}()

	// Four phases of the load, the heap measured after each.
	const phases = 4
	var heaps [phases]uint64
	var answered, failures int
	var firstErrs []error
	start := time.Now()
	deadline := start.Add(limit)
	var mu sync.Mutex
	for ph := range phases {
		from, to := ph*requests/phases, (ph+1)*requests/phases
		base := soakRequest(l.URLB, l.URLA)
		res := loadtest.Load{
			Conns:    50,
			Requests: to - from,
			Duration: time.Until(deadline),
			Request:  func(i int) *http.Request { return base(from + i) },
			Check: func(i int, resp *http.Response, _ []byte) error {
				if (from+i)%every == 0 {
					select {
					case swap <- struct{}{}:
					default:
					}
				}
				return consistent((from+i)%2 == 1, resp)
			},
		}.Run(context.Background(), client)
		mu.Lock()
		answered += res.Requests
		failures += res.Failures
		if err := res.Err(); err != nil && len(firstErrs) < 3 {
			firstErrs = append(firstErrs, err)
		}
		mu.Unlock()
		heaps[ph] = loadtest.Heap()
	}
	close(stopSwapper)
	<-swapperDone
	t.Logf("%d requests answered in %v, %d policy swaps, heap after each quarter: %s %s %s %s, RSS %s",
		answered, time.Since(start).Round(time.Millisecond), swapped.Load(), loadtest.MB(heaps[0]), loadtest.MB(heaps[1]), loadtest.MB(heaps[2]), loadtest.MB(heaps[3]), loadtest.MB(loadtest.RSS(0)))
	if failures > 0 {
		t.Errorf("%d requests failed: %v", failures, errors.Join(firstErrs...))
	}
	if answered < requests {
		t.Errorf("only %d of %d requests answered within %v", answered, requests, limit)
	}
	if swapped.Load() < int64(swaps)/2 {
		t.Errorf("only %d policy swaps happened during the load, want about %d", swapped.Load(), swaps)
	}
	// Flat: once the history is full, the heap does not grow with the
	// number of requests (the first quarter already holds a full history).
	if grew := int64(heaps[phases-1]) - int64(heaps[1]); grew > 16<<20 {
		t.Errorf("heap grew by %s between the second and last quarter: not flat", loadtest.MB(uint64(grew)))
	}

	// The healthy subscribers got every event, in order.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	last := l.LastSeq()
	for i, s := range healthy {
		if err := s.WaitSeq(ctx, last); err != nil {
			t.Fatalf("healthy subscriber %d: %v", i, err)
		}
		st := s.Stats()
		if len(st.Gaps) > 0 {
			t.Errorf("healthy subscriber %d: sequence gaps: %v", i, st.Gaps)
		}
		if n := st.LastSeq - st.FirstSeq + 1; uint64(st.Events) != n {
			t.Errorf("healthy subscriber %d: %d events from seq %d to %d, want %d", i, st.Events, st.FirstSeq, st.LastSeq, n)
		}
	}
	// The stalled one is evicted, at the latest when a write of its
	// times out (siteA's writeWait, 10 s), and its connection is closed.
	ectx, ecancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer ecancel()
	err := loadtest.Poll(ectx, func() (bool, error) { return l.Journal.Hub().Subscribers() == len(healthy), nil })
	if err != nil {
		t.Fatalf("stalled subscriber not evicted: %d subscribers still open: %v\nthe live log's writers:\n%s", l.Journal.Hub().Subscribers(), err, liveLogStacks())
	}
	t.Logf("stalled subscriber evicted by %v after the load began", time.Since(start).Round(time.Millisecond))
	for i, s := range healthy {
		if err := s.Stats().Err; err != nil {
			t.Errorf("healthy subscriber %d was disconnected: %v", i, err)
		}
	}

	// And everything goes away with the lab.
	for _, s := range append(healthy, stalled) {
		s.Close()
	}
	client.CloseIdleConnections()
	if err := l.Stop(); err != nil {
		t.Fatal(err)
	}
	gctx, gcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer gcancel()
	if n, err := loadtest.Goroutines(gctx, before); err != nil {
		t.Errorf("goroutines leaked (%d before, %d after): %v\n%s", before, n, err, loadtest.Stacks())
	}
}

// liveLogStacks is the stacks of the goroutines serving the live log.
func liveLogStacks() string {
	var out []string
	for _, g := range strings.Split(loadtest.Stacks(), "\n\n") {
		if strings.Contains(g, "siteA.(*Server).serveWS") && !strings.Contains(g, "readPump") && !strings.Contains(g, "siteA.ping") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
