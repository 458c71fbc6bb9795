package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/syncbuf"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 1, 500_000_000, time.UTC)

func exchangeEvent(path string, at time.Time) *journal.Event {
	return &journal.Event{Time: at, Kind: journal.KindExchange, Exchange: &journal.Exchange{
		Method: "GET", Path: path, Origin: "http://localhost:7070", Status: 200,
		RequestHeader:  http.Header{},
		ResponseHeader: http.Header{"Access-Control-Allow-Origin": {"http://localhost:7070"}},
	}}
}

func TestLogLine(t *testing.T) {
	pre := exchangeEvent("/api/items/1", t0)
	pre.Exchange.Method, pre.Exchange.Preflight, pre.Exchange.Status = "OPTIONS", true, 204
	pre.Exchange.RequestHeader = http.Header{"Access-Control-Request-Method": {"PUT"}, "Access-Control-Request-Headers": {"content-type"}}
	pre.Exchange.ResponseHeader = http.Header{}
	proxied := exchangeEvent("/api/x?a=1", t0)
	proxied.Exchange.UpstreamStatus = 200
	proxied.Exchange.UpstreamHeader = http.Header{"Access-Control-Allow-Origin": {"*", "http://a"}}
	failed := exchangeEvent("/api/x", t0)
	failed.Exchange.Status, failed.Exchange.UpstreamError = 502, "connection refused"
	created := exchangeEvent("/api/items", t0)
	created.Exchange.Method, created.Exchange.Effect = "POST", &trial.Effect{Kind: trial.Created, Item: 4, Name: "milk"}
	tests := []struct {
		desc string
		e    *journal.Event
		want string
	}{
		{"a GET", exchangeEvent("/api/items", t0), "12:00:01.500 GET     /api/items from http://localhost:7070 → 200, Access-Control-Allow-Origin: http://localhost:7070\n"},
		{"a preflight", pre, "12:00:01.500 OPTIONS /api/items/1 (preflight for PUT with content-type) from http://localhost:7070 → 204, no Access-Control-Allow-Origin\n"},
		{"proxied", proxied, "12:00:01.500 GET     /api/x?a=1 from http://localhost:7070 → 200, Access-Control-Allow-Origin: http://localhost:7070 (upstream: 200, Access-Control-Allow-Origin: *, http://a)\n"},
		{"upstream failed", failed, "12:00:01.500 GET     /api/x from http://localhost:7070 → 502, Access-Control-Allow-Origin: http://localhost:7070; upstream: connection refused\n"},
		{"an effect", created, "12:00:01.500 POST    /api/items from http://localhost:7070 → 200, Access-Control-Allow-Origin: http://localhost:7070; created item 4 \"milk\"\n"},
		{"a policy change", &journal.Event{Time: t0, Kind: journal.KindPolicy, Policy: &journal.PolicyChange{By: "tui", Document: []byte("{\n  \"actual\": {}\n}")}},
			"12:00:01.500 policy changed by tui: { \"actual\": {} }\n"},
		{"a trial: no line", &journal.Event{Time: t0, Kind: journal.KindTrial}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := string(appendLogLine(nil, tt.e)); got != tt.want {
				t.Errorf("line\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Past logLinesPerSecond exchanges in a second the rest are counted, and
// one line says how many; policy changes are always printed.
func TestLogSummarisesAHighRate(t *testing.T) {
	tests := []struct {
		desc        string
		perSecond   int // exchanges in each of two seconds
		wantPrinted int
		wantSummary string // of each second, "" for none
	}{
		{"a class: every line", 150, 300, ""},
		{"at the limit: every line", logLinesPerSecond, 2 * logLinesPerSecond, ""},
		{"a load tool", logLinesPerSecond + 1234, 2 * logLinesPerSecond,
			"… 1,234 more exchanges in the last second (this log prints 200 a second; the page's live log shows every one)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var l exchangeLog
			now := t0
			for range 2 {
				start := now
				for i := range tt.perSecond {
					now = start.Add(time.Duration(i) * (time.Second / time.Duration(tt.perSecond+1)))
					l.add([]*journal.Event{exchangeEvent(fmt.Sprintf("/api/items/%d", i), now)}, 0)
				}
				l.add([]*journal.Event{{Time: now, Kind: journal.KindPolicy, Policy: &journal.PolicyChange{By: "tui", Document: []byte("{}")}}}, 0)
				now = start.Add(time.Second)
				l.roll(now, false)
			}
			out := string(l.take(nil))
			if n := strings.Count(out, " GET "); n != tt.wantPrinted {
				t.Errorf("%d exchange lines, want %d", n, tt.wantPrinted)
			}
			if n := strings.Count(out, "policy changed by tui"); n != 2 {
				t.Errorf("%d policy lines, want 2", n)
			}
			if n := strings.Count(out, "…"); tt.wantSummary == "" && n != 0 || tt.wantSummary != "" && strings.Count(out, tt.wantSummary) != 2 {
				t.Errorf("summaries: want %q twice:\n%s", tt.wantSummary, out[max(0, len(out)-600):])
			}
		})
	}
}

func TestAppendThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234: "1,234", 123456: "123,456", 1234567: "1,234,567"} {
		if got := string(appendThousands(nil, n)); got != want {
			t.Errorf("appendThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// Lines go out when the flush timer ticks, not as each exchange comes.
func TestLogFlushesOnTheTimer(t *testing.T) {
	hub := journal.NewHub(64)
	var out syncbuf.Buffer
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	sub := hub.Subscribe(0)
	go func() {
		defer close(done)
		printLog(ctx, sub, &out, ticks, func() time.Time { return t0 })
	}()
	hub.Publish(exchangeEvent("/api/first", t0))
	poll.Until(t, 10*time.Second, "the line after a tick", func() bool {
		select {
		case ticks <- t0:
		default:
		}
		return strings.Contains(out.String(), "/api/first")
	})
	cancel()
	<-done
	if got := strings.Count(out.String(), "\n"); got != 1 {
		t.Errorf("%d lines, want 1:\n%s", got, out.String())
	}
}

// At exit, whatever was published and not yet written is written: no tick
// needed (1,000 exchanges over 10 s: no summary).
func TestLogFlushesAtExit(t *testing.T) {
	hub := journal.NewHub(4096)
	sub := hub.Subscribe(0)
	for i := range 1000 {
		hub.Publish(exchangeEvent(fmt.Sprintf("/api/items/%d", i), t0.Add(time.Duration(i)*10*time.Millisecond)))
	}
	var out syncbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	printLog(ctx, sub, &out, make(chan time.Time), func() time.Time { return t0.Add(10 * time.Second) })
	got := out.String()
	if n := strings.Count(got, " GET "); n != 1000 {
		t.Errorf("%d lines at exit, want 1000", n)
	}
	if !strings.HasSuffix(got, "/api/items/999 from http://localhost:7070 → 200, Access-Control-Allow-Origin: http://localhost:7070\n") {
		t.Errorf("last line: %q", got[max(0, len(got)-200):])
	}
	if hub.Subscribers() != 0 {
		t.Errorf("%d subscribers after printLog, want 0", hub.Subscribers())
	}
}
