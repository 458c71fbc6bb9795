package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/testsupport/syncbuf"
)

// explain -text prints an exchange's own text (a header's value): its
// escape sequences are stripped, so the verdict cannot hide or blink.
func TestExplainTextStripsEscapes(t *testing.T) {
	in := `{"request": {"origin": "http://localhost:7070", "url": "http://localhost:7071/x", "method": "GET"},
		"response": {"status": 200, "headers": {"Access-Control-Allow-Origin": "\u001b[8mhttp://evil\u001b[0m"}}}`
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"explain", "-text"}, strings.NewReader(in), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.ContainsRune(stdout.String(), 0x1b) || !strings.Contains(stdout.String(), "[8mhttp://evil[0m") {
		t.Errorf("explain -text printed %q: want the escapes stripped, their text shown", stdout.String())
	}
}

// The -no-tui log prints a path clipped: a 200 KB query string is one
// short line, saying it was cut.
func TestLogLineClipsPath(t *testing.T) {
	x := &journal.Exchange{Method: "GET", Path: "/api/items?" + strings.Repeat("q", 200<<10), Status: 431}
	line := string(appendLogLine(nil, &journal.Event{Kind: journal.KindExchange, Exchange: x}))
	if len(line) > 2*maxLogPath || !strings.Contains(line, journal.ClipMark) || !strings.Contains(line, "/api/items?qqq") {
		t.Errorf("log line of %d bytes: %.300q", len(line), line)
	}
}

// A server that stops on an error ends the UI and corslab, with one line
// and status 1; a UI that fails is status 1 too; a quit or a signal is 0.
func TestServeAndShow(t *testing.T) {
	failed := errors.New("accept tcp 127.0.0.1:7070: use of closed network connection")
	untilDone := func(ctx context.Context) error { <-ctx.Done(); return nil }
	for _, tt := range []struct {
		desc        string
		serve, show func(context.Context) error
		signal      bool
		code        int
		stderr      string
	}{
		{"the user quits", untilDone, func(context.Context) error { return nil }, false, exitOK, ""},
		{"a signal", untilDone, untilDone, true, exitOK, ""},
		{"a server fails: the UI stops", func(context.Context) error { return failed }, untilDone, false, exitFail, "corslab: " + failed.Error() + "\n"},
		{"the UI fails", untilDone, func(context.Context) error { return errors.New("terminal UI: could not open a TTY") }, false, exitFail, "corslab: terminal UI: could not open a TTY\n"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		if tt.signal {
			cancel()
		}
		var stderr syncbuf.Buffer
		done := make(chan int, 1)
		go func() { done <- serveAndShow(ctx, tt.serve, tt.show, &stderr) }()
		select {
		case code := <-done:
			if code != tt.code || stderr.String() != tt.stderr {
				t.Errorf("%s: exit %d, stderr %q; want %d, %q", tt.desc, code, stderr.String(), tt.code, tt.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s: still running: the UI outlived the servers", tt.desc)
		}
		cancel()
	}
}
