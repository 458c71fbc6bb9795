package serverproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NginxPath finds nginx: $CORSLAB_NGINX, /usr/sbin/nginx, or nginx on the
// PATH; "" when there is none.
func NginxPath() string {
	for _, p := range []string{os.Getenv("CORSLAB_NGINX"), "/usr/sbin/nginx", "nginx"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// Nginx runs nginx (bin) in the foreground until the test ends, with http
// as its http block after the settings that keep every file nginx writes in
// a directory of the test's, and waits until addr (where http listens)
// accepts connections. The configuration is checked first (nginx -t): a bad
// one fails the test with nginx's words and the configuration.
func Nginx(t testing.TB, bin, addr, http string) {
	t.Helper()
	dir := t.TempDir()
	conf := `daemon off;
master_process off;
worker_processes 1;
pid ` + dir + `/nginx.pid;
error_log ` + dir + `/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ` + dir + `/body;
  proxy_temp_path ` + dir + `/proxy;
  fastcgi_temp_path ` + dir + `/fastcgi;
  uwsgi_temp_path ` + dir + `/uwsgi;
  scgi_temp_path ` + dir + `/scgi;
` + http + `
}
`
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-p", dir, "-e", dir+"/error.log", "-c", path).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, out, conf)
	}
	Start(t, addr, func() string { b, _ := os.ReadFile(dir + "/error.log"); return string(b) }, bin, "-p", dir, "-e", dir+"/error.log", "-c", path)
}
