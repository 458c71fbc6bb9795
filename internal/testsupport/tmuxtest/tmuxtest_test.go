package tmuxtest

import (
	"os/exec"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
)

func TestSession(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	s := Start(t, 40, 10, []string{"GREETING=hello"}, `echo "$GREETING from tmux"; read x; echo "read $x"; read y`)
	s.WaitScreen("hello from tmux")
	if pid := s.PanePID(); pid <= 0 {
		t.Errorf("the pane's pid: %d", pid)
	}
	s.Keys("-l", "typed")
	s.Keys("Enter")
	s.WaitScreen("read typed")
	if !s.Running() {
		t.Fatal("the session ended before its command did")
	}
	s.Keys("Enter")
	poll.Until(t, 10*time.Second, "the session to end with its command", func() bool { return !s.Running() })
}
