// Package poll waits in tests for something to happen, as the house rules
// ask: no sleeps of a guessed length, but a condition polled until a
// generous deadline, so that a loaded machine only makes a test slower.
package poll

import (
	"errors"
	"testing"
	"time"
)

// maxInterval bounds the wait between two tries; the first wait is 1ms and
// each next one doubles, so a quick condition is seen quickly and a slow
// one (a process to start, a screen to capture) is not tried in a busy loop.
const maxInterval = 50 * time.Millisecond

// Check calls cond until it returns nil. If timeout passes first, the test
// fails (Fatal) with cond's last error, which says what was awaited and what
// there was instead.
func Check(tb testing.TB, timeout time.Duration, cond func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	interval := time.Millisecond
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not within %v: %v", timeout, err)
		}
		time.Sleep(interval)
		interval = min(2*interval, maxInterval)
	}
}

// Until calls cond until it returns true. If timeout passes first, the test
// fails (Fatal) saying it waited for what.
func Until(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	errWaiting := errors.New("waiting for " + what)
	Check(tb, timeout, func() error {
		if cond() {
			return nil
		}
		return errWaiting
	})
}
