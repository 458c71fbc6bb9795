package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)
	differ := write("differ.json", `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)
	empty := write("empty.json", `{}`)
	broken := write("broken.json", `{"actual": {"headers": {"X": 1}}}`)
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"rs-cors", "", []string{"-policy", good, "-format", "rs-cors"}, 0, "AllowOriginFunc: func(origin string) bool { return true }", ""},
		{"express", "", []string{"-policy", good, "-format", "express"}, 0, `methods: ["PUT"],`, ""},
		{"nginx", "", []string{"-policy", good, "-format", "nginx"}, 0, `add_header Access-Control-Allow-Origin "${http_origin}" always;`, ""},
		{"headers from stdin", `{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`, []string{"-format", "headers", "-policy", "-"}, 0, "Access-Control-Allow-Origin: *\n", ""},
		{"warnings", "", []string{"-policy", differ, "-format", "rs-cors"}, 0, "// WARNING: rs/cors sends the same", "corslab export: 1 warning(s): rs-cors cannot answer exactly as the policy does"},
		{"nothing to configure", "", []string{"-policy", empty, "-format", "rs-cors"}, 1, "", "corslab export: the policy sends no Access-Control-Allow-Origin"},
		{"help", "", []string{"-h"}, 0, "", "usage: corslab export -policy FILE"},
		{"no policy", "", []string{"-format", "nginx"}, 2, "", "corslab export: -policy is required"},
		{"no format", "", []string{"-policy", good}, 2, "", `corslab export: -format "": want one of rs-cors, express, nginx, headers`},
		{"unknown format", "", []string{"-policy", good, "-format", "tomcat"}, 2, "", `-format "tomcat": want one of`},
		{"missing file", "", []string{"-policy", filepath.Join(dir, "nope.json"), "-format", "nginx"}, 2, "", "nope.json: no such file or directory"},
		{"invalid policy", "", []string{"-policy", broken, "-format", "nginx"}, 2, "", `actual.headers["X"]: must be a string or an array of strings`},
		{"stray argument", "", []string{"-policy", good, "-format", "nginx", "extra"}, 2, "", `unexpected argument "extra"`},
		{"unknown flag", "", []string{"-o", "x"}, 2, "", "flag provided but not defined: -o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCmd(t, tt.stdin, append([]string{"export"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout %q, stderr %q", code, tt.code, out, errOut, tt.stdout, tt.stderr)
			}
			if code == 2 && strings.Count(errOut, "\n") != 1 {
				t.Errorf("want one line on stderr: %q", errOut)
			}
		})
	}
}

// -upstream is checked up front, naming the flag.
func TestUpstreamFlag(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"localhost:3000", "ftp://x/", "http://"} {
		code, _, errOut := runCmd(t, "", "-no-tui", "-site-a", "localhost:0", "-site-b", "localhost:0", "-upstream", bad)
		if code != 2 || !strings.HasPrefix(errOut, "corslab: -upstream "+bad+": ") {
			t.Errorf("-upstream %s: exit %d, %q", bad, code, errOut)
		}
	}
}
