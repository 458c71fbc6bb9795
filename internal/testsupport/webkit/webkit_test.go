package webkit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/webkit"
)

// TestWebKit: MiniBrowser loads a page on its private display and its
// console lines — a log and a CORS error — arrive on standard output.
func TestWebKit(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer api.Close()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><script>fetch(%q).catch(e => console.log("corslab-webkit-done " + e))</script>`, api.URL+"/x")
	}))
	defer page.Close()
	b := webkit.Start(t, page.URL)
	done, err := b.WaitLine("corslab-webkit-done", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(done, "corslab-webkit-done TypeError: Load failed") {
		t.Errorf("the page's line: %q", done)
	}
	want := "CONSOLE SECURITY ERROR Origin " + page.URL + " is not allowed by Access-Control-Allow-Origin. Status code: 200"
	if _, err := b.WaitLine(want, 10*time.Second); err != nil {
		t.Errorf("%v; lines: %q", err, b.Lines())
	}
}
