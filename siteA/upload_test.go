package siteA

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/siteB"
)

// A policy upload that stops half-way is a timeout, not "larger than 1
// MiB"; the policy stays.
func TestSlowPolicyUploadIsATimeout(t *testing.T) {
	b := siteB.New(journal.New(16))
	before := string(b.PolicyJSON())
	ts := httptest.NewUnstartedServer(New(Config{SiteBPort: siteBPort}, journal.New(16), b))
	ts.Config.ReadTimeout = 300 * time.Millisecond // the lab's is 30 s
	ts.Start()
	t.Cleanup(ts.Close)
	for _, path := range []string{"/lab/policy", "/lab/progress"} {
		c, err := net.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// 10 bytes of a 100-byte body, then nothing.
		c.Write([]byte("PUT " + path + " HTTP/1.1\r\nHost: " + ts.Listener.Addr().String() + "\r\nContent-Length: 100\r\n\r\n{\"actual\":"))
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", path, err)
		}
		body := make([]byte, 200)
		n, _ := resp.Body.Read(body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body[:n]), "timed out") {
			t.Errorf("%s: %d %q, want 408 saying the upload timed out", path, resp.StatusCode, body[:n])
		}
	}
	if got := string(b.PolicyJSON()); got != before {
		t.Errorf("the policy changed: %s", got)
	}
}
