package loadtest_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
)

func TestMain(m *testing.M) {
	loadtest.ApartMain()
	os.Exit(m.Run())
}

// A load from a process of its own reaches the lab, its subscribers read
// every event through the last one once the load ended, and both
// processes' CPU is counted.
func TestRunApart(t *testing.T) {
	l := loadtest.StartLab(t, nil)
	a := loadtest.Apart{Base: l.URLB, Origin: l.URLA, Path: "/api/items", WS: l.WS, Subs: 2, Conns: 4,
		Warm: 50 * time.Millisecond, Duration: 300 * time.Millisecond}
	res, err := loadtest.RunApart(context.Background(), a, l.LastSeq)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Failures > 0 {
		t.Fatalf("%d requests answered, %d failed %v", res.Requests, res.Failures, res.Errors)
	}
	if res.ServerCPU <= 0 || res.ClientCPU <= 0 || res.PerSecond() <= 0 {
		t.Errorf("server CPU %v, load process CPU %v, %.0f req/s: want each above 0", res.ServerCPU, res.ClientCPU, res.PerSecond())
	}
	if len(res.Subs) != 2 {
		t.Fatalf("%d subscribers reported, want 2", len(res.Subs))
	}
	last := l.LastSeq()
	if res.Through == 0 || res.Through > last {
		t.Errorf("the subscribers were asked to read through seq %d; the journal's last is %d", res.Through, last)
	}
	for i, s := range res.Subs {
		// Through, or a little past it: exchanges recorded after the load
		// ended may reach a subscriber before it reports.
		if s.LastSeq < res.Through || s.LastSeq > last || len(s.Gaps) > 0 || s.Events < res.Requests {
			t.Errorf("subscriber %d: read %d events through seq %d (gaps %v), want at least %d through %d (at most %d)",
				i, s.Events, s.LastSeq, s.Gaps, res.Requests, res.Through, last)
		}
	}
}

// A load process that cannot do its job says why, and RunApart returns.
func TestRunApartFails(t *testing.T) {
	l := loadtest.StartLab(t, nil)
	a := loadtest.Apart{Base: l.URLB, Origin: "http://elsewhere.example", Path: "/api/items", WS: l.WS, Subs: 1, Conns: 1,
		Duration: 100 * time.Millisecond}
	_, err := loadtest.RunApart(context.Background(), a, l.LastSeq)
	if err == nil || !strings.Contains(err.Error(), "load process: websocket: bad handshake (HTTP 403)") {
		t.Fatalf("RunApart with a subscriber site A refuses: %v, want the load process's failure", err)
	}
}

// An alternating run loads the lab and a baseline in turn, in ABBA pairs,
// charges each slice to the process it loaded, and loses no request
// between slices.
func TestRunApartAlternates(t *testing.T) {
	l := loadtest.StartLab(t, nil)
	bare := loadtest.ServeBare(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "[]") }))
	pid := os.Getpid() // both servers are this process
	a := loadtest.Apart{Base: l.URLB, Origin: l.URLA, Path: "/api/items", WS: l.WS, Subs: 1, Conns: 4,
		Warm: 50 * time.Millisecond, Duration: time.Second,
		Baseline: bare, Slice: 100 * time.Millisecond, PID: pid, BaselinePID: pid}
	res, err := loadtest.RunApart(context.Background(), a, l.LastSeq)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failures > 0 {
		t.Fatalf("%d requests failed: %v", res.Failures, res.Errors)
	}
	if n := len(res.Slices); n < 4 || n%2 != 0 {
		t.Fatalf("%d slices, want pairs, at least two", n)
	}
	labRequests := 0
	for i, s := range res.Slices {
		if want := i%4 == 1 || i%4 == 2; s.Baseline != want { // lab, bare, bare, lab, …
			t.Errorf("slice %d: baseline %v, want %v (ABBA)", i, s.Baseline, want)
		}
		if s.Requests == 0 || s.Elapsed <= 0 || s.ClientCPU <= 0 {
			t.Errorf("slice %d: %+v, want requests, time and the load process's CPU", i, s)
		}
		if !s.Baseline {
			labRequests += s.Requests
		}
	}
	if res.Requests != labRequests {
		t.Errorf("result counts %d requests, the lab's slices %d", res.Requests, labRequests)
	}
	if s := res.Subs[0]; len(s.Gaps) > 0 || s.Events < labRequests {
		t.Errorf("subscriber read %d events (gaps %v), want the lab's %d", s.Events, s.Gaps, labRequests)
	}
	al := loadtest.Alternate(res)
	if len(al.Ratios) != len(res.Slices)/2 || al.PerSecond <= 0 || al.BaselinePerSecond <= 0 {
		t.Errorf("alternation %+v from %d slices", al, len(res.Slices))
	}
}

// Alternate sums each server's slices, and pairs them in order whichever
// comes first.
func TestAlternate(t *testing.T) {
	s := func(baseline bool, requests int, ms int) loadtest.Slice {
		return loadtest.Slice{Baseline: baseline, Requests: requests, Elapsed: time.Duration(ms) * time.Millisecond,
			ServerCPU: time.Duration(requests) * time.Microsecond, ClientCPU: 2 * time.Duration(requests) * time.Microsecond}
	}
	run1 := loadtest.ApartResult{Slices: []loadtest.Slice{s(false, 80, 100), s(true, 100, 100), s(true, 100, 100), s(false, 100, 100)}}
	run2 := loadtest.ApartResult{Slices: []loadtest.Slice{s(false, 90, 100), s(true, 100, 100)}}
	al := loadtest.Alternate(run1, run2)
	if al.PerSecond != 900 || al.BaselinePerSecond != 1000 || al.Ratio() != 0.9 {
		t.Errorf("lab %v/s, baseline %v/s, ratio %v: want 900, 1000, 0.9", al.PerSecond, al.BaselinePerSecond, al.Ratio())
	}
	if want := []float64{0.8, 0.9, 1}; !slices.Equal(al.Ratios, want) {
		t.Errorf("pair ratios %v, want %v", al.Ratios, want)
	}
	if al.CPUPerRequest != time.Microsecond || al.ClientCPUPerRequest != 2*time.Microsecond {
		t.Errorf("CPU per request %v, load process's %v: want 1µs, 2µs", al.CPUPerRequest, al.ClientCPUPerRequest)
	}
}

// A run that drains leaves its connections open for the next run on the
// same client: two runs dial Conns connections, not twice as many.
func TestLoadDrainKeepsConnections(t *testing.T) {
	var dialed atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond) // requests are in flight when a run ends
		io.WriteString(w, "ok")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dialed.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	const conns = 4
	client := loadtest.NewClient(conns)
	defer client.CloseIdleConnections()
	load := loadtest.Load{Conns: conns, Duration: 100 * time.Millisecond, Drain: true,
		Request: func(int) *http.Request { r, _ := http.NewRequest("GET", srv.URL, nil); return r }}
	for range 2 {
		if r := load.Run(context.Background(), client); r.Failures > 0 || r.Requests == 0 {
			t.Fatalf("%d answered, %d failed: %v", r.Requests, r.Failures, r.Errors)
		}
	}
	if n := dialed.Load(); n != conns {
		t.Errorf("two runs dialed %d connections, want %d", n, conns)
	}
}
