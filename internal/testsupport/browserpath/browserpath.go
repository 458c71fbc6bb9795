// Package browserpath finds the browsers corslab's tests run (Chromium,
// Firefox, WebKitGTK's MiniBrowser) and says what a test does without one:
// it is skipped — except under CI (CI=true) or with
// CORSLAB_REQUIRE_BROWSER=1, where it fails: CI must never pass by silently
// skipping a browser test.
package browserpath

import (
	"os"
	"os/exec"
	"testing"
)

// Find returns the program in $env if that is set, else the first of
// candidates that exec.LookPath finds (a name on the PATH, or a path to an
// executable file); "" if none is found.
func Find(env string, candidates []string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// Required reports whether a missing browser fails the tests rather than skipping them.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("CORSLAB_REQUIRE_BROWSER") == "1"
}

// SkipShort skips a browser test under -short (the fast inner loop, make test-short).
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped under -short")
	}
}

// Missing ends a test that cannot have its browser (why says what is
// missing and how to install it): it fails the test when Required, and
// skips it otherwise, naming the browser (e.g. "Firefox").
func Missing(t testing.TB, browser, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("browser required (CI): %s", why)
	}
	t.Skipf("skipping %s test: %s", browser, why)
}
