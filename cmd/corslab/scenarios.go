package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/corslab/corslab/internal/content/scenario"
	"github.com/corslab/corslab/internal/model/policy"
)

// runScenarios is `corslab scenarios`: the bug catalogue, one line each.
func runScenarios(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	usage := "usage: corslab scenarios\n\nLists the bug catalogue: each scenario's name and the bug. Start the lab\nwith one in place with corslab -scenario NAME."
	if code, done := parseNoArgs("scenarios", usage, "; start one with corslab -scenario NAME", args, stderr); done {
		return code
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, s := range scenario.All() {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Title)
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nStart one with: corslab -scenario NAME")
	return exitOK
}

// scenarioPolicy is the buggy policy of the named scenario.
func scenarioPolicy(name string) (*policy.Policy, error) {
	s, err := scenario.Get(name)
	if err != nil {
		return nil, err
	}
	return s.BuggyPolicy()
}

// progressFile is where the lessons' progress is kept: flag, else the
// user's config directory; "" (progress kept in memory only) if there is none.
func progressFile(flag string, stderr io.Writer) string {
	if flag != "" {
		return flag
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		fmt.Fprintf(stderr, "corslab: warning: no config directory (%v): lesson progress will not be saved\n", err)
		return ""
	}
	return filepath.Join(dir, "corslab", "progress.json")
}
