package export_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/tool/export"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, doc, format string
		want              []string // substrings of the output
		not               []string
		warnings          int // WARNING lines
	}{
		{"rs-cors echo", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "Content-Type, X-Trace", "Access-Control-Max-Age": "0"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Expose-Headers": "X-Total"}}}`, "rs-cors",
			[]string{"AllowOriginFunc: func(origin string) bool { return true }", `AllowedMethods: []string{"GET", "HEAD", "POST", "PUT"},`,
				`AllowedHeaders: []string{"content-type", "x-trace"},`, `ExposedHeaders: []string{"X-Total"},`, "MaxAge: -1, // sends Access-Control-Max-Age: 0", "handler := c.Handler(mux)"},
			[]string{"AllowCredentials", "OptionsSuccessStatus"}, 0},
		{"rs-cors preflight and actual differ", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`, "rs-cors",
			[]string{"WARNING: rs/cors sends the same Access-Control-Allow-Origin on preflights and actual responses", "AllowOriginFunc"}, nil, 1},
		{"rs-cors preflight only", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*"}}}`, "rs-cors",
			[]string{"WARNING: the policy sends Access-Control-Allow-Origin on preflights only", `AllowedOrigins: []string{"*"}`}, nil, 1},
		{"rs-cors multiple values", `{"actual": {"headers": {"Access-Control-Allow-Origin": ["http://a.example", "http://b.example"]}}}`, "rs-cors",
			[]string{"on 2 lines", `AllowedOrigins: []string{"http://a.example", "http://b.example"}`}, nil, 2},
		{"rs-cors two origins in one value", `{"actual": {"headers": {"Access-Control-Allow-Origin": "http://a.example http://b.example"}}}`, "rs-cors",
			[]string{"names several origins on one line", `AllowedOrigins: []string{"http://a.example", "http://b.example"}`}, nil, 2},
		{"rs-cors * with credentials", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"}}}`, "rs-cors",
			[]string{"Note: browsers refuse Access-Control-Allow-Origin: * on credentialed requests", "AllowCredentials: true,"}, nil, 0},
		{"rs-cors 3xx preflight", `{"preflight": {"status": 307, "headers": {"Location": "/x", "Access-Control-Allow-Origin": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`, "rs-cors",
			[]string{"cannot redirect a preflight"}, []string{"OptionsSuccessStatus", "send Location"}, 1},
		{"rs-cors any method, header * with credentials", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "{request-method}", "Access-Control-Allow-Headers": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`, "rs-cors",
			[]string{"no wildcard for methods", `"PATCH", "DELETE"`, "rs/cors answers \"*\" by echoing", "WARNING: INSECURE: this policy echoes any Origin with"}, nil, 3},
		{"rs-cors credentials on one side", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`, "rs-cors",
			[]string{"on the actual response only", "INSECURE"}, nil, 2},
		{"rs-cors preflight status 500", `{"preflight": {"status": 500, "headers": {"Access-Control-Allow-Origin": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`, "rs-cors",
			[]string{"OptionsSuccessStatus: 500,"}, nil, 0},

		{"express cors package", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "GET, PUT", "Access-Control-Allow-Credentials": "true", "Access-Control-Max-Age": "600"}},
			"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "X-Total"}}}`, "express",
			[]string{`const cors = require("cors");`, "origin: true", `methods: ["GET", "PUT"],`, "allowedHeaders: [] /* none", `exposedHeaders: ["X-Total"],`, "credentials: true,", "maxAge: 600,", "optionsSuccessStatus: 204,", "INSECURE"},
			[]string{"setHeader"}, 1},
		{"express echoed headers, * literally", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "{request-headers}"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`, "express",
			[]string{`origin: "*"`, "methods: [] /* none"}, []string{"allowedHeaders"}, 0},
		{"express plain middleware", `{"preflight": {"status": 307, "headers": {"Location": "https://{origin}/x", "Access-Control-Allow-Origin": ["{origin}", "*"]}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*", "X-Note": "a` + "`" + `b"}}}`, "express",
			[]string{"plain Express middleware", "the cors package cannot express this policy", `setHeader(res, "Access-Control-Allow-Origin", req.get("Origin"), "*");`,
				"setHeader(res, \"Location\", `https://${req.get(\"Origin\") ?? \"\"}/x`);", "return res.status(307).end();", `setHeader(res, "X-Note", "a` + "`" + `b");`}, []string{"require(\"cors\")"}, 0},

		{"nginx", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Headers": "{request-headers}"}}, "actual": {"headers": {"Access-Control-Allow-Origin": ["*", "{origin}"], "X-Price": "$5 \"each\""}}}`, "nginx",
			[]string{`add_header Access-Control-Allow-Origin "${http_origin}" always;`, `add_header Access-Control-Allow-Headers "${http_access_control_request_headers}" always;`,
				"return 204;", `add_header Access-Control-Allow-Origin "*" always;`, `add_header X-Price "${cors_dollar}5 \"each\"" always;`, `geo $cors_dollar { default "$"; }`, `map "$request_method:$http_access_control_request_method" $cors_preflight`}, nil, 0},
		{"nginx redirect", `{"preflight": {"status": 308, "headers": {"Location": "http://x.example/{request-method}"}}}`, "nginx",
			[]string{`return 308 "http://x.example/${http_access_control_request_method}";`}, []string{"add_header Location"}, 0},

		{"headers", `{"preflight": {"status": 200, "headers": {"access-control-allow-origin": "{origin}"}}, "actual": {"headers": {"Vary": ["Origin", "Accept"]}}}`, "headers",
			[]string{"HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: {origin}\n", "Vary: Origin\nVary: Accept\n"}, nil, 0},
		{"headers, empty policy", `{}`, "headers", []string{"HTTP/1.1 204 No Content\n# (no headers)"}, nil, 0},

		// Insecure policies, whatever the stack (issue 16).
		{"headers: echoed origin without Vary", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`, "headers",
			[]string{"WARNING: the answer depends on the request's Origin but the policy sends no Vary: Origin"}, nil, 1},
		{"headers: echoed origin with Vary", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Vary": "Accept, Origin"}}}`, "headers", nil, nil, 0},
		{"nginx: echoed origin gets Vary: Origin and always", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`, "nginx",
			[]string{`add_header Access-Control-Allow-Origin "${http_origin}" always;`, "add_header Vary Origin always;"}, []string{"WARNING"}, 0},
		{"nginx: null allowed", `{"actual": {"headers": {"Access-Control-Allow-Origin": "null"}}}`, "nginx",
			[]string{"WARNING: INSECURE: Access-Control-Allow-Origin: null"}, []string{"add_header Vary"}, 1},
		{"rs-cors: reflected with credentials", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`, "rs-cors",
			[]string{"WARNING: INSECURE: this policy echoes any Origin", "lesson 12"}, []string{"Vary: Origin"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDoc(t, tt.doc)
			out, err := export.Render(d, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			flat := strings.Join(strings.Fields(strings.NewReplacer("\n// ", " ", "\n# ", " ").Replace(out)), " ")
			for _, w := range tt.want {
				if !strings.Contains(out, w) && !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
			if got := strings.Count(out, "WARNING:"); got != tt.warnings {
				t.Errorf("%d warnings, want %d:\n%s", got, tt.warnings, out)
			}
			for _, line := range strings.Split(out, "\n") {
				if (strings.HasPrefix(line, "//") || strings.HasPrefix(line, "#")) && len(line) > 80 && !strings.Contains(line, "(OPTIONS with") {
					t.Errorf("comment line longer than 80: %q", line)
				}
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	empty := policy.Document{}
	for _, f := range []string{"rs-cors", "express", "nginx"} {
		if _, err := export.Render(empty, f); !errors.Is(err, export.ErrNothing) {
			t.Errorf("%s of the empty policy: %v, want ErrNothing", f, err)
		}
	}
	if _, err := export.Render(empty, "tomcat"); err == nil || !strings.Contains(err.Error(), `unknown format "tomcat" (want rs-cors, express, nginx, headers, spring`) {
		t.Errorf("unknown format: %v", err)
	}
	bad := policy.Document{Actual: policy.ActualRule{Headers: policy.Headers{"X": {"a\nb"}}}}
	if _, err := export.Render(bad, "headers"); err == nil {
		t.Error("an invalid document rendered")
	}
}
