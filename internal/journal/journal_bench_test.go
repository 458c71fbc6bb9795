package journal

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/loadtest/race"
)

// benchExchange is an exchange as site B records a page's GET.
func benchExchange(trial string) *Exchange {
	return &Exchange{
		Method: "GET", Path: "/api/items", Origin: "http://localhost:7070", Trial: trial,
		RequestHeader: http.Header{
			"Accept": {"*/*"}, "Accept-Encoding": {"gzip, deflate, br, zstd"}, "Accept-Language": {"en-GB,en;q=0.9"},
			"Connection": {"keep-alive"}, "Origin": {"http://localhost:7070"}, "Referer": {"http://localhost:7070/trial/" + trial},
			"Sec-Ch-Ua": {`"Chromium";v="140", "Not=A?Brand";v="24"`}, "Sec-Ch-Ua-Mobile": {"?0"}, "Sec-Ch-Ua-Platform": {`"Linux"`},
			"Sec-Fetch-Dest": {"empty"}, "Sec-Fetch-Mode": {"cors"}, "Sec-Fetch-Site": {"same-site"},
			"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"},
		},
		Status: 200,
		ResponseHeader: http.Header{
			"Access-Control-Allow-Origin": {"http://localhost:7070"}, "Access-Control-Expose-Headers": {"X-Total"},
			"Content-Type": {"application/json"}, "Vary": {"Origin"}, "X-Total": {"3"},
		},
		Micros: 42,
	}
}

var benchTrials = func() []string {
	ids := make([]string, 4096)
	for i := range ids {
		ids[i] = fmt.Sprintf("t%06d", i)
	}
	return ids
}()

// BenchmarkRecord is the journal's share of recording an exchange: with a
// trial (two exchanges per trial, as a preflighted fetch makes) and without.
func BenchmarkRecord(b *testing.B) {
	for _, trial := range []bool{true, false} {
		b.Run(fmt.Sprintf("trial=%v", trial), func(b *testing.B) {
			j := New(4096)
			xs := make([]*Exchange, 2*len(benchTrials)) // every trial evicted before its id comes round again
			for i := range xs {
				id := ""
				if trial {
					id = benchTrials[(i/2)%len(benchTrials)]
				}
				xs[i] = benchExchange(id)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				x := *xs[i%len(xs)] // Record keeps x: a fresh one each time
				j.Record(&x)
			}
		})
	}
}

// BenchmarkPublish is one event published with n subscribers waiting.
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{0, 1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h := NewHub(4096)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			for range n {
				s := h.Subscribe(0)
				go func() {
					defer func() { done <- struct{}{} }()
					defer s.Close()
					var buf []*Event
					for {
						events, _, err := s.Next(ctx, buf, 256)
						if err != nil {
							return
						}
						buf = events
					}
				}()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.Publish(&Event{Kind: KindPolicy})
			}
			b.StopTimer()
			cancel()
			for range n {
				<-done
			}
		})
	}
}

// BenchmarkEventJSON is encoding an event once for all subscribers.
func BenchmarkEventJSON(b *testing.B) {
	x := benchExchange("t000001")
	trial := &Trial{ID: "t000001", Origin: "http://localhost:7070",
		Request:   trial.Request{Label: "simple GET", Method: "GET", URL: "http://localhost:7071/api/items"},
		Exchanges: []Exchange{*x, *x}}
	for _, c := range []struct {
		name string
		e    func() *Event
	}{
		{"exchange", func() *Event { return &Event{Seq: 1, Kind: KindExchange, Exchange: x} }},
		{"trial", func() *Event { return &Event{Seq: 2, Kind: KindTrial, Trial: trial} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for range b.N {
				n = len(c.e().JSON())
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}

// TestRecordAllocs pins the journal's share of recording an exchange to a
// bound, so that a change that adds allocations is noticed (the whole of
// recording, site B's part included, is BenchmarkRecordExchange in siteB).
func TestRecordAllocs(t *testing.T) {
	if race.Enabled {
		t.Skip("allocation counts differ under -race")
	}
	j := New(64)
	xs := []*Exchange{benchExchange("t1"), benchExchange("t1"), benchExchange("")}
	i := 0
	got := testing.AllocsPerRun(1000, func() {
		x := *xs[i%len(xs)]
		i++
		j.Record(&x)
	})
	if got > 4 {
		t.Errorf("Record: %.1f allocations per exchange, want at most 4", got)
	}
}
