package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"
)

// command is one verb corslab takes before its flags.
type command struct {
	name    string
	summary string // one line, for corslab's usage
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands is every subcommand, in the order the usage lists them. It is a
// function, not a variable, because help reads the table it is part of.
func commands() []command {
	return []command{
		{"scenarios", "list the bug catalogue (start one with corslab -scenario NAME)", runScenarios},
		{"explain", "judge one exchange, read as JSON on standard input: the verdict", runExplain},
		{"check", "probe a real server as the browser would for fetch(URL) from -origin", runCheck},
		{"har", "explain every cross-origin request of a HAR file (DevTools: Save all as HAR)", runHAR},
		{"export", "a policy as configuration for your stack (corslab export -h lists 17)", runExport},
		{"help", "this help, or a command's (corslab help COMMAND)", runHelp},
		{"version", "print corslab's version", runVersion},
	}
}

// lookup is the command called name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandNames lists the commands' names, for an error message.
func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// printUsage writes corslab's usage, the commands from the table; the lab's
// flags follow it (parseLabFlags).
func printUsage(w io.Writer) {
	fmt.Fprint(w, "usage: corslab [flags]              start the lab: site A, site B and the terminal UI\n")
	fmt.Fprint(w, "       corslab COMMAND [flags]      (corslab help COMMAND for its flags)\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nflags:\n")
}

// runHelp is `corslab help [COMMAND]`: the usage, or the command's own (its
// -h), on stdout.
func runHelp(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		labFlagSet(&labFlags{}, stdout).Usage()
		return exitOK
	case len(args) > 1:
		fmt.Fprintf(stderr, "corslab help: want one command, got %d arguments\n", len(args))
		return exitUsage
	case args[0] == "help":
		return runHelp(ctx, nil, stdin, stdout, stderr)
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "corslab help: unknown command %q (commands: %s)\n", args[0], commandNames())
		return exitUsage
	}
	return c.run(ctx, []string{"-h"}, stdin, stdout, stdout)
}

// runVersion is `corslab version` (and `corslab -version`).
func runVersion(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if code, done := parseNoArgs("version", "usage: corslab version (or corslab -version)\n\nPrints corslab's version: the module version it was built at, or devel.", "", args, stderr); done {
		return code
	}
	fmt.Fprintf(stdout, "corslab %s\n", version(debug.ReadBuildInfo))
	return exitOK
}

// parseNoArgs parses the command line of a command that takes no flags
// or arguments: -h prints usage, anything else is an error (hint follows
// it). done is true when the command must return code without running.
func parseNoArgs(name, usage, hint string, args []string, stderr io.Writer) (code int, done bool) {
	fs := flag.NewFlagSet("corslab "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return exitOK, true
	} else if err != nil {
		return exitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corslab %s: unexpected argument %q%s\n", name, fs.Arg(0), hint)
		return exitUsage, true
	}
	return exitOK, false
}

// version is the main module's version from the build information (a
// tagged version, or a pseudo-version from the VCS stamp), else "devel".
func version(readBuildInfo func() (*debug.BuildInfo, bool)) string {
	info, ok := readBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "devel"
	}
	return info.Main.Version
}
