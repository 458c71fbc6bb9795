package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// Heap returns the live heap in bytes after a full collection.
func Heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// RSS returns the resident set size of process pid (0: this one) in bytes,
// from /proc; 0 where there is no /proc.
func RSS(pid int) uint64 {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := bytes.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(string(f[0]), 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// Goroutines waits until at most want goroutines are running, or ctx ends,
// and returns the last count.
func Goroutines(ctx context.Context, want int) (int, error) {
	n := runtime.NumGoroutine()
	err := Poll(ctx, func() (bool, error) {
		n = runtime.NumGoroutine()
		return n <= want, nil
	})
	if err != nil {
		return n, fmt.Errorf("%d goroutines, want at most %d: %w", n, want, err)
	}
	return n, nil
}

// Stacks returns every goroutine's stack, for a leak report.
func Stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// MB formats bytes as mebibytes.
func MB(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// CPUTime is the user and system CPU time this process has used: a figure
// that, unlike wall-clock throughput, a busy neighbour on the machine
// barely moves.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
