package export_test

import (
	"os/exec"
	"strings"
	"testing"

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
					snippetAnswersAsSiteB(t, d, st.format, text, "serve_python.py", "/usr/bin/python3")
				})
			}
		})
	}
}
