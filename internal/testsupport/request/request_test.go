package request

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Method", r.Method)
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte(r.Header.Get("Origin") + " " + strings.Join(r.Header.Values("X-Twice"), ",")))
	}))
	defer srv.Close()
	resp, body := Do(t, "PUT", srv.URL+"/x", "Origin", "http://a.example", "X-Twice", "1", "X-Twice", "2")
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Method") != "PUT" || body != "http://a.example 1,2" {
		t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
}
