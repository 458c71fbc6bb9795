package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
