package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newJournal(size int) *Journal {
	j := New(size)
	j.now = func() time.Time { return testTime }
	return j
}

// all returns every event the journal's hub holds, oldest first.
func all(j *Journal) []*Event { return j.Hub().Recent(1 << 20) }

func kinds(events []*Event) []Kind {
	out := make([]Kind, len(events))
	for i, e := range events {
		out[i] = e.Kind
	}
	return out
}

func exchange(trial, path string) *Exchange {
	return &Exchange{
		Method: "GET", Path: path, Origin: "http://localhost:7070", Trial: trial,
		RequestHeader: http.Header{"Origin": {"http://localhost:7070"}}, Status: 200,
		ResponseHeader: http.Header{"Access-Control-Allow-Origin": {"*"}},
	}
}

func TestRecord(t *testing.T) {
	tests := []struct {
		desc      string
		exchanges []*Exchange
		wantKinds []Kind
		// wantTrials maps a trial id to the paths of its exchanges.
		wantTrials map[string][]string
	}{
		{"no trial: only the exchange", []*Exchange{exchange("", "/a")},
			[]Kind{KindExchange}, nil},
		{"a trial not settled: only the exchange, which names it", []*Exchange{exchange("t1", "/a")},
			[]Kind{KindExchange}, map[string][]string{"t1": {"/a"}}},
		{"preflight and actual group under one trial", []*Exchange{exchange("t1", "/pre"), exchange("t1", "/act")},
			[]Kind{KindExchange, KindExchange}, map[string][]string{"t1": {"/pre", "/act"}}},
		{"two trials", []*Exchange{exchange("t1", "/a"), exchange("t2", "/b"), exchange("", "/c")},
			[]Kind{KindExchange, KindExchange, KindExchange},
			map[string][]string{"t1": {"/a"}, "t2": {"/b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			j := newJournal(64)
			for _, x := range tt.exchanges {
				j.Record(x)
			}
			events := all(j)
			if got := kinds(events); !reflect.DeepEqual(got, tt.wantKinds) {
				t.Fatalf("kinds = %v, want %v", got, tt.wantKinds)
			}
			n := 0
			for _, e := range events {
				if !e.Time.Equal(testTime) {
					t.Errorf("event %d time = %v, want %v", e.Seq, e.Time, testTime)
				}
				if e.Kind == KindExchange {
					if e.Exchange != tt.exchanges[n] {
						t.Errorf("event %d does not carry exchange %d", e.Seq, n)
					}
					n++
				}
			}
			for id, paths := range tt.wantTrials {
				tr, ok := j.Trial(id)
				if !ok {
					t.Fatalf("Trial(%q) not found", id)
				}
				var got []string
				for _, x := range tr.Exchanges {
					got = append(got, x.Path)
				}
				if !reflect.DeepEqual(got, paths) {
					t.Errorf("trial %s exchanges = %v, want %v", id, got, paths)
				}
			}
		})
	}
}

func TestAnnounceAndSettle(t *testing.T) {
	req := trial.Request{Label: "simple GET", Method: "GET", URL: "http://localhost:7071/api/items"}
	out := trial.Outcome{OK: true, Type: "cors", Status: 200, Headers: [][2]string{{"content-type", "application/json"}}}
	tests := []struct {
		desc string
		run  func(j *Journal) error // the steps; the first error ends them
		// want is the trial "t1" afterwards; nil means it must not exist.
		want    *Trial
		wantErr string
	}{
		{
			desc: "announce, exchange, settle",
			run: func(j *Journal) error {
				if err := j.Announce("t1", "http://a", req); err != nil {
					return err
				}
				j.Record(exchange("t1", "/api/items"))
				return j.Settle("t1", out)
			},
			want: &Trial{ID: "t1", Origin: "http://a", Request: req, Exchanges: []Exchange{*exchange("t1", "/api/items")}, Outcome: &out, announced: true},
		},
		{
			desc: "exchange before announce still groups",
			run: func(j *Journal) error {
				j.Record(exchange("t1", "/pre"))
				if err := j.Announce("t1", "http://a", req); err != nil {
					return err
				}
				j.Record(exchange("t1", "/act"))
				return j.Settle("t1", out)
			},
			want: &Trial{ID: "t1", Origin: "http://a", Request: req, Exchanges: []Exchange{*exchange("t1", "/pre"), *exchange("t1", "/act")}, Outcome: &out, announced: true},
		},
		{
			desc:    "settle without announce",
			run:     func(j *Journal) error { return j.Settle("t1", out) },
			wantErr: `trial "t1": outcome for a trial that was never announced`,
		},
		{
			desc: "settle a trial only site B has seen",
			run: func(j *Journal) error {
				j.Record(exchange("t1", "/a"))
				return j.Settle("t1", out)
			},
			want:    &Trial{ID: "t1", Exchanges: []Exchange{*exchange("t1", "/a")}},
			wantErr: `trial "t1": outcome for a trial that was never announced`,
		},
		{
			desc:    "announce a bad id",
			run:     func(j *Journal) error { return j.Announce("t 1", "http://a", req) },
			wantErr: `trial id "t 1": only letters, digits, '-' and '_' are allowed`,
		},
		{
			desc:    "settle a bad id",
			run:     func(j *Journal) error { return j.Settle("", out) },
			wantErr: `trial id "": must be 1 to 64 characters`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			j := newJournal(64)
			err := tt.run(j)
			if got := fmt.Sprint(err); err == nil && tt.wantErr != "" || err != nil && got != tt.wantErr {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
			got, ok := j.Trial("t1")
			if tt.want == nil {
				if ok {
					t.Errorf("trial t1 exists: %+v", got)
				}
				return
			}
			got.Account, got.announcedAt = trial.Account{}, time.Time{} // the account has its own tests
			for i := range got.Exchanges {
				got.Exchanges[i].bytes = 0 // the journal's own count (bound_test.go)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("trial =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestTrialEvents: a trial's state is published when it is announced and
// when it settles; its exchanges in between go out once, as exchange events
// naming the trial, and the settled snapshot carries them all. An exchange
// after the trial settled is published with the trial judged again.
func TestTrialEvents(t *testing.T) {
	j := newJournal(64)
	req := trial.Request{Method: "PUT", URL: "http://b/api/items/1"}
	if err := j.Announce("t1", "http://a", req); err != nil {
		t.Fatal(err)
	}
	j.Record(exchange("t1", "/pre"))
	j.Record(exchange("t1", "/act"))
	if err := j.Settle("t1", trial.Outcome{Error: "TypeError: Failed to fetch"}); err != nil {
		t.Fatal(err)
	}
	j.Record(exchange("t1", "/late"))
	// The late exchange's account is rebuilt off site B's request path: wait for it.
	var events []*Event
	poll.Check(t, 10*time.Second, func() error {
		if events = all(j); len(events) < 6 {
			return fmt.Errorf("kinds = %v, want six events", kinds(events))
		}
		return nil
	})
	want := []Kind{KindTrial, KindExchange, KindExchange, KindTrial, KindExchange, KindTrial}
	if got := kinds(events); !reflect.DeepEqual(got, want) {
		t.Fatalf("kinds = %v, want %v (announce, two exchanges, outcome, a late exchange and the trial judged again)", got, want)
	}
	for i, want := range map[int]struct {
		exchanges int
		settled   bool
	}{0: {0, false}, 3: {2, true}, 5: {3, true}} {
		tr := events[i].Trial
		if got := len(tr.Exchanges); got != want.exchanges || (tr.Outcome != nil) != want.settled {
			t.Errorf("event %d: trial with %d exchanges, settled %v; want %d, %v", i, got, tr.Outcome != nil, want.exchanges, want.settled)
		}
	}
	for _, i := range []int{1, 2, 4} {
		if x := events[i].Exchange; x == nil || x.Trial != "t1" {
			t.Errorf("event %d: exchange %+v, want one of trial t1", i, x)
		}
	}
	if tr := events[5].Trial; tr.Verdict == nil || tr.Exchanges[2].Path != "/late" {
		t.Errorf("late exchange: trial %+v, want it judged again with /late", tr)
	}
	// The last trial event is a snapshot of the trial as it is now.
	now, _ := j.Trial("t1")
	if !reflect.DeepEqual(events[5].Trial, now) {
		t.Errorf("last trial event %+v, want %+v", events[5].Trial, now)
	}
}

func TestSnapshotsAreNotMutated(t *testing.T) {
	j := newJournal(64)
	if err := j.Announce("t1", "http://a", trial.Request{Method: "GET"}); err != nil {
		t.Fatal(err)
	}
	j.Record(exchange("t1", "/first"))
	fromTrial, _ := j.Trial("t1")
	fromEvent := all(j)[0].Trial // the announcement
	before, _ := json.Marshal(fromTrial)
	beforeEvent, _ := json.Marshal(fromEvent)

	j.Record(exchange("t1", "/second"))
	if err := j.Settle("t1", trial.Outcome{OK: true, Status: 200}); err != nil {
		t.Fatal(err)
	}
	if err := j.Announce("t1", "http://other", trial.Request{Method: "DELETE"}); err != nil {
		t.Fatal(err)
	}
	// Changing a returned copy changes nothing held.
	fromTrial.Exchanges[0].Path = "/changed"
	fromTrial.Exchanges = append(fromTrial.Exchanges, Exchange{Path: "/appended"})
	now, _ := j.Trial("t1")
	if now.Exchanges[0].Path != "/first" {
		t.Errorf("changing a copy changed the journal: %q", now.Exchanges[0].Path)
	}

	fromTrial.Exchanges = fromTrial.Exchanges[:1]
	fromTrial.Exchanges[0].Path = "/first"
	if after, _ := json.Marshal(fromTrial); !bytes.Equal(before, after) {
		t.Errorf("Trial() copy changed:\n%s\n%s", before, after)
	}
	if after, _ := json.Marshal(fromEvent); !bytes.Equal(beforeEvent, after) {
		t.Errorf("published snapshot changed:\n%s\n%s", beforeEvent, after)
	}
	if len(now.Exchanges) != 2 || now.Outcome == nil || now.Request.Method != "DELETE" {
		t.Errorf("journal's trial = %+v, want 2 exchanges, settled, DELETE", now)
	}
}

// TestTrialEventsInOrder records exchanges of one trial from many
// goroutines, then settles it: the exchange events come out in the order
// the trial grew, and the settled snapshot, after them all, carries them all.
func TestTrialEventsInOrder(t *testing.T) {
	const goroutines, each = 8, 4 // 32: within maxTrialExchanges
	j := newJournal(1024)
	if err := j.Announce("t1", "http://a", trial.Request{Method: "GET"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				j.Record(exchange("t1", fmt.Sprintf("/%d/%d", g, i)))
			}
		}()
	}
	wg.Wait()
	if err := j.Settle("t1", trial.Outcome{OK: true, Status: 200}); err != nil {
		t.Fatal(err)
	}
	events := all(j)
	var order []string
	for _, e := range events[1 : len(events)-1] {
		if e.Kind != KindExchange {
			t.Fatalf("event %d is a %s, want only exchanges between announce and settle", e.Seq, e.Kind)
		}
		order = append(order, e.Exchange.Path)
	}
	settled := events[len(events)-1].Trial
	var grew []string
	for _, x := range settled.Exchanges {
		grew = append(grew, x.Path)
	}
	if len(order) != goroutines*each || !reflect.DeepEqual(order, grew) {
		t.Errorf("exchange events %v, trial grew %v", order, grew)
	}
}

func TestMaxTrials(t *testing.T) {
	j := newJournal(16)
	for i := range maxTrials + 2 {
		if err := j.Announce(fmt.Sprint("t", i), "", trial.Request{}); err != nil {
			t.Fatal(err)
		}
	}
	j.Record(exchange("t5", "/again")) // an existing trial is not re-created
	tests := []struct {
		id   string
		want bool
	}{
		{"t0", false},
		{"t1", false},
		{"t2", true},
		{"t5", true},
		{fmt.Sprint("t", maxTrials+1), true},
	}
	for _, tt := range tests {
		if _, ok := j.Trial(tt.id); ok != tt.want {
			t.Errorf("Trial(%s) found = %v, want %v", tt.id, ok, tt.want)
		}
	}
	if len(j.trials) != maxTrials || len(j.order) != maxTrials {
		t.Errorf("holding %d trials (%d in order), want %d", len(j.trials), len(j.order), maxTrials)
	}
	if tr, _ := j.Trial("t5"); len(tr.Exchanges) != 1 {
		t.Errorf("t5 has %d exchanges, want 1", len(tr.Exchanges))
	}
}

func TestMaxTrialExchanges(t *testing.T) {
	j := newJournal(16)
	for i := range maxTrialExchanges + 3 {
		j.Record(exchange("t1", fmt.Sprint("/", i)))
	}
	tr, _ := j.Trial("t1")
	if len(tr.Exchanges) != maxTrialExchanges {
		t.Fatalf("%d exchanges kept, want %d", len(tr.Exchanges), maxTrialExchanges)
	}
	if first, last := tr.Exchanges[0].Path, tr.Exchanges[maxTrialExchanges-1].Path; first != "/3" || last != fmt.Sprint("/", maxTrialExchanges+2) {
		t.Errorf("kept %s..%s, want the latest", first, last)
	}
}

func TestValidTrialID(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string // "" for valid
	}{
		{"letters and digits", "abcXYZ019", ""},
		{"dash and underscore", "a-b_c", ""},
		{"one character", "x", ""},
		{"64 characters", strings.Repeat("a", 64), ""},
		{"empty", "", `trial id "": must be 1 to 64 characters`},
		{"65 characters", strings.Repeat("a", 65), fmt.Sprintf("trial id %q: must be 1 to 64 characters", strings.Repeat("a", 65))},
		{"space", "a b", `trial id "a b": only letters, digits, '-' and '_' are allowed`},
		{"slash", "a/b", `trial id "a/b": only letters, digits, '-' and '_' are allowed`},
		{"dot", "..", `trial id "..": only letters, digits, '-' and '_' are allowed`},
		{"percent", "a%20", `trial id "a%20": only letters, digits, '-' and '_' are allowed`},
		{"non-ASCII letter", "é", `trial id "é": only letters, digits, '-' and '_' are allowed`},
		{"NUL", "a\x00", `trial id "a\x00": only letters, digits, '-' and '_' are allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			err := ValidTrialID(tt.in)
			if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
				t.Errorf("ValidTrialID(%q) = %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestPolicyChanged(t *testing.T) {
	j := newJournal(16)
	j.PolicyChanged("tui", []byte(`{"actual":{}}`))
	events := all(j)
	if len(events) != 1 || events[0].Kind != KindPolicy {
		t.Fatalf("events = %v, want one policy event", kinds(events))
	}
	want := `{"seq":1,"time":"2026-01-02T03:04:05Z","kind":"policy","policy":{"by":"tui","document":{"actual":{}}}}`
	if got := string(events[0].JSON()); got != want {
		t.Errorf("JSON = %s\nwant   %s", got, want)
	}
}

// LastPolicy is the document of the newest policy event and that event's
// seq, whatever other events came between.
func TestLastPolicy(t *testing.T) {
	j := newJournal(16)
	if doc, seq := j.LastPolicy(); doc != nil || seq != 0 {
		t.Errorf("before any policy event: %s, seq %d", doc, seq)
	}
	j.PolicyChanged("start-up", []byte(`{"actual":{}}`))
	j.Record(&Exchange{Method: "GET", Path: "/api/items", Status: 200})
	j.PolicyChanged("tui", []byte(`{"preflight":{"status":200}}`))
	j.Record(&Exchange{Method: "GET", Path: "/api/items", Status: 200})
	doc, seq := j.LastPolicy()
	var last *Event
	for _, e := range all(j) {
		if e.Kind == KindPolicy {
			last = e
		}
	}
	if last == nil || seq != last.Seq || string(doc) != string(last.Policy.Document) {
		t.Errorf("LastPolicy = %s, seq %d; the last policy event is %s", doc, seq, last.JSON())
	}
}

func TestEventJSON(t *testing.T) {
	tests := []struct {
		desc string
		in   *Event
		want string
	}{
		{"exchange",
			&Event{Seq: 3, Time: testTime, Kind: KindExchange, Exchange: &Exchange{Method: "OPTIONS", Path: "/api/items?x=1", Preflight: true, Status: 204,
				RequestHeader: http.Header{"Access-Control-Request-Method": {"PUT"}}, ResponseHeader: http.Header{"Vary": {"Origin", "Accept"}}, Micros: 7}},
			`{"seq":3,"time":"2026-01-02T03:04:05Z","kind":"exchange","exchange":{"method":"OPTIONS","path":"/api/items?x=1","preflight":true,` +
				`"requestHeaders":{"Access-Control-Request-Method":["PUT"]},"status":204,"responseHeaders":{"Vary":["Origin","Accept"]},"micros":7}}`},
		{"trial",
			&Event{Seq: 4, Time: testTime, Kind: KindTrial, Trial: &Trial{ID: "t1", Request: trial.Request{Method: "GET", URL: "u"}, Outcome: &trial.Outcome{Error: "TypeError: Failed to fetch"},
				Account: trial.Account{Call: `fetch("u", {method: "GET"})`, Happened: trial.Happened{Preflight: trial.PreflightNone, RefusedLocally: true},
					Headline: "Refused by fetch() itself"}}},
			`{"seq":4,"time":"2026-01-02T03:04:05Z","kind":"trial","trial":{"id":"t1","request":{"method":"GET","url":"u"},"exchanges":null,` +
				`"outcome":{"ok":false,"status":0,"error":"TypeError: Failed to fetch"},"call":"fetch(\"u\", {method: \"GET\"})",` +
				`"happened":{"sameOrigin":false,"preflight":"none","reachedSiteB":false,"refusedLocally":true,"websocket":false},"headline":"Refused by fetch() itself"}}`},
		{"exchange with an effect",
			&Event{Seq: 5, Time: testTime, Kind: KindExchange, Exchange: &Exchange{Method: "POST", Path: "/api/items", Status: 201,
				Effect: &trial.Effect{Kind: trial.Created, Item: 4, Name: "pear"}}},
			`{"seq":5,"time":"2026-01-02T03:04:05Z","kind":"exchange","exchange":{"method":"POST","path":"/api/items","preflight":false,` +
				`"requestHeaders":null,"status":201,"responseHeaders":null,"effect":{"kind":"created","item":4,"name":"pear"},"micros":0}}`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			first := tt.in.JSON()
			if string(first) != tt.want {
				t.Errorf("JSON =\n%s\nwant\n%s", first, tt.want)
			}
			tt.in.Seq = 99 // an event is immutable once published; JSON is computed once
			if second := tt.in.JSON(); &second[0] != &first[0] || string(second) != tt.want {
				t.Errorf("second JSON() is not the cached encoding: %s", second)
			}
		})
	}
}

func TestEventJSONConcurrent(t *testing.T) {
	j := newJournal(16)
	j.Record(exchange("t1", "/a"))
	if err := j.Announce("t1", "http://a", trial.Request{Method: "GET"}); err != nil {
		t.Fatal(err)
	}
	e := all(j)[1] // the trial, carrying the exchange
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.JSON()
		}()
	}
	wg.Wait()
	for i, b := range results {
		if &b[0] != &results[0][0] {
			t.Errorf("goroutine %d got its own encoding", i)
		}
	}
	var back Event
	if err := json.Unmarshal(results[0], &back); err != nil || back.Seq != 2 || back.Trial == nil || back.Trial.ID != "t1" {
		t.Errorf("decoded seq %d trial %+v, %v", back.Seq, back.Trial, err)
	}
}

// A burst of late exchanges (any client can send a settled trial's
// Referer) rebuilds the account off the request path, and the last trial
// event carries every exchange, judged.
func TestLateExchangesCoalesce(t *testing.T) {
	j := newJournal(1024)
	if err := j.Announce("t1", "http://a", trial.Request{Method: "GET", URL: "http://b/api/items"}); err != nil {
		t.Fatal(err)
	}
	if err := j.Settle("t1", trial.Outcome{Error: "TypeError: Failed to fetch"}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		j.Record(exchange("t1", fmt.Sprint("/late/", i)))
	}
	var last *Trial
	poll.Check(t, 10*time.Second, func() error {
		for _, e := range all(j) {
			if e.Kind == KindTrial {
				last = e.Trial
			}
		}
		if last == nil || len(last.Exchanges) != n {
			return fmt.Errorf("last trial event: %+v, want all %d late exchanges", last, n)
		}
		return nil
	})
	if last.Verdict == nil {
		t.Fatalf("last trial event: %+v, want all %d late exchanges, judged", last, n)
	}
}

// JoinJSON joins events' JSON for the live log's frame, and the events it
// encodes keep their part of it as their JSON: one copy for the history
// and the frame. An event encoded before keeps its own bytes.
func TestJoinJSON(t *testing.T) {
	mk := func(seq uint64) *Event {
		return &Event{Seq: seq, Time: testTime, Kind: KindExchange, Exchange: &Exchange{Method: "GET", Path: "/api/items", Status: 200,
			RequestHeader: http.Header{"Origin": {"http://a"}}}}
	}
	policyEvent := &Event{Seq: 9, Time: testTime, Kind: KindPolicy, Policy: &PolicyChange{By: "tui", Document: json.RawMessage(`{"a": 1}`)}}
	tests := []struct {
		desc    string
		events  []*Event
		encoded []bool // encoded before JoinJSON
		head    int
	}{
		{"none", nil, nil, 10},
		{"one fresh", []*Event{mk(1)}, []bool{false}, 10},
		{"fresh, encoded before, policy (encoding/json)", []*Event{mk(1), mk(2), policyEvent}, []bool{false, true, false}, 4},
		{"no head", []*Event{mk(1), mk(2)}, []bool{false, false}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			var want [][]byte
			before := make([][]byte, len(tt.events))
			for i, e := range tt.events {
				want = append(want, marshalled(t, e))
				if tt.encoded[i] {
					before[i] = e.JSON()
				}
			}
			got := JoinJSON(tt.events, tt.head)
			if len(got) < tt.head || !bytes.Equal(got[tt.head:], bytes.Join(want, []byte("\n"))) {
				t.Fatalf("JoinJSON =\n%q\nwant %d free bytes, then\n%s", got, tt.head, bytes.Join(want, []byte("\n")))
			}
			if cap(got) != len(got) {
				t.Errorf("capacity %d for %d bytes: one allocation of exactly the frame", cap(got), len(got))
			}
			at := tt.head // where each event's JSON lies in got
			for i, e := range tt.events {
				j := e.JSON()
				inFrame := &j[0] == &got[at]
				at += len(want[i]) + 1
				switch {
				case !bytes.Equal(j, want[i]):
					t.Errorf("event %d: JSON() = %s, want %s", i, j, want[i])
				case tt.encoded[i] && &j[0] != &before[i][0]:
					t.Errorf("event %d: encoded before, its JSON() changed to another copy", i)
				case !tt.encoded[i] && !inFrame:
					t.Errorf("event %d: encoded by JoinJSON, but its JSON() is a copy of its own, not the frame's bytes", i)
				}
			}
		})
	}
}
