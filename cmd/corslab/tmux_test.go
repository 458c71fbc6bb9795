package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTUISmoke drives the real binary in tmux as a teacher would: it waits
// for the policy panel, presses → on Allow-Origin, and checks that site B's
// very next answer carries the new header; then q quits and the terminal is
// given back.
func TestTUISmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
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
	siteA, siteB := freeAddr(t), freeAddr(t)
	socket := filepath.Join(t.TempDir(), "tmux.sock") // a private tmux server
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "lab", bin+" -site-a "+siteA+" -site-b "+siteB)
	t.Cleanup(func() { exec.Command("tmux", "-S", socket, "kill-server").Run() })
	screen := func() string { return tmux("capture-pane", "-p", "-t", "lab") }
	waitScreen := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !strings.Contains(screen(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("screen never showed %q:\n%s", want, screen())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	waitScreen("Site B policy")
	if got := acao(t, "http://"+siteB+"/api/items"); got != "" {
		t.Fatalf("before any key: Access-Control-Allow-Origin %q, want none", got)
	}
	tmux("send-keys", "-t", "lab", "Right") // Allow-Origin: absent → *
	waitScreen("policy changed by tui")
	if got := acao(t, "http://"+siteB+"/api/items"); got != "*" {
		t.Fatalf("after →: Access-Control-Allow-Origin %q, want *", got)
	}
	waitScreen("GET     /api/items") // the request shows in the live log

	tmux("send-keys", "-t", "lab", "q") // quitting ends the program, and so the session
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-S", socket, "has-session", "-t", "lab").Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("corslab still running after q:\n%s", screen())
		}
		time.Sleep(50 * time.Millisecond)
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
