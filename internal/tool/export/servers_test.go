package export_test

import (
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/testsupport/serverproc"
	"github.com/corslab/corslab/internal/tool/export"
)

// serveProcess starts a server process that listens on addr and waits until
// it accepts connections; log returns what it wrote so far.
func serveProcess(t *testing.T, addr string, log func() string, name string, args ...string) {
	t.Helper()
	skipServers(t)
	serverproc.Start(t, addr, log, name, args...)
}

// skipServers skips the test under -short, before it starts a server process.
func skipServers(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no server processes")
	}
}

// snippetAnswersAsSiteB runs text, format's printed export, in the
// stack's app testdata/script (run by cmd, the interpreter and what comes
// before the script) in front of site B's bare API, and checks that it
// answers as site B does under d.
func snippetAnswersAsSiteB(t *testing.T, d policy.Document, format, text, script string, cmd ...string) {
	t.Helper()
	snippet := filepath.Join(t.TempDir(), "snippet"+filepath.Ext(script))
	if err := os.WriteFile(snippet, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	backend := httptest.NewServer(bareSiteB())
	t.Cleanup(backend.Close)
	addr := serverproc.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	script, _ = filepath.Abs(filepath.Join("testdata", script))
	args := append(cmd[1:len(cmd):len(cmd)], script, format, port, backend.URL, snippet)
	serveProcess(t, addr, func() string { return text }, cmd[0], args...)
	compareMatrix(t, siteBServer(t, d).URL, "http://"+addr, false)
}

// answersAsSiteB runs, for each of headerPolicies in a parallel subtest,
// a real server configured from the export in format: serve starts it in
// front of backend (site B's bare API) and returns its base URL and the
// directives it was configured with. It must answer exactly as site B does
// under the policy, and the printed export must hold those directives.
func answersAsSiteB(t *testing.T, format string, serve func(t *testing.T, d policy.Document, backend string) (base string, directives []string)) {
	for name, doc := range headerPolicies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			backend := httptest.NewServer(bareSiteB())
			t.Cleanup(backend.Close)
			got, directives := serve(t, d, backend.URL)
			compareMatrix(t, siteBServer(t, d).URL, got, true)
			text, err := export.Render(d, format)
			if err != nil {
				t.Fatal(err)
			}
			for _, dir := range directives {
				if !strings.Contains(text, dir) {
					t.Errorf("the printed directives differ from the tested ones:\n%s", text)
					break
				}
			}
		})
	}
}

// TestApacheAnswersAsSiteB serves the apache output with a real httpd in
// front of site B's bare API.
func TestApacheAnswersAsSiteB(t *testing.T) {
	bin, err := exec.LookPath("/usr/sbin/apache2")
	if err != nil {
		t.Skip("apache2 not installed (apt-get install apache2); this test is optional")
	}
	answersAsSiteB(t, "apache", func(t *testing.T, d policy.Document, backend string) (string, []string) {
		a, err := export.ApacheConfig(d)
		if err != nil {
			t.Fatal(err)
		}
		addr := serverproc.FreeAddr(t)
		apache := serverproc.NewApache(t, bin, addr, a.Directives+`
ProxyPass / `+backend+`/
`)
		skipServers(t)
		apache.Start(t)
		return "http://" + addr, []string{a.Directives}
	})
}

// TestCaddyAnswersAsSiteB serves the caddy output with a real Caddy in front
// of site B's bare API.
func TestCaddyAnswersAsSiteB(t *testing.T) {
	bin, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("caddy not installed (apt-get install caddy); this test is optional")
	}
	answersAsSiteB(t, "caddy", func(t *testing.T, d policy.Document, backend string) (string, []string) {
		c, err := export.CaddyConfig(d)
		if err != nil {
			t.Fatal(err)
		}
		addr := serverproc.FreeAddr(t)
		skipServers(t)
		serverproc.Caddy(t, bin, addr, c.Site+`
	reverse_proxy `+strings.TrimPrefix(backend, "http://")+`
`)
		return "http://" + addr, []string{c.Site}
	})
}
