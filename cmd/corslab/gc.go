package main

import (
	"runtime/debug"
)

// The lab's garbage collector. The journal keeps thousands of recent
// events — each a tree of small Go values: header maps, their strings —
// and every collection marks all of them, while each request allocates a
// few kilobytes (net/http's own share included). With Go's default
// (GOGC=100) a collection comes every time as many bytes as the live heap
// have been allocated: at thousands of requests a second that marking was
// a tenth of the lab's CPU (docs/BENCHMARKS.md, the shipped binary). The lab
// lets the heap grow to five times what is live, under a soft limit well
// above the journal's byte bounds (journal.HistoryBytes and its trial
// store): past the limit the collector runs as often as it must. A user's
// own GOGC or GOMEMLIMIT wins.
const (
	labGCPercent   = 400
	labMemoryLimit = 256 << 20
)

// tuneGC sets the lab's collector unless the environment (getenv) sets
// GOGC or GOMEMLIMIT, which the runtime has already applied.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(labGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(labMemoryLimit)
	}
}
