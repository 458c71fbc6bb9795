package lab_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/lab"
)

func TestLoadReplay(t *testing.T) {
	t.Parallel()
	entry := func(origin, method, url string, status int, acao string) string {
		return `{"request": {"method": "` + method + `", "url": "` + url + `", "headers": [{"name": "Origin", "value": "` + origin + `"}]},
			"response": {"status": ` + strconv.Itoa(status) + `, "headers": [{"name": "Access-Control-Allow-Origin", "value": "` + acao + `"}],
			"content": {"size": 2, "text": "ok"}}}`
	}
	file := `{"log": {"creator": {"name": "Firefox"}, "entries": [` + strings.Join([]string{
		entry("https://app.example", "GET", "https://api.example/a?x=1", 200, "https://app.example"),
		entry("null", "POST", "https://api.example/b", 200, "*"),
		entry("https://app.example", "GET", "https://cdn.example/c", 0, ""),
		entry("https://app.example", "GET", "https://api.example/a?x=1", 500, "https://app.example"),
		entry("https://app.example", "GET", "https://cdn.example/font.woff2", 200, "*"),
	}, ",") + `]}}`
	rp, err := lab.LoadReplay(strings.NewReader(file), "/tmp/prod.har", "")
	if err != nil {
		t.Fatal(err)
	}
	if rp.Server != "https://api.example" || strings.Join(rp.Others, ",") != "https://cdn.example" || len(rp.Answers) != 3 || len(rp.Calls) != 2 {
		t.Fatalf("replay %+v", rp)
	}
	if a := rp.Answers[0]; a.Method != "GET" || a.Path != "/a?x=1" || a.Status != 200 || string(a.Body) != "ok" || a.Origin != "https://app.example" || a.From != "entry 0 of prod.har" {
		t.Errorf("first answer %+v", a)
	}
	if c := rp.Calls[1]; c.Method != "POST" || c.URL != "/b" || !c.Sandbox || c.RecordedOrigin != "null" {
		t.Errorf("the call from an opaque origin: %+v", c)
	}
	// -replay-server: another server of the file, written with or without
	// a final slash; a server the file never reached is an error naming those it did.
	for _, server := range []string{"https://cdn.example", "https://cdn.example/"} {
		rp, err := lab.LoadReplay(strings.NewReader(file), "prod.har", server)
		if err != nil {
			t.Fatal(err)
		}
		if rp.Server != "https://cdn.example" || strings.Join(rp.Others, ",") != "https://api.example" || len(rp.Answers) != 1 || rp.Answers[0].Path != "/font.woff2" {
			t.Errorf("-replay-server %s: replay %+v", server, rp)
		}
	}
	if _, err := lab.LoadReplay(strings.NewReader(file), "prod.har", "https://auth.example"); err == nil ||
		err.Error() != "no cross-origin request in the file went to https://auth.example; its servers: https://api.example, https://cdn.example" {
		t.Errorf("-replay-server of a server the file never reached: %v", err)
	}
	for _, tt := range []struct{ file, want string }{
		{`{"log": {"entries": []}}`, "nothing cross-origin here"},
		{`{"log": {"entries": [` + entry("https://app.example", "GET", "https://api.example/a", 0, "") + `]}}`, "no answer from https://api.example is recorded"},
		{`{"log": {"entries": [{"request": {}}]}}`, "log.entries[0].request.method: missing"},
	} {
		if _, err := lab.LoadReplay(strings.NewReader(tt.file), "x.har", ""); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.file, err, tt.want)
		}
	}
}
