package firefox_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/firefox"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

// TestFirefox: the client starts Firefox, navigates, evaluates a script that
// awaits a promise, and receives the page's console entries.
func TestFirefox(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><script>console.log("corslab-firefox-ready")</script>`)
	}))
	defer srv.Close()
	b := firefox.Start(t)
	if err := b.Navigate(srv.URL); err != nil {
		t.Fatal(err)
	}
	got, err := b.Evaluate(`new Promise(r => setTimeout(() => r(String(6 * 7)), 10))`)
	if err != nil || got != "42" {
		t.Fatalf("Evaluate = %q, %v; want 42", got, err)
	}
	if _, err := b.Evaluate(`(() => { throw new Error("boom") })()`); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a throwing script: err = %v, want one naming boom", err)
	}
	poll.Check(t, 30*time.Second, func() error {
		logs := b.Logs()
		for _, e := range logs {
			if e.Type == "console" && e.Text == "corslab-firefox-ready" {
				return nil
			}
		}
		return fmt.Errorf("no console entry corslab-firefox-ready; got %+v", logs)
	})
}
