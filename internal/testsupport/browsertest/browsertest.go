// Package browsertest runs real headless Chromium for corslab's tests: a
// real browser is the referee of anything CORS. One browser is started per
// test package, on first use, and each test gets a tab of its own that
// records every CORS failure Chromium reports (Network.loadingFailed's
// corsErrorStatus), so tests assert on Chromium's own error names rather
// than on console text.
//
// Where no Chromium is installed, browser tests are skipped — except under
// CI (CI=true) or with CORSLAB_REQUIRE_BROWSER=1, where they fail: CI must
// never pass by silently skipping them.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/corslab/corslab/internal/testsupport/browserpath"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

// Candidates are where Chromium is looked for, after $CORSLAB_CHROME.
// /usr/lib/chromium/chromium is Debian's binary behind the /usr/bin wrapper.
var Candidates = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}

var shared struct {
	once    sync.Once
	ctx     context.Context
	cancels []context.CancelFunc
	dir     string
	err     error
	extra   []chromedp.ExecAllocatorOption
}

// Main runs the package's tests, then stops the shared browser. Call it
// from TestMain: os.Exit(browsertest.Main(m)). Options add to the flags
// the shared browser starts with, e.g. chromedp.Flag("host-resolver-rules",
// "MAP evil.test 127.0.0.1") to give a test a name that resolves here.
func Main(m *testing.M, options ...chromedp.ExecAllocatorOption) int {
	shared.extra = options
	code := m.Run()
	for i := len(shared.cancels) - 1; i >= 0; i-- {
		shared.cancels[i]()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	return code
}

func start() {
	path := browserpath.Find("CORSLAB_CHROME", Candidates)
	if path == "" {
		shared.err = errors.New("no Chromium found (apt-get install -y chromium, or set CORSLAB_CHROME)")
		return
	}
	dir, err := os.MkdirTemp("", "corslab-chromium-")
	if err != nil {
		shared.err = err
		return
	}
	shared.dir = dir
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		DisableFeatures(),
		chromedp.CombinedOutput(discard{}), // dbus noise
	)
	opts = append(opts, shared.extra...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	shared.cancels = []context.CancelFunc{cancelAlloc, cancelBrowser}
	if err := chromedp.Do(ctx); err != nil { // starts the browser, bound to ctx
		shared.err = fmt.Errorf("starting %s: %w", path, err)
		return
	}
	shared.ctx = ctx
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Tab is one browser tab, recording the CORS failures Chromium reports in it.
type Tab struct {
	Ctx context.Context

	mu       sync.Mutex
	requests map[network.RequestID]sent
	failures []Failure
}

type sent struct{ method, url string }

// Failure is one request Chromium failed, as DevTools reports it.
type Failure struct {
	Method, URL string
	// CorsError is Chromium's CORS error name, e.g. "PreflightMissingAllowOriginHeader";
	// empty for a failure that is not CORS.
	CorsError       string
	FailedParameter string
	ErrorText       string
}

// NewTab opens a tab in the shared browser, closed when the test ends, in
// a browser context of its own: no cookie, cache or storage shared with
// any other tab, as in a fresh profile. Tests run in parallel, each with
// its lab on its own port, but cookies ignore ports (RFC 6265 §8.5): in
// one shared jar, one lab's login replaced another's session cookie on
// localhost. It skips the test under -short (the fast inner loop, make
// test-short), and when no browser is available unless Required, where it
// fails it.
func NewTab(t testing.TB) *Tab {
	t.Helper()
	browserpath.SkipShort(t)
	shared.once.Do(start)
	if shared.err != nil {
		browserpath.Missing(t, "browser", shared.err.Error())
	}
	ctx, cancel := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tab := &Tab{Ctx: ctx, requests: make(map[network.RequestID]sent)}
	if err := chromedp.Listen(ctx, tab.observe); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	return tab
}

func (tab *Tab) observe(ev any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tab.requests[ev.RequestID] = sent{ev.Request.Method, ev.Request.URL}
	case *network.EventLoadingFailed:
		f := Failure{ErrorText: ev.ErrorText}
		if s, ok := tab.requests[ev.RequestID]; ok {
			f.Method, f.URL = s.method, s.url
		}
		if ev.CorsErrorStatus != nil {
			f.CorsError = string(ev.CorsErrorStatus.CorsError)
			f.FailedParameter = ev.CorsErrorStatus.FailedParameter
		}
		tab.failures = append(tab.failures, f)
	}
}

// Failures returns the failures recorded so far.
func (tab *Tab) Failures() []Failure {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]Failure(nil), tab.failures...)
}

// WaitCORSError waits until Chromium has reported a CORS failure for a URL
// with the given suffix, and returns it.
func (tab *Tab) WaitCORSError(t testing.TB, urlSuffix string, timeout time.Duration) Failure {
	t.Helper()
	var found Failure
	poll.Check(t, timeout, func() error {
		failures := tab.Failures()
		for _, f := range failures {
			if f.CorsError != "" && (urlSuffix == "" || hasSuffix(f.URL, urlSuffix)) {
				found = f
				return nil
			}
		}
		return fmt.Errorf("no CORS failure for %q; failures: %+v", urlSuffix, failures)
	})
	return found
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// Screenshot saves a PNG of the tab's page to path (for the README).
func (tab *Tab) Screenshot(path string) error {
	buf, err := chromedp.Run(tab.Ctx, chromedp.FullScreenshot(100)) // quality 100 makes a PNG; less, a JPEG
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Clean(path), buf, 0o644)
}

// disabledFeatures are chromedp's own, plus IsolateSandboxedIframes: a
// sandboxed iframe's fetch() (Origin: null) then runs in the tab's own
// process, where the tab's DevTools session sees its network requests.
// What the request carries and how CORS treats it are the same either way.
var disabledFeatures = []string{"Translate", "BlinkGenPropertyTrees", "IsolateSandboxedIframes"}

// DisableFeatures is Chromium's --disable-features with the ones every test
// browser needs and extra. Chromium reads only the last --disable-features,
// so a package that needs more (Main's extra flags) passes this, never a flag
// of its own.
func DisableFeatures(extra ...string) chromedp.ExecAllocatorOption {
	return chromedp.Flag("disable-features", strings.Join(append(slices.Clone(disabledFeatures), extra...), ","))
}
