package export

import (
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// Nginx is a policy as nginx directives: HTTP goes in the http block,
// Location in the location (or server) block that serves the API. nginx can
// send every policy as it is: header lines, placeholders (as variables),
// any preflight status.
type Nginx struct {
	HTTP, Location string
}

// NginxConfig maps doc onto nginx directives (the renderer prints the
// same, with comments); a test serves them with a real nginx.
func NginxConfig(doc policy.Document) (Nginx, error) {
	if err := doc.Validate(); err != nil {
		return Nginx{}, err
	}
	p := analyze(doc)
	if len(p.pre.all) == 0 && len(p.act.all) == 0 && p.doc.Preflight.Status == 0 {
		return Nginx{}, ErrNothing
	}
	return nginx(p), nil
}

func renderNginx(p analysis, out *output) error {
	if len(p.pre.all) == 0 && len(p.act.all) == 0 && p.doc.Preflight.Status == 0 {
		return ErrNothing
	}
	n := nginx(p)
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format nginx: site B's policy as nginx directives (add_header … always, so error answers carry them too)."
	out.note("if nginx proxies to an app that sends CORS headers of its own, hide them (proxy_hide_header Access-Control-Allow-Origin; and so on), or the browser gets both.")
	out.printf("# In the http block:\n%s\n# In the location (or server) block that serves your API:\n%s", n.HTTP, n.Location)
	return nil
}

func nginx(p analysis) Nginx {
	var dollar bool
	var loc strings.Builder
	loc.WriteString("if ($cors_preflight) {\n")
	loc.WriteString("    # A CORS preflight: answered here, never passed on.\n")
	location := ""
	wrote := false
	for _, h := range p.pre.all {
		if h.name == "Location" && p.status >= 300 && p.status < 400 && len(h.values) == 1 {
			location = h.values[0] // return sets it
			continue
		}
		for _, v := range h.values {
			loc.WriteString("    add_header " + h.name + " " + nginxValue(v, &dollar) + " always;\n")
			wrote = true
		}
	}
	if !wrote {
		// An add_header here, even one that sends nothing, stops the
		// location's own add_header lines from applying to preflights.
		loc.WriteString("    add_header Access-Control-Allow-Origin \"\" always; # an empty value sends nothing\n")
	}
	if location != "" {
		loc.WriteString("    return " + strconv.Itoa(p.status) + " " + nginxValue(location, &dollar) + ";\n")
	} else {
		loc.WriteString("    return " + strconv.Itoa(p.status) + ";\n")
	}
	loc.WriteString("}\n")
	for _, h := range p.act.all {
		for _, v := range h.values {
			loc.WriteString("add_header " + h.name + " " + nginxValue(v, &dollar) + " always;\n")
		}
	}
	if echoes(p.act.origin) && !varyOrigin(p.act.vary) {
		// The answer depends on Origin: tell caches (not in the policy).
		loc.WriteString("add_header Vary Origin always; # added: the answer depends on Origin\n")
	}

	var http strings.Builder
	http.WriteString("map \"$request_method:$http_access_control_request_method\" $cors_preflight {\n")
	http.WriteString("    default        0;\n")
	http.WriteString("    \"~^OPTIONS:.\"  1; # OPTIONS with Access-Control-Request-Method\n")
	http.WriteString("}\n")
	if dollar {
		http.WriteString("geo $cors_dollar { default \"$\"; } # a literal $ in a header value\n")
	}
	return Nginx{HTTP: http.String(), Location: loc.String()}
}

// nginxPlaceholder is the variable each placeholder reads.
var nginxPlaceholder = map[string]string{
	policy.PlaceholderOrigin:         "${http_origin}",
	policy.PlaceholderRequestMethod:  "${http_access_control_request_method}",
	policy.PlaceholderRequestHeaders: "${http_access_control_request_headers}",
}

// nginxValue quotes a header value for nginx, placeholders as variables
// (nginx leaves out a header whose value is empty, as site B leaves out one
// whose placeholder fills in nothing).
func nginxValue(v string, dollar *bool) string {
	return quoteValue(`"`, v, nginxPlaceholder, func(b *strings.Builder, c byte) {
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '$':
			b.WriteString("${cors_dollar}")
			*dollar = true
		default:
			b.WriteByte(c)
		}
	})
}

// quoteValue quotes a header value for a configuration language: open,
// then each placeholder as vars names it and every other byte as esc
// writes it, then a closing '"'.
func quoteValue(open, v string, vars map[string]string, esc func(b *strings.Builder, c byte)) string {
	var b strings.Builder
	b.WriteString(open)
	for i := 0; i < len(v); i++ {
		if v[i] == '{' {
			if j := strings.IndexByte(v[i:], '}'); j > 0 {
				if e, ok := vars[v[i:i+j+1]]; ok {
					b.WriteString(e)
					i += j
					continue
				}
			}
		}
		esc(&b, v[i])
	}
	b.WriteByte('"')
	return b.String()
}
