package lab_test

// DNS rebinding: a page on an attacker's domain that resolves to 127.0.0.1
// reaches the lab same-origin (its Origin equals its Host). Every door of
// site A and site B refuses a Host that is not the lab's own, and the lab's
// state is what it was.

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/testsupport/labtest"
)

// hostRequest sends method path to base with the Host header host and the
// Origin a page under that host sends, and returns the status and body.
func hostRequest(t *testing.T, method, base, path, host, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Origin", "http://"+host)
	req.Header.Set("Sec-Fetch-Site", "same-origin") // as the rebinding page's browser sends it
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func hostPort(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestForeignHostRefusedEverywhere(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	portA, portB := hostPort(t, l.URLA), hostPort(t, l.URLB)
	policyBefore := string(l.SiteB.PolicyJSON())
	lessonBefore := l.SiteA.Lessons()
	evilA, evilB := "evil.example:"+portA, "evil.example:"+portB
	doors := []struct {
		desc, method, base, path, host, body string
	}{
		{"the page", "GET", l.URLA, "/", evilA, ""},
		{"the page's script", "GET", l.URLA, "/static/app.js", evilA, ""},
		{"the lab's config", "GET", l.URLA, "/lab/config", evilA, ""},
		{"read the policy", "GET", l.URLA, "/lab/policy", evilA, ""},
		{"replace the policy (the issue's curl)", "PUT", l.URLA, "/lab/policy", evilA, `{}`},
		{"replace the policy with one that reflects any origin", "PUT", l.URLA, "/lab/policy", evilA, `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`},
		{"read the progress", "GET", l.URLA, "/lab/progress", evilA, ""},
		{"rewrite the progress", "PUT", l.URLA, "/lab/progress", evilA, `{"current": 12, "done": []}`},
		{"start lesson 12", "POST", l.URLA, "/lab/lessons/12/start", evilA, ""},
		{"the lessons", "GET", l.URLA, "/lab/lessons", evilA, ""},
		{"a sandbox page", "GET", l.URLA, "/trial/abc", evilA, ""},
		{"site A's items", "GET", l.URLA, "/api/items", evilA, ""},
		{"site A under a loopback address, wrong port", "GET", l.URLA, "/lab/policy", "127.0.0.1:1", ""},
		{"site A under site B's port", "GET", l.URLA, "/lab/policy", "localhost:" + portB, ""},
		{"site A with no port (80)", "GET", l.URLA, "/lab/policy", "evil.example", ""},
		{"site B's list", "GET", l.URLB, "/api/items", evilB, ""},
		{"site B: create an item", "POST", l.URLB, "/api/items", evilB, "name=rebound"},
		{"site B: a preflight", "OPTIONS", l.URLB, "/api/items/1", evilB, ""},
		{"site B under site A's port", "GET", l.URLB, "/api/items", "localhost:" + portA, ""},
	}
	for _, d := range doors {
		status, body := hostRequest(t, d.method, d.base, d.path, d.host, d.body)
		if status != http.StatusForbidden || !strings.Contains(body, `refused Host "`+d.host+`"`) || strings.Count(body, "\n") != 1 {
			t.Errorf("%s: %s %s with Host %s: %d %q, want 403 naming the Host, one line", d.desc, d.method, d.path, d.host, status, body)
		}
	}
	// The live log: refused before the upgrade.
	h := http.Header{"Origin": {"http://" + evilA}}
	d := websocket.Dialer{HandshakeTimeout: wait, NetDial: func(network, _ string) (net.Conn, error) {
		return net.Dial(network, "127.0.0.1:"+portA)
	}}
	if c, resp, err := d.Dial("ws://"+evilA+"/lab/ws", h); err == nil {
		c.Close()
		t.Error("/lab/ws with a foreign Host: upgraded, want 403")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("/lab/ws with a foreign Host: %v (%v), want 403", err, resp)
	}

	if got := string(l.SiteB.PolicyJSON()); got != policyBefore {
		t.Errorf("the policy changed: %s, was %s", got, policyBefore)
	}
	if got := l.SiteA.Lessons(); got.Current != lessonBefore.Current || len(got.Done) != len(lessonBefore.Done) {
		t.Errorf("the lessons changed: %+v, were %+v", got, lessonBefore)
	}
	var items []struct{ Name string }
	getJSON(t, l.URLB+"/api/items", &items)
	for _, it := range items {
		if it.Name == "rebound" {
			t.Error("site B created an item for a foreign Host")
		}
	}
}

// The lab's own names pass: each loopback spelling, on the right port.
func TestOwnHostsServed(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	portA, portB := hostPort(t, l.URLA), hostPort(t, l.URLB)
	for _, c := range []struct{ base, path, host string }{
		{l.URLA, "/lab/policy", "localhost:" + portA},
		{l.URLA, "/lab/policy", "LOCALHOST:" + portA},
		{l.URLA, "/lab/policy", "127.0.0.1:" + portA},
		{l.URLA, "/lab/policy", "127.0.0.2:" + portA},
		{l.URLA, "/lab/policy", "[::1]:" + portA},
		{l.URLA, "/lab/policy", "app.localhost:" + portA},
		{l.URLB, "/api/items", "localhost:" + portB},
		{l.URLB, "/api/items", "127.0.0.1:" + portB},
	} {
		if status, body := hostRequest(t, "GET", c.base, c.path, c.host, ""); status != http.StatusOK {
			t.Errorf("GET %s with Host %s: %d %q, want 200", c.path, c.host, status, body)
		}
	}
}

// In proxy mode site B refuses a foreign Host before anything goes
// upstream, so the upstream's own rebinding defence (it answers 403 to a
// Host not its own, as a dev server does) is never bypassed: site B
// forwards the upstream's own Host only for requests that came under site
// B's own name.
func TestProxyKeepsUpstreamHostDefence(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	hosts := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), seen...) }
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Host)
		mu.Unlock()
		if !strings.HasPrefix(r.Host, "127.0.0.1:") {
			http.Error(w, "Invalid Host header", http.StatusForbidden)
			return
		}
		io.WriteString(w, "the user's API")
	}))
	t.Cleanup(upstream.Close)
	l := labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Upstream: upstream.URL})
	portB := hostPort(t, l.URLB)

	if status, body := hostRequest(t, "GET", l.URLB, "/api/data", "evil.example:"+portB, ""); status != http.StatusForbidden {
		t.Errorf("foreign Host through the proxy: %d %q, want site B's 403", status, body)
	}
	if seen := hosts(); len(seen) != 0 {
		t.Errorf("the upstream saw a request for a foreign Host: %v", seen)
	}
	if status, body := hostRequest(t, "GET", l.URLB, "/api/data", "localhost:"+portB, ""); status != http.StatusOK || body != "the user's API" {
		t.Errorf("site B's own Host through the proxy: %d %q, want the upstream's 200", status, body)
	}
	if want, seen := strings.TrimPrefix(upstream.URL, "http://"), hosts(); len(seen) != 1 || seen[0] != want {
		t.Errorf("the upstream saw Host %v, want its own %s", seen, want)
	}
}

// The self-proxy guard knows every spelling of this machine.
func TestUpstreamIsNotTheLabItself(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := hostPort(t, "http://"+ln.Addr().String())
	ln.Close() // the port is free again for site B
	for _, host := range []string{"localhost", "127.0.0.1", "127.9.9.9", "0.0.0.0", "[::]", "[::1]", "LocalHost"} {
		up := "http://" + host + ":" + port
		_, err := lab.Listen(lab.Config{SiteA: "localhost:0", SiteB: "localhost:" + port, Upstream: up})
		if err == nil || !strings.Contains(err.Error(), "corslab's own site B") {
			t.Errorf("-upstream %s pointing at site B: %v, want refused", up, err)
		}
	}
}

// Under -lan, a live-log client on another machine must send an Origin,
// and only the teacher changes the policy and the lesson.
func TestLANTeacherAndStudents(t *testing.T) {
	t.Parallel()
	lanIP := nonLoopbackAddress(t)
	l := labtest.Start(t, lab.Config{SiteA: "0.0.0.0:0", SiteB: "0.0.0.0:0", LAN: true})
	if strings.Contains(l.URLA, "0.0.0.0") || l.TeacherURL == "" {
		t.Fatalf("URLA %s, teacher link %q: want the machine's address and a teacher link", l.URLA, l.TeacherURL)
	}
	portA := hostPort(t, l.URLA)
	student := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(lanIP)}}).DialContext}, Timeout: wait,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + net.JoinHostPort(lanIP, portA)
	policyBefore := string(l.SiteB.PolicyJSON())

	do := func(c *http.Client, method, path, body string, cookie *http.Cookie) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if method == "GET" && strings.Contains(path, "teacher=") {
			for _, ck := range resp.Cookies() {
				if ck.Name == "corslab_teacher" {
					return resp.StatusCode, ck.Value
				}
			}
		}
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/lab/policy", `{}`},
		{"PUT", "/lab/progress", `{"current": 3}`},
		{"POST", "/lab/lessons/12/start", ""},
	} {
		status, body := do(student, c.method, c.path, c.body, nil)
		if status != http.StatusForbidden || !strings.Contains(body, "the teacher controls the policy") {
			t.Errorf("a student's %s %s: %d %q, want 403 the teacher controls the policy", c.method, c.path, status, body)
		}
	}
	if status, _ := do(student, "GET", "/lab/policy", "", nil); status != http.StatusOK {
		t.Errorf("a student reading the policy: %d, want 200", status)
	}
	if got := string(l.SiteB.PolicyJSON()); got != policyBefore || l.SiteA.Lessons().Current != 1 {
		t.Errorf("students changed the lab: policy %s, lesson %d", got, l.SiteA.Lessons().Current)
	}
	// A wrong token is refused; the teacher link sets the cookie that lets changes through.
	if status, _ := do(student, "GET", "/?teacher=guess", "", nil); status != http.StatusForbidden {
		t.Errorf("a guessed teacher token: %d, want 403", status)
	}
	tok := l.TeacherURL[strings.Index(l.TeacherURL, "?"):]
	status, value := do(student, "GET", "/"+tok, "", nil)
	if status != http.StatusSeeOther || value == "" {
		t.Fatalf("the teacher link: %d, cookie %q; want 303 with the corslab_teacher cookie", status, value)
	}
	if status, body := do(student, "POST", "/lab/lessons/2/start", "", &http.Cookie{Name: "corslab_teacher", Value: value}); status != http.StatusOK {
		t.Errorf("the teacher starting lesson 2: %d %q, want 200", status, body)
	}
	if l.SiteA.Lessons().Current != 2 {
		t.Errorf("lesson %d after the teacher started lesson 2", l.SiteA.Lessons().Current)
	}

	// The live log: no Origin from another machine is refused; the
	// machine's configured address is accepted; a rebinding Origin whose
	// Host is made to match is refused by the Host check.
	dial := func(origin, host string) (int, error) {
		d := websocket.Dialer{HandshakeTimeout: wait, NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(lanIP)}}).DialContext}
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		u := "ws://" + net.JoinHostPort(lanIP, portA) + "/lab/ws"
		if host != "" {
			h.Set("Host", host)
		}
		c, resp, err := d.Dial(u, h)
		if err == nil {
			c.Close()
			return http.StatusSwitchingProtocols, nil
		}
		if resp == nil {
			return 0, err
		}
		return resp.StatusCode, err
	}
	for _, c := range []struct {
		desc, origin string
		want         int
	}{
		{"no Origin from another machine", "", http.StatusForbidden},
		{"the machine's own address", base, http.StatusSwitchingProtocols},
		{"a foreign origin", "http://evil.example:" + portA, http.StatusForbidden},
	} {
		if got, err := dial(c.origin, ""); got != c.want {
			t.Errorf("live log, %s: %d (%v), want %d", c.desc, got, err, c.want)
		}
	}
}

// Under -lan the live log never carries a credential's value.
func TestLANMasksSecrets(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t, lab.Config{SiteA: "0.0.0.0:0", SiteB: "0.0.0.0:0", LAN: true})
	sub := l.Journal.Hub().Subscribe(0)
	defer sub.Close()
	req, _ := http.NewRequest("POST", "http://127.0.0.1:"+hostPort(t, l.URLB)+"/api/login", nil)
	req.Header.Set("Authorization", "Bearer s3cr3t-token")
	req.Header.Set("Cookie", "corslab_session=s3cr3t-cookie; other=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	setCookie := resp.Header.Get("Set-Cookie")
	if setCookie == "" {
		t.Fatal("login set no cookie")
	}
	session := strings.TrimPrefix(strings.Split(setCookie, ";")[0], "corslab_session=")
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, e := range l.Journal.Hub().Recent(10) {
			if e.Exchange == nil || e.Exchange.Path != "/api/login" {
				continue
			}
			js := string(e.JSON())
			for _, secret := range []string{"s3cr3t-token", "s3cr3t-cookie", session} {
				if strings.Contains(js, secret) {
					t.Errorf("the live log carries %q: %s", secret, js)
				}
			}
			for _, kept := range []string{`"Bearer ‹masked›"`, `corslab_session=‹masked›; other=‹masked›`, `corslab_session=‹masked›; Path=/; HttpOnly; SameSite=Lax`} {
				if !strings.Contains(js, kept) {
					t.Errorf("the live log lacks %s: %s", kept, js)
				}
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the login was not recorded")
}

// nonLoopbackAddress returns an IPv4 address of this machine that is not
// loopback, or skips the test.
func nonLoopbackAddress(t *testing.T) string {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			return ipn.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address")
	return ""
}
