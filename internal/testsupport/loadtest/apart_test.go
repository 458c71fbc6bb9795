package loadtest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
)

func TestMain(m *testing.M) {
	loadtest.ApartMain()
	os.Exit(m.Run())
}

// A load from a process of its own reaches the lab, its subscribers read
// every event through the last, and both processes' CPU is counted.
func TestRunApart(t *testing.T) {
	loadtest.SkipLoad(t) // a load process beside the lab: not beside other packages' tests
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
	for i, s := range res.Subs {
		if s.LastSeq != l.LastSeq() || len(s.Gaps) > 0 || s.Events < res.Requests {
			t.Errorf("subscriber %d: read %d events through seq %d (gaps %v), want at least %d through %d",
				i, s.Events, s.LastSeq, s.Gaps, res.Requests, l.LastSeq())
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
