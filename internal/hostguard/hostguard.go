// Package hostguard refuses requests whose Host header is not one of the
// lab's own names: the defence against DNS rebinding.
//
// A page on an attacker's domain whose name is made to resolve to 127.0.0.1
// (DNS rebinding) talks to a loopback server same-origin: the browser sends
// Origin http://evil.example:7070 and Host evil.example:7070, so an
// Origin-equals-Host check (net/http's CrossOriginProtection, a websocket
// check against r.Host) lets it through. The Host header is the one thing
// such a page cannot choose: the browser always sends the name the page was
// loaded from (RFC 9110 §7.2). So the lab answers only to the names it is
// served under, as Vite (server.allowedHosts) and webpack-dev-server
// (allowedHosts) do: loopback names and addresses, and under -lan the
// machine's own addresses and host name — each on the site's own port.
package hostguard

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
)

// Guard knows one site's own names and refuses requests for any other.
type Guard struct {
	site  string          // "site A", for the refusal's body
	port  string          // the site's port
	names map[string]bool // lower-case host names and addresses allowed besides loopback
	open  string          // the URL to suggest instead
	// last is the Host Allowed last said yes to: every request of a
	// browser or a load tool names the same one, and the guard's names
	// never change, so the next request is settled by one comparison.
	last atomic.Pointer[string]
}

// New returns the guard of site (e.g. "site A") listening on port, which
// answers to loopback names and to names (host names or IP addresses,
// without port). open is the URL the refusal suggests.
func New(site, port, open string, names ...string) *Guard {
	g := &Guard{site: site, port: port, names: make(map[string]bool), open: open}
	for _, n := range names {
		g.names[canonical(n)] = true
	}
	return g
}

// LANNames returns the names under which other machines may reach a site
// listening on host: host itself, and when host is unspecified (0.0.0.0,
// ::) or this machine's name, every address of this machine's interfaces
// and its host name (and host name.local, as mDNS announces it).
func LANNames(host string) []string {
	names := []string{host}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip == nil || ip.IsUnspecified() {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
					names = append(names, ipn.IP.String())
				}
			}
		}
		if h, err := os.Hostname(); err == nil && h != "" {
			names = append(names, h, strings.TrimSuffix(h, ".local")+".local")
		}
	}
	return names
}

// Allowed reports whether hostport, a request's Host header, names this
// site: a loopback name or address (localhost, *.localhost, 127.0.0.0/8,
// ::1) or one of the guard's names, on the site's port (80 when the Host
// has none, as a browser sends it for port 80).
func (g *Guard) Allowed(hostport string) bool {
	if last := g.last.Load(); last != nil && *last == hostport {
		return true
	}
	if !g.allowed(hostport) {
		return false
	}
	g.last.Store(&hostport)
	return true
}

func (g *Guard) allowed(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "80"
	}
	if port != g.port || host == "" {
		return false
	}
	host = canonical(host)
	return IsLoopback(host) || g.names[host]
}

// Origins returns the serializations of the site's origin a browser may
// send: http://name:port for each loopback name and each of the guard's
// names.
func (g *Guard) Origins() []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, n := range slices.Sorted(maps.Keys(g.names)) {
		if !slices.Contains(hosts, n) {
			hosts = append(hosts, n)
		}
	}
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil && ip.IsUnspecified() {
			continue // 0.0.0.0 is where one listens, never what a browser sends
		}
		out = append(out, "http://"+net.JoinHostPort(h, g.port))
	}
	return out
}

// Wrap refuses, with 403 and a one-line reason, every request to h whose
// Host is not the site's own (Allowed).
func (g *Guard) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.Allowed(r.Host) {
			g.refuse(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (g *Guard) refuse(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "corslab %s: refused Host %q: not one of %s's own names on port %s (a page under another name that resolves to this machine is a DNS-rebinding attack); open %s\n",
		g.site, clip(r.Host), g.site, g.port, g.open)
}

// IsLoopback reports whether host (a name or address, without port) names
// this machine only: localhost, a name under .localhost (RFC 6761 §6.3:
// browsers resolve those to loopback themselves), or a loopback address.
func IsLoopback(host string) bool {
	host = canonical(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// canonical lower-cases host, drops IPv6 brackets and a trailing root dot.
func canonical(host string) string {
	host = strings.ToLower(strings.Trim(host, "[]"))
	return strings.TrimSuffix(host, ".")
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
