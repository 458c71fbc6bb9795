// Package npmtest gives tests a directory whose node_modules holds the npm
// packages they serve for real (Express, Fastify, Koa and their CORS
// packages): $CORSLAB_NPM_DIR, where .ci/run installs them, else one
// installed once with npm into the user's cache directory. Tests skip where
// Node or npm is missing — or, under CI, where .ci/run did not set
// CORSLAB_NPM_DIR — and fail under CI when it did but Node is missing. Under
// -short they skip.
package npmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Packages are the npm packages installed, at the versions the tests know.
// axe-core is the accessibility engine the page is audited with
// (internal/lab's TestAccessibilityAudit).
var Packages = []string{"express@4", "cors@2", "fastify@4", "@fastify/cors@9", "koa@2", "@koa/cors@5", "axe-core@4"}

var installing sync.Mutex

// Dir returns node and a directory with node_modules holding Packages.
func Dir(t testing.TB) (node, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no Node servers")
	}
	ci := os.Getenv("CI") == "true"
	node, err := exec.LookPath("node")
	if err != nil {
		if ci && os.Getenv("CORSLAB_NPM_DIR") != "" {
			t.Fatal("node required: CORSLAB_NPM_DIR is set")
		}
		t.Skip("node not installed")
	}
	if dir = os.Getenv("CORSLAB_NPM_DIR"); dir != "" {
		return node, dir
	}
	if ci {
		t.Skip("CORSLAB_NPM_DIR not set: .ci/run did not install the npm packages")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm not installed")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	dir = filepath.Join(cache, "corslab-test-npm")
	installing.Lock()
	defer installing.Unlock()
	missing := false
	for _, p := range Packages {
		name := p[:strings.LastIndexByte(p, '@')]
		if _, err := os.Stat(filepath.Join(dir, "node_modules", name, "package.json")); err != nil {
			missing = true
		}
	}
	if missing {
		args := append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund"}, Packages...)
		if out, err := exec.Command(npm, args...).CombinedOutput(); err != nil {
			t.Skipf("npm install: %v\n%s", err, out)
		}
	}
	return node, dir
}
