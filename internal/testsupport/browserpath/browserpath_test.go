package browserpath

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on the PATH")
	}
	missing := filepath.Join(t.TempDir(), "no-such-browser")
	t.Setenv("CORSLAB_TEST_BROWSER", "")
	if got := Find("CORSLAB_TEST_BROWSER", []string{missing, "sh"}); got != sh {
		t.Errorf("the first candidate found: %q, want %q", got, sh)
	}
	if got := Find("CORSLAB_TEST_BROWSER", []string{missing, t.TempDir()}); got != "" {
		t.Errorf("no candidate is a program: %q, want none", got)
	}
	t.Setenv("CORSLAB_TEST_BROWSER", "/opt/browser")
	if got := Find("CORSLAB_TEST_BROWSER", []string{"sh"}); got != "/opt/browser" {
		t.Errorf("with the variable set: %q, want /opt/browser", got)
	}
}

func TestRequired(t *testing.T) {
	for _, c := range []struct {
		ci, require string
		want        bool
	}{{"", "", false}, {"true", "", true}, {"", "1", true}, {"false", "0", false}} {
		t.Setenv("CI", c.ci)
		t.Setenv("CORSLAB_REQUIRE_BROWSER", c.require)
		if got := Required(); got != c.want {
			t.Errorf("CI=%q CORSLAB_REQUIRE_BROWSER=%q: Required() = %t, want %t", c.ci, c.require, got, c.want)
		}
	}
}
