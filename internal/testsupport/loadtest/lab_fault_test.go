package loadtest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/testsupport/loadtest"
)

// Each fault is handled with a clear outcome, and a healthy live-log
// client and an ordinary request beside it are not disturbed. The client
// that never reads is TestSoak's stalled subscriber.

// echoPolicy answers preflights by echoing what they ask for.
var echoPolicy = []byte(`{
  "preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}",
    "Access-Control-Allow-Methods": "{request-method}", "Access-Control-Allow-Headers": "{request-headers}"}},
  "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)

// faultLab starts a lab with one healthy subscriber.
func faultLab(t *testing.T) (*loadtest.Lab, *loadtest.Subscriber, *http.Client) {
	t.Helper()
	l := loadtest.StartLab(t, echoPolicy)
	good := l.Subscribe(t, loadtest.SubOptions{})
	client := loadtest.NewClient(4)
	t.Cleanup(client.CloseIdleConnections)
	return l, good, client
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// unaffected checks that an ordinary request is still answered, and that
// the healthy subscriber gets its event with no gap.
func unaffected(t *testing.T, l *loadtest.Lab, good *loadtest.Subscriber, client *http.Client) {
	t.Helper()
	req := loadtest.BrowserGET(l.URLB, l.URLA, "/api/items")(0)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("ordinary request after the fault: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != l.URLA {
		t.Errorf("ordinary request after the fault: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if err := good.WaitSeq(timeout(t, 10*time.Second), l.LastSeq()); err != nil {
		t.Fatalf("healthy subscriber: %v", err)
	}
	if st := good.Stats(); len(st.Gaps) > 0 || st.Err != nil {
		t.Errorf("healthy subscriber: gaps %v, error %v", st.Gaps, st.Err)
	}
}

// wantEvicted waits until only the healthy subscriber is left.
func wantEvicted(t *testing.T, l *loadtest.Lab) {
	t.Helper()
	if err := loadtest.Poll(timeout(t, 10*time.Second), func() (bool, error) { return l.Journal.Hub().Subscribers() == 1, nil }); err != nil {
		t.Errorf("%d subscribers, want the healthy one only: %v", l.Journal.Hub().Subscribers(), err)
	}
}

func TestFaultGarbageMessage(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{"this is not JSON {", `{"type":"nonsense","id":"t1"}`, "\xff\xfe\x00binary", `{"type":"announce","id":"not a valid id!","request":{"method":"GET","url":"/"}}`} {
		t.Run(fmt.Sprintf("%.12q", msg), func(t *testing.T) {
			t.Parallel()
			l, good, client := faultLab(t)
			bad := l.Subscribe(t, loadtest.SubOptions{})
			if err := bad.Conn().WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			var ce *websocket.CloseError
			if err := bad.Closed(timeout(t, 10*time.Second)); !errors.As(err, &ce) || ce.Code != websocket.CloseUnsupportedData || ce.Text == "" {
				t.Errorf("garbage sender: closed with %v, want 1003 (unsupported data) and a reason", err)
			} else {
				t.Logf("closed: %d %q", ce.Code, ce.Text)
			}
			wantEvicted(t, l)
			unaffected(t, l, good, client)
		})
	}
}

func TestFaultHugeFrame(t *testing.T) {
	t.Parallel()
	l, good, client := faultLab(t)
	bad := l.Subscribe(t, loadtest.SubOptions{})
	bad.Conn().SetWriteDeadline(time.Now().Add(10 * time.Second))
	werr := bad.Conn().WriteMessage(websocket.TextMessage, make([]byte, 10<<20)) // may fail: the server stops reading
	err := bad.Closed(timeout(t, 10*time.Second))
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce) && ce.Code == websocket.CloseMessageTooBig:
		t.Logf("closed: %d %q (write: %v)", ce.Code, ce.Text, werr)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		t.Errorf("10 MB frame: connection still open")
	default:
		t.Logf("closed with %v (write: %v): cut off before the close frame could be read", err, werr)
	}
	wantEvicted(t, l)
	unaffected(t, l, good, client)
}

// findExchange returns the newest recorded exchange for path.
func findExchange(t *testing.T, l *loadtest.Lab, method string) *journal.Event {
	t.Helper()
	events := l.Journal.Hub().Recent(50)
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.Kind == journal.KindExchange && e.Exchange.Method == method {
			return e
		}
	}
	t.Fatalf("no %s exchange recorded", method)
	return nil
}

func TestFaultTenThousandHeaders(t *testing.T) {
	t.Parallel()
	l, good, client := faultLab(t)
	t.Run("within MaxHeaderBytes: answered, recorded in part", func(t *testing.T) {
		req := loadtest.BrowserGET(l.URLB, l.URLA, "/api/items")(0)
		for i := range 4_000 { // about 52 KB: within site B's 64 KiB (lab.SiteBMaxHeaderBytes)
			req.Header[fmt.Sprintf("X-H-%05d", i)] = []string{"v"}
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200", resp.StatusCode)
		}
		e := findExchange(t, l, "GET")
		x := e.Exchange
		if n := len(x.RequestHeader); n > 100 || x.Truncated < 3_900 {
			t.Errorf("recorded %d request headers, %d left out: want at most 100 kept", n, x.Truncated)
		}
		if n := len(e.JSON()); n > 64<<10 {
			t.Errorf("event is %d bytes: the history's cost per exchange is not bounded", n)
		}
		t.Logf("answered in %v; recorded %d header names, %d lines left out, event %d bytes",
			time.Since(start).Round(time.Millisecond), len(x.RequestHeader), x.Truncated, len(e.JSON()))
	})
	t.Run("beyond MaxHeaderBytes: 431, never reaches site B", func(t *testing.T) {
		before := l.LastSeq()
		req := loadtest.BrowserGET(l.URLB, l.URLA, "/api/items")(0)
		for i := range 10_000 {
			req.Header[fmt.Sprintf("X-Header-Number-%05d", i)] = []string{"some value"}
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Logf("request refused with %v", err) // the server may close before the client finishes writing
		} else {
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("status %d, want 431", resp.StatusCode)
			}
		}
		if after := l.LastSeq(); after != before {
			t.Errorf("journal moved from seq %d to %d: a refused request was recorded", before, after)
		}
	})
	unaffected(t, l, good, client)
}

func TestFaultHugeRequestHeaders(t *testing.T) {
	t.Parallel()
	l, good, client := faultLab(t)
	acrh := strings.TrimSuffix(strings.Repeat("x-a,", 15<<10), ",") // 60 KB: within site B's 64 KiB of headers
	req, _ := http.NewRequest("OPTIONS", l.URLB+"/api/items/1", nil)
	req.Header.Set("Origin", l.URLA)
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", acrh)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	took := time.Since(start)
	// The policy says echo, so site B echoes: the lab does what the policy says.
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Headers") != acrh {
		t.Errorf("preflight: %d, Access-Control-Allow-Headers of %d bytes; want 204 and the echo", resp.StatusCode, len(resp.Header.Get("Access-Control-Allow-Headers")))
	}
	e := findExchange(t, l, "OPTIONS")
	x := e.Exchange
	if got := len(x.RequestHeader.Get("Access-Control-Request-Headers")); got > 8<<10+len(journal.ClipMark) || x.Truncated < 2 {
		t.Errorf("recorded a %d-byte Access-Control-Request-Headers, %d truncated: want it cut to 8 KiB in both directions", got, x.Truncated)
	}
	if n := len(e.JSON()); n > 64<<10 {
		t.Errorf("event is %d bytes: the history's cost per exchange is not bounded", n)
	}
	t.Logf("answered in %v; event %d bytes", took.Round(time.Millisecond), len(e.JSON()))
	unaffected(t, l, good, client)
}

// TestFaultSlowLoris: a client that sends its headers a byte at a time is
// cut off by ReadHeaderTimeout (10 s), on both sites, while others are
// served as usual.
func TestFaultSlowLoris(t *testing.T) {
	loadtest.SkipLoad(t) // waits out the servers' 10s header timeout
	t.Parallel()
	l, good, client := faultLab(t)
	for _, site := range []string{l.URLA, l.URLB} {
		t.Run(site, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", strings.TrimPrefix(site, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			fmt.Fprintf(conn, "GET /api/items HTTP/1.1\r\nHost: %s\r\n", strings.TrimPrefix(site, "http://"))
			trickled := make(chan struct{})
			go func() { // one byte every 200 ms, until the server hangs up (at most 20 s)
				defer close(trickled)
				for i := 0; i < 100; i++ {
					if _, err := conn.Write([]byte{"X-Slow: loris\r\n"[i%15]}); err != nil {
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
			}()
			unaffected(t, l, good, client) // served while the loris holds its connection
			conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			reply, err := io.ReadAll(bufio.NewReader(conn))
			took := time.Since(start)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("slow-loris connection still open after %v", took)
			}
			if took < 9*time.Second || took > 14*time.Second {
				t.Errorf("cut off after %v, want about 10 s (ReadHeaderTimeout)", took)
			}
			status, _, _ := strings.Cut(string(reply), "\r\n")
			if len(reply) > 0 && status != "HTTP/1.1 400 Bad Request" && status != "HTTP/1.1 408 Request Timeout" {
				t.Errorf("slow-loris got %q, want nothing, 400 or 408 and the connection closed", reply)
			}
			t.Logf("cut off after %v: %q", took.Round(100*time.Millisecond), status)
			conn.Close()
			<-trickled
		})
	}
}

func TestFaultPortTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tt := range []struct {
		flag string
		cfg  lab.Config
	}{
		{"site-a", lab.Config{SiteA: taken.Addr().String(), SiteB: "127.0.0.1:0"}},
		{"site-b", lab.Config{SiteA: "127.0.0.1:0", SiteB: taken.Addr().String()}},
	} {
		l, err := lab.Listen(tt.cfg)
		var fe *lab.FlagError
		switch {
		case err == nil:
			t.Errorf("-%s on a taken port: lab.Listen succeeded (%s, %s)", tt.flag, l.URLA, l.URLB)
		case !errors.As(err, &fe) || fe.Flag != tt.flag:
			t.Errorf("-%s on a taken port: %v, want a FlagError naming -%s", tt.flag, err, tt.flag)
		case !strings.Contains(err.Error(), "-"+tt.flag) || !strings.Contains(err.Error(), "in use") || strings.Contains(err.Error(), "\n"):
			t.Errorf("-%s on a taken port: %q, want one line naming the flag and saying the address is in use", tt.flag, err)
		default:
			t.Logf("%v", err)
		}
	}
}

// TestFaultShutdownMidLoad: stopping the lab (Ctrl-C, SIGTERM) while 50
// connections are busy and subscribers are live returns promptly, and
// every client is let go.
func TestFaultShutdownMidLoad(t *testing.T) {
	t.Parallel()
	l := loadtest.StartLab(t, echoPolicy)
	subs := []*loadtest.Subscriber{l.Subscribe(t, loadtest.SubOptions{}), l.Subscribe(t, loadtest.SubOptions{})}
	loaded := make(chan loadtest.Result, 1)
	go func() {
		loaded <- loadtest.Load{Conns: 50, Duration: 20 * time.Second, MaxFailures: 100, Request: loadtest.BrowserGET(l.URLB, l.URLA, "/api/items")}.Run(context.Background(), nil)
	}()
	if err := subs[0].WaitSeq(timeout(t, 10*time.Second), 500); err != nil { // under way
		t.Fatal(err)
	}
	start := time.Now()
	if err := l.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("stopping under load took %v, want within the 5 s shutdown grace", took)
	}
	select {
	case res := <-loaded:
		t.Logf("stopped in %v; the load got %d answers before, then %d failures (refused: the lab is gone)", time.Since(start).Round(time.Millisecond), res.Requests, res.Failures)
	case <-time.After(10 * time.Second):
		t.Errorf("load still running 10 s after the lab stopped")
	}
	for i, s := range subs {
		if err := s.Closed(timeout(t, 5*time.Second)); errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("subscriber %d still connected after the lab stopped", i)
		}
	}
}
