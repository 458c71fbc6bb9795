package export

import (
	"net/http"
	"strings"
)

// renderHeaders prints the header lines the policy sends, for any stack.
func renderHeaders(p analysis, out *output) {
	out.comment = "# "
	out.title = "corslab export -format headers: the header lines site B's policy sends. {origin} stands for the request's Origin, {request-method} and {request-headers} for its Access-Control-Request-Method and -Headers; a header whose placeholder is empty is left out."
	out.printf("# A CORS preflight (OPTIONS with Access-Control-Request-Method) is answered\n# at once, never passed to the app:\n")
	out.printf("HTTP/1.1 %d %s\n", p.status, http.StatusText(p.status))
	lines(p.pre, out)
	out.printf("\n# Every other response gets, besides its own headers:\n")
	lines(p.act, out)
}

func lines(s stage, out *output) {
	if len(s.all) == 0 {
		out.printf("# (no headers)\n")
	}
	for _, h := range s.all {
		for _, v := range h.values {
			out.printf("%s: %s\n", h.name, strings.TrimRight(v, " \t"))
		}
	}
}
