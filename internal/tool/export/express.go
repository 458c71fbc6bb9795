package export

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// renderExpress prints the policy for Express: options of the cors package
// (npm cors 2.8) when they can say it, else a plain middleware that sets
// exactly the policy's headers.
func renderExpress(p analysis, out *output) error {
	out.comment = "// "
	if p.pre.origin == nil && p.act.origin == nil {
		return ErrNothing
	}
	opts, why := expressOptions(p)
	if why == nil {
		out.addsVary = true
		out.title = "corslab export -format express: site B's policy as options of the cors package (npm install cors)."
		out.note("the cors package answers every OPTIONS request as a preflight, and sends the same Access-Control-Allow-Origin and -Credentials on preflights and actual responses, as this policy does.")
		out.printf("const cors = require(\"cors\");\n\napp.use(cors({\n")
		for _, kv := range opts {
			out.printf("  %s: %s,\n", kv[0], kv[1])
		}
		out.printf("})); // before your routes\n")
		return nil
	}
	out.title = "corslab export -format express: site B's policy as plain Express middleware."
	out.note("the cors package cannot express this policy: %s. This middleware sends exactly its headers.", strings.Join(why, "; "))
	expressPlain(p, out)
	return nil
}

// expressOptions maps the policy onto the cors package's options, or says
// why it cannot.
func expressOptions(p analysis) (opts [][2]string, why []string) {
	add := func(k, v string) { opts = append(opts, [2]string{k, v}) }
	switch {
	case !equal(p.pre.origin, p.act.origin):
		why = append(why, "it sends the same Access-Control-Allow-Origin on preflights and actual responses, and this policy sends "+describe(p.pre.origin)+" on preflights and "+describe(p.act.origin)+" on actual responses")
	case len(p.act.origin) > 1:
		why = append(why, "it cannot send Access-Control-Allow-Origin on several lines")
	case p.act.origin[0] == policy.PlaceholderOrigin:
		add("origin", "true /* echo the request's Origin, as {origin} does */")
	case strings.Contains(p.act.origin[0], "{"):
		why = append(why, "its origin option cannot build a value around a placeholder")
	default:
		add("origin", js(p.act.origin[0])+" /* sent as is, whatever the request's Origin */")
	}
	if isTrue(p.pre.credentials) != isTrue(p.act.credentials) {
		why = append(why, "it sends Access-Control-Allow-Credentials on preflights and actual responses alike")
	}
	methods, _ := list(p.pre.methods)
	if slices.Contains(methods, policy.PlaceholderRequestMethod) {
		why = append(why, "it cannot echo Access-Control-Request-Method")
	}
	add("methods", jsArray(methods)+methodsComment(p.pre.methods))
	switch headers, _ := list(p.pre.headers); {
	case p.pre.headers == nil:
		add("allowedHeaders", "[] /* none: leaving it out would echo the requested headers */")
	case len(headers) == 1 && headers[0] == policy.PlaceholderRequestHeaders:
		// Left out, the cors package echoes Access-Control-Request-Headers.
	case hasPlaceholder(p.pre.headers):
		why = append(why, "its allowedHeaders option cannot mix names and a placeholder")
	default:
		add("allowedHeaders", jsArray(headers))
	}
	if p.act.expose != nil {
		expose, _ := list(p.act.expose)
		if hasPlaceholder(p.act.expose) {
			why = append(why, "its exposedHeaders option cannot hold a placeholder")
		}
		add("exposedHeaders", jsArray(expose))
	}
	if isTrue(p.act.credentials) {
		add("credentials", "true")
	}
	if p.pre.maxAge != nil {
		if n, ok := maxAge(p.pre.maxAge); ok {
			add("maxAge", strconv.Itoa(n))
		} else if len(p.pre.maxAge) == 1 {
			add("maxAge", js(p.pre.maxAge[0]))
		} else {
			why = append(why, "it cannot send Access-Control-Max-Age on several lines")
		}
	}
	if p.status >= 300 && p.status < 400 {
		why = append(why, "it cannot send a Location with its status, so it cannot redirect a preflight")
	}
	add("optionsSuccessStatus", strconv.Itoa(p.status))
	for i, st := range []stage{p.pre, p.act} {
		for _, h := range st.other {
			if i == 0 && h.name == "Location" && p.status >= 300 && p.status < 400 {
				continue // said with the redirect
			}
			why = append(why, "it sets only CORS headers, and this policy sets "+h.name+" too")
		}
		if st.vary != nil && !(len(st.vary) == 1 && st.vary[0] == "Origin") {
			why = append(why, "it sets Vary itself, and this policy sends Vary "+describe(st.vary))
		}
	}
	return opts, why
}

func methodsComment(vs policy.Values) string {
	if vs == nil {
		return " /* none: leaving it out would allow GET, HEAD, PUT, PATCH, POST and DELETE */"
	}
	return ""
}

// expressPlain prints a middleware that sends exactly the policy's headers.
func expressPlain(p analysis, out *output) {
	out.printf(`// setHeader sends one line per value, and leaves out a value that is
// only a placeholder the request did not fill in (no Origin header).
function setHeader(res, name, ...values) {
  values = values.filter((v) => v !== undefined);
  if (values.length) res.set(name, values.length === 1 ? values[0] : values);
}

app.use((req, res, next) => {
  if (req.method === "OPTIONS" && req.get("Access-Control-Request-Method")) {
    // A CORS preflight: answered here, never passed to your routes.
`)
	for _, h := range p.pre.all {
		out.printf("    setHeader(res, %s, %s);\n", js(h.name), jsValues(h.values))
	}
	out.printf("    return res.status(%d).end();\n  }\n", p.status)
	for _, h := range p.act.all {
		out.printf("  setHeader(res, %s, %s);\n", js(h.name), jsValues(h.values))
	}
	out.printf("  next();\n}); // before your routes\n")
}

// jsValues writes a header's values as JavaScript expressions.
func jsValues(vs policy.Values) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = jsValue(v)
	}
	return strings.Join(parts, ", ")
}

// jsPlaceholder is the request header each placeholder reads.
var jsPlaceholder = map[string]string{
	policy.PlaceholderOrigin:         `req.get("Origin")`,
	policy.PlaceholderRequestMethod:  `req.get("Access-Control-Request-Method")`,
	policy.PlaceholderRequestHeaders: `req.get("Access-Control-Request-Headers")`,
}

// jsValue writes one value: a string, a request header for a lone
// placeholder, or a template literal.
func jsValue(v string) string {
	if e, ok := jsPlaceholder[v]; ok {
		return e
	}
	if !strings.Contains(v, "{") {
		return js(v)
	}
	var b strings.Builder
	b.WriteByte('`')
	for v != "" {
		i := strings.IndexByte(v, '{')
		j := strings.IndexByte(v[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(jsTemplateText(v))
			break
		}
		b.WriteString(jsTemplateText(v[:i]))
		name := v[i : i+j+1]
		if e, ok := jsPlaceholder[name]; ok {
			b.WriteString("${" + e + ` ?? ""}`)
		} else {
			b.WriteString(jsTemplateText(name))
		}
		v = v[i+j+1:]
	}
	b.WriteByte('`')
	return b.String()
}

func jsTemplateText(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "`", "\\`", "$", "\\$")
	return r.Replace(s)
}

// js quotes s as a JavaScript string.
func js(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func jsArray(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = js(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
