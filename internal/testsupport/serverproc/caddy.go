package serverproc

import (
	"os"
	"path/filepath"
	"testing"
)

// Caddy runs Caddy (bin) until the test ends, serving site (the directives
// of the site block) at http://addr with no admin endpoint, no automatic
// HTTPS and its storage in a directory of the test's, and waits until addr
// accepts connections.
func Caddy(t testing.TB, bin, addr, site string) {
	t.Helper()
	dir := t.TempDir()
	conf := `{
	admin off
	auto_https off
	storage file_system ` + dir + `
}
http://` + addr + ` {
` + site + `}
`
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	Start(t, addr, func() string { return conf }, bin, "run", "--adapter", "caddyfile", "--config", path)
}
