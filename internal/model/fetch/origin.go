package fetch

import (
	"net/url"
	"strconv"
	"strings"
)

// defaultPort is the port a special scheme implies (URL Standard, "special scheme").
func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

// serializeOrigin is HTML's "ASCII serialization of an origin" for a tuple
// origin: scheme "://" host [":" port], lowercase, no default port.
func serializeOrigin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	s := scheme + "://" + host
	if p := u.Port(); p != "" && p != defaultPort(scheme) {
		s += ":" + p
	}
	return s
}

// parseOrigin reads a serialized origin ("http://localhost:7070" or "null").
// canon is its canonical serialization; exact is whether s already was
// canonical; ok is false when s is not an origin at all.
func parseOrigin(s string) (canon string, exact, ok bool) {
	if s == "null" {
		return "null", true, true
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Opaque != "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", false, false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n > 65535 {
			return "", false, false
		}
	}
	if strings.HasSuffix(u.Host, ":") {
		return "", false, false
	}
	canon = serializeOrigin(u)
	return canon, canon == s, true
}

// canonicalURL renders u the way Chromium prints a request URL (GURL spec):
// lowercase scheme and host, no default port, "/" for an empty path.
func canonicalURL(u *url.URL) string {
	c := *u
	c.Scheme = strings.ToLower(c.Scheme)
	host := strings.ToLower(c.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := c.Port(); p != "" && p != defaultPort(c.Scheme) {
		host += ":" + p
	}
	c.Host = host
	if c.Path == "" && c.RawPath == "" && c.Opaque == "" {
		c.Path = "/"
	}
	return c.String()
}

// gurlValid approximates whether Chromium's GURL accepts s as a URL; Chromium
// uses it to tell InvalidAllowOriginValue from AllowOriginMismatch
// (cors.cc CheckAccess). A scheme is required; a special scheme needs a host
// without forbidden host code points and a port that is a number up to 65535.
func gurlValid(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return false
	}
	scheme := strings.ToLower(s[:colon])
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		alpha := 'a' <= c && c <= 'z'
		if !(alpha || (i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'))) {
			return false
		}
	}
	if scheme == "file" || defaultPort(scheme) == "" {
		return true // non-special schemes take almost anything
	}
	rest := strings.TrimLeft(s[colon+1:], "/\\")
	if i := strings.IndexAny(rest, "/\\?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return false
		}
		host, port = rest[:end+1], strings.TrimPrefix(rest[end+1:], ":")
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
	}
	if host == "" || strings.ContainsAny(host, " #%<>^|\x00\t\n\r") {
		return false
	}
	if port != "" {
		n, ok := parseDigits(port)
		if !ok || n > 65535 {
			return false
		}
	}
	return true
}

// hasCredentials reports whether u "includes credentials" (URL Standard "includes credentials":
// a non-empty username or password).
func hasCredentials(u *url.URL) bool {
	if u.User == nil {
		return false
	}
	p, _ := u.User.Password()
	return u.User.Username() != "" || p != ""
}
