// Package tmuxtest runs a program on a terminal for a test, as a person
// runs it: in a private tmux server (a socket of the test's own) with one
// session, "lab", whose screen the test reads and whose keys it presses.
package tmuxtest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
)

// Session is a private tmux server running the session "lab".
type Session struct {
	// Wait is how long WaitScreen waits; Start sets 15 s.
	Wait time.Duration

	t      testing.TB
	socket string
}

// Start runs the shell command cmd (one string for the shell, or a program
// and its arguments) in a new session on a w×h terminal, with env
// (NAME=VALUE each) set in it. The server is killed when the test ends.
func Start(t testing.TB, w, h int, env []string, cmd ...string) *Session {
	t.Helper()
	s := &Session{Wait: 15 * time.Second, t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	args := []string{"new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-s", "lab"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	s.Run(append(args, cmd...)...)
	t.Cleanup(func() { exec.Command("tmux", "-S", s.socket, "kill-server").Run() })
	return s
}

// Output runs a tmux command against the session's server.
func (s *Session) Output(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// Run runs a tmux command against the session's server; failing, it fails the test.
func (s *Session) Run(args ...string) string {
	s.t.Helper()
	out, err := s.Output(args...)
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return out
}

// Keys presses keys in the session (tmux send-keys: key names, or text after "-l").
func (s *Session) Keys(keys ...string) {
	s.t.Helper()
	s.Run(append([]string{"send-keys", "-t", "lab"}, keys...)...)
}

// Screen is what the terminal shows now.
func (s *Session) Screen() string {
	s.t.Helper()
	return s.Run("capture-pane", "-p", "-t", "lab")
}

// WaitScreen waits until the screen shows want.
func (s *Session) WaitScreen(want string) {
	s.t.Helper()
	poll.Check(s.t, s.Wait, func() error {
		if screen := s.Screen(); !strings.Contains(screen, want) {
			return fmt.Errorf("screen never showed %q:\n%s", want, screen)
		}
		return nil
	})
}

// Running reports whether the session is still there: it ends when its
// command does.
func (s *Session) Running() bool {
	_, err := s.Output("has-session", "-t", "lab")
	return err == nil
}

// PanePID is the process id of the session's command.
func (s *Session) PanePID() int {
	s.t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(s.Run("display-message", "-p", "-t", "lab", "#{pane_pid}")))
	if err != nil {
		s.t.Fatalf("tmux: the pane's pid: %v", err)
	}
	return pid
}
