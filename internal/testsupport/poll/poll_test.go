package poll

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that records a Fatal instead of stopping the test.
type recorder struct {
	testing.TB
	fatal string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	panic(r) // Fatal does not return
}

// run calls f with a recorder and returns what it failed with, "" if nothing.
func run(t *testing.T, f func(tb testing.TB)) (fatal string) {
	r := &recorder{TB: t}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
		fatal = r.fatal
	}()
	f(r)
	return ""
}

func TestUntil(t *testing.T) {
	n := 0
	if got := run(t, func(tb testing.TB) { Until(tb, time.Minute, "n to reach 5", func() bool { n++; return n == 5 }) }); got != "" || n != 5 {
		t.Errorf("n = %d, failed %q", n, got)
	}
	got := run(t, func(tb testing.TB) { Until(tb, 20*time.Millisecond, "a miracle", func() bool { return false }) })
	if got != "not within 20ms: waiting for a miracle" {
		t.Errorf("failed with %q", got)
	}
}

func TestCheckReportsTheLastError(t *testing.T) {
	n := 0
	got := run(t, func(tb testing.TB) {
		Check(tb, 20*time.Millisecond, func() error { n++; return fmt.Errorf("try %d", n) })
	})
	if want := fmt.Sprintf("not within 20ms: try %d", n); got != want || n < 2 {
		t.Errorf("failed with %q after %d tries, want %q", got, n, want)
	}
	if got := run(t, func(tb testing.TB) { Check(tb, time.Minute, func() error { return nil }) }); got != "" {
		t.Errorf("failed with %q", got)
	}
	if got := run(t, func(tb testing.TB) { Check(tb, 0, func() error { return errors.New("no") }) }); !strings.HasSuffix(got, ": no") {
		t.Errorf("zero timeout: failed with %q", got)
	}
}
