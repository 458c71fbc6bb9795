package journal

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/corslab/corslab/internal/model/trial"
)

// The hand-written event encoder (docs/ARCHITECTURE.md, performance).

// encode is e's JSON, exactly as encoding/json writes it (HTML escaping
// on), written by hand for exchange and trial events and by json.Marshal
// for the rest.
func encode(e *Event) []byte {
	buf := encodeBuffers.Get().(*[]byte)
	b := e.appendTo((*buf)[:0])
	encoded := bytes.Clone(b) // exactly its size: the history keeps it
	putEncodeBuffer(buf, b)
	return encoded
}

// appendTo appends e's JSON to b: by hand when appendJSON can, else by
// encoding/json.
func (e *Event) appendTo(b []byte) []byte {
	if out, ok := e.appendJSON(b); ok {
		return out
	}
	m, err := json.Marshal(e)
	if err != nil { // only a bug can get here: every field marshals
		m = []byte(`{"seq":0,"kind":"error"}`)
	}
	return append(b, m...)
}

// JoinJSON returns the JSON of events joined by newlines, after head
// bytes left free at the front for the caller's header (the live log's
// websocket frame header). An event not yet encoded is encoded here, and
// its JSON (Event.JSON) is from then on its part of the result: the
// history and the live log's frame share one copy of its bytes, and one
// allocation serves the whole batch. Only the head may be written to
// afterwards.
func JoinJSON(events []*Event, head int) []byte {
	buf := encodeBuffers.Get().(*[]byte)
	scratch := (*buf)[:0]
	type part struct {
		cached   []byte // the event's JSON, encoded before
		from, to int    // else where this call encoded it in scratch
	}
	parts := make([]part, len(events))
	n := head + max(len(events)-1, 0) // the newlines
	for i, e := range events {
		if p := e.encoded.Load(); p != nil {
			parts[i].cached = *p
			n += len(*p)
			continue
		}
		from := len(scratch)
		scratch = e.appendTo(scratch)
		parts[i] = part{from: from, to: len(scratch)}
		n += len(scratch) - from
	}
	out := make([]byte, head, n)
	for i, e := range events {
		if i > 0 {
			out = append(out, '\n')
		}
		if p := parts[i]; p.cached != nil {
			out = append(out, p.cached...)
			continue
		}
		at := len(out)
		out = append(out, scratch[parts[i].from:parts[i].to]...)
		own := out[at:len(out):len(out)] // capacity equals length: an append copies
		e.encoded.CompareAndSwap(nil, &own)
	}
	putEncodeBuffer(buf, scratch)
	return out
}

// putEncodeBuffer returns a scratch buffer to the pool, unless a hostile
// burst made it huge.
func putEncodeBuffer(buf *[]byte, b []byte) {
	if cap(b) > maxPooledBuffer {
		return
	}
	*buf = b[:0]
	encodeBuffers.Put(buf)
}

// maxPooledBuffer is the largest encoding buffer kept for reuse.
const maxPooledBuffer = 1 << 20

// The live log encodes thousands of events a second, each once for all
// subscribers. appendJSON writes exactly what encoding/json writes for an
// exchange or trial event (TestEventJSONMatchesEncodingJSON and
// FuzzEventJSON hold it to that) at several times the speed; it declines
// (ok false) what it does not handle, which json.Marshal then encodes.
// A field added to Exchange must be added to Exchange.appendJSON: the test
// fails until it is.

var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func (e *Event) appendJSON(b []byte) ([]byte, bool) {
	if e.Policy != nil || e.Lesson != nil {
		return b, false // rare, and json.RawMessage is compacted by encoding/json
	}
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"time":"`...)
	if y := e.Time.Year(); y < 0 || y >= 10000 {
		return b, false
	}
	b, err := e.Time.AppendText(b)
	if err != nil {
		return b, false
	}
	b = append(b, `","kind":`...)
	b = appendString(b, string(e.Kind))
	if e.Exchange != nil {
		b = append(b, `,"exchange":`...)
		b = e.Exchange.appendJSON(b)
	}
	if e.Trial != nil {
		var ok bool
		if b, ok = e.Trial.appendJSON(append(b, `,"trial":`...)); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

func (x *Exchange) appendJSON(b []byte) []byte {
	b = append(b, `{"method":`...)
	b = appendString(b, x.Method)
	b = append(b, `,"path":`...)
	b = appendString(b, x.Path)
	if x.Origin != "" {
		b = append(b, `,"origin":`...)
		b = appendString(b, x.Origin)
	}
	b = append(b, `,"preflight":`...)
	b = strconv.AppendBool(b, x.Preflight)
	if x.Trial != "" {
		b = append(b, `,"trial":`...)
		b = appendString(b, x.Trial)
	}
	b = append(b, `,"requestHeaders":`...)
	b = appendHeader(b, x.RequestHeader)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(x.Status), 10)
	b = append(b, `,"responseHeaders":`...)
	b = appendHeader(b, x.ResponseHeader)
	if x.Effect != nil {
		b = appendEffect(append(b, `,"effect":`...), x.Effect)
	}
	b = append(b, `,"micros":`...)
	b = strconv.AppendInt(b, x.Micros, 10)
	if x.Truncated != 0 {
		b = append(b, `,"truncated":`...)
		b = strconv.AppendInt(b, int64(x.Truncated), 10)
	}
	if x.UpstreamStatus != 0 {
		b = append(b, `,"upstreamStatus":`...)
		b = strconv.AppendInt(b, int64(x.UpstreamStatus), 10)
	}
	if len(x.UpstreamHeader) != 0 {
		b = append(b, `,"upstreamHeaders":`...)
		b = appendHeader(b, x.UpstreamHeader)
	}
	if x.UpstreamError != "" {
		b = append(b, `,"upstreamError":`...)
		b = appendString(b, x.UpstreamError)
	}
	return append(b, '}')
}

// appendEffect writes an effect as encoding/json does.
func appendEffect(b []byte, e *trial.Effect) []byte {
	b = appendString(append(b, `{"kind":`...), string(e.Kind))
	if e.Item != 0 {
		b = strconv.AppendInt(append(b, `,"item":`...), int64(e.Item), 10)
	}
	if e.Name != "" {
		b = appendString(append(b, `,"name":`...), e.Name)
	}
	if e.Was != "" {
		b = appendString(append(b, `,"was":`...), e.Was)
	}
	if e.Origin != "" {
		b = appendString(append(b, `,"origin":`...), e.Origin)
	}
	return append(b, '}')
}

// appendJSON writes a trial: encoding/json for everything but its
// exchanges (the trial's own fields keep growing: the verdict, its trace),
// and the fast encoder for the exchanges, the bulk of its bytes, spliced in
// where encoding/json writes "exchanges":null.
func (t *Trial) appendJSON(b []byte) ([]byte, bool) {
	c := *t
	c.Exchanges = nil
	rest, err := json.Marshal(&c)
	const marker = `"exchanges":null`
	i := bytes.Index(rest, []byte(marker)) // the first is the trial's own: it comes before any nested object's
	if err != nil || i < 0 {
		return b, false
	}
	b = append(b, rest[:i+len(marker)-len("null")]...)
	if t.Exchanges == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range t.Exchanges {
			if i > 0 {
				b = append(b, ',')
			}
			b = t.Exchanges[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, rest[i+len(marker):]...), true
}

// appendHeader writes h as encoding/json writes a map: keys sorted. A
// header has a dozen fields or so: they are gathered in one pass with
// their values and put in order by insertion, without a map lookup per key.
func appendHeader(b []byte, h http.Header) []byte {
	if h == nil {
		return append(b, "null"...)
	}
	var smallKeys [32]string
	var smallValues [32][]string
	keys, values := smallKeys[:0], smallValues[:0]
	if len(h) > len(smallKeys) { // a hostile exchange: sort, not insert
		keys = slices.Sorted(maps.Keys(h))
		for _, k := range keys {
			values = append(values, h[k])
		}
	} else {
		for k, vs := range h {
			i := len(keys)
			keys, values = append(keys, k), append(values, vs)
			for ; i > 0 && keys[i-1] > k; i-- {
				keys[i], values[i] = keys[i-1], values[i-1]
			}
			keys[i], values[i] = k, vs
		}
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		vs := values[i]
		if vs == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// htmlSafe is the ASCII that encoding/json writes as is, HTML escaping on.
var htmlSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString quotes s as encoding/json does with HTML escaping on: <, >
// and & as \u003c…, U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if htmlSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}
