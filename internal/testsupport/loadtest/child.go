package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/corslab/corslab/internal/testsupport/syncbuf"
)

// child is this test binary run again as a process of its own — a load
// generator, a hall's subscribers or load, a bare server — which ApartMain
// or BareMain turns into what its environment asks for, and its line
// protocol: it says what it has done in lines on its stdout, and ends when
// its stdin closes.
type child struct {
	role   string // names it in errors: "load process: …"
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr *syncbuf.Buffer
	waited bool
}

// startChild starts the child with env (NAME=VALUE) added to this
// process's environment, killed when ctx ends; waitDelay (0: none) bounds
// how long stopping it then waits for its output.
func startChild(ctx context.Context, role, env string, waitDelay time.Duration) (*child, error) {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env)
	cmd.WaitDelay = waitDelay
	c := &child{role: role, cmd: cmd, stderr: &syncbuf.Buffer{}}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c.lines = bufio.NewScanner(out)
	c.lines.Buffer(nil, 1<<20)
	return c, nil
}

// expect reads the child's next line, which must start with prefix, and
// returns the rest. If the child ends first, the error is what it wrote
// on its stderr, if anything.
func (c *child) expect(prefix string) (string, error) {
	if !c.lines.Scan() {
		err := c.stop()
		if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", fmt.Errorf("%s process: ended before saying %q: %v", c.role, prefix, err)
	}
	rest, ok := strings.CutPrefix(c.lines.Text(), prefix)
	if !ok {
		return "", fmt.Errorf("%s process: said %q, want %q", c.role, c.lines.Text(), prefix)
	}
	return rest, nil
}

// stop closes the child's stdin (its signal to end) and waits for it.
func (c *child) stop() error {
	if c.waited {
		return nil
	}
	c.waited = true
	c.stdin.Close()
	return c.cmd.Wait()
}
