package export

import "strings"

// renderFastify prints @fastify/cors options.
func renderFastify(p analysis, out *output) error {
	const name = "@fastify/cors"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format fastify: the policy as @fastify/cors options (npm install @fastify/cors)."
	out.note("@fastify/cors does not check a preflight's method or headers: it answers with its lists, and the browser decides.")
	out.printf("await fastify.register(require(\"@fastify/cors\"), {\n")
	switch {
	case c.EchoOrigin:
		out.printf("  origin: true, // echo the request's Origin, as {origin} does\n")
	case c.AnyOrigin:
		out.printf("  origin: \"*\",\n")
	case len(c.Origins) == 1:
		out.printf("  origin: %s,\n", js(c.Origins[0]))
	default:
		out.printf("  origin: %s, // the request's Origin when it is one of these\n", jsArray(c.Origins))
	}
	libNodeCommon(c, out, "methods", "allowedHeaders", "exposedHeaders", "credentials", "maxAge")
	if c.Status != 204 && (c.Status < 300 || c.Status > 399) {
		out.printf("  optionsSuccessStatus: %d,\n", c.Status)
	}
	out.printf("});\n")
	return nil
}

// renderKoa prints @koa/cors options.
func renderKoa(p analysis, out *output) error {
	const name = "@koa/cors"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format koa: the policy as @koa/cors options (npm install @koa/cors)."
	statusWarning(c, out, name, 204)
	out.note("@koa/cors does not check a preflight's method or headers: it answers with its lists, and the browser decides.")
	out.printf("const cors = require(\"@koa/cors\");\n\napp.use(cors({\n")
	switch {
	case c.EchoOrigin:
		out.printf("  origin: (ctx) => ctx.get(\"Origin\"), // echo the request's Origin, as {origin} does\n")
	case c.AnyOrigin && c.Creds:
		out.warn("with credentials: true, @koa/cors answers origin \"*\" by echoing the request's Origin: every site can read credentialed answers. List your origins instead.")
		out.printf("  origin: \"*\",\n")
	case c.AnyOrigin:
		out.printf("  origin: \"*\",\n")
	case len(c.Origins) == 1:
		out.printf("  origin: %s,\n", js(c.Origins[0]))
	default:
		out.printf("  origin: (ctx) => (%s.includes(ctx.get(\"Origin\")) ? ctx.get(\"Origin\") : \"\"),\n", jsArray(c.Origins))
	}
	if c.MaxAge == 0 {
		out.note("@koa/cors sends no Access-Control-Max-Age for 0 (browsers then cache 5 s).")
	}
	if !c.AnyHeader && len(c.Headers) == 0 {
		out.warn("@koa/cors cannot allow no request header: an empty allowHeaders echoes the requested ones, so it allows every header the policy refuses.")
	}
	libNodeCommon(c, out, "allowMethods", "allowHeaders", "exposeHeaders", "credentials", "maxAge")
	out.printf("}));\n")
	return nil
}

// libNodeCommon prints the options Node CORS packages share, under their
// names in this package: methods, allowed headers (left out, they echo the
// requested ones), exposed headers, credentials, max age.
func libNodeCommon(c corsConfig, out *output, methods, headers, expose, creds, maxAge string) {
	if c.AnyMethod {
		out.warn("no wildcard for methods here; rendered with %s.", strings.Join(commonMethods, ", "))
		out.printf("  %s: %s,\n", methods, jsArray(commonMethods))
	} else {
		out.printf("  %s: %s,\n", methods, jsArray(c.Methods))
	}
	switch {
	case c.AnyHeader:
		out.printf("  // %s left out: the requested headers are echoed\n", headers)
	default:
		out.printf("  %s: %s,\n", headers, jsArray(c.Headers))
	}
	if exp := exposeList(c); len(exp) > 0 {
		out.printf("  %s: %s,\n", expose, jsArray(exp))
	}
	if c.Creds {
		out.printf("  %s: true,\n", creds)
	}
	if c.MaxAge >= 0 {
		out.printf("  %s: %d,\n", maxAge, c.MaxAge)
	}
}
