package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/request"
	"github.com/corslab/corslab/internal/testsupport/syncbuf"
	"github.com/corslab/corslab/internal/tool/har"
)

const harTestdata = "../../internal/tool/har/testdata/"

func TestHARCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notJSON := write("page.har", "<html></html>")
	truncated := write("cut.har", `{"log":{"entries":[{"request":{"method":"GET","url":"http://b.test/"`)
	noURL := write("nourl.har", `{"log":{"entries":[{"request":{"method":"GET"}}]}}`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"chromium export", []string{"har", harTestdata + "chromium-put-blocked.har"}, 1,
			[]string{"2 cross-origin requests, 1 blocked", "> OPTIONS http://localhost:8081/api/items/1   (preflight, entry 1)",
				"> PUT http://localhost:8081/api/items/1   (entry 0)\n< (never sent: the browser stopped at the preflight)\n",
				"allowed by Access-Control-Allow-Methods in preflight response.",
				"Fix: `Access-Control-Allow-Methods: GET, POST, PUT`",
				"blocked  MethodDisallowedByPreflightResponse (PUT)", "allowed  -"}, ""},
		{"firefox export, flag after the file", []string{"har", harTestdata + "firefox-credentials.har", "-browser", "chromium"}, 1,
			[]string{"PreflightWildcardOriginNotAllowed", "credentials: 'include'"}, ""},
		{"nothing cross-origin", []string{"har", harTestdata + "same-origin.har"}, 0, []string{"nothing cross-origin here: none of its 1 entries"}, ""},
		{"no file", []string{"har"}, 2, nil, "corslab har: missing the HAR file"},
		{"two files", []string{"har", "a.har", "b.har"}, 2, nil, "one file at a time"},
		{"bad browser", []string{"har", "-browser", "lynx", "a.har"}, 2, nil, `corslab har: -browser: unknown browser "lynx"`},
		{"firefox export in Firefox's words", []string{"har", harTestdata + "firefox-lab.har"}, 1,
			[]string{"blocked  CORSMethodNotFound\n", "blocked  CORSNotSupportingCredentials\n", "Firefox says:\n  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the\n"}, ""},
		{"chromium export in WebKit's words", []string{"har", "-browser", "webkit", harTestdata + "chromium-put-blocked.har"}, 1,
			[]string{"blocked  MethodNotAllowed (PUT)", "Safari (WebKit) says:"}, ""},
		{"missing file", []string{"har", filepath.Join(dir, "none.har")}, 2, nil, "no such file"},
		{"not JSON", []string{"har", notJSON}, 2, nil, "page.har: not JSON: invalid character '<'"},
		{"truncated", []string{"har", truncated}, 2, nil, "cut.har: log.entries[0]: unexpected end of file (the HAR is truncated)"},
		{"missing field", []string{"har", noURL}, 2, nil, "nourl.har: log.entries[0].request.url: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			if tt.stderr != "" && (!strings.Contains(errOut, tt.stderr) || strings.Count(errOut, "\n") != 1) {
				t.Errorf("stderr %q: want one line containing %q", errOut, tt.stderr)
			}
		})
	}
}

// -json prints each exchange in explain's input format beside its verdict,
// and explain gives that very verdict for it — for every HAR of the tests.
func TestHARJSONIsExplains(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(harTestdata + "*.har")
	if len(files) < 5 {
		t.Fatalf("HAR test files: %q", files)
	}
	for _, file := range files {
		code, out, errOut := runCmd(t, "", "har", "-json", file)
		if code == exitUsage {
			t.Fatalf("%s: exit %d; stderr %s", file, code, errOut)
		}
		var rep har.JSONReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		blocked := 0
		for i, x := range rep.Exchanges {
			code, got, errOut := runCmd(t, string(x.Exchange), "explain", "-browser", rep.JudgedAs)
			if code != 0 {
				t.Fatalf("%s: exchange %d: explain exit %d: %s", file, i, code, errOut)
			}
			var v fetch.Verdict
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Fatal(err)
			}
			if v.Error != x.Verdict.Error || v.Allowed != x.Verdict.Allowed || v.Message != x.Verdict.Message {
				t.Errorf("%s: exchange %d: har says %+v, explain %+v", file, i, x.Verdict, v)
			}
			if !v.Allowed {
				blocked++
			}
		}
		if want := min(blocked, 1); code != want {
			t.Errorf("%s: exit %d with %d blocked, want %d", file, code, blocked, want)
		}
	}
	code, out, _ := runCmd(t, "", "har", "-json", harTestdata+"chromium-put-blocked.har")
	var rep har.JSONReport
	json.Unmarshal([]byte(out), &rep)
	if code != 1 || rep.Browser != "chromium" || rep.JudgedAs != "chromium" || rep.Entries != 4 || len(rep.Exchanges) != 2 || *rep.Exchanges[0].PreflightEntry != 1 || *rep.Exchanges[0].Entry != 0 {
		t.Errorf("exit %d, report %+v", code, rep)
	}
}

func TestReplayBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notHAR := filepath.Join(dir, "x.har")
	os.WriteFile(notHAR, []byte(`{"log": {"version": "1.2"}}`), 0o644)
	tests := []struct {
		desc string
		args []string
		want string
	}{
		{"missing file", []string{"-no-tui", "-replay", filepath.Join(dir, "none.har")}, "corslab: -replay " + filepath.Join(dir, "none.har") + ": no such file or directory"},
		{"not a HAR", []string{"-no-tui", "-replay", notHAR}, "corslab: -replay " + notHAR + ": log.entries: missing"},
		{"nothing cross-origin", []string{"-no-tui", "-replay", harTestdata + "same-origin.har"}, "nothing cross-origin here: none of its 1 entries is a request to another origin, so there is nothing to replay"},
		{"with -upstream", []string{"-no-tui", "-replay", notHAR, "-upstream", "http://localhost:3000"}, "-replay and -upstream both say what site B answers: give one"},
		{"-replay-server alone", []string{"-no-tui", "-replay-server", "https://api.example"}, "corslab: -replay-server picks a server of the -replay file: give -replay too"},
		{"-replay-server not in the file", []string{"-no-tui", "-replay", harTestdata + "chromium-put-blocked.har", "-replay-server", "https://api.example"},
			"corslab: -replay " + harTestdata + "chromium-put-blocked.har: no cross-origin request in the file went to https://api.example; its servers: http://localhost:8081"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			code, _, errOut := runCmd(t, "", tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want %d and one line containing %q", code, errOut, exitUsage, tt.want)
			}
		})
	}
}

// `corslab -replay FILE.har`: site B answers as the recorded server did,
// a request nothing was recorded for gets a 404 that says so, and site A
// lists the recorded calls for the page.
func TestRunReplay(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncbuf.Buffer
	done := make(chan int, 1)
	file := harTestdata + "chromium-put-blocked.har"
	go func() {
		done <- run(ctx, []string{"-no-tui", "-site-a", "127.0.0.1:0", "-site-b", "127.0.0.1:0", "-replay", file}, strings.NewReader(""), &stdout, &stderr)
	}()
	siteA := waitFor(t, &stdout, regexp.MustCompile(`site A \(the page\)\s+(http://\S+)`))[1]
	siteB := waitFor(t, &stdout, regexp.MustCompile(`site B \(the API\)\s+(http://\S+)`))[1]
	waitFor(t, &stdout, regexp.MustCompile(`site B replays http://localhost:8081 as recorded in \S+: 2 answers, 2 requests offered on the page`))
	waitFor(t, &stdout, regexp.MustCompile(`Ctrl-C stops`))

	resp, body := request.Do(t, "GET", siteB+"/api/items?page=2", "Origin", siteA)
	if resp.StatusCode != 200 || body != `{"items":[]}` || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("X-Total") != "3" {
		t.Errorf("recorded GET replayed as %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, _ = request.Do(t, "OPTIONS", siteB+"/api/items/1", "Origin", siteA, "Access-Control-Request-Method", "PUT")
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Methods") != "GET, POST" || resp.Header.Get("Access-Control-Allow-Origin") != siteA {
		t.Errorf("recorded preflight replayed as %d %v (its recorded origin answered as the page's)", resp.StatusCode, resp.Header)
	}
	resp, body = request.Do(t, "PUT", siteB+"/api/items/1", "Origin", siteA)
	if resp.StatusCode != 404 || !strings.Contains(body, "nothing was recorded for PUT /api/items/1 on http://localhost:8081") {
		t.Errorf("unrecorded PUT: %d %q", resp.StatusCode, body)
	}
	waitFor(t, &stdout, regexp.MustCompile(`GET\s+/api/items\?page=2 from \S+ → 200, Access-Control-Allow-Origin: \* \(upstream: 200, Access-Control-Allow-Origin: \*\); replayed entry 2 of chromium-put-blocked.har`))
	waitFor(t, &stdout, regexp.MustCompile(`PUT\s+/api/items/1 from \S+ → 404, no Access-Control-Allow-Origin; upstream: nothing recorded for PUT /api/items/1`))

	var rp siteAReplay
	resp, body = request.Do(t, "GET", siteA+"/lab/replay")
	if err := json.Unmarshal([]byte(body), &rp); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /lab/replay: %d %q %v", resp.StatusCode, body, err)
	}
	if rp.Server != "http://localhost:8081" || len(rp.Calls) != 2 || rp.Calls[0].Method != "PUT" || rp.Calls[0].URL != "/api/items/1" ||
		rp.Calls[0].RecordedOrigin != "http://localhost:8080" || rp.Calls[0].RecordedError != fetch.ErrMethodDisallowedByPreflightResponse ||
		rp.Calls[0].Body != `{"n":1}` || len(rp.Calls[0].Headers) != 2 {
		t.Errorf("GET /lab/replay: %+v", rp)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d; stderr %s", code, stderr.String())
	}
}

type siteAReplay struct {
	Server string
	Calls  []struct {
		Method, URL, Body, RecordedOrigin, RecordedError string
		Headers                                          [][2]string
	}
}
