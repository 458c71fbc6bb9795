package loadtest

import (
	"os"
	"testing"
)

// Size picks a test's size: full under CORSLAB_SOAK=1 (make soak), small
// in an ordinary go test, smaller still with -race or -short.
func Size(full, normal, small int) int {
	switch {
	case Soak():
		return full
	case Race || testing.Short():
		return small
	}
	return normal
}

// SkipLoad skips a soak test, a long load test or one that needs the
// machine to itself under -short, the fast inner loop (make test-short);
// make test and CI run it.
func SkipLoad(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("soak or load test: skipped under -short")
	}
}

// Soak reports whether the full-size soak was asked for (make soak).
func Soak() bool { return os.Getenv("CORSLAB_SOAK") != "" }

// Bench reports whether the reported benchmarks were asked for (make
// bench): they print the figures in docs/BENCHMARKS.md.
func Bench() bool { return os.Getenv("CORSLAB_BENCH") != "" }
