// Package firefox runs real headless Firefox (Debian's firefox-esr) for
// corslab's tests, driven over WebDriver BiDi (https://w3c.github.io/webdriver-bidi/)
// — Firefox speaks it itself, with no driver binary. Start launches Firefox
// with a fresh profile, opens a BiDi session, subscribes to console entries
// (log.entryAdded: Firefox's CORS errors arrive there, "Cross-Origin Request
// Blocked: …") and network events, and gives the test one browsing context to
// navigate and to evaluate scripts in.
//
// Where no Firefox is installed the tests that need it are skipped — except
// under CI (CI=true) or with CORSLAB_REQUIRE_BROWSER=1, where they fail.
package firefox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/testsupport/browserpath"
)

// Candidates are where Firefox is looked for, after $CORSLAB_FIREFOX.
var Candidates = []string{"firefox-esr", "firefox", "/usr/lib/firefox-esr/firefox-esr"}

// Path returns the Firefox to run, or "" if none is found.
func Path() string { return browserpath.Find("CORSLAB_FIREFOX", Candidates) }

// LogEntry is one log.entryAdded event: a console message or a JavaScript
// error, CORS errors included.
type LogEntry struct {
	Type  string `json:"type"`  // "console" or "javascript"
	Level string `json:"level"` // "debug", "info", "warn", "error"
	Text  string `json:"text"`
}

// Browser is one running Firefox with its BiDi session.
type Browser struct {
	// Context is the id of the top-level browsing context (the tab).
	Context string

	cmd  *exec.Cmd
	dir  string
	conn *websocket.Conn

	wmu     sync.Mutex // serializes writes
	mu      sync.Mutex
	nextID  int
	pending map[int]chan reply
	logs    []LogEntry
	done    chan struct{}
}

type reply struct {
	Type    string          `json:"type"`
	ID      int             `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

var listening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// Start launches Firefox for the test, closed when the test ends. It skips
// the test under -short (make test-short), and when Firefox is missing
// unless Required, where it fails it.
func Start(t testing.TB) *Browser {
	t.Helper()
	browserpath.SkipShort(t)
	path := Path()
	if path == "" {
		browserpath.Missing(t, "Firefox", "no Firefox found (apt-get install -y --no-install-recommends firefox-esr, or set CORSLAB_FIREFOX)")
	}
	b, err := launch(path)
	if err != nil {
		t.Fatalf("starting Firefox (%s): %v", path, err)
	}
	t.Cleanup(b.Close)
	return b
}

// prefs keep a fresh profile quiet: no first-run pages, no background
// traffic that would mix with the test's requests.
const prefs = `user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("network.http.http3.enable", false);
`

func launch(path string) (*Browser, error) {
	dir, err := os.MkdirTemp("", "corslab-firefox-")
	if err != nil {
		return nil, err
	}
	b := &Browser{dir: dir, pending: map[int]chan reply{}, done: make(chan struct{})}
	if err := os.WriteFile(dir+"/user.js", []byte(prefs), 0o644); err != nil {
		b.Close()
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		b.Close()
		return nil, err
	}
	b.cmd = exec.Command(path, "--headless", "--no-remote", "-profile", dir,
		"--remote-debugging-port="+strconv.Itoa(port), "about:blank")
	b.cmd.Env = append(os.Environ(), "MOZ_HEADLESS=1", "HOME="+dir)
	stderr, err := b.cmd.StderrPipe()
	if err != nil {
		b.Close()
		return nil, err
	}
	b.cmd.Stdout = io.Discard
	if err := b.cmd.Start(); err != nil {
		b.Close()
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		close(found)
	}()
	var wsURL string
	select {
	case u, ok := <-found:
		if !ok {
			b.Close()
			return nil, errors.New("firefox exited before WebDriver BiDi listened")
		}
		wsURL = u
	case <-time.After(60 * time.Second):
		b.Close()
		return nil, errors.New("firefox did not start WebDriver BiDi within 60 s")
	}
	b.conn, _, err = websocket.DefaultDialer.Dial(wsURL+"/session", nil)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("connecting to %s: %v", wsURL, err)
	}
	go b.read()
	if _, err := b.Call("session.new", map[string]any{"capabilities": map[string]any{}}); err != nil {
		b.Close()
		return nil, err
	}
	if _, err := b.Call("session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}); err != nil {
		b.Close()
		return nil, err
	}
	tree, err := b.Call("browsingContext.getTree", map[string]any{"maxDepth": 0})
	if err != nil {
		b.Close()
		return nil, err
	}
	var t struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := json.Unmarshal(tree, &t); err != nil || len(t.Contexts) == 0 {
		b.Close()
		return nil, fmt.Errorf("browsingContext.getTree: no context in %s", tree)
	}
	b.Context = t.Contexts[0].Context
	return b, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (b *Browser) read() {
	defer close(b.done)
	for {
		_, data, err := b.conn.ReadMessage()
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				ch <- reply{Type: "error", Error: "connection closed", Message: err.Error()}
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var r reply
		if json.Unmarshal(data, &r) != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case r.Type == "event" && r.Method == "log.entryAdded":
			var e LogEntry
			if json.Unmarshal(r.Params, &e) == nil {
				b.logs = append(b.logs, e)
			}
		case r.Type == "success" || r.Type == "error":
			if ch, ok := b.pending[r.ID]; ok {
				ch <- r
				delete(b.pending, r.ID)
			}
		}
		b.mu.Unlock()
	}
}

// Call sends one BiDi command and waits (up to two minutes) for its result.
func (b *Browser) Call(method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan reply, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	b.wmu.Lock()
	err = b.conn.WriteMessage(websocket.TextMessage, msg)
	b.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Type == "error" {
			return nil, fmt.Errorf("%s: %s: %s", method, r.Error, r.Message)
		}
		return r.Result, nil
	case <-time.After(2 * time.Minute):
		return nil, fmt.Errorf("%s: no answer within 2 minutes", method)
	}
}

// Navigate loads url in the tab and waits until it has loaded.
func (b *Browser) Navigate(url string) error {
	_, err := b.Call("browsingContext.navigate", map[string]any{"context": b.Context, "url": url, "wait": "complete"})
	return err
}

// Evaluate runs a JavaScript expression in the tab, awaiting a promise, and
// returns its value as JSON (the expression should produce a string: a
// test usually returns JSON.stringify(...)).
func (b *Browser) Evaluate(expr string) (string, error) {
	res, err := b.Call("script.evaluate", map[string]any{
		"expression":   expr,
		"target":       map[string]any{"context": b.Context},
		"awaitPromise": true,
	})
	if err != nil {
		return "", err
	}
	var r struct {
		Type   string `json:"type"`
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return "", err
	}
	if r.Type == "exception" {
		return "", fmt.Errorf("script threw: %s", r.ExceptionDetails.Text)
	}
	if r.Result.Type != "string" {
		return string(r.Result.Value), nil
	}
	var s string
	err = json.Unmarshal(r.Result.Value, &s)
	return s, err
}

// Logs returns the console entries recorded so far.
func (b *Browser) Logs() []LogEntry {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]LogEntry(nil), b.logs...)
}

// Close ends the session and Firefox, and removes its profile.
func (b *Browser) Close() {
	if b.conn != nil {
		b.wmu.Lock()
		b.conn.WriteMessage(websocket.TextMessage, []byte(`{"id":0,"method":"browser.close","params":{}}`))
		b.wmu.Unlock()
		select {
		case <-b.done:
		case <-time.After(5 * time.Second):
		}
		b.conn.Close()
	}
	if b.cmd != nil && b.cmd.Process != nil {
		exited := make(chan struct{})
		go func() { b.cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			b.cmd.Process.Kill()
			<-exited
		}
	}
	os.RemoveAll(b.dir)
}
