package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// The usage is derived from the command table: `corslab help` (stdout) and
// `corslab -h` (stderr) list every command with its summary, and exit 0.
func TestUsageListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"help", "help"}} {
		code, stdout, stderr := runCmd(t, "", args...)
		usage := stdout
		if args[0] == "-h" {
			usage = stderr
		}
		if code != exitOK {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		if !strings.HasPrefix(usage, "usage: corslab [flags]") || !strings.Contains(usage, "\n  -site-a host:port\n") {
			t.Errorf("%v: usage lacks its first line or the flags:\n%s", args, usage)
		}
		for _, c := range commands() {
			if !strings.Contains(usage, "\n  "+c.name+"  ") || !strings.Contains(usage, c.summary+"\n") {
				t.Errorf("%v: usage lacks %s (%s):\n%s", args, c.name, c.summary, usage)
			}
		}
	}
}

// `corslab help COMMAND` and `corslab COMMAND -h` print the command's usage
// and exit 0; help prints it on stdout.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		code, stdout, stderr := runCmd(t, "", "help", c.name)
		if code != exitOK || stderr != "" || !strings.HasPrefix(stdout, "usage: corslab "+c.name) {
			t.Errorf("help %s: exit %d, stdout %q, stderr %q", c.name, code, stdout, stderr)
		}
		code, stdout, stderr = runCmd(t, "", c.name, "-h")
		if code != exitOK || stdout != "" || !strings.HasPrefix(stderr, "usage: corslab "+c.name) {
			t.Errorf("%s -h: exit %d, stdout %q, stderr %q", c.name, code, stdout, stderr)
		}
	}
}

func TestCommandLineErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "nope"}, `corslab help: unknown command "nope" (commands: scenarios, explain, check, har, export, help, version)`},
		{[]string{"help", "check", "export"}, "corslab help: want one command, got 2 arguments"},
		{[]string{"version", "now"}, `corslab version: unexpected argument "now"`},
		{[]string{"scenarios", "missing-vary"}, `corslab scenarios: unexpected argument "missing-vary"; start one with corslab -scenario NAME`},
		{[]string{"nope"}, `corslab: unexpected argument "nope" (commands: scenarios, explain, check, har, export, help, version)`},
	} {
		code, stdout, stderr := runCmd(t, "", c.args...)
		if code != exitUsage || stdout != "" || stderr != c.want+"\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	want := "corslab " + version(debug.ReadBuildInfo) + "\n"
	for _, args := range [][]string{{"version"}, {"-version"}} {
		code, stdout, stderr := runCmd(t, "", args...)
		if code != exitOK || stdout != want || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, stdout, stderr, want)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, c := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "devel"}, // no build information
		{&debug.BuildInfo{}, "devel"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201152441-cec9dcc1a2b3+dirty"}}, "v0.0.0-20261201152441-cec9dcc1a2b3+dirty"},
	} {
		got := version(func() (*debug.BuildInfo, bool) { return c.info, c.info != nil })
		if got != c.want {
			t.Errorf("%+v: version %q, want %q", c.info, got, c.want)
		}
	}
}
