package export_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/tool/export"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/export")

const goldenDir = "../../../testdata/export"

// TestGolden renders every policy of testdata/export in every format and
// compares with NAME.FORMAT.txt (go test -update rewrites them). The
// stacks the machine cannot run are checked here only; the others are
// also served for real (rscors_test, nginx_test, golibs_test).
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no policies in %s: %v", goldenDir, err)
	}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := policy.ParseDocument(data)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		base := strings.TrimSuffix(in, ".json")
		for _, f := range export.Formats {
			t.Run(filepath.Base(base)+"/"+f, func(t *testing.T) {
				got, err := export.Render(doc, f)
				if err != nil {
					got = "error: " + err.Error() + "\n"
				}
				for _, line := range strings.Split(got, "\n") {
					if (strings.HasPrefix(line, "//") || strings.HasPrefix(line, "# ")) && len(line) > 80 && !strings.Contains(line, "(OPTIONS with") {
						t.Errorf("comment line longer than 80: %q", line)
					}
				}
				file := base + "." + f + ".txt"
				if *update {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (go test -update creates it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs (go test -update rewrites it):\n%s", file, got)
				}
			})
		}
	}
}
