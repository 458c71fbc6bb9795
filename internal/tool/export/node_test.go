package export_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/testsupport/npmtest"
	"github.com/corslab/corslab/internal/tool/export"
)

// TestNodeStacksAnswerAsSiteB serves the express, fastify and koa output for
// real: the printed text runs in the stack's app (testdata/serve_node.js) in
// front of site B's bare API, and must answer as site B does. Skipped where
// Node or the npm packages are missing (see npmtest).
func TestNodeStacksAnswerAsSiteB(t *testing.T) {
	node, dir := npmtest.Dir(t)
	policies := map[string]string{}
	for k, v := range libPolicies {
		policies[k] = v
	}
	for k, v := range headerPolicies { // Express says these with plain middleware
		policies["headers: "+k] = v
	}
	for _, format := range []string{"express", "fastify", "koa"} {
		t.Run(format, func(t *testing.T) {
			for name, doc := range policies {
				if format != "express" && strings.HasPrefix(name, "headers: ") {
					continue
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					d := mustDoc(t, doc)
					text, err := export.Render(d, format)
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(text, "WARNING") && !strings.Contains(text, "WARNING: INSECURE") {
						t.Skipf("%s cannot say this policy; its WARNING lines say how it differs", format)
					}
					snippetAnswersAsSiteB(t, d, format, text, "serve_node.js", "/usr/bin/env", "NODE_PATH="+filepath.Join(dir, "node_modules"), node)
				})
			}
		})
	}
}
