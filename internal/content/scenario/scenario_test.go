package scenario

import (
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/policy"
)

func TestCatalogue(t *testing.T) {
	all := All()
	if len(all) < 10 {
		t.Fatalf("%d scenarios, want at least 10", len(all))
	}
	known := map[string]bool{"": true}
	for _, n := range fetch.ErrorNames() {
		known[n] = true
	}
	seen := map[string]bool{}
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			if seen[s.Name] {
				t.Errorf("name %q used twice", s.Name)
			}
			seen[s.Name] = true
			if s.Title == "" || len(s.Explanation) < 100 {
				t.Errorf("title %q, explanation of %d bytes: want both, the explanation a paragraph", s.Title, len(s.Explanation))
			}
			if s.Request.Method == "" || !strings.HasPrefix(s.Request.URL, "/api/") && !strings.HasPrefix(s.Request.URL, "/kinds/") {
				t.Errorf("request %+v: want a method and a path on site B's API (or its /kinds/ resources)", s.Request)
			}
			if _, ok := fetch.LookupKind(s.Request.Kind); !ok {
				t.Errorf("request kind %q: not a kind (%v)", s.Request.Kind, fetch.KindNames())
			}
			for _, doc := range []struct {
				name string
				data []byte
			}{{"buggy", s.Buggy}, {"fixed", s.Fixed}, {"deploy", s.Deploy}} {
				if doc.name == "deploy" && doc.data == nil {
					continue
				}
				if _, err := policy.ParseDocument(doc.data); err != nil {
					t.Errorf("%s policy: %v", doc.name, err)
				}
			}
			if string(s.Buggy) == string(s.Fixed) {
				t.Error("the fixed policy is the buggy one")
			}
			if !known[s.Error] || !known[s.FixedError] {
				t.Errorf("error %q / fixedError %q: not Chromium error names", s.Error, s.FixedError)
			}
			if s.Error == "" && s.FixedError == "" && !strings.Contains(strings.ToLower(s.Explanation), "observe") {
				t.Error("a bug the browser does not report must say what to observe")
			}
		})
	}
}

// Every file is a scenario named after the file.
func TestFileNames(t *testing.T) {
	entries, err := fs.ReadDir(files, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := files.ReadFile(path.Join("scenarios", e.Name()))
		s, err := parse(data)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
		if s.Name+".json" != e.Name() {
			t.Errorf("%s holds scenario %q", e.Name(), s.Name)
		}
	}
}

func TestGet(t *testing.T) {
	if s, err := Get("wildcard-credentials"); err != nil || s.Error != fetch.ErrWildcardOriginNotAllowed {
		t.Errorf("Get(wildcard-credentials) = %+v, %v", s, err)
	}
	_, err := Get("nope")
	if err == nil || !strings.Contains(err.Error(), "preflight-redirect") || strings.Contains(err.Error(), "\n") {
		t.Errorf("Get(nope) error = %v, want one line listing the names", err)
	}
}
