package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is corslab's module path; the rules below name packages without it.
const module = "github.com/corslab/corslab/"

// layers ranks corslab's own packages, lowest first (docs/ARCHITECTURE.md):
// a package imports ours only from its own layer or a lower one. The first
// matching prefix wins.
var layers = []struct {
	prefix string
	rank   int
}{
	{"internal/model/", 0},
	{"static", 0}, // the page's files, embedded: no code
	// Leaf helpers on the standard library alone: untrusted text for a
	// terminal, user-named files, the Host check (issue 19).
	{"internal/textclean", 0},
	{"internal/regularfile", 0},
	{"internal/hostguard", 0},
	{"internal/journal", 1},
	{"internal/content/", 2},
	{"internal/tool/", 2},
	{"siteA", 3},
	{"siteB", 3},
	{"tui", 3},
	{"internal/lab", 4},
	{"cmd/", 5},
	{"internal/testsupport/", 6}, // may start anything; nothing imports it but tests
	{"internal/archtest", 6},
}

// Groups of packages the rules forbid.
var (
	servers   = []string{module + "siteA", module + "siteB", module + "internal/lab"}
	screen    = []string{module + "tui", "charm.land/", "github.com/charmbracelet/"}
	transport = []string{"github.com/gorilla/websocket", "github.com/chromedp/"}
)

// rules forbid dependencies, direct or not: a package matching from may not
// depend on a package matching any of not (a prefix; a name ending in / is
// any package below it).
var rules = []struct {
	from string
	not  []string
	why  string
}{
	{module + "siteB", []string{module + "tui", module + "siteA"}, "site B is the API under test: it knows no screen and not the page's site"},
	{module + "siteA", []string{module + "siteB", module + "tui"}, "site A reaches site B only through the journal and the lab's wiring"},
	{module + "internal/model/", concat(servers, screen, transport, []string{module + "internal/journal", module + "internal/content/", module + "internal/tool/", module + "internal/testsupport/"}),
		"the model is pure: no server, no screen, no transport"},
	{module + "internal/journal", concat(servers, screen, transport), "the journal records; it serves nothing and draws nothing"},
	{module + "tui", concat(servers, transport), "the TUI is given the journal and the policy; it does not reach into the servers"},
	{module + "internal/content/", concat(servers, screen, transport), "lessons and scenarios are content"},
	{module + "internal/tool/", concat(servers, screen, transport), "check and export are tools over the model"},
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

// pkg is what go list says of one package.
type pkg struct {
	ImportPath string
	Imports    []string // direct, non-test
	Deps       []string // every dependency, non-test
}

// load lists every package of the module with its dependencies.
func load(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func matches(path, pattern string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(path, pattern)
	}
	return path == pattern || strings.HasPrefix(path, pattern+"/")
}

// rank is the layer of one of our packages, -1 for another module's.
func rank(path string) (int, bool) {
	rel, ok := strings.CutPrefix(path, module)
	if !ok {
		return -1, false
	}
	for _, l := range layers {
		if matches(rel, l.prefix) {
			return l.rank, true
		}
	}
	return -1, true
}

// violations lists every broken arrow, one line each.
func violations(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		from, ours := rank(p.ImportPath)
		if !ours {
			continue
		}
		if from < 0 {
			out = append(out, fmt.Sprintf("%s: in no layer of ARCHITECTURE.md (add it to archtest's layers)", p.ImportPath))
			continue
		}
		for _, imp := range p.Imports {
			if to, ours := rank(imp); ours && to > from {
				out = append(out, fmt.Sprintf("%s imports %s: a higher layer (%d > %d)", p.ImportPath, imp, to, from))
			}
		}
		for _, r := range rules {
			if !matches(p.ImportPath, r.from) {
				continue
			}
			for _, dep := range p.Deps {
				for _, not := range r.not {
					if matches(dep, not) {
						out = append(out, fmt.Sprintf("%s depends on %s: %s", p.ImportPath, dep, r.why))
					}
				}
			}
		}
	}
	return out
}

// TestArrows: corslab's packages import as docs/ARCHITECTURE.md draws.
func TestArrows(t *testing.T) {
	for _, v := range violations(load(t)) {
		t.Error(v)
	}
}

// TestRulesCatchBrokenArrows: the checker finds each kind of broken arrow
// (so that TestArrows can fail).
func TestRulesCatchBrokenArrows(t *testing.T) {
	for _, c := range []struct {
		desc string
		p    pkg
		want string
	}{
		{"site B imports the TUI", pkg{module + "siteB", []string{module + "tui"}, []string{module + "tui"}},
			"github.com/corslab/corslab/siteB depends on github.com/corslab/corslab/tui: site B is the API under test"},
		{"site B reaches site A through another package", pkg{module + "siteB", []string{module + "internal/journal"}, []string{module + "internal/journal", module + "siteA"}},
			"siteB depends on github.com/corslab/corslab/siteA"},
		{"the model draws", pkg{module + "internal/model/fetch", nil, []string{"charm.land/lipgloss/v2"}},
			"internal/model/fetch depends on charm.land/lipgloss/v2: the model is pure"},
		{"the model serves", pkg{module + "internal/model/policy", nil, []string{module + "siteB"}},
			"internal/model/policy depends on github.com/corslab/corslab/siteB"},
		{"the model records", pkg{module + "internal/model/policy", []string{module + "internal/journal"}, []string{module + "internal/journal"}},
			"internal/model/policy imports github.com/corslab/corslab/internal/journal: a higher layer (1 > 0)"},
		{"the journal speaks websocket", pkg{module + "internal/journal", nil, []string{"github.com/gorilla/websocket"}},
			"internal/journal depends on github.com/gorilla/websocket"},
		{"a lower layer imports the lab", pkg{module + "siteA", []string{module + "internal/lab"}, nil},
			"siteA imports github.com/corslab/corslab/internal/lab: a higher layer (4 > 3)"},
		{"a product package imports test support", pkg{module + "internal/lab", []string{module + "internal/testsupport/poll"}, nil},
			"internal/lab imports github.com/corslab/corslab/internal/testsupport/poll: a higher layer"},
		{"a package in no layer", pkg{module + "internal/misc", nil, nil},
			"internal/misc: in no layer"},
	} {
		got := violations([]pkg{c.p})
		if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, c.want) }) {
			t.Errorf("%s: violations %q, want one containing %q", c.desc, got, c.want)
		}
	}
	ok := pkg{module + "internal/lab", []string{module + "siteA", module + "siteB", "net/http"}, []string{module + "siteA", module + "siteB", "github.com/gorilla/websocket"}}
	if got := violations([]pkg{ok}); len(got) > 0 {
		t.Errorf("the lab wiring both sites: %q", got)
	}
}

// TestReadmeLayoutMatchesFolders: the README's layout table names every
// package of the module (or a folder above it), and every folder it names
// exists.
func TestReadmeLayoutMatchesFolders(t *testing.T) {
	root := moduleRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(readme), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no ## Layout section")
	}
	layout, _, _ = strings.Cut(layout, "\n## ")
	var dirs []string
	for _, line := range strings.Split(layout, "\n") {
		if cell, ok := strings.CutPrefix(line, "| `"); ok {
			dir, _, _ := strings.Cut(cell, "`")
			dirs = append(dirs, strings.TrimSuffix(dir, "/"))
		}
	}
	if len(dirs) < 10 {
		t.Fatalf("the layout table lists %d folders: %q", len(dirs), dirs)
	}
	for _, d := range dirs {
		if st, err := os.Stat(filepath.Join(root, d)); err != nil || !st.IsDir() {
			t.Errorf("README layout names %s: not a folder", d)
		}
	}
	for _, p := range load(t) {
		rel := strings.TrimPrefix(p.ImportPath, module)
		if !slices.ContainsFunc(dirs, func(d string) bool { return matches(rel, d) }) {
			t.Errorf("README layout lacks %s", rel)
		}
	}
}

// moduleRoot is the folder of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
