package loadtest

import (
	"testing"
	"time"
)

func TestLeanHead(t *testing.T) {
	at := time.Date(2026, 12, 1, 16, 9, 18, 123456789, time.UTC)
	tests := []struct {
		desc      string
		line      string
		wantSeq   uint64
		wantStamp time.Time
		ok        bool
	}{
		{"UTC, nanoseconds", `{"seq":42,"time":"2026-12-01T16:09:18.123456789Z","kind":"exchange"}`, 42, at, true},
		{"an offset", `{"seq":7,"time":"2026-12-01T17:09:18.123456789+01:00","kind":"policy"}`, 7, at, true},
		{"a negative offset, fewer digits", `{"seq":7,"time":"2026-12-01T11:39:18.1234-04:30"}`, 7, at.Truncate(100 * time.Microsecond), true},
		{"no fraction", `{"seq":1,"time":"2026-12-01T16:09:18Z"}`, 1, at.Truncate(time.Second), true},
		{"the hello", `{"kind":"hello","siteBPort":"7071"}`, 0, time.Time{}, false},
		{"no number", `{"seq":,"time":"2026-12-01T16:09:18Z"}`, 0, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			seq, stamp, ok := leanHead([]byte(tt.line))
			if ok != tt.ok || seq != tt.wantSeq || ok && stamp != tt.wantStamp.UnixNano() {
				t.Errorf("leanHead = %d, %v, %v; want %d, %v, %v", seq, time.Unix(0, stamp).UTC(), ok, tt.wantSeq, tt.wantStamp, tt.ok)
			}
		})
	}
}

// The histogram's percentiles are within a bucket (1.6%) of the exact ones.
func TestHistogramPercentiles(t *testing.T) {
	var h Histogram
	var exact []time.Duration
	for i := range 100_000 {
		d := time.Duration(i%1000)*37*time.Microsecond + time.Duration(i%7)*time.Millisecond
		h.Add(d)
		exact = append(exact, d)
	}
	for _, p := range []float64{50, 90, 99, 99.9, 100} {
		want, got := Percentile(exact, p), h.Percentile(p)
		if got < want || float64(got) > float64(want)*1.032+float64(time.Microsecond) {
			t.Errorf("p%v = %v, want %v (+3.2%%)", p, got, want)
		}
	}
	var merged Histogram
	merged.Merge(&h)
	merged.Merge(&h)
	if merged.N != 2*h.N || merged.Percentile(50) != h.Percentile(50) || merged.Max != h.Max {
		t.Errorf("merged: N %d, p50 %v, max %v", merged.N, merged.Percentile(50), merged.Max)
	}
	for us := range 100_000 {
		d := time.Duration(us) * time.Microsecond
		if top := histValue(histBucket(d)); top < d || float64(top) > float64(d)*1.032+float64(time.Microsecond) {
			t.Fatalf("%v in a bucket whose top is %v", d, top)
		}
	}
}
