package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BuildCorslab builds the shipped binary, as a user builds it (no -race).
func BuildCorslab(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "corslab")
	build := exec.Command("go", "build", "-o", bin, "github.com/corslab/corslab/cmd/corslab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Process is the shipped binary, running.
type Process struct {
	Cmd        *exec.Cmd
	URLA, URLB string        // site A's and site B's
	Startup    time.Duration // from exec to both sites answering
	done       chan error
}

var siteURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// StartBinary runs bin -no-tui on free loopback ports, with extra flags,
// and waits until both sites answer HTTP. Its stdout (the per-exchange
// log) is read as a terminal would, and dropped.
func StartBinary(t testing.TB, bin string, extra ...string) *Process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-no-tui", "-site-a", "127.0.0.1:0", "-site-b", "127.0.0.1:0"}, extra...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Process{Cmd: cmd, done: make(chan error, 1)}
	t.Cleanup(p.Stop)
	urls := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			if u := siteURL.FindString(sc.Text()); u != "" && n < 2 {
				urls <- u
				n++
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { p.done <- cmd.Wait() }()
	for i, u := range []*string{&p.URLA, &p.URLB} {
		select {
		case *u = <-urls:
		case <-time.After(10 * time.Second):
			t.Fatalf("binary printed no URL for site %c", 'A'+i)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, u := range []string{p.URLA + "/lab/config", p.URLB + "/api/items"} {
		err := Poll(ctx, func() (bool, error) {
			resp, err := http.Get(u)
			if err != nil {
				return false, nil
			}
			resp.Body.Close()
			return true, nil
		})
		if err != nil {
			t.Fatalf("%s never answered: %v", u, err)
		}
	}
	p.Startup = time.Since(start)
	return p
}

// WS is the live log's URL.
func (p *Process) WS() string { return strings.Replace(p.URLA, "http://", "ws://", 1) + "/lab/ws" }

// Wait waits up to d for the process to exit, and returns how it did.
func (p *Process) Wait(d time.Duration) error {
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(d):
		return fmt.Errorf("still running after %v", d)
	}
}

// Stop ends the process with SIGTERM (SIGKILL if it lingers).
func (p *Process) Stop() {
	select {
	case err := <-p.done:
		p.done <- err
		return
	default:
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	if p.Wait(10*time.Second) != nil {
		p.Cmd.Process.Kill() // our own child, by its pid
		p.Wait(5 * time.Second)
	}
}
