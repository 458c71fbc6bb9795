// Package request makes one plain HTTP request for a test and hands back
// the response with its whole body.
package request

import (
	"io"
	"net/http"
	"testing"
)

// Do sends method url with the header fields given as name, value pairs,
// fails the test if it cannot be sent, and returns the response (its body
// read and closed) and the body.
func Do(t testing.TB, method, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
