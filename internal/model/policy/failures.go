package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Server failure paths: the classic ways a real server's answer loses its
// CORS headers, which site B plays when a policy's actual.failures names
// them. Each is a layer in front of (or around) the CORS layer:
const (
	// FailErrorWithoutCORS: the actual headers go only on successful
	// responses (2xx, 3xx); a 404 or a 500 carries none — nginx's add_header
	// without "always" (ngx_http_headers_module), or a CORS middleware that
	// an error handler bypasses.
	FailErrorWithoutCORS = "error-without-cors"
	// FailAuthBeforeCORS: an auth layer placed before the CORS layer answers
	// 401, with no CORS header, every request that carries neither a
	// session cookie nor Authorization (except /api/login and /api/logout).
	FailAuthBeforeCORS = "auth-before-cors"
	// FailAuthAfterCORS: the same auth layer placed after the CORS layer:
	// the 401 carries the actual headers, so JavaScript can read it.
	FailAuthAfterCORS = "auth-after-cors"
	// FailRedirectTrailingSlash: a GET or HEAD to an /api/ path without a
	// trailing slash is answered 301 to the path with one, by a framework
	// layer before the CORS layer: no CORS header. The slashed path is
	// served as the unslashed one.
	FailRedirectTrailingSlash = "redirect-trailing-slash"
	// FailRedirectHTTPS: every actual request is answered 301 to the same
	// URL on https:, with no CORS header — a load balancer's http→https
	// redirect in front of the API.
	FailRedirectHTTPS = "redirect-https"
)

var failureNames = []string{FailErrorWithoutCORS, FailAuthBeforeCORS, FailAuthAfterCORS, FailRedirectTrailingSlash, FailRedirectHTTPS}

// FailureNames lists the failure paths a policy may name.
func FailureNames() []string { return slices.Clone(failureNames) }

// Fails reports whether the policy plays failure path name.
func (p *Policy) Fails(name string) bool { return slices.Contains(p.doc.Actual.Failures, name) }

func parseFailures(raw json.RawMessage, path string, problems *[]error) []string {
	var fs []string
	if err := json.Unmarshal(raw, &fs); err != nil {
		*problems = append(*problems, fmt.Errorf("%s: must be an array of strings (%s)", path, strings.Join(failureNames, ", ")))
		return nil
	}
	return fs
}

func failureProblems(fs []string, ps []error) []error {
	for i, f := range fs {
		if !slices.Contains(failureNames, f) {
			ps = append(ps, fmt.Errorf("actual.failures[%d]: %q is not a failure path (want %s)", i, f, strings.Join(failureNames, ", ")))
		}
	}
	if slices.Contains(fs, FailAuthBeforeCORS) && slices.Contains(fs, FailAuthAfterCORS) {
		ps = append(ps, fmt.Errorf("actual.failures: %s and %s are the same auth layer in two places: name one", FailAuthBeforeCORS, FailAuthAfterCORS))
	}
	return ps
}

// SetFailures makes fs (names of FailureNames, in any order, repeats
// ignored) the failure paths the document's actual rule plays, in
// FailureNames' order; none removes them. Validate says whether they are
// known and fit together.
func (d *Document) SetFailures(fs []string) {
	var out []string
	for _, n := range failureNames {
		if slices.Contains(fs, n) {
			out = append(out, n)
		}
	}
	for _, f := range fs {
		if !slices.Contains(failureNames, f) && !slices.Contains(out, f) {
			out = append(out, f) // unknown: kept for Validate to name
		}
	}
	d.Actual.Failures = out
}
