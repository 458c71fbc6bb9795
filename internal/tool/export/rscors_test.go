package export_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/cors"

	"github.com/corslab/corslab/internal/tool/export"
)

// options turns the fields the rs-cors export prints into real cors.Options.
func options(o export.RSCors) cors.Options {
	c := cors.Options{
		AllowedOrigins:       o.AllowedOrigins,
		AllowedMethods:       o.AllowedMethods,
		AllowedHeaders:       o.AllowedHeaders,
		ExposedHeaders:       o.ExposedHeaders,
		AllowCredentials:     o.AllowCredentials,
		MaxAge:               o.MaxAge,
		OptionsSuccessStatus: o.OptionsSuccessStatus,
	}
	if o.EchoAnyOrigin {
		c.AllowOriginFunc = func(string) bool { return true }
	}
	return c
}

// Policies rs/cors can express: a real rs/cors server configured from the
// export answers every probe of the matrix as site B does under the policy.
func TestRSCorsAnswersAsSiteB(t *testing.T) {
	policies := map[string]string{
		"echo, several methods and headers, expose, max-age": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "GET, PUT, DELETE",
				"Access-Control-Allow-Headers": "content-type, x-trace", "Access-Control-Max-Age": "600"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Expose-Headers": "X-Total"}}}`,
		"wildcard": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "Content-Type"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`,
		"one origin with credentials": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods": "PUT, PATCH", "Access-Control-Allow-Headers": "content-type"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "http://localhost:7070", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers": "x-total"}}}`,
		"wildcard with credentials": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "PUT"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"}}}`,
		"echoed request headers": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "DELETE",
				"Access-Control-Allow-Headers": "{request-headers}", "Access-Control-Allow-Credentials": "true"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`,
		"no request headers allowed": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT, DELETE", "Access-Control-Max-Age": "0"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Vary": "Origin"}}}`,
		"any header without credentials": `{
			"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Allow-Methods": "PUT"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "*"}}}`,
		"preflights refused with 403": `{
			"preflight": {"status": 403, "headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`,
		"simple requests only": `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`,
	}
	for name, doc := range policies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := mustDoc(t, doc)
			o, warnings, _, err := export.RSCorsOptions(d)
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) > 0 {
				t.Fatalf("warnings for a policy rs/cors can express: %q", warnings)
			}
			want := siteBServer(t, d)
			got := httptest.NewServer(cors.New(options(o)).Handler(bareSiteB()))
			t.Cleanup(got.Close)
			compareMatrix(t, want.URL, got.URL, false)

			// The printed snippet says what the tested options are.
			text, err := export.Render(d, "rs-cors")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range snippetLines(o) {
				if !strings.Contains(text, want) {
					t.Errorf("the snippet lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

// snippetLines are lines the printed snippet must have for o.
func snippetLines(o export.RSCors) []string {
	q := func(s []string) string {
		parts := make([]string, len(s))
		for i, v := range s {
			parts[i] = `"` + v + `"`
		}
		return "[]string{" + strings.Join(parts, ", ") + "}"
	}
	lines := []string{"AllowedMethods: " + q(o.AllowedMethods) + ",", "AllowedHeaders: " + q(o.AllowedHeaders) + ","}
	if o.EchoAnyOrigin {
		lines = append(lines, "AllowOriginFunc: func(origin string) bool { return true }")
	} else {
		lines = append(lines, "AllowedOrigins: "+q(o.AllowedOrigins)+",")
	}
	if len(o.ExposedHeaders) > 0 {
		lines = append(lines, "ExposedHeaders: "+q(o.ExposedHeaders)+",")
	}
	if o.AllowCredentials {
		lines = append(lines, "AllowCredentials: true,")
	}
	return lines
}
