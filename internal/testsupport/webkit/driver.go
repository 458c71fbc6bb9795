package webkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/browserpath"
)

// Driver is a MiniBrowser driven by WebKitWebDriver over classic WebDriver
// (W3C WebDriver §10 Navigate To, §13.2.1 Execute Script): for tests that
// press site A's page through its window.corslab API and need no console
// lines (under WebKitWebDriver MiniBrowser prints none; Start keeps them).
type Driver struct {
	b       *Browser // Xvfb only
	wd      *exec.Cmd
	base    string // http://127.0.0.1:PORT/session/ID
	client  http.Client
	timeout time.Duration
}

// StartDriver starts WebKitWebDriver and a MiniBrowser session on a private
// Xvfb display, closed when the test ends. It skips as Start does.
func StartDriver(t testing.TB) *Driver {
	t.Helper()
	browserpath.SkipShort(t)
	mini := Path()
	xvfb, _ := exec.LookPath("Xvfb")
	wd, _ := exec.LookPath("WebKitWebDriver")
	if mini == "" || xvfb == "" || wd == "" {
		browserpath.Missing(t, "WebKit", "no WebKitGTK MiniBrowser, WebKitWebDriver or Xvfb found (apt-get install -y --no-install-recommends webkit2gtk-driver xvfb)")
	}
	d, err := launchDriver(xvfb, wd, mini)
	if err != nil {
		t.Fatalf("starting WebKitWebDriver: %v", err)
	}
	t.Cleanup(d.Close)
	return d
}

func launchDriver(xvfb, wd, mini string) (*Driver, error) {
	dir, err := os.MkdirTemp("", "corslab-webkitdriver-")
	if err != nil {
		return nil, err
	}
	d := &Driver{b: &Browser{dir: dir, eof: make(chan struct{})}, timeout: 3 * time.Minute}
	d.client.Timeout = d.timeout
	display, err := d.b.startXvfb(xvfb)
	if err != nil {
		d.Close()
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.Close()
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	d.wd = exec.Command(wd, fmt.Sprintf("--port=%d", port))
	d.wd.Env = append(os.Environ(), "DISPLAY=:"+display, "HOME="+dir,
		"XDG_DATA_HOME="+dir, "XDG_CACHE_HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_RUNTIME_DIR="+dir,
		"NO_AT_BRIDGE=1", "GTK_A11Y=none", "WEBKIT_DISABLE_COMPOSITING_MODE=1")
	d.wd.Stdout, d.wd.Stderr = io.Discard, io.Discard
	if err := d.wd.Start(); err != nil {
		d.Close()
		return nil, err
	}
	root := fmt.Sprintf("http://127.0.0.1:%d", port)
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"webkitgtk:browserOptions": map[string]any{"binary": mini, "args": []string{"--automation"}},
	}}}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	deadline := time.Now().Add(d.timeout)
	for {
		err = d.call(root+"/session", caps, &s)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("new session: %w", err)
	}
	d.base = root + "/session/" + s.SessionID
	// A busy machine: let a script run as long as an HTTP call may wait.
	if err := d.call(d.base+"/timeouts", map[string]int64{"script": d.timeout.Milliseconds()}, nil); err != nil {
		d.Close()
		return nil, fmt.Errorf("timeouts: %w", err)
	}
	return d, nil
}

// call POSTs body to url and decodes the reply's value into v.
func (d *Driver) call(url string, body, v any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := d.client.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: %s: %w", url, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, r.Value)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(r.Value, v)
}

// Navigate loads url and waits for its load event.
func (d *Driver) Navigate(url string) error {
	return d.call(d.base+"/url", map[string]string{"url": url}, nil)
}

// Evaluate runs a JavaScript expression in the page and returns its value,
// a string (a promise is awaited).
func (d *Driver) Evaluate(expr string) (string, error) {
	var s *string
	if err := d.call(d.base+"/execute/sync", map[string]any{"script": "return (" + expr + ");", "args": []any{}}, &s); err != nil {
		return "", err
	}
	if s == nil {
		return "", errors.New("the expression gave no string")
	}
	return *s, nil
}

// Close ends the session, WebKitWebDriver and Xvfb.
func (d *Driver) Close() {
	if d.base != "" {
		if req, err := http.NewRequest(http.MethodDelete, d.base, nil); err == nil {
			if resp, err := d.client.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	if d.wd != nil && d.wd.Process != nil {
		d.b.mini = d.wd
	}
	d.b.Close()
}
