package export

import (
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// security warns about policies that are unsafe whatever the stack (the
// lab's lessons 10–12): any origin echoed with credentials, the null origin
// allowed, an echoed origin without Vary: Origin. addsVary says the stack
// sends Vary: Origin itself when it echoes an origin (the CORS libraries
// do), so the last warning does not apply.
func security(p analysis, out *output, addsVary bool) {
	var warnings []string
	reflect := echoes(p.pre.origin) || echoes(p.act.origin)
	if reflect && (isTrue(p.pre.credentials) || isTrue(p.act.credentials)) {
		warnings = append(warnings, "INSECURE: this policy echoes any Origin with Access-Control-Allow-Credentials: true, so any website a user visits can read their data with their cookies (lesson 12). Allow a fixed list of origins instead.")
	}
	if allowsNull(p.pre.origin) || allowsNull(p.act.origin) {
		warnings = append(warnings, "INSECURE: Access-Control-Allow-Origin: null allows sandboxed iframes, file: pages and requests after a cross-origin redirect: any site can get the null origin (lesson 11). Never allow null.")
	}
	if echoes(p.act.origin) && !varyOrigin(p.act.vary) && !addsVary {
		warnings = append(warnings, "the answer depends on the request's Origin but the policy sends no Vary: Origin, so a cache can hand one origin's answer to another (lesson 10). Add Vary: Origin.")
	}
	out.warnings = append(warnings, out.warnings...)
}

// echoes reports whether an Access-Control-Allow-Origin is the request's
// Origin echoed.
func echoes(vs policy.Values) bool {
	return slices.ContainsFunc(vs, func(v string) bool { return strings.Contains(v, policy.PlaceholderOrigin) })
}

func allowsNull(vs policy.Values) bool {
	for _, v := range vs {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			if f == "null" {
				return true
			}
		}
	}
	return false
}

// varyOrigin reports whether a Vary header names Origin (or is *).
func varyOrigin(vs policy.Values) bool {
	for _, v := range vs {
		for _, f := range strings.Split(v, ",") {
			f = strings.Trim(f, " \t")
			if strings.EqualFold(f, "Origin") || f == "*" {
				return true
			}
		}
	}
	return false
}
