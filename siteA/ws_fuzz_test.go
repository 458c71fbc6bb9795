package siteA

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
)

// fuzzPolicy is a PolicyStore that keeps nothing.
type fuzzPolicy struct{}

func (fuzzPolicy) PolicyJSON() []byte                 { return []byte(`{}`) }
func (fuzzPolicy) ReplacePolicy([]byte, string) error { return nil }
func (fuzzPolicy) EditPolicy(string, func(*policy.Document) error) error {
	return nil
}

// FuzzHandleMessage feeds the live log's message handler (what the page
// sends over /lab/ws) anything at all; seed corpus in
// testdata/fuzz/FuzzHandleMessage. Invariants: it never panics; a refused
// message's error fits a websocket close frame's reason (UTF-8; the
// handler's caller cuts it to 120 bytes) and is one line; an accepted
// message published at most one trial event, and a trial that exists.
func FuzzHandleMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"announce","id":"t1","request":{"method":"GET","url":"http://localhost:7071/api/items"}}`,
		`{"type":"outcome","id":"t1","outcome":{"ok":true,"type":"cors","status":200}}`,
		`{"type":"announce","id":"bad id","request":{}}`,
		`{"type":"nonsense"}`,
		`not json`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		j := journal.New(16)
		s := New(Config{SiteBPort: "7071"}, j, fuzzPolicy{})
		defer s.Close()
		// An announced trial, so that outcomes have something to settle.
		if err := s.handle([]byte(`{"type":"announce","id":"t1","request":{"method":"GET","url":"/"}}`), peer{origin: "http://localhost:7070"}); err != nil {
			t.Fatal(err)
		}
		before := len(j.Hub().Recent(16))
		err := s.handle(data, peer{origin: "http://localhost:7070"})
		after := j.Hub().Recent(16)
		if err != nil {
			if !utf8.ValidString(err.Error()) || strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error cannot be a close reason: %q", err)
			}
			if len(after) != before {
				t.Errorf("a refused message published %d events", len(after)-before)
			}
			return
		}
		if n := len(after) - before; n > 1 {
			t.Fatalf("one message published %d events", n)
		} else if n == 1 {
			e := after[len(after)-1]
			if e.Kind != journal.KindTrial || e.Trial == nil || journal.ValidTrialID(e.Trial.ID) != nil {
				t.Errorf("published %+v", e)
			}
			if _, ok := j.Trial(e.Trial.ID); !ok {
				t.Errorf("trial %q published but not kept", e.Trial.ID)
			}
			if len(e.JSON()) == 0 {
				t.Errorf("event does not encode")
			}
		}
	})
}
