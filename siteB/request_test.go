package siteB

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/journal"
)

func TestIsPreflight(t *testing.T) {
	tests := []struct {
		desc   string
		method string
		acrm   string
		want   bool
	}{
		{"OPTIONS with ACRM", "OPTIONS", "PUT", true},
		{"OPTIONS without ACRM", "OPTIONS", "", false},
		{"GET with ACRM", "GET", "PUT", false},
		{"lower-case options is another method", "options", "PUT", false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/api/items", nil)
			if tt.acrm != "" {
				r.Header.Set("Access-Control-Request-Method", tt.acrm)
			}
			if got := IsPreflight(r); got != tt.want {
				t.Errorf("IsPreflight = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTrialID(t *testing.T) {
	tests := []struct {
		desc    string
		referer string
		want    string
	}{
		{"trial path", "http://localhost:7070/trial/abc-1_X", "abc-1_X"},
		{"with a query", "http://x/trial/t1?lesson=4", "t1"},
		{"with a fragment", "http://x/trial/t1#f", "t1"},
		{"path only", "/trial/t1", "t1"},
		{"no Referer", "", ""},
		{"the page itself", "http://localhost:7070/", ""},
		{"another path", "http://x/lab/t1", ""},
		{"trial deeper in the path", "http://x/lesson/trial/t1", ""},
		{"trials", "http://x/trials/t1", ""},
		{"no id", "http://x/trial/", ""},
		{"sub-path", "http://x/trial/t1/more", ""},
		{"encoded space", "http://x/trial/a%20b", ""},
		{"encoded slash", "http://x/trial/a%2Fb", ""},
		{"dots", "http://x/trial/..", ""},
		{"too long", "http://x/trial/" + strings.Repeat("a", 65), ""},
		{"64 characters", "http://x/trial/" + strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{"not a URL", "http://x/%zz/trial/t1", ""},
		{"https", "https://x/trial/t1", "t1"},
		{"port", "http://localhost:7070/trial/t1", "t1"},
		{"IPv6 host", "http://[::1]:7070/trial/t1", "t1"},
		{"user info", "http://u:p@x/trial/t1", "t1"},
		{"upper-case scheme", "HTTP://X/trial/t1", "t1"},
		{"encoded letter", "http://x/trial/t%31", "t1"},
		{"other scheme", "file:///trial/t1", "t1"},
		{"query before the path", "http://x?/trial/t1", ""},
		{"fragment before the path", "http://x#/trial/t1", ""},
		{"no path", "http://x", ""},
		{"bad port", "http://x:port/trial/t1", ""},
		{"control byte", "http://x/trial/t1\x7f", ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/items", nil)
			if tt.referer != "" {
				r.Header.Set("Referer", tt.referer)
			}
			if got := TrialID(r); got != tt.want {
				t.Errorf("TrialID(Referer %q) = %q, want %q", tt.referer, got, tt.want)
			}
			if ref := referenceTrialID(tt.referer); ref != tt.want {
				t.Errorf("the table disagrees with url.Parse: %q", ref)
			}
		})
	}
}

// referenceTrialID is TrialID as url.Parse defines it, for comparison.
func referenceTrialID(referer string) string {
	u, err := url.Parse(referer)
	if referer == "" || err != nil {
		return ""
	}
	id, ok := strings.CutPrefix(u.Path, "/trial/")
	if !ok || journal.ValidTrialID(id) != nil {
		return ""
	}
	return id
}

// FuzzTrialID checks TrialID's fast path against url.Parse.
func FuzzTrialID(f *testing.F) {
	for _, s := range []string{"", "http://x/trial/t1", "https://localhost:7070/trial/a-b_c?q#f", "http://[::1]/trial/t",
		"http://u@x/trial/t", "HTTP://x/trial/t", "http://x/trial/%41", "http://x?/trial/t", "//x/trial/t", "/trial/t", "http://x:/trial/t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, referer string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Referer"] = []string{referer}
		if got, want := TrialID(r), referenceTrialID(referer); got != want {
			t.Errorf("TrialID(%q) = %q, url.Parse says %q", referer, got, want)
		}
	})
}

// TestUnknownFieldErrorIsOneLine: a field name with a newline is quoted, so
// the error cannot spill onto a second line (found by FuzzParseDocument).
