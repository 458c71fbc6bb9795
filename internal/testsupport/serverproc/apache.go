package serverproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Apache is an Apache httpd configuration written for a test and checked.
type Apache struct {
	bin, addr, dir, path string
}

// apacheModules are the modules every configuration loads: the event MPM,
// and what Header, RewriteRule and ProxyPass need.
var apacheModules = []string{"mpm_event", "authz_core", "headers", "rewrite", "proxy", "proxy_http"}

// NewApache writes a configuration for Apache httpd (bin) that keeps its
// files in a directory of the test's, listens on addr and serves vhost (the
// directives of a <VirtualHost> on addr), and checks it (apache2 -t): a bad
// one fails the test with Apache's words and the configuration.
func NewApache(t testing.TB, bin, addr, vhost string) *Apache {
	t.Helper()
	a := &Apache{bin: bin, addr: addr, dir: t.TempDir()}
	conf := `ServerRoot ` + a.dir + `
PidFile ` + a.dir + `/httpd.pid
ErrorLog ` + a.dir + `/error.log
LogLevel warn
Listen ` + addr + `
ServerName localhost
`
	for _, m := range apacheModules {
		conf += "LoadModule " + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n"
	}
	conf += "<VirtualHost " + addr + ">\n" + vhost + "</VirtualHost>\n"
	a.path = filepath.Join(a.dir, "httpd.conf")
	if err := os.WriteFile(a.path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-f", a.path).CombinedOutput(); err != nil {
		t.Fatalf("apache2 -t: %v\n%s\n%s", err, out, conf)
	}
	return a
}

// Start runs Apache in the foreground until the test ends, and waits until
// its address accepts connections.
func (a *Apache) Start(t testing.TB) {
	t.Helper()
	Start(t, a.addr, a.errorLog, a.bin, "-f", a.path, "-DFOREGROUND")
}

func (a *Apache) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(a.dir, "error.log"))
	return string(b)
}
