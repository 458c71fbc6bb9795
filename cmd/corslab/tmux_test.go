package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/tmuxtest"
)

// TestTUISmoke drives the real binary in tmux as a teacher would: it waits
// for the policy panel, presses → on Allow-Origin, and checks that site B's
// very next answer carries the new header; then q quits and the terminal is
// given back.
func TestTUISmoke(t *testing.T) {
	siteA, siteB := freeAddr(t), freeAddr(t)
	tm := newTmux(t, `"$CORSLAB" -site-a `+siteA+` -site-b `+siteB)

	tm.WaitScreen("Site B policy")
	if got := acao(t, "http://"+siteB+"/api/items"); got != "" {
		t.Fatalf("before any key: Access-Control-Allow-Origin %q, want none", got)
	}
	tm.Keys("Right") // Allow-Origin: absent → *
	tm.WaitScreen("policy changed by tui")
	if got := acao(t, "http://"+siteB+"/api/items"); got != "*" {
		t.Fatalf("after →: Access-Control-Allow-Origin %q, want *", got)
	}
	tm.WaitScreen("GET     /api/items") // the request shows in the live log
	tm.Keys("b", "b")                   // the page's browser → Chromium → Firefox
	tm.WaitScreen("as Firefox")

	tm.Keys("q") // quitting ends the program, and so the session
	poll.Check(t, 10*time.Second, func() error {
		if tm.Running() {
			// The session may end between the two commands: no Fatal here.
			screen, _ := tm.Output("capture-pane", "-p", "-t", "lab")
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
	tm.WaitScreen("Site B policy")
	screen := tm.Screen()
	for _, url := range []string{"http://" + siteA, "http://" + siteB} {
		if !strings.Contains(screen, url) {
			t.Errorf("the screen lacks %s:\n%s", url, screen)
		}
	}
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "q quit") || strings.HasSuffix(strings.TrimSpace(last), "…") {
		t.Errorf("the one-line help is cut: %q", last)
	}
	tm.Keys("Tab") // the log's one-line help fits too
	tm.WaitScreen("tab policy")
	lines = strings.Split(strings.TrimRight(tm.Screen(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "q quit") || strings.HasSuffix(strings.TrimSpace(last), "…") {
		t.Errorf("the log's one-line help is cut: %q", last)
	}
	tm.Keys("?")
	tm.WaitScreen("open policy")
	screen = tm.Screen()
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

// newTmux builds corslab and runs the shell command cmd, in which $CORSLAB
// is the binary, in a new 120×40 tmux session. It skips under -short, and
// without tmux except under CI=true.
func newTmux(t *testing.T, cmd string) *tmuxtest.Session {
	t.Helper()
	return newTmuxSized(t, 120, 40, cmd)
}

// newTmuxSized is newTmux on a w×h terminal.
func newTmuxSized(t *testing.T, w, h int, cmd string) *tmuxtest.Session {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary in tmux")
	}
	needTmux(t)
	bin := filepath.Join(t.TempDir(), "corslab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return tmuxtest.Start(t, w, h, []string{"CORSLAB=" + bin}, cmd)
}

// needTmux skips the test without tmux, except under CI=true, where it fails it.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required under CI (apt-get install -y tmux)")
		}
		t.Skip("tmux not installed")
	}
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
