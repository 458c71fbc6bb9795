package siteA

import (
	"net/http"
	"testing"
)

// The page's Content-Security-Policy names site B's origin and both
// websockets on the host the page was loaded from, and frames nothing in
// from elsewhere nor lets anyone else frame it.
func TestPageSecurityHeaders(t *testing.T) {
	const rest = "; img-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
	const head = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'"
	tests := []struct {
		host, want string
	}{
		{"localhost:7070", head + " http://localhost:7071 ws://localhost:7070 ws://localhost:7071" + rest},
		{"127.0.0.1:7070", head + " http://127.0.0.1:7071 ws://127.0.0.1:7070 ws://127.0.0.1:7071" + rest},
		// No source can name an IPv6 literal: site B by its port alone.
		{"[::1]:7070", head + " http://*:7071 ws://*:7071" + rest},
		{"[::1]", head + " http://*:7071 ws://*:7071" + rest},
		{"lab.school.example:8080", head + " http://lab.school.example:7071 ws://lab.school.example:8080 ws://lab.school.example:7071" + rest},
		{"localhost", head + " http://localhost:7071 ws://localhost ws://localhost:7071" + rest}, // site A on port 80
		// A Host that could smuggle a directive in names nothing beyond 'self'.
		{"a;script-src:80", head + rest},
		{"a b:80", head + rest},
	}
	l := newLab(t, 64, nil, nil)
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			req, _ := http.NewRequest("GET", l.ts.URL+"/", nil)
			req.Host = tt.host
			resp, err := l.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / with Host %q: %s", tt.host, resp.Status)
			}
			if got := resp.Header.Get("Content-Security-Policy"); got != tt.want {
				t.Errorf("Content-Security-Policy =\n %s\nwant\n %s", got, tt.want)
			}
			if got := resp.Header.Get("X-Frame-Options"); got != "SAMEORIGIN" {
				t.Errorf("X-Frame-Options = %q, want SAMEORIGIN", got)
			}
		})
	}
}
