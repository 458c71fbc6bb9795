// Package serverproc runs a real server — nginx, Apache, Caddy, Node,
// Python — for a test: in a process group of its own, killed whole when the
// test ends, and handed back once it accepts connections.
package serverproc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
)

// Start runs name with args until the test ends and waits until addr
// accepts connections; log adds the server's own log to the reason when it
// does not. The output goes to a file, not a pipe: workers that outlive the
// parent for a moment must not keep Wait waiting. XDG_CONFIG_HOME and
// XDG_DATA_HOME point into the test's temporary directory (Caddy keeps its
// data and autosaved configuration there).
func Start(t testing.TB, addr string, log func() string, name string, args ...string) {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "output"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		out.Close()
	})
	WaitListening(t, addr, func() string {
		b, _ := os.ReadFile(out.Name())
		s := string(b)
		if log != nil {
			s += log()
		}
		return s
	})
}

// WaitListening polls until addr accepts connections; what says why not.
func WaitListening(t testing.TB, addr string, what func() string) {
	t.Helper()
	poll.Check(t, 20*time.Second, func() error {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return fmt.Errorf("nothing listens on %s: %v\n%s", addr, err, what())
		}
		c.Close()
		return nil
	})
}

// FreeAddr returns a loopback address (127.0.0.1:port) whose port was free
// a moment ago, for a server to listen on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
