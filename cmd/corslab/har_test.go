package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
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
				"allowed by Access-Control-Allow-Methods in preflight response.",
				"Fix: `Access-Control-Allow-Methods: GET, POST, PUT`",
				"blocked  MethodDisallowedByPreflightResponse (PUT)", "allowed  -"}, ""},
		{"firefox export, flag after the file", []string{"har", harTestdata + "firefox-credentials.har", "-browser", "chromium"}, 1,
			[]string{"PreflightWildcardOriginNotAllowed", "credentials: 'include'"}, ""},
		{"nothing cross-origin", []string{"har", harTestdata + "same-origin.har"}, 0, []string{"nothing cross-origin here: none of its 1 entries"}, ""},
		{"no file", []string{"har"}, 2, nil, "corslab har: missing the HAR file"},
		{"two files", []string{"har", "a.har", "b.har"}, 2, nil, "one file at a time"},
		{"bad browser", []string{"har", "-browser", "lynx", "a.har"}, 2, nil, `-browser "lynx"`},
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
// and explain gives that very verdict for it.
func TestHARJSONIsExplains(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCmd(t, "", "har", "-json", harTestdata+"chromium-put-blocked.har")
	if code != 1 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	var rep har.JSONReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Browser != "chromium" || rep.Entries != 4 || len(rep.Exchanges) != 2 || *rep.Exchanges[0].PreflightEntry != 1 {
		t.Fatalf("report %+v", rep)
	}
	for i, x := range rep.Exchanges {
		code, got, errOut := runCmd(t, string(x.Exchange), "explain")
		if code != 0 {
			t.Fatalf("exchange %d: explain exit %d: %s", i, code, errOut)
		}
		var v fetch.Verdict
		if err := json.Unmarshal([]byte(got), &v); err != nil {
			t.Fatal(err)
		}
		if v.Error != x.Verdict.Error || v.Allowed != x.Verdict.Allowed || v.Message != x.Verdict.Message {
			t.Errorf("exchange %d: har says %+v, explain %+v", i, x.Verdict, v)
		}
	}
}
