package export_test

import (
	"testing"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/testsupport/serverproc"
	"github.com/corslab/corslab/internal/tool/export"
)

// startNginx serves n in front of backend with a real nginx, until the test ends.
func startNginx(t *testing.T, bin string, n export.Nginx, backend string) string {
	t.Helper()
	addr := serverproc.FreeAddr(t)
	serverproc.Nginx(t, bin, addr, n.HTTP+`
  server {
    listen `+addr+`;
    location / {
`+n.Location+`
      proxy_pass `+backend+`;
    }
  }`)
	return "http://" + addr
}

// nginx sends every policy exactly, bugs included: a real nginx configured
// from the export, in front of site B's bare API, gets the very verdicts
// site B gets under the policy.
func TestNginxAnswersAsSiteB(t *testing.T) {
	bin := serverproc.NginxPath()
	if bin == "" {
		t.Skip("nginx not installed (apt-get install nginx-light); this test is optional")
	}
	answersAsSiteB(t, "nginx", func(t *testing.T, d policy.Document, backend string) (string, []string) {
		n, err := export.NginxConfig(d)
		if err != nil {
			t.Fatal(err)
		}
		return startNginx(t, bin, n, backend), []string{n.HTTP, n.Location}
	})
}

// headerPolicies are served by the stacks that set headers as told
// (nginx, Apache, Caddy): each must answer exactly as site B does.
var headerPolicies = map[string]string{
	"echo, methods, headers, expose, max-age": `{
		"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "GET, PUT, DELETE",
			"Access-Control-Allow-Headers": "content-type, x-trace", "Access-Control-Max-Age": "600"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Expose-Headers": "X-Total"}}}`,
	"one origin with credentials": `{
		"preflight": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": "PUT, PATCH", "Access-Control-Allow-Headers": "content-type"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true"}}}`,
	"two ACAO lines (bug)":          `{"actual": {"headers": {"Access-Control-Allow-Origin": ["{origin}", "*"]}}}`,
	"two origins on one line (bug)": `{"actual": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070, http://evil.example"}}}`,
	"preflight only (bug)": `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT, DELETE, PATCH",
		"Access-Control-Allow-Headers": "*"}}}`,
	"redirected preflight (bug)": `{"preflight": {"status": 307, "headers": {"Location": "/elsewhere", "Access-Control-Allow-Origin": "*"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`,
	"no preflight headers": `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`,
	"star with credentials, echoed method (bug)": `{
		"preflight": {"status": 200, "headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": "{request-method}", "Access-Control-Allow-Headers": "*", "Vary": ["Origin", "Access-Control-Request-Headers"]}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true", "X-Note": "cost $5 \"each\""}}}`,
	"preflights refused with 500": `{"preflight": {"status": 500, "headers": {"Access-Control-Allow-Origin": "*"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`,
}
