package check_test

// Real servers of real CORS libraries, with real Chromium facing the same
// servers in the same test: `corslab check` must reach the verdict Chromium
// reaches (issue 16) — redirect chains included.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	jub0bs "github.com/jub0bs/cors"
	"github.com/rs/cors"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/browserpath"
	"github.com/corslab/corslab/internal/testsupport/browsertest"
	"github.com/corslab/corslab/internal/testsupport/npmtest"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/serverproc"
	"github.com/corslab/corslab/internal/tool/check"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// realProbe is one fetch() both Chromium and check make.
type realProbe struct {
	name    string
	server  string // "" the server under test, "star" the permissive one
	path    string
	method  string
	headers [][2]string
	body    string
	cred    string
}

var jsonCT = [][2]string{{"Content-Type", "application/json"}}

// realProbes: the server under test answers /items (X-Total), /boom (500),
// /slash (301 to /items/, Django's APPEND_SLASH), /to-bare (307 to a host
// without CORS headers, Express's res.redirect), /to-star (302 to a host
// answering `*`), /put307 (307 to /items: the method is kept), /post303
// (303 to /items: POST becomes GET), /to-echo (307 to a host that echoes
// the Origin); allows GET, POST, PUT and content-type.
var realProbes = []realProbe{
	{name: "simple GET", path: "/items", method: "GET"},
	{name: "GET with credentials", path: "/items", method: "GET", cred: "include"},
	{name: "PUT JSON, preflighted", path: "/items", method: "PUT", headers: jsonCT, body: `{"a":1}`},
	{name: "DELETE not allowed", path: "/items", method: "DELETE"},
	{name: "header not allowed", path: "/items", method: "GET", headers: [][2]string{{"X-Other", "1"}}},
	{name: "500", path: "/boom", method: "GET"},
	{name: "trailing-slash 301", path: "/slash", method: "GET"},
	{name: "307 to a host without CORS", path: "/to-bare", method: "GET"},
	{name: "307 to a host without CORS, preflighted", path: "/to-bare", method: "PUT", headers: jsonCT, body: "{}"},
	{name: "302 to a host answering *: Origin null", path: "/to-star", method: "GET"},
	{name: "302 to a host answering *, with credentials", path: "/to-star", method: "GET", cred: "include"},
	{name: "307 to a host echoing Origin: it echoes null", path: "/to-echo", method: "GET"},
	{name: "500 without CORS headers (nginx without always)", path: "/boom-plain", method: "GET"},
	{name: "307 keeps the PUT: a new preflight", path: "/put307", method: "PUT", headers: jsonCT, body: `{"a":1}`},
	{name: "303 turns the POST into a GET", path: "/post303", method: "POST", body: "x"},
	{name: "Expose-Headers * with Connection: close", server: "star", path: "/close", method: "GET"},
	{name: "Expose-Headers * with a chunked answer", server: "star", path: "/chunked", method: "GET"},
}

// helpers are the servers every stack redirects to.
type helpers struct{ page, bare, star, echo string }

func startHelpers(t *testing.T) helpers {
	t.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!doctype html><title>page</title>")
	}))
	t.Cleanup(page.Close)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "no CORS here\n")
	}))
	t.Cleanup(bare.Close)
	star := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "PUT")
		h.Set("Access-Control-Allow-Headers", "content-type")
		h.Set("Access-Control-Expose-Headers", "*")
		h.Set("X-Star", "1")
		switch r.URL.Path {
		case "/close":
			h.Set("Connection", "close")
		case "/chunked":
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(204)
			return
		}
		io.WriteString(w, "star\n")
	}))
	t.Cleanup(star.Close)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Vary", "Origin")
		io.WriteString(w, "echo\n")
	}))
	t.Cleanup(echo.Close)
	// The page is on localhost, every server on 127.0.0.1: cross-origin.
	return helpers{page: strings.Replace(page.URL, "127.0.0.1", "localhost", 1), bare: bare.URL, star: star.URL, echo: echo.URL}
}

// app is the application behind a Go CORS middleware.
func app(h helpers) http.Handler {
	mux := http.NewServeMux()
	items := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Total", "3")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}
	mux.HandleFunc("/items", items)
	mux.HandleFunc("/items/", items)
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	mux.HandleFunc("/slash", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/items/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-bare", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.bare+"/data", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/to-star", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, h.star+"/data", http.StatusFound) })
	mux.HandleFunc("/to-echo", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.echo+"/data", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/put307", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/items", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/post303", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/items", http.StatusSeeOther) })
	return mux
}

func TestRealServersAgreeWithChromium(t *testing.T) {
	browserpath.SkipShort(t)
	h := startHelpers(t)
	stacks := []struct {
		name  string
		start func(t *testing.T, h helpers) string // the server's base URL; skips when the stack is missing
	}{
		{"rs/cors", func(t *testing.T, h helpers) string {
			c := cors.New(cors.Options{AllowedOrigins: []string{h.page}, AllowedMethods: []string{"GET", "POST", "PUT"},
				AllowedHeaders: []string{"Content-Type"}, ExposedHeaders: []string{"X-Total"}, AllowCredentials: true})
			return serveGo(t, c.Handler(app(h)))
		}},
		{"jub0bs/cors", func(t *testing.T, h helpers) string {
			m, err := jub0bs.NewMiddleware(jub0bs.Config{Origins: []string{h.page}, Methods: []string{"GET", "POST", "PUT"},
				RequestHeaders: []string{"Content-Type"}, ResponseHeaders: []string{"X-Total"}, Credentialed: true,
				DangerouslyTolerateInsecureOrigins: true})
			if err != nil {
				t.Fatal(err)
			}
			return serveGo(t, m.Wrap(app(h)))
		}},
		{"nginx", startNginxStack},
		{"gin+gin-contrib/cors", startGin},
		{"chi+go-chi/cors", startChi},
		{"express+cors", startNode("express_app.js")},
		{"fastify+@fastify/cors", startNode("fastify_app.js")},
		{"koa+@koa/cors", startNode("koa_app.js")},
		{"flask-cors", startPython("flask_app.py", "flask_cors")},
		{"django-cors-headers", startPython("django_app.py", "corsheaders")},
		{"starlette", startPython("starlette_app.py", "starlette.middleware.cors")},
		{"apache", startApacheStack},
		{"caddy", startCaddyStack},
	}
	for _, st := range stacks {
		t.Run(st.name, func(t *testing.T) {
			tab := browsertest.NewTab(t) // first: it skips under -short, before any server starts
			base := st.start(t, h)
			if _, err := chromedp.Run(tab.Ctx, chromedp.Navigate(h.page+"/")); err != nil {
				t.Fatal(err)
			}
			for _, p := range realProbes {
				url := base + p.path
				if p.server == "star" {
					url = h.star + p.path
				}
				r := fetch.Request{Origin: h.page, URL: url, Method: p.method, Headers: p.headers, Credentials: p.cred, Mode: "cors"}
				res, err := check.Run(context.Background(), check.Options{Request: r, Body: p.body, Timeout: 10 * time.Second})
				if err != nil || res.Err != nil {
					t.Fatalf("%s: check: %v %v", p.name, err, res.Err)
				}
				got := chromiumFetch(t, tab, r, p.body)
				v := res.Verdict
				t.Logf("%-45s Chromium %-40s check %s %q, %d redirects", p.name, fmt.Sprintf("%v %s %q", got.Allowed, got.Error, got.Readable), v.Error, v.ReadableHeaders, len(res.Redirects))
				if got.Allowed != v.Allowed || got.Error != v.Error || got.Param != v.FailedParameter ||
					got.Allowed && !slices.Equal(got.Readable, v.ReadableHeaders) {
					t.Errorf("%s (%s %s): Chromium %+v\ncheck: allowed %v %s (%q) readable %q\n%s", p.name, p.method, url, got,
						v.Allowed, v.Error, v.FailedParameter, v.ReadableHeaders, firstLines(v.Message))
				}
			}
		})
	}
}

func firstLines(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func serveGo(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// chromiumResult is what Chromium did with one fetch().
type chromiumResult struct {
	Allowed  bool
	Error    string // Chromium's corsErrorStatus, "TypeError" for a failure without one
	Param    string
	Readable []string
}

// chromiumFetch runs the fetch() in the tab and reads the outcome: the
// headers JavaScript can read, or the CORS error DevTools reports.
func chromiumFetch(t *testing.T, tab *browsertest.Tab, r fetch.Request, body string) chromiumResult {
	t.Helper()
	before := len(tab.Failures())
	init := map[string]any{"method": r.Method, "mode": "cors", "credentials": "same-origin"}
	if r.Credentials != "" {
		init["credentials"] = r.Credentials
	}
	hdrs := map[string]string{}
	for _, h := range r.Headers {
		hdrs[h[0]] = h[1]
	}
	init["headers"] = hdrs
	if body != "" {
		init["body"] = body
	}
	initJSON, _ := json.Marshal(init)
	urlJSON, _ := json.Marshal(r.URL)
	js := fmt.Sprintf(`(async () => {
		try {
			const res = await fetch(%s, %s);
			await res.text();
			return {ok: true, headers: [...res.headers.keys()]};
		} catch (e) { return {ok: false, headers: []}; }
	})()`, urlJSON, initJSON)
	type result struct {
		OK      bool     `json:"ok"`
		Headers []string `json:"headers"`
	}
	ctx, cancel := context.WithTimeout(tab.Ctx, 30*time.Second)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[result](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch in Chromium: %v", err)
	}
	if out.OK {
		return chromiumResult{Allowed: true, Readable: out.Headers}
	}
	// The rejection and DevTools' loadingFailed travel separately: wait
	// for the failure to arrive.
	var f []browsertest.Failure
	poll.Check(t, 20*time.Second, func() error {
		if f = tab.Failures(); len(f) <= before {
			return fmt.Errorf("fetch %s rejected, but Chromium reported no failure", r.URL)
		}
		return nil
	})
	last := f[len(f)-1]
	if last.CorsError == "" {
		return chromiumResult{Error: fetch.ErrTypeError}
	}
	return chromiumResult{Error: last.CorsError, Param: last.FailedParameter}
}

// startNginxStack serves the probes' paths from nginx, configured as the
// usual guides do it: the allowed origin echoed, add_header … always, an
// `if` for OPTIONS, and redirects by `return`.
func startNginxStack(t *testing.T, h helpers) string {
	bin := serverproc.NginxPath()
	if bin == "" {
		t.Skip("nginx not installed (.ci/run tries nginx-light; optional, like the nginx export test)")
	}
	addr := serverproc.FreeAddr(t)
	cors := `
      add_header Access-Control-Allow-Origin ` + h.page + ` always;
      add_header Access-Control-Allow-Credentials true always;
      add_header Vary Origin always;`
	loc := func(match, body string) string {
		return `
    location ` + match + ` {
      if ($request_method = OPTIONS) {` + cors + `
        add_header Access-Control-Allow-Methods "GET, POST, PUT" always;
        add_header Access-Control-Allow-Headers "content-type" always;
        return 204;
      }` + cors + `
      add_header Access-Control-Expose-Headers X-Total always;
      ` + body + `
    }`
	}
	serverproc.Nginx(t, bin, addr, `  default_type application/json;
  server {
    listen `+addr+`;`+
		loc("/items", `add_header X-Total 3 always; return 200 '{"ok":true}';`)+
		loc("= /boom", `return 500;`)+
		loc("= /slash", `return 301 /items/;`)+
		loc("= /to-bare", `return 307 `+h.bare+`/data;`)+
		loc("= /to-star", `return 302 `+h.star+`/data;`)+
		loc("= /to-echo", `return 307 `+h.echo+`/data;`)+`
    location = /boom-plain {
      add_header Access-Control-Allow-Origin `+h.page+`;
      return 500;
    }`+
		loc("= /put307", `return 307 /items;`)+
		loc("= /post303", `return 303 /items;`)+`
  }`)
	return "http://" + addr
}

// startNode runs one of testdata/stacks/*.js, which serve the probes' paths
// with a Node framework and its CORS package (installed by npmtest).
func startNode(script string) func(t *testing.T, h helpers) string {
	return func(t *testing.T, h helpers) string {
		node, dir := npmtest.Dir(t)
		path, err := filepath.Abs(filepath.Join("testdata", "stacks", script))
		if err != nil {
			t.Fatal(err)
		}
		addr := serverproc.FreeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		serverproc.Start(t, addr, func() string { return "" }, "/usr/bin/env", "NODE_PATH="+filepath.Join(dir, "node_modules"),
			node, path, port, h.page, h.bare, h.star, h.echo)
		return "http://" + addr
	}
}

// pythonBin is Debian's python3, which has the packages .ci/run installs
// (python3-flask-cors, python3-django-cors-headers, python3-starlette,
// uvicorn).
const pythonBin = "/usr/bin/python3"

// startPython runs one of testdata/stacks/*.py, which serve the probes'
// paths; it skips when the interpreter or the module is missing.
func startPython(script, module string) func(t *testing.T, h helpers) string {
	return func(t *testing.T, h helpers) string {
		if out, err := exec.Command(pythonBin, "-c", "import "+module).CombinedOutput(); err != nil {
			t.Skipf("%s: no %s (apt-get install the Debian package): %s", pythonBin, module, strings.TrimSpace(string(out)))
		}
		path, err := filepath.Abs(filepath.Join("testdata", "stacks", script))
		if err != nil {
			t.Fatal(err)
		}
		addr := serverproc.FreeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		serverproc.Start(t, addr, nil, pythonBin, path, port, h.page, h.bare, h.star, h.echo)
		return "http://" + addr
	}
}

// startApacheStack is Apache httpd configured as the usual guides do it:
// Header always set, a RewriteRule answering preflights 204, redirects by
// RewriteRule; /items is proxied to the Go app.
func startApacheStack(t *testing.T, h helpers) string {
	const bin = "/usr/sbin/apache2"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("apache2 not installed")
	}
	backend := serveGo(t, app(h))
	addr := serverproc.FreeAddr(t)
	pre := `"expr=%{REQUEST_METHOD} == 'OPTIONS'"`
	serverproc.NewApache(t, bin, addr, `Header always set Access-Control-Allow-Origin "`+h.page+`"
Header always set Access-Control-Allow-Credentials "true"
Header always set Vary "Origin"
Header always set Access-Control-Allow-Methods "GET, POST, PUT" `+pre+`
Header always set Access-Control-Allow-Headers "content-type" `+pre+`
Header always set Access-Control-Expose-Headers "X-Total"
RewriteEngine On
RewriteCond %{REQUEST_METHOD} =OPTIONS
RewriteCond %{HTTP:Access-Control-Request-Method} !=""
RewriteRule ^ - [R=204,L]
RewriteRule ^/boom$ - [R=500,L]
RewriteRule ^/slash$ /items/ [R=301,L]
RewriteRule ^/to-bare$ `+h.bare+`/data [R=307,L]
RewriteRule ^/to-star$ `+h.star+`/data [R=302,L]
RewriteRule ^/to-echo$ `+h.echo+`/data [R=307,L]
RewriteRule ^/put307$ /items [R=307,L]
RewriteRule ^/post303$ /items [R=303,L]
ProxyPass / `+backend+`/
`).Start(t)
	return "http://" + addr
}

// startCaddyStack is Caddy configured with header, respond and redir.
func startCaddyStack(t *testing.T, h helpers) string {
	bin, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("caddy not installed")
	}
	addr := serverproc.FreeAddr(t)
	serverproc.Caddy(t, bin, addr, `	@preflight {
		method OPTIONS
		header Access-Control-Request-Method *
	}
	header Access-Control-Allow-Origin "`+h.page+`"
	header Access-Control-Allow-Credentials "true"
	header Vary "Origin"
	handle @preflight {
		header Access-Control-Allow-Methods "GET, POST, PUT"
		header Access-Control-Allow-Headers "content-type"
		respond 204
	}
	header Access-Control-Expose-Headers "X-Total"
	redir /slash /items/ 301
	redir /to-bare `+h.bare+`/data 307
	redir /to-star `+h.star+`/data 302
	redir /to-echo `+h.echo+`/data 307
	redir /put307 /items 307
	redir /post303 /items 303
	handle /boom {
		respond "boom" 500
	}
	handle /items* {
		header X-Total "3"
		header Content-Type "application/json"
		respond `+"`"+`{"ok":true}`+"`"+` 200
	}
`)
	return "http://" + addr
}
