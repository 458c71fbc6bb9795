package export

import (
	"slices"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// Caddy and Apache set headers as they are told, like nginx: they can send
// every policy as it is — header lines, placeholders, any preflight status.

// Caddy is a policy as Caddyfile directives for a site block (Caddy 2.6+).
type Caddy struct{ Site string }

// CaddyConfig maps doc onto Caddy; a test serves it with a real caddy.
func CaddyConfig(doc policy.Document) (Caddy, error) {
	if err := doc.Validate(); err != nil {
		return Caddy{}, err
	}
	p := analyze(doc)
	if len(p.pre.all) == 0 && len(p.act.all) == 0 && p.doc.Preflight.Status == 0 {
		return Caddy{}, ErrNothing
	}
	return caddy(p), nil
}

func renderCaddy(p analysis, out *output) error {
	if len(p.pre.all) == 0 && len(p.act.all) == 0 && p.doc.Preflight.Status == 0 {
		return ErrNothing
	}
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format caddy: the policy as Caddyfile directives (Caddy 2.6+), in the site block that serves your API."
	if slices.ContainsFunc(append(slices.Clone(p.pre.all), p.act.all...), func(h headerLines) bool { return hasPlaceholder(h.values) }) {
		out.note("a header whose placeholder is empty is sent empty, where the lab leaves it out: browsers read both the same way.")
	}
	out.printf("%s", caddy(p).Site)
	return nil
}

// caddyPlaceholder is the Caddy placeholder each policy placeholder reads.
var caddyPlaceholder = map[string]string{
	policy.PlaceholderOrigin:         "{http.request.header.Origin}",
	policy.PlaceholderRequestMethod:  "{http.request.header.Access-Control-Request-Method}",
	policy.PlaceholderRequestHeaders: "{http.request.header.Access-Control-Request-Headers}",
}

// caddyValue quotes a header value for a Caddyfile, placeholders replaced,
// other braces escaped.
func caddyValue(v string) string {
	return quoteValue(`"`, v, caddyPlaceholder, func(b *strings.Builder, c byte) {
		if strings.IndexByte(`"\{}`, c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	})
}

func caddy(p analysis) Caddy {
	var b strings.Builder
	b.WriteString("@cors_preflight {\n\tmethod OPTIONS\n\theader Access-Control-Request-Method *\n}\n")
	b.WriteString("@cors_other {\n\tnot {\n\t\tmethod OPTIONS\n\t\theader Access-Control-Request-Method *\n\t}\n}\n")
	b.WriteString("handle @cors_preflight {\n\t# A CORS preflight: answered here, never passed on.\n")
	for _, h := range p.pre.all {
		for _, v := range h.values {
			b.WriteString("\theader " + caddyOp(h) + h.name + " " + caddyValue(v) + "\n")
		}
	}
	b.WriteString("\trespond " + strconv.Itoa(p.status) + "\n}\n")
	if len(p.act.all) > 0 || echoes(p.act.origin) {
		b.WriteString("header @cors_other {\n\t# every other answer, errors included\n")
		for _, h := range p.act.all {
			for _, v := range h.values {
				b.WriteString("\t" + caddyOp(h) + h.name + " " + caddyValue(v) + "\n")
			}
		}
		if echoes(p.act.origin) && !varyOrigin(p.act.vary) {
			b.WriteString("\t+Vary Origin # added: the answer depends on Origin\n")
		}
		b.WriteString("}\n")
	}
	return Caddy{Site: b.String()}
}

// caddyOp is "" (set, replacing the upstream's line) for a header on one
// line, "+" (add) for each line of one on several: Caddy applies its adds
// before its sets, so a set would replace the lines added.
func caddyOp(h headerLines) string {
	if len(h.values) > 1 {
		return "+"
	}
	return ""
}

// Apache is a policy as Apache httpd 2.4 directives (mod_headers,
// mod_rewrite), for a <VirtualHost> or <Location>.
type Apache struct{ Directives string }

// ApacheConfig maps doc onto Apache; a test serves it with a real httpd.
func ApacheConfig(doc policy.Document) (Apache, error) {
	if err := doc.Validate(); err != nil {
		return Apache{}, err
	}
	p := analyze(doc)
	if len(p.pre.all) == 0 && len(p.act.all) == 0 && p.doc.Preflight.Status == 0 {
		return Apache{}, ErrNothing
	}
	return apache(p), nil
}

func renderApache(p analysis, out *output) error {
	if len(p.pre.all) == 0 && len(p.act.all) == 0 && p.doc.Preflight.Status == 0 {
		return ErrNothing
	}
	out.comment, out.addsVary = "# ", true
	out.title = "corslab export -format apache: the policy as Apache httpd 2.4 directives (a2enmod headers rewrite), in the <VirtualHost> that serves your API. \"Header always\" puts them on error answers too."
	out.printf("%s", apache(p).Directives)
	return nil
}

// apachePreflight is the ap_expr that tells a CORS preflight.
const apachePreflight = "%{REQUEST_METHOD} == 'OPTIONS' && -n %{req:Access-Control-Request-Method}"

// apacheValue quotes a header value as an ap_expr string: placeholders
// read the request's headers.
func apacheValue(v string) string {
	return quoteValue(`"expr=`, v, apachePlaceholder, func(b *strings.Builder, c byte) {
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '%':
			b.WriteString("\\%")
		default:
			b.WriteByte(c)
		}
	})
}

// apachePlaceholder is the ap_expr each policy placeholder reads.
var apachePlaceholder = map[string]string{
	policy.PlaceholderOrigin:         "%{req:Origin}",
	policy.PlaceholderRequestMethod:  "%{req:Access-Control-Request-Method}",
	policy.PlaceholderRequestHeaders: "%{req:Access-Control-Request-Headers}",
}

func apache(p analysis) Apache {
	var b strings.Builder
	b.WriteString("RewriteEngine On\n")
	b.WriteString("# A CORS preflight (OPTIONS with Access-Control-Request-Method) is answered\n# at once, never passed on:\n")
	b.WriteString("RewriteCond %{REQUEST_METHOD} =OPTIONS\nRewriteCond %{HTTP:Access-Control-Request-Method} !=\"\"\n")
	status := p.status
	location := ""
	for _, h := range p.pre.all {
		verb := "set"
		for i, v := range h.values {
			if i > 0 {
				verb = "add"
			}
			if h.name == "Location" && status >= 300 && status < 400 {
				location = v
				continue
			}
			b.WriteString("Header always " + verb + " " + h.name + " " + apacheValue(v) + " \"expr=" + apachePreflight + "\"\n")
		}
	}
	if location != "" {
		b.WriteString("RewriteRule ^ " + strings.NewReplacer(
			policy.PlaceholderOrigin, "%{HTTP:Origin}",
			policy.PlaceholderRequestMethod, "%{HTTP:Access-Control-Request-Method}",
			policy.PlaceholderRequestHeaders, "%{HTTP:Access-Control-Request-Headers}", " ", "%20").Replace(location) + " [R=" + strconv.Itoa(status) + ",NE,L]\n")
	} else {
		b.WriteString("RewriteRule ^ - [R=" + strconv.Itoa(status) + ",L]\n")
	}
	b.WriteString("# Every other answer:\n")
	for _, h := range p.act.all {
		verb := "set"
		for i, v := range h.values {
			if i > 0 {
				verb = "add"
			}
			b.WriteString("Header always " + verb + " " + h.name + " " + apacheValue(v) + " \"expr=!(" + apachePreflight + ")\"\n")
		}
	}
	if echoes(p.act.origin) && !varyOrigin(p.act.vary) {
		b.WriteString("Header always merge Vary Origin \"expr=!(" + apachePreflight + ")\"\n")
	}
	return Apache{Directives: b.String()}
}
