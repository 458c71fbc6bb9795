package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
)

// TestTUISmoke drives the real binary in tmux as a teacher would: it waits
// for the policy panel, presses → on Allow-Origin, and checks that site B's
// very next answer carries the new header; then q quits and the terminal is
// given back.
func TestTUISmoke(t *testing.T) {
	siteA, siteB := freeAddr(t), freeAddr(t)
	tm := newTmux(t, `"$CORSLAB" -site-a `+siteA+` -site-b `+siteB)

	tm.waitScreen("Site B policy")
	if got := acao(t, "http://"+siteB+"/api/items"); got != "" {
		t.Fatalf("before any key: Access-Control-Allow-Origin %q, want none", got)
	}
	tm.run("send-keys", "-t", "lab", "Right") // Allow-Origin: absent → *
	tm.waitScreen("policy changed by tui")
	if got := acao(t, "http://"+siteB+"/api/items"); got != "*" {
		t.Fatalf("after →: Access-Control-Allow-Origin %q, want *", got)
	}
	tm.waitScreen("GET     /api/items")        // the request shows in the live log
	tm.run("send-keys", "-t", "lab", "b", "b") // the page's browser → Chromium → Firefox
	tm.waitScreen("as Firefox")

	tm.run("send-keys", "-t", "lab", "q") // quitting ends the program, and so the session
	poll.Check(t, 10*time.Second, func() error {
		if exec.Command("tmux", "-S", tm.socket, "has-session", "-t", "lab").Run() == nil {
			// The session may end between the two commands: no Fatal here.
			screen, _ := exec.Command("tmux", "-S", tm.socket, "capture-pane", "-p", "-t", "lab").Output()
			return fmt.Errorf("corslab still running after q:\n%s", screen)
		}
		return nil
	})
}

// TestTUIAt80x24: on an 80×24 terminal the URLs to open are on screen
// (not only printed before the alternate screen), the one-line help fits
// uncut, and ? shows every key's help, none cut off.
func TestTUIAt80x24(t *testing.T) {
	siteA, siteB := freeAddr(t), freeAddr(t)
	tm := newTmuxSized(t, 80, 24, `"$CORSLAB" -site-a `+siteA+` -site-b `+siteB)
	tm.waitScreen("Site B policy")
	screen := tm.screen()
	for _, url := range []string{"http://" + siteA, "http://" + siteB} {
		if !strings.Contains(screen, url) {
			t.Errorf("the screen lacks %s:\n%s", url, screen)
		}
	}
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "q quit") || strings.HasSuffix(strings.TrimSpace(last), "…") {
		t.Errorf("the one-line help is cut: %q", last)
	}
	tm.run("send-keys", "-t", "lab", "Tab") // the log's one-line help fits too
	tm.waitScreen("tab policy")
	lines = strings.Split(strings.TrimRight(tm.screen(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "q quit") || strings.HasSuffix(strings.TrimSpace(last), "…") {
		t.Errorf("the log's one-line help is cut: %q", last)
	}
	tm.run("send-keys", "-t", "lab", "?")
	tm.waitScreen("open policy")
	screen = tm.screen()
	for _, help := range []string{"up", "down", "prev value", "next value", "edit value", "where: both/pre/act", "remove header",
		"add header", "save policy", "open policy", "follow newest", "clear log", "detail up", "detail down",
		"export policy (←→ format, esc)", "next/prev lesson", "policy ↔ log", "help", "quit"} {
		if !strings.Contains(screen, help) {
			t.Errorf("the help at 80×24 lacks %q:\n%s", help, screen)
		}
	}
	if i := strings.Index(screen, "↑/k"); i < 0 || strings.Contains(screen[i:], "…") {
		t.Errorf("the help is missing or a line of it is cut:\n%s", screen)
	}
}

// tmux is a private tmux server running one session, "lab", 120×40.
type tmux struct {
	t      *testing.T
	socket string
}

// newTmux builds corslab and runs the shell command cmd, in which $CORSLAB
// is the binary, in a new tmux session. It skips under -short, and without
// tmux except under CI=true.
func newTmux(t *testing.T, cmd string) *tmux {
	t.Helper()
	return newTmuxSized(t, 120, 40, cmd)
}

// newTmuxSized is newTmux on a w×h terminal.
func newTmuxSized(t *testing.T, w, h int, cmd string) *tmux {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary in tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required under CI (apt-get install -y tmux)")
		}
		t.Skip("tmux not installed")
	}
	bin := filepath.Join(t.TempDir(), "corslab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tm := &tmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	tm.run("new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-s", "lab", "-e", "CORSLAB="+bin, cmd)
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.socket, "kill-server").Run() })
	return tm
}

// run runs a tmux command against the session's server.
func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmux) screen() string { return tm.run("capture-pane", "-p", "-t", "lab") }

// waitScreen waits until the screen shows want.
func (tm *tmux) waitScreen(want string) {
	tm.t.Helper()
	poll.Check(tm.t, 15*time.Second, func() error {
		if s := tm.screen(); !strings.Contains(s, want) {
			return fmt.Errorf("screen never showed %q:\n%s", want, s)
		}
		return nil
	})
}

func acao(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Origin", "http://elsewhere.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Access-Control-Allow-Origin")
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return "localhost:" + port
}
