package journal

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/trial"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"longer than ten", 10, "longer tha" + ClipMark},
		{"héllo", 2, "h" + ClipMark}, // never half a rune
	} {
		if got := Clip(c.in, c.max); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	if got := ClipNote(strings.Repeat("q", 100), 10); got != "qqqqqqqqqq"+ClipMark+" [100 bytes in all]" {
		t.Errorf("ClipNote = %q", got)
	}
}

// The history forgets its oldest events once their bytes pass the bound,
// however few they are; a reader that was behind is told what it lost.
func TestHubBoundedInBytes(t *testing.T) {
	h := NewHub(1000)
	h.maxBytes = 1 << 20
	sub := h.Subscribe(0)
	defer sub.Close()
	big := http.Header{"X-Big": {strings.Repeat("v", 100<<10)}}
	for i := range 50 {
		h.Publish(&Event{Kind: KindExchange, Exchange: &Exchange{Path: fmt.Sprint("/", i), RequestHeader: big}})
	}
	held := h.Recent(1000)
	if len(held) == 0 || len(held) >= 10 || held[len(held)-1].Exchange.Path != "/49" {
		t.Fatalf("holding %d events (the last %v), want fewer than 10 ending with /49", len(held), held[len(held)-1].Exchange.Path)
	}
	if h.bytes > h.maxBytes {
		t.Errorf("holding %d bytes, bound %d", h.bytes, h.maxBytes)
	}
	events, lost, err := sub.Next(context.Background(), nil, 1000)
	if err != nil || lost != uint64(50-len(held)) || len(events) != len(held) {
		t.Errorf("a reader behind got %d events, lost %d (%v); want %d and %d", len(events), lost, err, len(held), 50-len(held))
	}
	// One event over the bound is still kept: the newest always is.
	h.Publish(&Event{Kind: KindExchange, Exchange: &Exchange{Path: "/huge", RequestHeader: http.Header{"X": {strings.Repeat("v", 2<<20)}}}})
	if r := h.Recent(10); len(r) != 1 || r[0].Exchange.Path != "/huge" {
		t.Errorf("after a huge event, holding %d", len(r))
	}
}

// The trial store forgets its oldest trials once their bytes pass the
// bound, and one trial keeps its latest exchanges within its own bound.
func TestTrialsBoundedInBytes(t *testing.T) {
	j := New(16)
	big := http.Header{"X-Big": {strings.Repeat("v", 60<<10)}}
	for i := range 1600 { // 200 trials of 240 KiB: over the store's bound, under its count
		j.Record(&Exchange{Method: "GET", Path: fmt.Sprint("/", i), Trial: fmt.Sprint("t", i/8), RequestHeader: big})
	}
	if j.bytes > maxTrialStoreBytes {
		t.Errorf("trials hold %d bytes, bound %d", j.bytes, maxTrialStoreBytes)
	}
	tr, ok := j.Trial("t199")
	if !ok || tr.size() > maxTrialBytes || tr.Exchanges[len(tr.Exchanges)-1].Path != "/1599" {
		t.Errorf("the last trial: found %v, %d exchanges; want its latest within %d bytes", ok, len(tr.Exchanges), maxTrialBytes)
	}
	if _, ok := j.Trial("t0"); ok {
		t.Error("the oldest trial is still held")
	}
}

// A page's announce and outcome reach terminals (the TUI, the -no-tui
// log): their escape sequences are stripped, what they hide shown.
func TestAnnounceStripsControls(t *testing.T) {
	j := New(16)
	req := trial.Request{Label: "\x1b[8mhidden\x1b[0m", Method: "GET", URL: "http://b/\x1b[5m", Headers: [][2]string{{"X-A", "\x1b[31mred"}}}
	if err := j.Announce("t1", "http://a", req); err != nil {
		t.Fatal(err)
	}
	if err := j.Settle("t1", trial.Outcome{Error: "TypeError\x1b]0;title\x07"}); err != nil {
		t.Fatal(err)
	}
	tr, _ := j.Trial("t1")
	for _, s := range []string{tr.Request.Label, tr.Request.URL, tr.Request.Headers[0][1], tr.Outcome.Error} {
		if strings.ContainsAny(s, "\x1b\x07") {
			t.Errorf("kept a control character: %q", s)
		}
	}
	if tr.Request.Label != "[8mhidden[0m" {
		t.Errorf("label %q, want the text shown", tr.Request.Label)
	}
}
