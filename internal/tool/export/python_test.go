package export_test

import (
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/testsupport/serverproc"
	"github.com/corslab/corslab/internal/tool/export"
)

// TestPythonStacksAnswerAsSiteB serves the flask-cors, django and fastapi
// output for real: the printed text runs in the stack's app
// (testdata/serve_python.py) in front of site B's bare API, and must answer
// as site B does. Skipped where Debian's python3 lacks the packages
// (python3-flask-cors, python3-django-cors-headers, python3-starlette,
// uvicorn: .ci/run installs them).
func TestPythonStacksAnswerAsSiteB(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no Python servers")
	}
	for _, st := range []struct{ format, module string }{
		{"flask-cors", "flask_cors"}, {"django", "corsheaders"}, {"fastapi", "starlette.middleware.cors, uvicorn"},
	} {
		t.Run(st.format, func(t *testing.T) {
			if out, err := exec.Command("/usr/bin/python3", "-c", "import "+st.module).CombinedOutput(); err != nil {
				t.Skipf("no %s: %s", st.module, out)
			}
			for name, doc := range libPolicies {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					d := mustDoc(t, doc)
					text, err := export.Render(d, st.format)
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(text, "WARNING") {
						t.Skipf("%s cannot say this policy; its WARNING lines say how it differs", st.format)
					}
					dir := t.TempDir()
					snippet := filepath.Join(dir, "snippet.py")
					if err := os.WriteFile(snippet, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
					backend := httptest.NewServer(bareSiteB())
					t.Cleanup(backend.Close)
					addr := serverproc.FreeAddr(t)
					_, port, _ := net.SplitHostPort(addr)
					script, _ := filepath.Abs(filepath.Join("testdata", "serve_python.py"))
					serveProcess(t, addr, func() string { return text }, "/usr/bin/python3", script, st.format, port, backend.URL, snippet)
					compareMatrix(t, siteBServer(t, d).URL, "http://"+addr, false)
				})
			}
		})
	}
}
