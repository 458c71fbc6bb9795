package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/trial"
)

// marshalled is what encoding/json writes for e: the reference for
// Event.appendJSON.
func marshalled(t *testing.T, e *Event) []byte {
	t.Helper()
	type plain Event // no methods: the reference is encoding/json itself
	b, err := json.Marshal((*plain)(e))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fastJSON(e *Event) ([]byte, bool) { return e.appendJSON(nil) }

// fill sets every field reachable from v to a value that is not zero,
// using s for strings, so that a field added to Event, Exchange, Trial,
// trial.Request, trial.Outcome, trial.Effect or trial.Account without teaching appendJSON about it fails
// TestEventJSONMatchesEncodingJSON.
func fill(v reflect.Value, s string, n int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s%d", s, n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Int32:
		if v.CanInt() {
			v.SetInt(int64(n + 7))
		} else {
			v.SetUint(uint64(n + 7))
		}
	case reflect.Pointer:
		if v.Type().Elem() == reflect.TypeFor[PolicyChange]() {
			return // policy events go through encoding/json
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), s, n+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 3, 4, 5, 6, 7, 890123000, time.FixedZone("", 3600))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s, n+i)
			}
		}
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			return // lesson events (Event.Lesson) go through encoding/json
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), s, n+i)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), s, n+i)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 3 {
			k, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, "K"+s, 3-i)
			fill(val, s, i)
			m.SetMapIndex(k, val)
		}
		v.Set(m)
	}
}

// TestEventJSONMatchesEncodingJSON: the live log's fast encoder writes
// exactly what encoding/json writes, for every field set and for none.
func TestEventJSONMatchesEncodingJSON(t *testing.T) {
	full := func(kind Kind, s string) *Event {
		e := &Event{}
		fill(reflect.ValueOf(e).Elem(), s, 1)
		e.Kind = kind
		return e
	}
	events := map[string]func() *Event{
		"every field": func() *Event { return full(KindExchange, "v") },
		"every field, escapes": func() *Event {
			return full(KindTrial, "<a href=\"x\">&\\\u2028\u2029\x00\x1f\x7f\xff\xfe é\t\n\r\b\f")
		},
		"zero exchange": func() *Event { return &Event{Kind: KindExchange, Exchange: &Exchange{}} },
		"empty headers": func() *Event {
			return &Event{Kind: KindExchange, Exchange: &Exchange{RequestHeader: http.Header{}, ResponseHeader: http.Header{"X": nil, "Y": {}}}}
		},
		"a browser's headers": func() *Event {
			return &Event{Kind: KindExchange, Exchange: &Exchange{RequestHeader: http.Header{
				"User-Agent": {"Mozilla/5.0"}, "Accept": {"*/*"}, "Origin": {"http://localhost:7070"}, "Sec-Fetch-Mode": {"cors"},
				"Referer": {"http://localhost:7070/"}, "Accept-Language": {"en-GB,en;q=0.9"}, "Sec-Fetch-Site": {"same-site"},
				"Accept-Encoding": {"gzip, deflate"}, "Connection": {"keep-alive"}, "X-Two": {"a", "b"}}}}
		},
		"hostile headers": func() *Event { // more fields than appendHeader sorts by insertion
			h := http.Header{}
			for i := range 100 {
				h[fmt.Sprintf("X-%03d", (i*37)%100)] = []string{fmt.Sprint(i)}
			}
			return &Event{Kind: KindExchange, Exchange: &Exchange{RequestHeader: h, ResponseHeader: h}}
		},
		"zero trial": func() *Event { return &Event{Kind: KindTrial, Trial: &Trial{}} },
		"trial, no exchanges": func() *Event {
			return &Event{Kind: KindTrial, Trial: &Trial{ID: "t", Exchanges: []Exchange{}, Outcome: &trial.Outcome{}}}
		},
		"zero event":  func() *Event { return &Event{} },
		"time in UTC": func() *Event { return &Event{Seq: 1, Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} },
	}
	for name, event := range events {
		t.Run(name, func(t *testing.T) {
			want := marshalled(t, event())
			got, ok := fastJSON(event())
			if !ok {
				t.Fatal("fast encoder declined")
			}
			if !bytes.Equal(got, want) {
				t.Errorf("fast encoder differs from encoding/json (a field added to Exchange without teaching appendJSON?)\n got %s\nwant %s", got, want)
			}
			if got := event().JSON(); !bytes.Equal(got, want) {
				t.Errorf("JSON() differs from encoding/json:\n got %s\nwant %s", got, want)
			}
		})
	}
	// What the fast encoder declines still encodes.
	for _, e := range []*Event{
		{Kind: KindPolicy, Policy: &PolicyChange{By: "tui", Document: json.RawMessage(`{ "a" : "<b>" }`)}},
		{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, ok := fastJSON(e); ok {
			t.Errorf("fast encoder took %+v", e)
		}
		if got := e.JSON(); e.Policy != nil && !bytes.Equal(got, marshalled(t, e)) {
			t.Errorf("policy event: %s", got)
		}
	}
}

// FuzzEventJSON: for any strings and numbers, the fast encoder writes
// exactly what encoding/json writes. Seed corpus in testdata/fuzz/FuzzEventJSON.
func FuzzEventJSON(f *testing.F) {
	f.Add("GET", "/api/items?q=<x>&y", "http://localhost:7070", "Referer", "http://a/trial/t1", "\u2028\xff", int64(200), true)
	f.Fuzz(func(t *testing.T, method, path, origin, hk, hv, other string, n int64, flag bool) {
		x := Exchange{Method: method, Path: path, Origin: origin, Preflight: flag, Trial: other,
			RequestHeader: http.Header{hk: {hv, other}, other: nil}, Status: int(n), ResponseHeader: http.Header{hv: {hk}},
			Effect: &trial.Effect{Kind: trial.EffectKind(hk), Item: int(n), Name: other, Was: hv, Origin: origin}, Micros: n, Truncated: int(n % 3)}
		events := []*Event{
			{Seq: uint64(n), Time: time.Unix(n%(1<<33), n%1e9), Kind: Kind(method), Exchange: &x},
			{Seq: 2, Kind: KindTrial, Trial: &Trial{ID: other, Origin: origin,
				Request:   trial.Request{Label: hk, Method: method, URL: path, Headers: [][2]string{{hk, hv}}, Body: other, Credentials: hv, Mode: hk},
				Exchanges: []Exchange{x, x}, Outcome: &trial.Outcome{OK: flag, Type: hk, Status: int(n), Headers: [][2]string{{hv, other}}, Body: path, Error: method},
				Account: trial.Account{Call: hv, Happened: trial.Happened{Preflight: trial.Preflight(hk), SameOrigin: flag},
					Notes: []string{hv, `"exchanges":null`}, Mismatch: `"exchanges":null`, Headline: other}}},
		}
		for _, e := range events {
			got, ok := fastJSON(e)
			if !ok {
				continue // declined: encoding/json does it
			}
			if want := marshalled(t, e); !bytes.Equal(got, want) {
				t.Errorf("fast encoder differs from encoding/json\n got %s\nwant %s", got, want)
			}
		}
	})
}
