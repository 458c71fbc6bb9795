package export_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gincors "github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
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

// TestGinCorsAnswersAsSiteB serves the gin export for real: gin with
// gin-contrib/cors configured as the printed text says, in front of site B's
// bare API (gin's NoRoute, which router.Use covers too).
func TestGinCorsAnswersAsSiteB(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for name, doc := range libPolicies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			g, warnings, err := export.GinCorsConfig(d)
			if err != nil || len(warnings) > 0 {
				t.Fatalf("%v %q", err, warnings)
			}
			cfg := gincors.Config{AllowAllOrigins: g.AllowAllOrigins, AllowOrigins: g.AllowOrigins, AllowMethods: g.AllowMethods,
				AllowHeaders: g.AllowHeaders, ExposeHeaders: g.ExposeHeaders, AllowCredentials: g.AllowCredentials,
				MaxAge: time.Duration(g.MaxAge) * time.Second}
			if g.EchoAnyOrigin {
				cfg.AllowOriginFunc = func(string) bool { return true }
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("gin-contrib/cors refuses the exported config: %v", err)
			}
			r := gin.New()
			r.Use(gincors.New(cfg))
			r.NoRoute(gin.WrapH(bareSiteB()))
			got := httptest.NewServer(r)
			t.Cleanup(got.Close)
			compareMatrix(t, siteBServer(t, d).URL, got.URL, false)
			text, err := export.Render(d, "gin")
			if err != nil {
				t.Fatal(err)
			}
			origins := "AllowAllOrigins: true,"
			if !g.AllowAllOrigins {
				origins = "AllowOrigins: " + goList(g.AllowOrigins) + ","
			}
			for _, want := range []string{origins, "AllowMethods: " + goList(g.AllowMethods) + ","} {
				if !strings.Contains(text, want) {
					t.Errorf("the snippet lacks %q:\n%s", want, text)
				}
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
