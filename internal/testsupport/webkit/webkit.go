// Package webkit runs real WebKitGTK — the engine of Safari — for corslab's
// tests: Debian's MiniBrowser (package webkit2gtk-driver) on a private Xvfb
// display, with --enable-write-console-messages-to-stdout so that every
// console message, WebKit's CORS errors included ("CONSOLE SECURITY ERROR
// Origin … is not allowed by Access-Control-Allow-Origin. Status code: 200"),
// arrives on its standard output. MiniBrowser has no automation channel that
// keeps console messages (under WebKitWebDriver it prints none), so a test
// loads a page that runs its cases by itself and marks them with
// console.log lines.
//
// Where MiniBrowser or Xvfb is missing the tests that need them are skipped —
// except under CI (CI=true) or with CORSLAB_REQUIRE_BROWSER=1, where they fail.
package webkit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/browserpath"
)

// Candidates are where MiniBrowser is looked for, after $CORSLAB_MINIBROWSER.
var Candidates = []string{
	"/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
	"/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser",
}

// Path returns the MiniBrowser to run, or "" if none is found.
func Path() string { return browserpath.Find("CORSLAB_MINIBROWSER", Candidates) }

// ConsolePrefix starts every console line MiniBrowser writes ("CONSOLE LOG
// …", "CONSOLE SECURITY ERROR …").
const ConsolePrefix = "CONSOLE "

// Browser is one MiniBrowser on its own Xvfb display.
type Browser struct {
	xvfb, mini *exec.Cmd
	dir        string

	mu    sync.Mutex
	lines []string
	eof   chan struct{}
}

// Start opens url in a new MiniBrowser, closed when the test ends. It skips
// the test under -short (make test-short), and when MiniBrowser or Xvfb is
// missing unless Required, where it fails it.
func Start(t testing.TB, url string) *Browser {
	t.Helper()
	browserpath.SkipShort(t)
	mini := Path()
	xvfb, _ := exec.LookPath("Xvfb")
	if mini == "" || xvfb == "" {
		browserpath.Missing(t, "WebKit", "no WebKitGTK MiniBrowser or Xvfb found (apt-get install -y --no-install-recommends webkit2gtk-driver xvfb, or set CORSLAB_MINIBROWSER)")
	}
	b, err := launch(xvfb, mini, url)
	if err != nil {
		t.Fatalf("starting MiniBrowser: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

func launch(xvfb, mini, url string) (*Browser, error) {
	dir, err := os.MkdirTemp("", "corslab-webkit-")
	if err != nil {
		return nil, err
	}
	b := &Browser{dir: dir, eof: make(chan struct{})}
	display, err := b.startXvfb(xvfb)
	if err != nil {
		b.Close()
		return nil, err
	}
	for _, d := range []string{"data", "cache", "config", "runtime"} {
		if err := os.MkdirAll(dir+"/"+d, 0o700); err != nil {
			b.Close()
			return nil, err
		}
	}
	// The web process writes the console lines with stdio, which buffers
	// them whole when standard output is a pipe or a file (and loses them
	// when it is stopped): script(1) gives it a terminal, where each line is
	// written as it is printed.
	script, err := exec.LookPath("script")
	if err != nil {
		b.Close()
		return nil, errors.New("script(1) not found (package bsdutils): MiniBrowser's console needs a terminal")
	}
	cmd := shellQuote(mini) + " --enable-write-console-messages-to-stdout=true " + shellQuote(url)
	b.mini = exec.Command(script, "-qfec", cmd, "/dev/null")
	b.mini.Env = append(os.Environ(),
		"DISPLAY=:"+display, "HOME="+dir,
		"XDG_DATA_HOME="+dir+"/data", "XDG_CACHE_HOME="+dir+"/cache",
		"XDG_CONFIG_HOME="+dir+"/config", "XDG_RUNTIME_DIR="+dir+"/runtime",
		"NO_AT_BRIDGE=1", "GTK_A11Y=none", "WEBKIT_DISABLE_COMPOSITING_MODE=1",
	)
	out, err := b.mini.StdoutPipe()
	if err != nil {
		b.Close()
		return nil, err
	}
	b.mini.Stderr = io.Discard // GTK and GStreamer warnings
	if err := b.mini.Start(); err != nil {
		b.Close()
		return nil, err
	}
	go func() {
		defer close(b.eof)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			b.mu.Lock()
			b.lines = append(b.lines, strings.TrimRight(sc.Text(), "\r"))
			b.mu.Unlock()
		}
	}()
	return b, nil
}

// startXvfb starts a private X server and returns its display number, which
// Xvfb itself picks and writes on the descriptor given with -displayfd.
func (b *Browser) startXvfb(xvfb string) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	b.xvfb = exec.Command(xvfb, "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1024x768x24")
	b.xvfb.ExtraFiles = []*os.File{w} // descriptor 3
	b.xvfb.Stdout, b.xvfb.Stderr = io.Discard, io.Discard
	if err := b.xvfb.Start(); err != nil {
		w.Close()
		return "", err
	}
	w.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case d := <-got:
		if d == "" {
			return "", errors.New("xvfb exited without a display")
		}
		return d, nil
	case <-time.After(30 * time.Second):
		return "", errors.New("xvfb gave no display within 30 s")
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Lines returns what MiniBrowser has written on standard output so far.
func (b *Browser) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// WaitLine waits until a line contains s and returns it.
func (b *Browser) WaitLine(s string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		for _, l := range b.Lines() {
			if strings.Contains(l, s) {
				return l, nil
			}
		}
		select {
		case <-b.eof:
			return "", fmt.Errorf("MiniBrowser closed its output before printing %q", s)
		default:
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("MiniBrowser printed no %q within %v", s, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Close stops MiniBrowser and Xvfb and removes their directories.
func (b *Browser) Close() {
	for _, c := range []*exec.Cmd{b.mini, b.xvfb} {
		if c == nil || c.Process == nil {
			continue
		}
		c.Process.Signal(os.Interrupt)
		exited := make(chan struct{})
		go func() { c.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			c.Process.Kill()
			<-exited
		}
	}
	os.RemoveAll(b.dir)
}
