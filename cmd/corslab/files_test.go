package main

// Files, signals and the terminal, as a hostile or careless user meets
// them: a device or a FIFO named as a file, Ctrl-C at any moment, stdout
// sent to /dev/null, a failing open in the TUI.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/syncbuf"
	"github.com/corslab/corslab/internal/testsupport/tmuxtest"
)

// mkfifo makes a FIFO that nothing writes to: opening it for reading
// blocks forever.
func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return p
}

// Anything but a regular file is refused at once, in one line, and never
// read: /dev/zero would fill memory, a FIFO would block start-up.
func TestSpecialFilesRefused(t *testing.T) {
	fifo := mkfifo(t)
	big := filepath.Join(t.TempDir(), "big.json")
	os.WriteFile(big, []byte(`{"actual": {}}`+strings.Repeat(" ", 1<<20)), 0o644)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-policy", "/dev/zero"}, "corslab: -policy /dev/zero: not a regular file\n"},
		{[]string{"-policy", fifo}, "corslab: -policy " + fifo + ": not a regular file\n"},
		{[]string{"-policy", t.TempDir()}, "not a regular file\n"},
		{[]string{"-policy", big}, "corslab: -policy " + big + ": larger than 1 MiB\n"},
		{[]string{"-progress", fifo}, "corslab: -progress " + fifo + ": not a regular file\n"},
		{[]string{"-progress", "/dev/null"}, "corslab: -progress /dev/null: not a regular file\n"},
		{[]string{"export", "-format", "headers", "-policy", "/dev/zero"}, "corslab export: -policy /dev/zero: not a regular file\n"},
		{[]string{"export", "-format", "headers", "-policy", fifo}, "corslab export: -policy " + fifo + ": not a regular file\n"},
		{[]string{"-replay", fifo}, "corslab: -replay " + fifo + ": not a regular file\n"},
		{[]string{"-replay", "/dev/zero"}, "corslab: -replay /dev/zero: not a regular file\n"},
		{[]string{"har", fifo}, "corslab har: " + fifo + ": not a regular file\n"},
	} {
		args := append([]string{"-no-tui", "-site-a", "localhost:0", "-site-b", "localhost:0"}, tt.args...)
		if tt.args[0] == "export" || tt.args[0] == "har" {
			args = tt.args
		}
		var stdout, stderr syncbuf.Buffer
		done := make(chan int, 1)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr) }()
		select {
		case code := <-done:
			if code != exitUsage || !strings.HasSuffix(stderr.String(), tt.want) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("corslab %v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), exitUsage, tt.want)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("corslab %v: still running after 30 s (a read that blocks?)", tt.args)
		}
		cancel()
	}
}

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binOnce.path != "" {
		os.RemoveAll(filepath.Dir(binOnce.path))
	}
	os.Exit(code)
}

var binOnce struct {
	sync.Once
	path string
	err  error
}

// binary builds corslab once for the tests that run it.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "corslab-bin-")
		if err != nil {
			binOnce.err = err
			return
		}
		binOnce.path = filepath.Join(dir, "corslab")
		if out, err := exec.Command("go", "build", "-o", binOnce.path, ".").CombinedOutput(); err != nil {
			binOnce.err = errors.New(string(out))
		}
	})
	if binOnce.err != nil {
		t.Fatalf("go build: %v", binOnce.err)
	}
	return binOnce.path
}

// exitOf waits for cmd, at most a generous deadline, and returns its exit
// status (-1 killed by a signal).
func exitOf(t *testing.T, cmd *exec.Cmd, what string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return 0
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s: still running 30 s later", what)
		return 0
	}
}

// SIGINT and SIGTERM stop corslab at any moment, the very first included,
// and a FIFO named as a file never holds start-up.
func TestSignalsAndFIFOs(t *testing.T) {
	bin := binary(t)
	fifo := mkfifo(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		// At once: before corslab has done anything.
		cmd := exec.Command(bin, "-no-tui", "-site-a", "localhost:0", "-site-b", "localhost:0")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmd.Process.Signal(sig)
		if code := exitOf(t, cmd, sig.String()+" at start"); code != 0 && code != -1 {
			t.Errorf("%v at start: exit %d, want 0 (or killed by the signal)", sig, code)
		}
		// While serving: a graceful stop, status 0.
		var out syncbuf.Buffer
		cmd = exec.Command(bin, "-no-tui", "-site-a", "localhost:0", "-site-b", "localhost:0")
		cmd.Stdout, cmd.Stderr = &out, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, &out, regexp.MustCompile(`Ctrl-C stops`))
		cmd.Process.Signal(sig)
		if code := exitOf(t, cmd, sig.String()+" while serving"); code != 0 {
			t.Errorf("%v while serving: exit %d, want 0", sig, code)
		}
	}
	for _, flag := range []string{"-policy", "-progress"} {
		var stderr syncbuf.Buffer
		cmd := exec.Command(bin, "-no-tui", "-site-a", "localhost:0", "-site-b", "localhost:0", flag, fifo)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if code := exitOf(t, cmd, flag+" FIFO"); code != exitUsage || stderr.String() != "corslab: "+flag+" "+fifo+": not a regular file\n" {
			t.Errorf("%s FIFO: exit %d, stderr %q", flag, code, stderr.String())
		}
	}
}

// `corslab > /dev/null` serves: /dev/null is a character device, not a
// terminal, so the lab runs without its UI until stopped.
func TestServesWithStdoutToDevNull(t *testing.T) {
	bin := binary(t)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	siteA := freeAddr(t)
	cmd := exec.Command(bin, "-site-a", siteA, "-site-b", freeAddr(t))
	cmd.Stdout, cmd.Stderr = devnull, devnull
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + siteA + "/lab/config")
		if err == nil {
			resp.Body.Close()
			break
		}
		if cmd.ProcessState != nil || time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("corslab > /dev/null never served: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(t, cmd, "corslab > /dev/null"); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// A failing open in the TUI (/dev/zero) says so in one line and the TUI
// goes on; after q the terminal is the shell's again: echo and canonical
// mode on, the alternate screen left.
func TestTerminalRestoredAfterFailingOpen(t *testing.T) {
	bin := binary(t)
	needTmux(t)
	dir := t.TempDir()
	stty := filepath.Join(dir, "stty")
	script := bin + " -site-a " + freeAddr(t) + " -site-b " + freeAddr(t) + "; echo exit=$? > " + stty + ".code; stty -a > " + stty + "; echo AFTER-CORSLAB; sleep 60"
	tm := tmuxtest.Start(t, 120, 40, nil, "sh", "-c", script)
	tm.Wait = 30 * time.Second
	tm.WaitScreen("Site B policy")
	tm.Keys("o")
	tm.WaitScreen("open policy from")
	tm.Keys("C-u")
	tm.Keys("-l", "/dev/zero")
	tm.Keys("Enter")
	tm.WaitScreen("not a regular file")
	tm.Keys("q")
	tm.WaitScreen("AFTER-CORSLAB")
	if s := tm.Screen(); strings.Contains(s, "Site B policy") {
		t.Errorf("the TUI's screen is still shown after it quit:\n%s", s)
	}
	code, _ := os.ReadFile(stty + ".code")
	modes, _ := os.ReadFile(stty)
	if strings.TrimSpace(string(code)) != "exit=0" {
		t.Errorf("corslab exited with %q, want exit=0", code)
	}
	for _, mode := range []string{" echo ", " icanon "} {
		if !strings.Contains(" "+strings.Join(strings.Fields(string(modes)), " ")+" ", mode) {
			t.Errorf("terminal mode%snot restored: stty -a says\n%s", mode, modes)
		}
	}
}
