package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
)

// goldenDir holds exchanges and their verdicts as explain prints them
// (internal/model/fetch's golden test keeps them up to date).
const goldenDir = "../../testdata/fetch"

// TestExplainPrintsTheGoldenVerdict: the command prints the model's verdict
// byte for byte, JSON or -text, and nothing on stderr.
func TestExplainPrintsTheGoldenVerdict(t *testing.T) {
	for _, c := range []struct {
		args []string
		out  string
	}{
		{[]string{"explain"}, "example.out.json"},
		{[]string{"explain", "-text"}, "example.out.txt"},
		{[]string{"explain", "-text"}, "credentials-wildcard.out.txt"},
	} {
		in, err := os.ReadFile(filepath.Join(goldenDir, strings.Split(c.out, ".")[0]+".json"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(goldenDir, c.out))
		if err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runCmd(t, string(in), c.args...)
		if code != exitOK || stderr != "" {
			t.Errorf("%v < %s: exit %d, stderr %q", c.args, c.out, code, stderr)
		}
		if stdout != string(want) {
			t.Errorf("%v: stdout differs from %s:\n%s", c.args, c.out, stdout)
		}
	}
}

// TestExplainBadInput: input that is not an exchange, or a bad command line,
// is exit status 2 with one line on stderr and nothing on stdout.
func TestExplainBadInput(t *testing.T) {
	const req = `"origin": "http://localhost:7070", "url": "http://localhost:7071/x", "method": "GET"`
	for _, c := range []struct {
		desc, in string
		args     []string
		want     string
	}{
		{"not JSON", "hello", nil, "corslab explain: line 1, column 1: invalid character 'h' looking for beginning of value"},
		{"empty", "", nil, "corslab explain: input: empty"},
		{"truncated", "{\"request\": {", nil, "corslab explain: line 1, column 14: unexpected end of JSON input"},
		{"missing method", `{"request": {"origin": "http://localhost:7070", "url": "http://x/"}}`, nil, "corslab explain: request.method: missing"},
		{"unknown field", `{"request": {` + req + `, "bodyText": "x"}}`, nil, "corslab explain: request.bodyText: unknown field"},
		{"too large", strings.Repeat(" ", fetch.MaxExchangeSize+10), nil, "corslab explain: input: larger than"},
		{"an argument", "", []string{"x.json"}, `corslab explain: unexpected argument "x.json": the exchange comes on standard input`},
	} {
		t.Run(c.desc, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, c.in, append([]string{"explain"}, c.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			if !strings.HasPrefix(stderr, c.want) {
				t.Errorf("stderr = %q, want it to start %q", stderr, c.want)
			}
		})
	}
}

func TestExplainHelp(t *testing.T) {
	code, stdout, stderr := runCmd(t, "", "explain", "-h")
	if code != exitOK || stdout != "" || !strings.Contains(stderr, "usage: corslab explain [-text] [-browser chromium|firefox|webkit] < exchange.json") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("input/output error") }

// A verdict that cannot be written is exit status 1; input that cannot be
// read, 2; each with one line naming the cause.
func TestExplainIOFailures(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(goldenDir, "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := explain(bytes.NewReader(in), failingWriter{}, &stderr, false, fetch.Chromium); code != exitFail || stderr.String() != "corslab explain: writing the verdict: disk full\n" {
		t.Errorf("write failure: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := explain(failingReader{}, &bytes.Buffer{}, &stderr, false, fetch.Chromium); code != exitUsage || stderr.String() != "corslab explain: reading input: input/output error\n" {
		t.Errorf("read failure: exit %d, stderr %q", code, stderr.String())
	}
}

// TestExplainOnATerminal runs the binary in tmux with nothing piped in: it
// says on stderr that it waits for an exchange as JSON, then judges what is
// typed (a regular file or a pipe gets no such line: see the tests above).
func TestExplainOnATerminal(t *testing.T) {
	// The shell keeps the pane open after explain exits, to read its output.
	tm := newTmux(t, `"$CORSLAB" explain -text; echo "exit status $?"; read x`)
	tm.WaitScreen("waiting for an exchange as JSON on standard input")
	in, err := os.ReadFile(filepath.Join(goldenDir, "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	tm.Keys("-l", strings.Join(strings.Fields(string(in)), " "))
	tm.Keys("Enter", "C-d")
	tm.WaitScreen("JavaScript can read:")
	tm.WaitScreen("exit status 0")
}

// TestExplainBrowser: -browser picks whose verdict and words explain prints;
// an unknown name is a usage error.
func TestExplainBrowser(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(goldenDir, "credentials-wildcard.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args      []string
		code      int
		out, errs string // substrings
	}{
		{[]string{"explain"}, exitOK, `"error": "WildcardOriginNotAllowed"`, ""},
		{[]string{"explain", "-browser", "chromium"}, exitOK, `"error": "WildcardOriginNotAllowed"`, ""},
		{[]string{"explain", "-browser", "firefox"}, exitOK, `"message": "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘http://localhost:7071/api/me’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).\n`, ""},
		{[]string{"explain", "-browser", "webkit"}, exitOK, `"error": "WildcardOriginWithCredentials"`, ""},
		{[]string{"explain", "-browser", "webkit", "-text"}, exitOK, "Safari (WebKit) says:\n  Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is\n  true.\n", ""},
		{[]string{"explain", "-browser", "safari"}, exitUsage, "", `corslab explain: -browser: unknown browser "safari" (want chromium, firefox or webkit)`},
	} {
		code, stdout, stderr := runCmd(t, string(in), c.args...)
		if code != c.code || !strings.Contains(stdout, c.out) || !strings.Contains(stderr, c.errs) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", c.args, code, stdout, stderr, c.code, c.out, c.errs)
		}
	}
}
