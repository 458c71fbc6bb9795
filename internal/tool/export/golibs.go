package export

import (
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// JubCors is a github.com/jub0bs/cors v0.13 Config for a policy, as plain
// fields: the renderer prints them as Go and a test serves them.
type JubCors struct {
	Origins         []string
	Credentialed    bool
	Methods         []string // beyond the safelisted ones, which jub0bs/cors allows anyway
	RequestHeaders  []string
	MaxAgeInSeconds int // 0 sends none, -1 sends 0
	ResponseHeaders []string
	// DangerouslyTolerateInsecureOrigins is set when an origin is http://.
	DangerouslyTolerateInsecureOrigins bool
}

// JubCorsConfig maps doc onto jub0bs/cors; warnings say where it answers
// differently from the policy.
func JubCorsConfig(doc policy.Document) (j JubCors, warnings []string, err error) {
	if err := doc.Validate(); err != nil {
		return j, nil, err
	}
	var out output
	j, err = jubCors(analyze(doc), &out)
	return j, out.warnings, err
}

func jubCors(p analysis, out *output) (JubCors, error) {
	const name = "jub0bs/cors"
	c, err := libConfig(p, out, name)
	if err != nil {
		return JubCors{}, err
	}
	statusWarning(c, out, name, 204)
	j := JubCors{Credentialed: c.Creds, Origins: c.Origins}
	switch {
	case c.EchoOrigin && !c.Creds:
		out.note("jub0bs/cors cannot echo every Origin; without credentials \"*\" allows the same requests.")
		j.Origins = []string{"*"}
	case c.EchoOrigin, c.AnyOrigin && c.Creds:
		out.warn("jub0bs/cors refuses to allow every origin with credentials (it returns an error): list your origins. Rendered without credentials.")
		j.Origins, j.Credentialed = []string{"*"}, false
	case c.AnyOrigin:
		j.Origins = []string{"*"}
	}
	for _, o := range j.Origins {
		if strings.HasPrefix(o, "http://") {
			j.DangerouslyTolerateInsecureOrigins = true
		}
	}
	if c.AnyMethod {
		j.Methods = []string{"*"}
	} else {
		for _, m := range c.Methods {
			if m != "GET" && m != "HEAD" && m != "POST" {
				j.Methods = append(j.Methods, m)
			}
		}
	}
	switch {
	case c.AnyHeader && c.Creds:
		out.warn("jub0bs/cors cannot allow every request header with credentials; list them.")
	case c.AnyHeader:
		// "*" leaves out Authorization, which the policy's "*" covers in Chromium.
		j.RequestHeaders = []string{"*", "authorization"}
	default:
		j.RequestHeaders = c.Headers
	}
	if c.ExposeAll && c.Creds {
		out.warn("jub0bs/cors refuses ResponseHeaders \"*\" with credentials; list the headers to expose.")
	} else if c.ExposeAll {
		j.ResponseHeaders = []string{"*"}
	}
	if !c.ExposeAll || c.Creds {
		j.ResponseHeaders = append(j.ResponseHeaders, c.Expose...)
	}
	switch {
	case c.MaxAge == 0:
		j.MaxAgeInSeconds = -1
	case c.MaxAge > 86400:
		out.warn("jub0bs/cors takes a max age of at most 86400 s (browsers cap it lower anyway); rendered with 86400.")
		j.MaxAgeInSeconds = 86400
	case c.MaxAge > 0:
		j.MaxAgeInSeconds = c.MaxAge
	}
	return j, nil
}

func renderJubCors(p analysis, out *output) error {
	j, err := jubCors(p, out)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format jub0bs-cors: the policy as a github.com/jub0bs/cors v0.13 Config (go get github.com/jub0bs/cors)."
	out.note("jub0bs/cors refuses a preflight it does not allow with 403 and no CORS headers.")
	out.printf("cors, err := cors.NewMiddleware(cors.Config{\n\tOrigins: %s,\n", goStrings(j.Origins))
	if j.Credentialed {
		out.printf("\tCredentialed: true,\n")
	}
	if len(j.Methods) > 0 {
		out.printf("\tMethods: %s, // GET, HEAD and POST need no listing\n", goStrings(j.Methods))
	}
	if len(j.RequestHeaders) > 0 {
		out.printf("\tRequestHeaders: %s,\n", goStrings(j.RequestHeaders))
	}
	switch {
	case j.MaxAgeInSeconds < 0:
		out.printf("\tMaxAgeInSeconds: -1, // sends Access-Control-Max-Age: 0\n")
	case j.MaxAgeInSeconds > 0:
		out.printf("\tMaxAgeInSeconds: %d,\n", j.MaxAgeInSeconds)
	}
	if len(j.ResponseHeaders) > 0 {
		out.printf("\tResponseHeaders: %s,\n", goStrings(j.ResponseHeaders))
	}
	if j.DangerouslyTolerateInsecureOrigins {
		out.printf("\tDangerouslyTolerateInsecureOrigins: true, // an http:// origin\n")
	}
	out.printf("})\nif err != nil {\n\tlog.Fatal(err)\n}\nhandler := cors.Wrap(mux)\n")
	return nil
}

// ChiCors is github.com/go-chi/cors v1.2 Options for a policy.
type ChiCors struct {
	AllowedOrigins   []string
	EchoAnyOrigin    bool // AllowOriginFunc returning true
	AllowedMethods   []string
	AllowedHeaders   []string
	ExposedHeaders   []string
	AllowCredentials bool
	MaxAge           int // seconds; 0 sends none
}

// ChiCorsOptions maps doc onto go-chi/cors; warnings say where it answers
// differently from the policy.
func ChiCorsOptions(doc policy.Document) (o ChiCors, warnings []string, err error) {
	if err := doc.Validate(); err != nil {
		return o, nil, err
	}
	var out output
	o, err = chiCors(analyze(doc), &out)
	return o, out.warnings, err
}

func chiCors(p analysis, out *output) (ChiCors, error) {
	const name = "go-chi/cors"
	c, err := libConfig(p, out, name)
	if err != nil {
		return ChiCors{}, err
	}
	statusWarning(c, out, name, 200)
	o := ChiCors{AllowedOrigins: c.Origins, EchoAnyOrigin: c.EchoOrigin, AllowCredentials: c.Creds, AllowedMethods: c.Methods}
	if c.AnyOrigin {
		o.AllowedOrigins = []string{"*"}
	}
	if c.AnyMethod {
		out.warn("go-chi/cors has no wildcard for methods; rendered with %s.", strings.Join(commonMethods, ", "))
		o.AllowedMethods = commonMethods
	}
	switch {
	case c.AnyHeader:
		o.AllowedHeaders = []string{"*"} // echoes the requested headers
	case len(c.Headers) > 0:
		o.AllowedHeaders = c.Headers
	default:
		o.AllowedHeaders = []string{""} // none: an empty list means Accept, Content-Type, X-Requested-With
	}
	if c.ExposeAll {
		out.warn("go-chi/cors sends its ExposedHeaders as listed: \"*\" is rendered, which browsers read as a wildcard only without credentials.")
	}
	o.ExposedHeaders = exposeList(c)
	switch {
	case c.MaxAge == 0:
		out.note("go-chi/cors cannot send Access-Control-Max-Age: 0; it sends none (browsers then cache 5 s).")
	case c.MaxAge > 0:
		o.MaxAge = c.MaxAge
	}
	return o, nil
}

func renderChiCors(p analysis, out *output) error {
	o, err := chiCors(p, out)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format chi-cors: the policy as github.com/go-chi/cors v1.2 options (go get github.com/go-chi/cors)."
	out.note("go-chi/cors answers a preflight it does not allow with 200 and no CORS headers, and checks the method of actual requests too.")
	out.printf("r.Use(cors.Handler(cors.Options{\n")
	if o.EchoAnyOrigin {
		out.printf("\tAllowOriginFunc: func(r *http.Request, origin string) bool { return true }, // echo every Origin, as {origin} does\n")
	} else {
		out.printf("\tAllowedOrigins: %s,\n", goStrings(o.AllowedOrigins))
	}
	out.printf("\tAllowedMethods: %s,\n\tAllowedHeaders: %s,\n", goStrings(o.AllowedMethods), goStrings(o.AllowedHeaders))
	if len(o.ExposedHeaders) > 0 {
		out.printf("\tExposedHeaders: %s,\n", goStrings(o.ExposedHeaders))
	}
	if o.AllowCredentials {
		out.printf("\tAllowCredentials: true,\n")
	}
	if o.MaxAge > 0 {
		out.printf("\tMaxAge: %d,\n", o.MaxAge)
	}
	out.printf("}))\n")
	return nil
}

// GinCors is a github.com/gin-contrib/cors v1.7 Config for a policy, as
// plain fields: the renderer prints them as Go and a test serves them.
type GinCors struct {
	AllowAllOrigins  bool
	EchoAnyOrigin    bool // AllowOriginFunc returning true
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	AllowCredentials bool
	MaxAge           int // seconds; 0 sends none
}

// GinCorsConfig maps doc onto gin-contrib/cors; warnings say where it
// answers differently from the policy.
func GinCorsConfig(doc policy.Document) (g GinCors, warnings []string, err error) {
	if err := doc.Validate(); err != nil {
		return g, nil, err
	}
	var out output
	g, err = ginCors(analyze(doc), &out)
	return g, out.warnings, err
}

func ginCors(p analysis, out *output) (GinCors, error) {
	const name = "gin-contrib/cors"
	c, err := libConfig(p, out, name)
	if err != nil {
		return GinCors{}, err
	}
	statusWarning(c, out, name, 204)
	out.note("gin-contrib/cors answers a request from an origin it does not allow with 403.")
	g := GinCors{EchoAnyOrigin: c.EchoOrigin, AllowAllOrigins: c.AnyOrigin, AllowOrigins: c.Origins,
		AllowMethods: c.Methods, AllowCredentials: c.Creds, ExposeHeaders: exposeList(c)}
	if c.AnyOrigin && c.Creds {
		out.warn("gin-contrib/cors sends * with AllowAllOrigins, which browsers refuse on credentialed requests (WildcardOriginNotAllowed), as the policy's * is; list your origins to allow them.")
	}
	if c.AnyMethod {
		out.warn("gin-contrib/cors has no wildcard for methods; rendered with %s.", strings.Join(commonMethods, ", "))
		g.AllowMethods = commonMethods
	}
	switch {
	case c.AnyHeader && c.Creds:
		out.warn("gin-contrib/cors sends AllowHeaders as listed: with credentials browsers read \"*\" as a header named \"*\"; list the headers.")
		g.AllowHeaders = []string{"*"}
	case c.AnyHeader:
		g.AllowHeaders = []string{"*"}
	default:
		g.AllowHeaders = c.Headers
	}
	switch {
	case c.MaxAge == 0:
		out.note("gin-contrib/cors cannot send Access-Control-Max-Age: 0; it sends none (browsers then cache 5 s).")
	case c.MaxAge > 0:
		g.MaxAge = c.MaxAge
	}
	return g, nil
}

// renderGin prints github.com/gin-contrib/cors options.
func renderGin(p analysis, out *output) error {
	g, err := ginCors(p, out)
	if err != nil {
		return err
	}
	out.comment, out.addsVary = "// ", true
	out.title = "corslab export -format gin: the policy as github.com/gin-contrib/cors options (go get github.com/gin-contrib/cors)."
	out.printf("router.Use(cors.New(cors.Config{\n")
	switch {
	case g.EchoAnyOrigin:
		out.printf("\tAllowOriginFunc: func(origin string) bool { return true }, // echo every Origin, as {origin} does\n")
	case g.AllowAllOrigins:
		out.printf("\tAllowAllOrigins: true,\n")
	default:
		out.printf("\tAllowOrigins: %s,\n", goStrings(g.AllowOrigins))
	}
	out.printf("\tAllowMethods: %s,\n", goStrings(g.AllowMethods))
	switch {
	case len(g.AllowHeaders) == 1 && g.AllowHeaders[0] == "*" && !g.AllowCredentials:
		out.printf("\tAllowHeaders: []string{\"*\"}, // sent as *: any header, without credentials\n")
	case len(g.AllowHeaders) > 0:
		out.printf("\tAllowHeaders: %s,\n", goStrings(g.AllowHeaders))
	}
	if len(g.ExposeHeaders) > 0 {
		out.printf("\tExposeHeaders: %s,\n", goStrings(g.ExposeHeaders))
	}
	if g.AllowCredentials {
		out.printf("\tAllowCredentials: true,\n")
	}
	if g.MaxAge > 0 {
		out.printf("\tMaxAge: %d * time.Second,\n", g.MaxAge)
	}
	out.printf("}))\n")
	return nil
}
