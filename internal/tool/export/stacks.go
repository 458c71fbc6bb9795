package export

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The renderers below print a corsConfig for one stack each, with the
// stack's own limits as WARNING lines. Each is checked against the
// library's documented behaviour; the Go ones and those whose runtime the
// machine has are served for real in the tests.

func q(s string) string { return strconv.Quote(s) }

func commaQ(s []string) string { return strings.Join(quoteAll(s, q), ", ") }

// renderSpring prints a Spring CorsConfiguration (spring-web 6).
func renderSpring(p analysis, out *output) error {
	const name = "Spring's CorsConfiguration"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format spring: the policy as a Spring (spring-web 6) CorsConfiguration bean, used by Spring MVC and WebFlux (and by Spring Security's http.cors())."
	statusWarning(c, out, "Spring", 200)
	out.note("Spring answers a preflight or an actual request it refuses with 403 \"Invalid CORS request\", not just without CORS headers.")
	out.printf("@Bean\nCorsConfigurationSource corsConfigurationSource() {\n    CorsConfiguration config = new CorsConfiguration();\n")
	switch {
	case c.EchoOrigin:
		out.printf("    config.setAllowedOriginPatterns(List.of(\"*\")); // echoes any Origin, as {origin} does\n")
	case c.AnyOrigin && c.Creds:
		out.warn("Spring refuses allowedOrigins \"*\" with allowCredentials(true) (IllegalArgumentException on the first request); browsers refuse * on credentialed requests anyway. Rendered with allowedOriginPatterns(\"*\"), which echoes any Origin — list your origins instead.")
		out.printf("    config.setAllowedOriginPatterns(List.of(\"*\"));\n")
	case c.AnyOrigin:
		out.printf("    config.setAllowedOrigins(List.of(\"*\"));\n")
	default:
		out.printf("    config.setAllowedOrigins(List.of(%s));\n", commaQ(c.Origins))
	}
	if c.AnyMethod {
		out.printf("    config.setAllowedMethods(List.of(\"*\"));\n")
	} else {
		out.printf("    config.setAllowedMethods(List.of(%s));\n", commaQ(c.Methods))
	}
	switch {
	case c.AnyHeader:
		out.printf("    config.setAllowedHeaders(List.of(\"*\")); // echoes the requested headers\n")
	case len(c.Headers) > 0:
		out.printf("    config.setAllowedHeaders(List.of(%s));\n", commaQ(c.Headers))
	default:
		out.printf("    // no allowed headers: a preflight that asks for one is refused\n")
	}
	if exp := exposeList(c); len(exp) > 0 {
		out.printf("    config.setExposedHeaders(List.of(%s));\n", commaQ(exp))
	}
	if c.Creds {
		out.printf("    config.setAllowCredentials(true);\n")
	}
	if c.MaxAge >= 0 {
		out.printf("    config.setMaxAge(%dL);\n", c.MaxAge)
	}
	out.printf("    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();\n    source.registerCorsConfiguration(\"/**\", config);\n    return source;\n}\n")
	return nil
}

// renderASPNet prints an ASP.NET Core CORS policy (Microsoft.AspNetCore.Cors).
func renderASPNet(p analysis, out *output) error {
	const name = "ASP.NET Core's CORS middleware"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format aspnet: the policy as an ASP.NET Core CORS policy (Program.cs)."
	statusWarning(c, out, "ASP.NET Core", 204)
	out.printf("builder.Services.AddCors(options =>\n{\n    options.AddPolicy(\"corslab\", policy => policy\n")
	switch {
	case c.EchoOrigin:
		out.printf("        .SetIsOriginAllowed(_ => true) // echoes any Origin, as {origin} does\n")
	case c.AnyOrigin && c.Creds:
		out.warn("ASP.NET Core refuses AllowAnyOrigin() with AllowCredentials() (InvalidOperationException at startup); browsers refuse * on credentialed requests anyway. Rendered with SetIsOriginAllowed(_ => true), which echoes any Origin — list your origins instead.")
		out.printf("        .SetIsOriginAllowed(_ => true)\n")
	case c.AnyOrigin:
		out.printf("        .AllowAnyOrigin()\n")
	default:
		out.printf("        .WithOrigins(%s)\n", commaQ(c.Origins))
	}
	if c.AnyMethod {
		out.printf("        .AllowAnyMethod()\n")
	} else {
		out.printf("        .WithMethods(%s)\n", commaQ(c.Methods))
	}
	switch {
	case c.AnyHeader:
		out.printf("        .AllowAnyHeader() // echoes the requested headers\n")
	case len(c.Headers) > 0:
		out.printf("        .WithHeaders(%s)\n", commaQ(c.Headers))
	}
	if exp := exposeList(c); len(exp) > 0 {
		out.printf("        .WithExposedHeaders(%s)\n", commaQ(exp))
	}
	if c.Creds {
		out.printf("        .AllowCredentials()\n")
	}
	if c.MaxAge >= 0 {
		out.printf("        .SetPreflightMaxAge(TimeSpan.FromSeconds(%d))\n", c.MaxAge)
	}
	out.printf("    );\n});\n// after UseRouting, before UseAuthentication and the endpoints:\napp.UseCors(\"corslab\");\n")
	return nil
}

// exposeList is the exposed headers with * first when all are exposed.
func exposeList(c corsConfig) []string {
	if c.ExposeAll {
		return append([]string{"*"}, c.Expose...)
	}
	return c.Expose
}

// pyList prints a Python list of strings.
func pyList(s []string) string { return "[" + commaQ(s) + "]" }

// renderStarlette prints FastAPI / Starlette CORSMiddleware arguments.
func renderStarlette(p analysis, out *output) error {
	const name = "Starlette's CORSMiddleware"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format fastapi: the policy as FastAPI / Starlette CORSMiddleware arguments."
	statusWarning(c, out, "Starlette", 200)
	out.note("Starlette refuses a preflight whose origin, method or headers are not allowed with 400 \"Disallowed CORS …\" (browsers: PreflightInvalidStatus, or the missing Allow-Origin first).")
	out.printf("from fastapi.middleware.cors import CORSMiddleware  # or starlette.middleware.cors\n\napp.add_middleware(\n    CORSMiddleware,\n")
	switch {
	case c.EchoOrigin:
		out.printf("    allow_origin_regex=\".*\",  # echoes any Origin, as {origin} does\n")
	case c.AnyOrigin && c.Creds:
		out.warn("with allow_credentials=True, Starlette answers allow_origins=[\"*\"] by echoing the Origin of any request that carries cookies: every site can read credentialed answers. List your origins instead.")
		out.printf("    allow_origins=[\"*\"],\n")
	case c.AnyOrigin:
		out.printf("    allow_origins=[\"*\"],\n")
	default:
		out.printf("    allow_origins=%s,\n", pyList(c.Origins))
	}
	if c.AnyMethod {
		out.printf("    allow_methods=[\"*\"],\n")
	} else {
		out.printf("    allow_methods=%s,  # the default is GET only\n", pyList(c.Methods))
	}
	switch {
	case c.AnyHeader:
		out.printf("    allow_headers=[\"*\"],  # echoes the requested headers\n")
	case len(c.Headers) > 0:
		out.printf("    allow_headers=%s,\n", pyList(c.Headers))
	}
	if !c.AnyHeader {
		if !slices.Contains(c.Headers, "content-type") {
			out.warn("Starlette always allows Content-Type in a preflight, whatever its value (application/json too); the policy does not allow content-type.")
		}
		out.note("Starlette also always allows Accept, Accept-Language and Content-Language in a preflight, whatever their values.")
	}
	if exp := exposeList(c); len(exp) > 0 {
		out.printf("    expose_headers=%s,\n", pyList(exp))
	}
	if c.Creds {
		out.printf("    allow_credentials=True,\n")
	}
	if c.MaxAge >= 0 {
		out.printf("    max_age=%d,\n", c.MaxAge)
	} else {
		out.note("Starlette sends Access-Control-Max-Age: 600 unless told otherwise; the policy sends none (browsers then cache 5 s).")
	}
	out.printf(")\n")
	return nil
}

// renderFlask prints Flask-CORS options.
func renderFlask(p analysis, out *output) error {
	const name = "Flask-CORS"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format flask-cors: the policy as Flask-CORS options (pip install flask-cors)."
	statusWarning(c, out, "Flask (its automatic OPTIONS answer)", 200)
	out.note("Flask-CORS refuses by leaving out its headers; the answer itself is Flask's.")
	out.printf("from flask_cors import CORS\n\nCORS(\n    app,\n")
	switch {
	case c.EchoOrigin:
		out.printf("    origins=[r\".*\"],  # a pattern: echoes any Origin, as {origin} does\n")
	case c.AnyOrigin && c.Creds:
		out.warn("with supports_credentials=True, Flask-CORS answers origins=\"*\" by echoing any Origin: every site can read credentialed answers. List your origins instead.")
		out.printf("    origins=\"*\",\n")
	case c.AnyOrigin:
		out.printf("    origins=\"*\",\n")
	default:
		out.printf("    origins=%s,\n", pyList(c.Origins))
	}
	methods := c.Methods
	if c.AnyMethod {
		out.warn("Flask-CORS has no wildcard for methods; rendered with %s.", strings.Join(commonMethods, ", "))
		methods = commonMethods
	}
	out.printf("    methods=%s,\n", pyList(methods))
	switch {
	case c.AnyHeader:
		out.printf("    allow_headers=\"*\",  # echoes the requested headers\n")
	case len(c.Headers) > 0:
		out.printf("    allow_headers=%s,\n", pyList(c.Headers))
	default:
		out.printf("    allow_headers=[],  # the default \"*\" would allow every header\n")
	}
	if exp := exposeList(c); len(exp) > 0 {
		out.printf("    expose_headers=%s,\n", pyList(exp))
	}
	if c.Creds {
		out.printf("    supports_credentials=True,\n")
	}
	if c.MaxAge >= 0 {
		out.printf("    max_age=%d,\n", c.MaxAge)
	}
	out.printf(")\n")
	return nil
}

// renderDjango prints django-cors-headers settings.
func renderDjango(p analysis, out *output) error {
	const name = "django-cors-headers"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format django: the policy as django-cors-headers settings (pip install django-cors-headers), in settings.py."
	statusWarning(c, out, "django-cors-headers", 200)
	out.note("django-cors-headers refuses by leaving out its headers, and answers every OPTIONS with Access-Control-Request-Method itself.")
	out.printf("INSTALLED_APPS += [\"corsheaders\"]\n")
	out.printf("MIDDLEWARE.insert(0, \"corsheaders.middleware.CorsMiddleware\")  # before CommonMiddleware's redirects\n")
	switch {
	case c.EchoOrigin && !c.Creds:
		out.note("django-cors-headers cannot echo every Origin without credentials: CORS_ALLOW_ALL_ORIGINS sends * instead, which browsers accept the same way for requests without credentials.")
		out.printf("CORS_ALLOW_ALL_ORIGINS = True\n")
	case c.EchoOrigin:
		out.printf("CORS_ALLOW_ALL_ORIGINS = True  # with CORS_ALLOW_CREDENTIALS it echoes any Origin, as {origin} does\n")
	case c.AnyOrigin && c.Creds:
		out.warn("with CORS_ALLOW_CREDENTIALS, django-cors-headers answers CORS_ALLOW_ALL_ORIGINS by echoing any Origin (not *): every site can read credentialed answers. List your origins instead.")
		out.printf("CORS_ALLOW_ALL_ORIGINS = True\n")
	case c.AnyOrigin:
		out.printf("CORS_ALLOW_ALL_ORIGINS = True\n")
	default:
		out.printf("CORS_ALLOWED_ORIGINS = %s\n", pyList(c.Origins))
	}
	methods := c.Methods
	if c.AnyMethod {
		out.warn("django-cors-headers has no wildcard for methods; rendered with %s.", strings.Join(commonMethods, ", "))
		methods = commonMethods
	}
	out.printf("CORS_ALLOW_METHODS = %s\n", pyList(methods))
	switch {
	case c.AnyHeader && c.Creds:
		out.warn("django-cors-headers sends CORS_ALLOW_HEADERS as it is: with credentials browsers read * as a header named \"*\", and cannot have the requested headers echoed.")
		out.printf("CORS_ALLOW_HEADERS = [\"*\"]\n")
	case c.AnyHeader:
		out.printf("CORS_ALLOW_HEADERS = [\"*\"]  # sent as *: any header, without credentials\n")
	default:
		out.printf("CORS_ALLOW_HEADERS = %s\n", pyList(c.Headers))
	}
	if exp := exposeList(c); len(exp) > 0 {
		out.printf("CORS_EXPOSE_HEADERS = %s\n", pyList(exp))
	}
	if c.Creds {
		out.printf("CORS_ALLOW_CREDENTIALS = True\n")
	}
	if c.MaxAge >= 0 {
		out.printf("CORS_PREFLIGHT_MAX_AGE = %d\n", c.MaxAge)
	} else {
		out.printf("CORS_PREFLIGHT_MAX_AGE = 0  # sends none, as the policy (the default is 86400)\n")
	}
	return nil
}

// renderS3 prints an AWS S3 bucket CORS configuration, as the aws command
// that sets it.
func renderS3(p analysis, out *output) error {
	const name = "S3"
	c, err := libConfig(p, out, name)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format s3: the policy as an AWS S3 bucket CORS configuration (the JSON after --cors-configuration)."
	statusWarning(c, out, "S3", 200)
	out.note("S3 refuses a preflight it does not allow with 403 and no CORS headers.")
	var origins []string
	switch {
	case c.EchoOrigin:
		out.warn("S3 cannot echo every Origin: \"*\" sends Access-Control-Allow-Origin: *, which browsers refuse on credentialed requests. List your origins to have them echoed.")
		origins = []string{"*"}
	case c.AnyOrigin:
		origins = []string{"*"}
	default:
		origins = c.Origins
		if !c.Creds {
			out.note("S3 sends Access-Control-Allow-Credentials: true with a listed origin, which the policy does not; it changes nothing for requests without credentials, and allows those with.")
		}
	}
	if c.Creds && (c.AnyOrigin || c.EchoOrigin) {
		out.warn("S3 never sends Access-Control-Allow-Credentials with the origin \"*\": credentialed requests are refused.")
	}
	var methods []string
	for _, m := range c.Methods {
		switch m {
		case "GET", "PUT", "POST", "DELETE", "HEAD":
			methods = append(methods, m)
		default:
			out.warn("S3 allows only GET, PUT, POST, DELETE and HEAD: %s is left out.", m)
		}
	}
	if c.AnyMethod {
		out.warn("S3 has no wildcard for methods; rendered with GET, PUT, POST, DELETE and HEAD.")
		methods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}
	}
	headers := c.Headers
	if c.AnyHeader {
		headers = []string{"*"} // S3 echoes the requested headers
	}
	if c.ExposeAll {
		out.warn("S3 does not take * in ExposeHeaders; list the headers to expose.")
	}
	rule := "{\"AllowedOrigins\": [" + commaQ(origins) + "], \"AllowedMethods\": [" + commaQ(methods) + "]"
	if len(headers) > 0 {
		rule += ", \"AllowedHeaders\": [" + commaQ(headers) + "]"
	}
	if len(c.Expose) > 0 {
		rule += ", \"ExposeHeaders\": [" + commaQ(c.Expose) + "]"
	}
	if c.MaxAge >= 0 {
		rule += fmt.Sprintf(", \"MaxAgeSeconds\": %d", c.MaxAge)
	}
	rule += "}"
	out.printf("aws s3api put-bucket-cors --bucket YOUR-BUCKET --cors-configuration '{\"CORSRules\": [%s]}'\n", strings.ReplaceAll(rule, "'", `'\''`))
	return nil
}
