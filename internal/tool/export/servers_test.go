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

// serveProcess starts a server process that listens on addr and waits until
// it accepts connections; log returns what it wrote so far.
func serveProcess(t *testing.T, addr string, log func() string, name string, args ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no server processes")
	}
	serverproc.Start(t, addr, log, name, args...)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestApacheAnswersAsSiteB serves the apache output with a real httpd in
// front of site B's bare API.
func TestApacheAnswersAsSiteB(t *testing.T) {
	bin, err := exec.LookPath("/usr/sbin/apache2")
	if err != nil {
		t.Skip("apache2 not installed (apt-get install apache2); this test is optional")
	}
	mods := "/usr/lib/apache2/modules"
	for name, doc := range headerPolicies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			a, err := export.ApacheConfig(d)
			if err != nil {
				t.Fatal(err)
			}
			backend := httptest.NewServer(bareSiteB())
			t.Cleanup(backend.Close)
			dir := t.TempDir()
			addr := freeAddr(t)
			conf := `ServerRoot ` + dir + `
PidFile ` + dir + `/httpd.pid
ErrorLog ` + dir + `/error.log
LogLevel warn
Listen ` + addr + `
ServerName localhost
LoadModule mpm_event_module ` + mods + `/mod_mpm_event.so
LoadModule authz_core_module ` + mods + `/mod_authz_core.so
LoadModule headers_module ` + mods + `/mod_headers.so
LoadModule rewrite_module ` + mods + `/mod_rewrite.so
LoadModule proxy_module ` + mods + `/mod_proxy.so
LoadModule proxy_http_module ` + mods + `/mod_proxy_http.so
<VirtualHost ` + addr + `>
` + a.Directives + `
ProxyPass / ` + backend.URL + `/
</VirtualHost>
`
			path := filepath.Join(dir, "httpd.conf")
			if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "-t", "-f", path).CombinedOutput(); err != nil {
				t.Fatalf("apache2 -t: %v\n%s\n%s", err, out, conf)
			}
			serveProcess(t, addr, func() string { b, _ := os.ReadFile(dir + "/error.log"); return string(b) }, bin, "-f", path, "-DFOREGROUND")
			compareMatrix(t, siteBServer(t, d).URL, "http://"+addr, true)
			text, err := export.Render(d, "apache")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, a.Directives) {
				t.Errorf("the printed directives differ from the tested ones:\n%s", text)
			}
		})
	}
}

// TestCaddyAnswersAsSiteB serves the caddy output with a real Caddy in front
// of site B's bare API.
func TestCaddyAnswersAsSiteB(t *testing.T) {
	bin, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("caddy not installed (apt-get install caddy); this test is optional")
	}
	for name, doc := range headerPolicies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			c, err := export.CaddyConfig(d)
			if err != nil {
				t.Fatal(err)
			}
			backend := httptest.NewServer(bareSiteB())
			t.Cleanup(backend.Close)
			dir := t.TempDir()
			addr := freeAddr(t)
			conf := `{
	admin off
	auto_https off
	storage file_system ` + dir + `
}
http://` + addr + ` {
` + c.Site + `
	reverse_proxy ` + strings.TrimPrefix(backend.URL, "http://") + `
}
`
			path := filepath.Join(dir, "Caddyfile")
			if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			serveProcess(t, addr, func() string { return conf }, bin, "run", "--adapter", "caddyfile", "--config", path)
			compareMatrix(t, siteBServer(t, d).URL, "http://"+addr, true)
			text, err := export.Render(d, "caddy")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, c.Site) {
				t.Errorf("the printed directives differ from the tested ones:\n%s", text)
			}
		})
	}
}
