package har

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
)

// FuzzReadHAR: whatever the file, Analyze returns a report or a one-line
// error, never panics, and every exchange it returns is one the browser
// model judges as it did. Seeds: testdata/fuzz/FuzzReadHAR.
func FuzzReadHAR(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Analyze(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on several lines: %q", err)
			}
			if !errors.Is(err, ErrNothingCrossOrigin) {
				var he *Error
				if !errors.As(err, &he) {
					t.Fatalf("error %v (%T) is not a *har.Error", err, err)
				}
				return
			}
		}
		for i, x := range rep.Exchanges {
			if x.Entry == nil && x.Preflight == nil {
				t.Fatalf("exchange %d has no entry", i)
			}
			if v := fetch.Judge(x.Exchange); v.Allowed != x.Verdict.Allowed || v.Error != x.Verdict.Error {
				t.Fatalf("exchange %d: verdict %+v, Judge says %+v", i, x.Verdict, v)
			}
		}
	})
}
