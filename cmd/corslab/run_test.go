package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/syncbuf"
)

// waitFor polls until the buffer matches re, or fails the test at the deadline.
func waitFor(t *testing.T, b *syncbuf.Buffer, re *regexp.Regexp) (m []string) {
	t.Helper()
	poll.Check(t, 10*time.Second, func() error {
		if m = re.FindStringSubmatch(b.String()); m == nil {
			return fmt.Errorf("output never matched %v:\n%s", re, b.String())
		}
		return nil
	})
	return m
}

func TestRunBadInput(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	badPolicy := filepath.Join(dir, "bad.json")
	os.WriteFile(badPolicy, []byte(`{"preflight": {"status": 700}}`), 0o644)
	syntax := filepath.Join(dir, "syntax.json")
	os.WriteFile(syntax, []byte("{\n  \"actual\": {\n    \"headers\": {,}\n}"), 0o644)

	tests := []struct {
		desc string
		args []string
		want string // the one line on stderr
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"stray argument", []string{"serve"}, `unexpected argument "serve"`},
		{"busy site A port", []string{"-no-tui", "-site-a", busy.Addr().String(), "-site-b", "127.0.0.1:0"}, "corslab: -site-a " + busy.Addr().String() + ": address already in use; choose another port with -site-a"},
		{"busy site B port", []string{"-no-tui", "-site-a", "127.0.0.1:0", "-site-b", busy.Addr().String()}, "corslab: -site-b " + busy.Addr().String() + ": address already in use; choose another port with -site-b"},
		{"not loopback", []string{"-no-tui", "-site-a", "0.0.0.0:0"}, "corslab: -site-a 0.0.0.0:0: not a loopback address; add -lan to serve other machines"},
		{"hosts differ", []string{"-no-tui", "-site-a", "localhost:0", "-site-b", "127.0.0.1:0"}, "corslab: -site-b 127.0.0.1:0: host must be -site-a's (localhost)"},
		{"not host:port", []string{"-no-tui", "-site-b", "7071"}, "corslab: -site-b 7071: want host:port"},
		{"missing policy file", []string{"-no-tui", "-policy", filepath.Join(dir, "none.json")}, "corslab: -policy " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		{"invalid policy", []string{"-no-tui", "-policy", badPolicy}, "corslab: -policy " + badPolicy + ": preflight.status: 700 is not an HTTP status (100-599)"},
		{"policy syntax error", []string{"-no-tui", "-policy", syntax}, "corslab: -policy " + syntax + ": policy: line 3, column 17: invalid character ','"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var stdout, stderr syncbuf.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit status %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q\nwant it to contain %q", stderr.String(), tt.want)
			}
			if tt.desc != "unknown flag" && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
				t.Errorf("want one line on stderr, got:\n%s", stderr.String())
			}
		})
	}
}

// TestRunNoTUI runs the lab as `corslab -no-tui` would, makes requests, and
// stops it as Ctrl-C would.
func TestRunNoTUI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncbuf.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-no-tui", "-site-a", "127.0.0.1:0", "-site-b", "127.0.0.1:0"}, strings.NewReader(""), &stdout, &stderr)
	}()
	siteB := waitFor(t, &stdout, regexp.MustCompile(`site B \(the API\)\s+(http://\S+)`))[1]
	waitFor(t, &stdout, regexp.MustCompile(`Ctrl-C stops`))

	req, _ := http.NewRequest(http.MethodOptions, siteB+"/api/items/1", nil)
	req.Header.Set("Origin", "http://127.0.0.1:1")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("closed policy's preflight: %d, ACAO %q; want 204 and no ACAO", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	waitFor(t, &stdout, regexp.MustCompile(`OPTIONS /api/items/1 \(preflight for PUT\) from http://127.0.0.1:1 → 204, no Access-Control-Allow-Origin`))
	// An endpoint's effect, in words.
	resp, err = http.Post(siteB+"/api/items", "text/plain", strings.NewReader("pear"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, &stdout, regexp.MustCompile(`POST    /api/items → 201, no Access-Control-Allow-Origin; created item \d+ "pear"`))

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit status %d after Ctrl-C, want 0; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}
