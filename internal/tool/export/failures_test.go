package export_test

import (
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/tool/export"
)

// TestFailureWarnings: every failure path a policy names becomes a WARNING
// in every format, in that stack's words; a policy without failures gets
// none of them.
func TestFailureWarnings(t *testing.T) {
	const base = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "http://a.example"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "http://a.example"}%s}}`
	tests := []struct {
		failure, format string
		want            string // the stack's own advice
	}{
		{"", "nginx", ""},
		{policy.FailErrorWithoutCORS, "nginx", "This output keeps them there: add_header … always"},
		{policy.FailErrorWithoutCORS, "apache", "Header always set"},
		{policy.FailErrorWithoutCORS, "fastapi", "ServerErrorMiddleware"},
		{policy.FailErrorWithoutCORS, "rs-cors", "Keep the CORS layer outermost"},
		{policy.FailAuthBeforeCORS, "express", "app.use(cors(...)) before app.use(auth)"},
		{policy.FailAuthBeforeCORS, "aspnet", "app.UseCors() before app.UseAuthentication()"},
		{policy.FailAuthBeforeCORS, "nginx", "before auth_basic and auth_request"},
		{policy.FailAuthAfterCORS, "rs-cors", "keep that order"},
		{policy.FailAuthAfterCORS, "headers", "before any authentication"},
		{policy.FailRedirectTrailingSlash, "gin", "RedirectTrailingSlash = false"},
		{policy.FailRedirectTrailingSlash, "django", "APPEND_SLASH = False"},
		{policy.FailRedirectTrailingSlash, "koa", "put the CORS layer before the layer that redirects"},
		{policy.FailRedirectHTTPS, "caddy", "automatic http→https redirect"},
		{policy.FailRedirectHTTPS, "spring", "never sees an http: request"},
	}
	for _, tt := range tests {
		t.Run(tt.failure+"/"+tt.format, func(t *testing.T) {
			extra := ""
			if tt.failure != "" {
				extra = `, "failures": ["` + tt.failure + `"]`
			}
			doc, err := policy.ParseDocument([]byte(strings.Replace(base, "%s", extra, 1)))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range export.Formats {
				out, err := export.Render(doc, f)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				flat := strings.Join(strings.Fields(strings.NewReplacer("\n# ", " ", "\n// ", " ").Replace(out)), " ")
				if tt.failure == "" {
					if strings.Contains(flat, "actual.failures") {
						t.Errorf("%s: a failure warning without failures:\n%s", f, out)
					}
					continue
				}
				if !strings.Contains(flat, "WARNING: ") || !strings.Contains(flat, "actual.failures "+tt.failure+")") {
					t.Errorf("%s: no warning for %s:\n%s", f, tt.failure, out)
				}
				if f == tt.format && !strings.Contains(flat, tt.want) {
					t.Errorf("%s: want %q in:\n%s", f, tt.want, out)
				}
			}
		})
	}
}
