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
