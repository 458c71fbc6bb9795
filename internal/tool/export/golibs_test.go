package export_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	chicors "github.com/go-chi/cors"
	jub0bs "github.com/jub0bs/cors"

	"github.com/corslab/corslab/internal/tool/export"
)

// libPolicies are policies the Go libraries can say; each is served by the
// library, configured as export prints it, and must answer as site B does.
var libPolicies = map[string]string{
	"one origin with credentials": `{
		"preflight": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": "PUT, PATCH", "Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "600"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true",
			"Access-Control-Expose-Headers": "x-total"}}}`,
	"wildcard": `{
		"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT, DELETE", "Access-Control-Allow-Headers": "content-type, x-trace"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Total"}}}`,
	"simple requests only": `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`,
}

func TestJubCorsAnswersAsSiteB(t *testing.T) {
	for name, doc := range libPolicies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			j, warnings, err := export.JubCorsConfig(d)
			if err != nil || len(warnings) > 0 {
				t.Fatalf("%v %q", err, warnings)
			}
			m, err := jub0bs.NewMiddleware(jub0bs.Config{Origins: j.Origins, Credentialed: j.Credentialed, Methods: j.Methods,
				RequestHeaders: j.RequestHeaders, MaxAgeInSeconds: j.MaxAgeInSeconds, ResponseHeaders: j.ResponseHeaders,
				DangerouslyTolerateInsecureOrigins: j.DangerouslyTolerateInsecureOrigins})
			if err != nil {
				t.Fatalf("jub0bs/cors refuses the exported config: %v", err)
			}
			got := httptest.NewServer(m.Wrap(bareSiteB()))
			t.Cleanup(got.Close)
			compareMatrix(t, siteBServer(t, d).URL, got.URL, false)
			text, err := export.Render(d, "jub0bs-cors")
			if err != nil {
				t.Fatal(err)
			}
			if want := "Origins: " + goList(j.Origins) + ","; !strings.Contains(text, want) {
				t.Errorf("the snippet lacks %q:\n%s", want, text)
			}
		})
	}
}

func TestChiCorsAnswersAsSiteB(t *testing.T) {
	for name, doc := range libPolicies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			o, warnings, err := export.ChiCorsOptions(d)
			if err != nil || len(warnings) > 0 {
				t.Fatalf("%v %q", err, warnings)
			}
			opts := chicors.Options{AllowedOrigins: o.AllowedOrigins, AllowedMethods: o.AllowedMethods, AllowedHeaders: o.AllowedHeaders,
				ExposedHeaders: o.ExposedHeaders, AllowCredentials: o.AllowCredentials, MaxAge: o.MaxAge}
			if o.EchoAnyOrigin {
				opts.AllowOriginFunc = func(*http.Request, string) bool { return true }
			}
			got := httptest.NewServer(chicors.Handler(opts)(bareSiteB()))
			t.Cleanup(got.Close)
			compareMatrix(t, siteBServer(t, d).URL, got.URL, false)
			text, err := export.Render(d, "chi-cors")
			if err != nil {
				t.Fatal(err)
			}
			if want := "AllowedMethods: " + goList(o.AllowedMethods) + ","; !strings.Contains(text, want) {
				t.Errorf("the snippet lacks %q:\n%s", want, text)
			}
		})
	}
}

func goList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = `"` + v + `"`
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
