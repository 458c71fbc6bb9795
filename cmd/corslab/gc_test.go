package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// The lab sets its collector (gc.go) unless the user's environment does.
func TestTuneGC(t *testing.T) {
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	tests := []struct {
		desc        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{"nothing set: the lab's", nil, labGCPercent, labMemoryLimit},
		{"GOGC set: the user's percent", map[string]string{"GOGC": "50"}, 100, labMemoryLimit},
		{"GOMEMLIMIT set: the user's limit", map[string]string{"GOMEMLIMIT": "1GiB"}, labGCPercent, math.MaxInt64},
		{"both set", map[string]string{"GOGC": "off", "GOMEMLIMIT": "1GiB"}, 100, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			debug.SetGCPercent(100) // as the runtime left them: the test cannot set the runtime's own reading of the environment
			debug.SetMemoryLimit(math.MaxInt64)
			tuneGC(func(k string) string { return tt.env[k] })
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("GC percent %d, want %d", got, tt.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tt.wantLimit)
			}
		})
	}
}
