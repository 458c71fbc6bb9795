// Package lab wires the lab together: the journal, site B under its policy,
// and site A serving the page, each on its own loopback port. cmd/corslab
// and the end-to-end tests start the lab through it.
package lab

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/corslab/corslab/internal/hostguard"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/siteA"
	"github.com/corslab/corslab/siteB"
)

// Default addresses: the same host, so the two sites are cross-origin but
// same-site (cookies flow), on ports that rarely clash.
const (
	DefaultSiteA = "localhost:7070"
	DefaultSiteB = "localhost:7071"
)

// HistorySize is how many events the live log keeps, and so how far a
// subscriber may fall behind before it is evicted.
const HistorySize = 4096

// Config says where the lab listens and how site B starts.
type Config struct {
	SiteA, SiteB string // host:port; port 0 picks a free one
	// LAN allows a non-loopback address, for a classroom.
	LAN bool
	// Policy is site B's first policy; nil means policy.Closed().
	Policy *policy.Policy
	// Progress is the file the lessons' progress is kept in; "" keeps it in memory.
	Progress string
	// Upstream, when set, makes site B a reverse proxy to this URL — the
	// user's own API — instead of serving its endpoints (corslab -upstream;
	// siteB.NewProxy).
	Upstream string
	// Scenario is the bug of the catalogue the page shows (corslab
	// -scenario NAME); Policy is then its buggy policy.
	Scenario string
	// Replay, when set, makes site B answer as a recorded server did
	// (corslab -replay FILE.har; siteB.NewReplay).
	Replay *Replay
}

// Lab is a running pair of sites.
type Lab struct {
	Journal *journal.Journal
	SiteA   *siteA.Server
	SiteB   *siteB.Server
	// URLA and URLB are the sites' base URLs, e.g. http://localhost:7070.
	URLA, URLB string
	// TeacherURL is, under -lan, the page's URL with the teacher's token:
	// whoever opens it may change the policy and the lesson from another
	// machine (siteA.Config.TeacherToken). Empty without -lan.
	TeacherURL string

	lnA, lnB       net.Listener
	guardA, guardB *hostguard.Guard
}

// FlagError is a problem with one of the addresses, naming its flag.
type FlagError struct {
	Flag, Value string
	Err         error
}

func (e *FlagError) Error() string { return fmt.Sprintf("-%s %s: %v", e.Flag, e.Value, e.Err) }
func (e *FlagError) Unwrap() error { return e.Err }

// Listen checks the addresses and binds both ports.
func Listen(cfg Config) (*Lab, error) {
	hostA, _, err := checkAddr("site-a", cfg.SiteA, cfg.LAN)
	if err != nil {
		return nil, err
	}
	hostB, _, err := checkAddr("site-b", cfg.SiteB, cfg.LAN)
	if err != nil {
		return nil, err
	}
	if hostA != hostB {
		return nil, &FlagError{"site-b", cfg.SiteB, fmt.Errorf("host must be -site-a's (%s): the page reaches site B on the host it was loaded from", hostA)}
	}
	var upstream *url.URL
	if cfg.Upstream != "" {
		if upstream, err = siteB.ParseUpstream(cfg.Upstream); err != nil {
			return nil, &FlagError{"upstream", cfg.Upstream, err}
		}
	}
	if cfg.Replay != nil && upstream != nil {
		return nil, &FlagError{"replay", cfg.Replay.File, errors.New("site B replays a HAR or proxies to -upstream, not both")}
	}
	lnA, err := listen("site-a", cfg.SiteA)
	if err != nil {
		return nil, err
	}
	lnB, err := listen("site-b", cfg.SiteB)
	if err != nil {
		lnA.Close()
		return nil, err
	}
	l := &Lab{Journal: journal.New(HistorySize), lnA: lnA, lnB: lnB}
	names := []string{hostA}
	if cfg.LAN {
		names = hostguard.LANNames(hostA)
	}
	shown := hostA
	if ip := net.ParseIP(strings.Trim(hostA, "[]")); ip != nil && ip.IsUnspecified() {
		shown = lanAddress() // the address students type, never 0.0.0.0
	}
	l.URLA = "http://" + net.JoinHostPort(shown, port(lnA))
	l.URLB = "http://" + net.JoinHostPort(shown, port(lnB))
	l.guardA = hostguard.New("site A", port(lnA), l.URLA, names...)
	l.guardB = hostguard.New("site B", port(lnB), l.URLB, names...)
	if cfg.Replay != nil {
		l.SiteB = siteB.NewReplay(l.Journal, cfg.Replay.Server, cfg.Replay.Answers)
	} else if upstream == nil {
		l.SiteB = siteB.New(l.Journal)
	} else if p := upstream.Port(); l.isSelf(upstream) {
		lnA.Close()
		lnB.Close()
		return nil, &FlagError{"upstream", cfg.Upstream, fmt.Errorf("that is corslab's own site %s (port %s on this machine); point it at your API", map[bool]string{true: "A", false: "B"}[p == port(lnA)], p)}
	} else {
		l.SiteB = siteB.NewProxy(l.Journal, upstream)
	}
	l.SiteB.SetTrialOrigins(l.guardA.Origins())
	if cfg.Policy != nil {
		l.SiteB.SetPolicy(cfg.Policy, "start-up")
	}
	cfgA := siteA.Config{SiteBPort: port(lnB), Origins: l.guardA.Origins(), Progress: cfg.Progress, Scenario: cfg.Scenario}
	if cfg.LAN {
		cfgA.TeacherToken = rand.Text()
		l.TeacherURL = l.URLA + "/?teacher=" + cfgA.TeacherToken
		l.SiteB.MaskSecrets()
	}
	if u := l.SiteB.Upstream(); u != nil {
		cfgA.Upstream = u.String()
	}
	if rp := cfg.Replay; rp != nil {
		cfgA.Replay = &siteA.Replay{File: rp.File, Server: rp.Server, Calls: rp.Calls}
	}
	l.SiteA = siteA.New(cfgA, l.Journal, l.SiteB)
	return l, nil
}

// Serve runs both sites until ctx ends, then shuts them down gracefully.
func (l *Lab) Serve(ctx context.Context) error {
	servers := []*http.Server{newServer(l.guardA.Wrap(l.SiteA)), newServer(l.guardB.Wrap(l.SiteB))}
	servers[1].MaxHeaderBytes = SiteBMaxHeaderBytes
	lns := []net.Listener{l.lnA, l.lnB}
	errc := make(chan error, len(servers))
	var wg sync.WaitGroup
	for i, srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(lns[i]); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	l.SiteA.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		if e := srv.Shutdown(shutdown); e != nil {
			srv.Close()
		}
	}
	wg.Wait()
	return err
}

// SiteBMaxHeaderBytes bounds the request line and headers site B reads:
// far above any browser's request (Chromium sends at most 256 KiB in all,
// but a cookie jar is 4 KiB a cookie), and a bound on what one hostile
// request costs before it is even recorded. Site A keeps net/http's larger
// default-like bound: it records nothing.
const SiteBMaxHeaderBytes = 64 << 10

// isSelf reports whether u points at one of the lab's own sites: its port
// on any name of this machine — loopback names (localhost, 127.x, ::1),
// the unspecified addresses 0.0.0.0 and :: (a connect to them reaches this
// machine), and under -lan the machine's own addresses.
func (l *Lab) isSelf(u *url.URL) bool {
	p := u.Port()
	if p == "" {
		p = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	host := strings.Trim(u.Hostname(), "[]")
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	hostport := net.JoinHostPort(host, p)
	return l.guardA.Allowed(hostport) || l.guardB.Allowed(hostport)
}

// lanAddress returns this machine's first non-loopback IPv4 address (the
// one students type), or its host name when it has none.
func lanAddress() string {
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
				return ipn.IP.String()
			}
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}

func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second, // a slow-loris client cannot hold a connection
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    256 << 10,
	}
}

func checkAddr(flag, addr string, lan bool) (host, port string, err error) {
	host, port, err = net.SplitHostPort(addr)
	if err != nil {
		return "", "", &FlagError{flag, addr, errors.New("want host:port, e.g. localhost:7070")}
	}
	if !lan && !IsLoopback(host) {
		return "", "", &FlagError{flag, addr, errors.New("not a loopback address; add -lan to serve other machines")}
	}
	return host, port, nil
}

func listen(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("address already in use; choose another port with -%s", flag)
		} else {
			var op *net.OpError
			if errors.As(err, &op) {
				err = op.Err
			}
		}
		return nil, &FlagError{flag, addr, err}
	}
	return ln, nil
}

// IsLoopback reports whether host names this machine only.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func port(ln net.Listener) string {
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}
