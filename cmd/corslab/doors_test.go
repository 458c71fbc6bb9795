package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/journal"
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
	line := logLine(&journal.Event{Kind: journal.KindExchange, Exchange: x})
	if len(line) > 2*maxLogPath || !strings.Contains(line, journal.ClipMark) || !strings.Contains(line, "/api/items?qqq") {
		t.Errorf("log line of %d bytes: %.300q", len(line), line)
	}
}
