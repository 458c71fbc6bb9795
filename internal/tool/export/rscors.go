package export

import (
	"slices"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// RSCors is github.com/rs/cors v1.11 Options for a policy, as plain fields:
// the renderer prints them as Go, and a test turns them into cors.Options
// and serves them, so the printed snippet and the tested server cannot
// drift apart.
type RSCors struct {
	// AllowedOrigins lists the origins rs/cors echoes in
	// Access-Control-Allow-Origin ("*" sends "*").
	AllowedOrigins []string
	// EchoAnyOrigin stands for AllowOriginFunc: func(string) bool { return
	// true }: every request's Origin echoed, the policy's {origin}.
	EchoAnyOrigin    bool
	AllowedMethods   []string
	AllowedHeaders   []string
	ExposedHeaders   []string
	AllowCredentials bool
	// MaxAge is in seconds; 0 sends no header, -1 sends 0.
	MaxAge               int
	OptionsSuccessStatus int
}

// RSCorsOptions maps doc onto rs/cors. warnings say where rs/cors answers
// differently from the policy; notes are remarks that change no verdict.
// The error is ErrNothing when the policy allows no origin anywhere.
func RSCorsOptions(doc policy.Document) (o RSCors, warnings, notes []string, err error) {
	if err := doc.Validate(); err != nil {
		return o, nil, nil, err
	}
	var out output
	o, err = rsCors(analyze(doc), &out)
	return o, out.warnings, out.notes, err
}

func renderRSCors(p analysis, out *output) error {
	o, err := rsCors(p, out)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format rs-cors: site B's policy as github.com/rs/cors v1.11 options (go get github.com/rs/cors)."
	out.printf("c := cors.New(cors.Options{\n")
	if o.EchoAnyOrigin {
		out.printf("\tAllowOriginFunc: func(origin string) bool { return true }, // echo every Origin, as {origin} does\n")
	} else {
		out.printf("\tAllowedOrigins: %s,\n", goStrings(o.AllowedOrigins))
	}
	out.printf("\t// rs/cors refuses a method not listed, even GET, HEAD or POST, which browsers never ask about.\n")
	out.printf("\tAllowedMethods: %s,\n", goStrings(o.AllowedMethods))
	if slices.Equal(o.AllowedHeaders, []string{""}) {
		out.printf("\t// No request header: an empty list would allow Accept, Content-Type and X-Requested-With.\n")
		out.printf("\tAllowedHeaders: []string{\"\"},\n")
	} else {
		out.printf("\tAllowedHeaders: %s,\n", goStrings(o.AllowedHeaders))
	}
	if len(o.ExposedHeaders) > 0 {
		out.printf("\tExposedHeaders: %s,\n", goStrings(o.ExposedHeaders))
	}
	if o.AllowCredentials {
		out.printf("\tAllowCredentials: true,\n")
	}
	switch {
	case o.MaxAge < 0:
		out.printf("\tMaxAge: -1, // sends Access-Control-Max-Age: 0\n")
	case o.MaxAge > 0:
		out.printf("\tMaxAge: %d,\n", o.MaxAge)
	}
	if o.OptionsSuccessStatus != 204 {
		out.printf("\tOptionsSuccessStatus: %d,\n", o.OptionsSuccessStatus)
	}
	out.printf("})\nhandler := c.Handler(mux) // answers preflights itself; your handlers see only actual requests\n")
	return nil
}

func goStrings(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

// rsCors maps the policy, the way rs/cors v1.11.1 behaves (cors.go:
// handlePreflight, handleActualRequest).
func rsCors(p analysis, out *output) (RSCors, error) {
	o := RSCors{OptionsSuccessStatus: 204}

	// Access-Control-Allow-Origin: rs/cors sends the same on both answers.
	origin := p.act.origin
	switch {
	case p.pre.origin == nil && p.act.origin == nil:
		return o, ErrNothing
	case p.act.origin == nil:
		origin = p.pre.origin
		out.warn("the policy sends Access-Control-Allow-Origin on preflights only, so browsers block every actual response; rs/cors sends it on both (rendered with the preflight's %s).", describe(origin))
	case p.pre.origin == nil:
		out.warn("the policy sends no Access-Control-Allow-Origin on preflights, so every request that needs one is blocked; rs/cors sends it on both (rendered with the actual response's %s).", describe(origin))
	case !equal(p.pre.origin, p.act.origin):
		out.warn("rs/cors sends the same Access-Control-Allow-Origin on preflights and actual responses; the policy sends %s on preflights and %s on actual responses. Rendered with the actual response's.", describe(p.pre.origin), describe(p.act.origin))
	}
	if len(origin) > 1 {
		out.warn("the policy sends Access-Control-Allow-Origin on %d lines, which browsers refuse (MultipleAllowOriginValues); rs/cors sends one line: it echoes the request's Origin when it is one of those listed.", len(origin))
	}
	seen := map[string]bool{}
	for _, v := range origin {
		for _, item := range originItems(v, out) {
			switch {
			case item == policy.PlaceholderOrigin:
				o.EchoAnyOrigin = true
			case strings.Contains(item, "{"):
				out.warn("rs/cors cannot send %q, an Access-Control-Allow-Origin built around a placeholder; rendered as echoing every Origin.", item)
				o.EchoAnyOrigin = true
			case item == "*":
				if !seen[item] {
					o.AllowedOrigins = append(o.AllowedOrigins, item)
				}
			default:
				if item != strings.ToLower(item) {
					out.warn("rs/cors compares origins case-insensitively and echoes the request's Origin, so it allows what the policy's %q blocks (browsers compare byte for byte).", item)
				}
				if !seen[item] {
					o.AllowedOrigins = append(o.AllowedOrigins, item)
				}
			}
			seen[item] = true
		}
	}
	if o.EchoAnyOrigin {
		o.AllowedOrigins = nil
	}
	if slices.Contains(o.AllowedOrigins, "*") && len(o.AllowedOrigins) > 1 {
		o.AllowedOrigins = []string{"*"}
	}

	// Access-Control-Allow-Credentials: "true" on both, or on neither.
	preCred, actCred := isTrue(p.pre.credentials), isTrue(p.act.credentials)
	o.AllowCredentials = preCred || actCred
	if preCred != actCred {
		out.warn("rs/cors sends Access-Control-Allow-Credentials on preflights and actual responses alike; the policy sends it on the %s only (rendered on both).", map[bool]string{true: "preflight", false: "actual response"}[preCred])
	}
	for _, c := range []policy.Values{p.pre.credentials, p.act.credentials} {
		if c != nil && !isTrue(c) {
			out.note("Access-Control-Allow-Credentials %s is not \"true\", which browsers treat as absent; rs/cors leaves it out.", describe(c))
		}
	}
	if slices.Contains(o.AllowedOrigins, "*") && o.AllowCredentials {
		out.note("browsers refuse Access-Control-Allow-Origin: * on credentialed requests (WildcardOriginNotAllowed); rs/cors sends * as the policy does, so they are refused here too. To allow them, list the origins.")
	}

	// Access-Control-Allow-Methods: rs/cors also checks the method of actual
	// requests, so the safelisted ones are always listed.
	o.AllowedMethods = []string{"GET", "HEAD", "POST"}
	methods, ok := list(p.pre.methods)
	switch {
	case !ok:
		out.warn("Access-Control-Allow-Methods %s is not a list of methods, so browsers refuse every preflight; rs/cors sends a valid one.", describe(p.pre.methods))
	case slices.Contains(methods, policy.PlaceholderRequestMethod), slices.Contains(methods, "*") && !o.AllowCredentials:
		out.warn("rs/cors has no wildcard for methods: the policy allows any method; rendered with %s.", strings.Join(commonMethods, ", "))
		methods = commonMethods
	case slices.Contains(methods, "*"):
		out.warn("with credentials, browsers read Allow-Methods * as a method named \"*\"; rs/cors cannot send that: rendered with the other methods listed.")
	}
	for _, m := range methods {
		if !slices.Contains(o.AllowedMethods, m) && m != "*" && !isPlaceholder(m) {
			o.AllowedMethods = append(o.AllowedMethods, m)
		}
	}

	// Access-Control-Allow-Headers: rs/cors answers with the requested ones.
	headers, ok := list(p.pre.headers)
	switch {
	case p.pre.headers == nil:
		o.AllowedHeaders = []string{""}
	case !ok:
		out.warn("Access-Control-Allow-Headers %s is not a list of header names, so browsers refuse every preflight that asks for one; rs/cors sends a valid one.", describe(p.pre.headers))
		o.AllowedHeaders = []string{""}
	case slices.Contains(headers, policy.PlaceholderRequestHeaders):
		o.AllowedHeaders = []string{"*"} // rs/cors echoes the requested headers, as the placeholder does
	case slices.Contains(headers, "*"):
		if o.AllowCredentials {
			out.warn("with credentials, browsers read Allow-Headers * as a header named \"*\" and allow no other; rs/cors answers \"*\" by echoing the requested headers, so it allows them.")
		}
		o.AllowedHeaders = []string{"*"}
	default:
		for _, h := range headers {
			o.AllowedHeaders = append(o.AllowedHeaders, strings.ToLower(h))
		}
	}
	if len(o.AllowedHeaders) == 0 {
		o.AllowedHeaders = []string{""}
	}

	// Access-Control-Expose-Headers, on actual responses.
	expose, ok := list(p.act.expose)
	if !ok || hasPlaceholder(p.act.expose) {
		out.warn("rs/cors cannot send Access-Control-Expose-Headers %s; rendered with the names in it.", describe(p.act.expose))
	}
	if slices.Contains(expose, "*") {
		out.note("rs/cors adds Vary: Origin to actual responses, which Access-Control-Expose-Headers: * lets JavaScript read as well.")
	}
	for _, h := range expose {
		if !isPlaceholder(h) {
			o.ExposedHeaders = append(o.ExposedHeaders, h)
		}
	}

	// Access-Control-Max-Age, on preflights.
	if p.pre.maxAge != nil {
		n, ok := maxAge(p.pre.maxAge)
		switch {
		case !ok:
			out.note("Access-Control-Max-Age %s is not a number of seconds, which browsers ignore (they cache for 5 s); rs/cors leaves it out.", describe(p.pre.maxAge))
		case n == 0:
			o.MaxAge = -1
		default:
			o.MaxAge = n
		}
	}

	// The preflight's status.
	switch s := p.status; {
	case s >= 300 && s < 400:
		out.warn("rs/cors cannot redirect a preflight (the policy answers %d); rendered with 204. Browsers refuse redirected preflights anyway (PreflightDisallowedRedirect).", s)
	default:
		o.OptionsSuccessStatus = s
	}

	// Headers that are meaningless where they are, or that rs/cors does not set.
	for _, h := range []struct {
		vs   policy.Values
		name string
	}{{p.act.methods, "Access-Control-Allow-Methods"}, {p.act.headers, "Access-Control-Allow-Headers"}, {p.act.maxAge, "Access-Control-Max-Age"}} {
		if h.vs != nil {
			out.note("browsers read %s only on preflights; rs/cors sends it there only.", h.name)
		}
	}
	if p.pre.expose != nil {
		out.note("browsers read Access-Control-Expose-Headers only on actual responses; rs/cors sends it there only.")
	}
	for _, st := range []struct {
		s    stage
		what string
	}{{p.pre, "preflights"}, {p.act, "actual responses"}} {
		for _, h := range st.s.other {
			if h.name == "Location" && st.what == "preflights" && p.status >= 300 && p.status < 400 {
				continue // the redirect's warning says it
			}
			out.warn("rs/cors sets only CORS headers: send %s: %s on %s from your own handler or middleware.", h.name, strings.Join(h.values, ", "), st.what)
		}
		if v := st.s.vary; v != nil && !(len(v) == 1 && strings.EqualFold(v[0], "Origin")) {
			out.note("rs/cors sends its own Vary (Origin, and on preflights Access-Control-Request-Method and -Headers); add %s yourself if your responses vary on more.", describe(v))
		}
	}
	if len(out.warnings) > 0 {
		out.note("`corslab export -format headers` lists the exact headers of the policy, and `-format nginx` or `-format express` can send them as they are.")
	}
	return o, nil
}

// originItems splits one Access-Control-Allow-Origin line into the origins
// it names: a line with a comma or a space names several, which browsers
// refuse (MultipleAllowOriginValues).
func originItems(v string, out *output) []string {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(fields) > 1 {
		out.warn("Access-Control-Allow-Origin %q names several origins on one line, which browsers refuse (MultipleAllowOriginValues); rs/cors echoes the request's Origin when it is one of them.", v)
	}
	if len(fields) == 0 {
		out.warn("Access-Control-Allow-Origin is empty, which browsers refuse; rs/cors cannot send that, and here allows no origin.")
		return []string{""}
	}
	return fields
}

func isTrue(vs policy.Values) bool { return len(vs) == 1 && vs[0] == "true" }
