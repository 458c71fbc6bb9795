package main

import (
	"context"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/content/scenario"
	"github.com/corslab/corslab/internal/testsupport/syncbuf"
)

func TestScenariosCommand(t *testing.T) {
	var stdout, stderr syncbuf.Buffer
	if code := run(context.Background(), []string{"scenarios"}, strings.NewReader(""), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, s := range scenario.All() {
		if !strings.Contains(stdout.String(), s.Name) || !strings.Contains(stdout.String(), s.Title) {
			t.Errorf("the list lacks %s: %s", s.Name, stdout.String())
		}
	}
}

func TestScenarioFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-no-tui", "-scenario", "nope"}, `corslab: -scenario: unknown scenario "nope" (want one of: `},
		{[]string{"-no-tui", "-scenario", "missing-vary", "-policy", "x.json"}, "corslab: -scenario and -policy both set a starting policy: give one"},
	}
	for _, tt := range tests {
		var stdout, stderr syncbuf.Buffer
		if code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, exitUsage)
		}
		got := stderr.String()
		if !strings.HasPrefix(got, tt.want) || strings.Count(strings.TrimSpace(got), "\n") > 0 {
			t.Errorf("%v: stderr %q, want one line starting %q", tt.args, got, tt.want)
		}
	}
}

func TestScenarioFlagStartsBuggyPolicy(t *testing.T) {
	p, err := scenarioPolicy("multiple-allow-origin")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.JSON()), `"{origin}",`) {
		t.Errorf("policy %s, want the two Access-Control-Allow-Origin lines", p.JSON())
	}
}
