package export_test

import (
	"bufio"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/tool/export"
)

// startExpress runs the export's Express snippet in a real Express app
// (node, with express and cors from CORSLAB_EXPRESS_DIR/node_modules) in
// front of backend, until the test ends.
func startExpress(t *testing.T, dir, snippet, backend string) string {
	t.Helper()
	port := strings.TrimPrefix(backend, "http://127.0.0.1:")
	js := `const express = require("express");
const http = require("http");
const app = express();
app.disable("x-powered-by");
app.disable("etag");
` + snippet + `
// The app behind: site B's bare API.
app.use((req, res) => {
  const up = http.request({ host: "127.0.0.1", port: ` + port + `, path: req.url, method: req.method, headers: req.headers }, (r) => {
    for (const [k, v] of Object.entries(r.headers)) {
      if (!["connection", "keep-alive", "transfer-encoding", "date"].includes(k)) res.setHeader(k, v);
    }
    res.status(r.statusCode);
    r.pipe(res);
  });
  req.pipe(up);
});
const srv = app.listen(0, "127.0.0.1", () => console.log(srv.address().port));
`
	path := filepath.Join(t.TempDir(), "server.js")
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", path)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case p := <-line:
		if p == "" {
			t.Fatalf("node did not start:\n%s", js)
		}
		return "http://127.0.0.1:" + p
	case <-time.After(10 * time.Second):
		t.Fatal("node did not start within 10s")
	}
	return ""
}

// The Express export in a real Express app answers as site B does: the cors
// package's options where they can say the policy, plain middleware where
// not. Optional: set CORSLAB_EXPRESS_DIR to a directory where
// `npm install express cors` was run.
func TestExpressAnswersAsSiteB(t *testing.T) {
	dir := os.Getenv("CORSLAB_EXPRESS_DIR")
	if dir == "" {
		t.Skip("set CORSLAB_EXPRESS_DIR to a directory with node_modules/express and node_modules/cors to run this optional test")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	policies := map[string]string{
		"cors package: echo": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "GET, PUT, DELETE",
				"Access-Control-Allow-Headers": "content-type, x-trace", "Access-Control-Max-Age": "600"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Expose-Headers": "X-Total"}}}`,
		"cors package: one origin, credentials": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods": "PUT, PATCH"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true"}}}`,
		"cors package: * with credentials (bug)": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "*", "Access-Control-Allow-Headers": "{request-headers}"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"}}}`,
		"cors package: two origins on one line (bug)": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070, http://evil.example", "Access-Control-Allow-Methods": "PUT"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070, http://evil.example"}}}`,
		"plain: preflight only (bug)": `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT, DELETE, PATCH"}}}`,
		"plain: two ACAO lines (bug)": `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "{request-method}"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": ["{origin}", "*"]}}}`,
		"plain: redirected preflight (bug)": `{"preflight": {"status": 307, "headers": {"Location": "/elsewhere", "Access-Control-Allow-Origin": "*"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "*", "X-Extra": "1"}}}`,
	}
	for name, doc := range policies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			snippet, err := export.Render(d, "express")
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(name, "plain") != strings.Contains(snippet, "function setHeader(res") {
				t.Fatalf("want the %s form:\n%s", strings.SplitN(name, ":", 2)[0], snippet)
			}
			backend := httptest.NewServer(bareSiteB())
			t.Cleanup(backend.Close)
			got := startExpress(t, dir, snippet, backend.URL)
			compareMatrix(t, siteBServer(t, d).URL, got, true)
		})
	}
}
