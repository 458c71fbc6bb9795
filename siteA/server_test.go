package siteA

import (
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/siteB"
	"github.com/corslab/corslab/static"
)

// lab is site A on an httptest server, with a real journal and site B.
type lab struct {
	a    *Server
	b    *siteB.Server
	j    *journal.Journal
	ts   *httptest.Server
	port string // site A's port
}

const siteBPort = "7071"

// newLab starts site A. cfg gets site A's port to fill in Origins;
// wrap, if not nil, wraps the server's listener.
func newLab(t *testing.T, history int, cfg func(port string) Config, wrap func(net.Listener) net.Listener) *lab {
	t.Helper()
	l := &lab{j: journal.New(history)}
	l.b = siteB.New(l.j)
	l.ts = httptest.NewUnstartedServer(nil)
	if wrap != nil {
		l.ts.Listener = wrap(l.ts.Listener)
	}
	_, l.port, _ = net.SplitHostPort(l.ts.Listener.Addr().String())
	c := Config{SiteBPort: siteBPort}
	if cfg != nil {
		c = cfg(l.port)
	}
	l.a = New(c, l.j, l.b)
	l.ts.Config.Handler = l.a
	l.ts.Start()
	t.Cleanup(l.ts.Close)
	t.Cleanup(l.a.Close) // first: live-log connections are hijacked, ts.Close does not end them
	return l
}

// loopbackOrigins is Config.Origins as the lab sets it for a loopback host.
func loopbackOrigins(port string) Config {
	return Config{SiteBPort: siteBPort, Origins: []string{
		"http://localhost:" + port, "http://127.0.0.1:" + port, "http://[::1]:" + port,
	}}
}

func (l *lab) request(t *testing.T, method, path string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, l.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := l.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// policyEvents returns the policy changes the journal holds.
func policyEvents(j *journal.Journal) []*journal.PolicyChange {
	var out []*journal.PolicyChange
	for _, e := range j.Hub().Recent(1 << 20) {
		if e.Kind == journal.KindPolicy {
			out = append(out, e.Policy)
		}
	}
	return out
}

func TestPolicyControlAPI(t *testing.T) {
	const newPolicy = `{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`
	closed := string(policy.Closed().JSON())
	parsed, err := policy.ParsePolicy([]byte(newPolicy))
	if err != nil {
		t.Fatal(err)
	}
	replaced := string(parsed.JSON())
	const refused = "only site A's own page may use it"
	sameHost := func(l *lab) string { return "http://" + l.ts.Listener.Addr().String() }
	tests := []struct {
		desc       string
		method     string
		header     func(l *lab) http.Header
		body       string
		wantStatus int
		wantBody   string // exact, or a substring when wantSub
		wantSub    bool
		wantPolicy string // in force afterwards
	}{
		{"curl GET: no Origin", "GET", nil, "", 200, closed, false, closed},
		{"curl PUT: no Origin", "PUT", nil, newPolicy, 200, replaced, false, replaced},
		{"page GET: same-origin", "GET", sfs("same-origin"), "", 200, closed, false, closed},
		{"page PUT: same-origin", "PUT", sfs("same-origin"), newPolicy, 200, replaced, false, replaced},
		{"typed URL: Sec-Fetch-Site none", "GET", sfs("none"), "", 200, closed, false, closed},
		{"same Origin as Host, no Sec-Fetch-Site", "PUT", func(l *lab) http.Header { return http.Header{"Origin": {sameHost(l)}} },
			newPolicy, 200, replaced, false, replaced},
		{"cross-site GET", "GET", sfs("cross-site"), "", 403, refused, true, closed},
		{"cross-site PUT", "PUT", sfs("cross-site"), newPolicy, 403, refused, true, closed},
		{"same-site GET (site B's page)", "GET", sfs("same-site"), "", 403, refused, true, closed},
		{"same-site PUT (site B's page)", "PUT", sfs("same-site"), newPolicy, 403, refused, true, closed},
		{"foreign Origin GET, no Sec-Fetch-Site", "GET", origin("http://evil.example"), "", 403, refused, true, closed},
		{"foreign Origin PUT, no Sec-Fetch-Site", "PUT", origin("http://localhost:" + siteBPort), newPolicy, 403, refused, true, closed},
		{"invalid document", "PUT", nil, `{"actual": {"headers": {"X": "a\r\nb"}}}`, 400,
			"actual.headers[\"X\"]: value contains CR or LF, which would inject a header\n", false, closed},
		{"not JSON", "PUT", sfs("same-origin"), "{\n\"actual\" []}", 400,
			"policy: line 2, column 10: invalid character '[' after object key\n", false, closed},
		{"every problem, one per line", "PUT", nil, `{"preflight": {"status": 1}, "actual": {"headers": {"X": "a\r\nb", "Y": 1}}}`, 400,
			"actual.headers[\"Y\"]: must be a string or an array of strings\n" +
				"preflight.status: 1 is not an HTTP status (100-599)\n" +
				"actual.headers[\"X\"]: value contains CR or LF, which would inject a header\n", false, closed},
		{"a header given twice", "PUT", nil, `{"actual": {"headers": {"Vary": "Origin", "Vary": "Cookie"}}}`, 400,
			"actual.headers[\"Vary\"]: given twice\n", false, closed},
		{"invalid UTF-8", "PUT", nil, "{\"actual\": {\"headers\": {\"X\": \"\xff\"}}}", 400,
			"policy: line 1, column 31: invalid UTF-8 (byte 0xff)\n", false, closed},
		{"empty body", "PUT", nil, "", 400, "policy: empty document\n", false, closed},
		{"body over 1 MiB", "PUT", nil, "{}" + strings.Repeat(" ", 1<<20-1), 413, "policy: larger than 1 MiB\n", false, closed},
		{"body of exactly 1 MiB", "PUT", nil, newPolicy + strings.Repeat(" ", 1<<20-len(newPolicy)), 200, replaced, false, replaced},
		{"another method", "POST", nil, newPolicy, 405, "", true, closed},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			l := newLab(t, 64, nil, nil)
			var h http.Header
			if tt.header != nil {
				h = tt.header(l)
			}
			resp, body := l.request(t, tt.method, "/lab/policy", h, tt.body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantSub && !strings.Contains(body, tt.wantBody) || !tt.wantSub && body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if resp.StatusCode == 200 && resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
			}
			if got := string(l.b.PolicyJSON()); got != tt.wantPolicy {
				t.Errorf("policy in force = %s, want %s", got, tt.wantPolicy)
			}
			changes := policyEvents(l.j)
			if tt.wantPolicy == replaced {
				if len(changes) != 1 || changes[0].By != "control API" || string(changes[0].Document) != replaced {
					t.Errorf("journal policy events = %+v, want one by control API", changes)
				}
			} else if len(changes) != 0 {
				t.Errorf("journal policy events = %+v, want none", changes)
			}
		})
	}
}

func sfs(v string) func(*lab) http.Header {
	return func(*lab) http.Header {
		return http.Header{"Sec-Fetch-Site": {v}, "Origin": {"http://somewhere.example"}}
	}
}

func origin(o string) func(*lab) http.Header {
	return func(*lab) http.Header { return http.Header{"Origin": {o}} }
}

func TestPages(t *testing.T) {
	tests := []struct {
		desc       string
		path       string
		wantStatus int
		wantType   string // a prefix
		wantBody   string // a substring
		header     http.Header
	}{
		{"the page", "/", 200, "text/html", "<!doctype html>", http.Header{"Cache-Control": {"no-store"}}},
		{"its styles", "/static/style.css", 200, "text/css", "", nil},
		{"the null-origin lesson's sandbox", "/trial/AAAAAAAAAAAA", 200, "text/html", "sandboxed iframe",
			http.Header{"Content-Security-Policy": {"sandbox allow-scripts; frame-ancestors 'self'"}, "X-Frame-Options": {"SAMEORIGIN"}}},
		{"the lab's config", "/lab/config", 200, "application/json", `{"siteBPort":"7071","teacher":true}`, nil},
		{"nothing else", "/index.htm", 404, "text/plain", "", nil},
	}
	// Every script is a module: a browser runs one only when it is served
	// with a JavaScript MIME type (HTML §8.1.5.1, "fetch a single module script").
	scripts, err := fs.Glob(static.Files, "*.js")
	if err != nil || len(scripts) < 2 {
		t.Fatalf("the page's scripts: %v, %v", scripts, err)
	}
	for _, name := range scripts {
		tests = append(tests, struct {
			desc       string
			path       string
			wantStatus int
			wantType   string
			wantBody   string
			header     http.Header
		}{"module " + name, "/static/" + name, 200, "text/javascript", "", nil})
	}
	l := newLab(t, 64, nil, nil)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			resp, body := l.request(t, "GET", tt.path, nil, "")
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type = %q, want %s", ct, tt.wantType)
			}
			if !strings.Contains(strings.ToLower(body), strings.ToLower(tt.wantBody)) {
				t.Errorf("body = %.100q, want it to contain %q", body, tt.wantBody)
			}
			for k := range tt.header {
				if got := resp.Header.Get(k); got != tt.header.Get(k) {
					t.Errorf("%s = %q, want %q", k, got, tt.header.Get(k))
				}
			}
		})
	}
}

func TestConfigJSON(t *testing.T) {
	l := newLab(t, 64, nil, nil)
	resp, body := l.request(t, "GET", "/lab/config", nil, "")
	var got LabConfig
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /lab/config: %d %q: %v", resp.StatusCode, body, err)
	}
	if got != (LabConfig{SiteBPort: siteBPort, Teacher: true}) { // no -lan: every page is the teacher's
		t.Errorf("config = %+v", got)
	}
}
