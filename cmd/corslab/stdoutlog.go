package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// The -no-tui log: one line per exchange on stdout. A load tool sends
// thousands of requests a second; one write and one fmt formatting per
// exchange cost the lab about 6 µs a request (docs/BENCHMARKS.md, the shipped
// binary). So lines are formatted with appends into a buffer that is
// written every logFlushEvery and at exit, and past logLinesPerSecond
// exchanges in a second the rest are counted, not printed: one summary
// line says how many. Policy changes are always printed.
const (
	logFlushEvery     = 100 * time.Millisecond
	logLinesPerSecond = 200
)

// exchangeLog gathers the -no-tui log's lines between flushes.
type exchangeLog struct {
	mu      sync.Mutex
	buf     []byte
	window  time.Time // start of the current second; zero before the first exchange
	printed int       // exchange lines printed in the window
	skipped int       // exchanges counted, not printed, in the window
}

// add formats events (and a note of lost ones); an exchange counts
// towards the second its stamp falls in.
func (l *exchangeLog) add(events []*journal.Event, lost uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lost > 0 {
		l.buf = append(l.buf, "(missed "...)
		l.buf = strconv.AppendUint(l.buf, lost, 10)
		l.buf = append(l.buf, " events)\n"...)
	}
	for _, e := range events {
		if e.Kind == journal.KindExchange {
			now := e.Time
			if !l.window.IsZero() && now.Sub(l.window) < time.Second && l.printed >= logLinesPerSecond {
				l.skipped++
				continue
			}
			if l.window.IsZero() || now.Sub(l.window) >= time.Second {
				l.summarise()
				l.window, l.printed = now, 0
			}
			l.printed++
		}
		l.buf = appendLogLine(l.buf, e)
	}
}

// roll ends the window when its second is over (or at exit, final),
// writing its summary line.
func (l *exchangeLog) roll(now time.Time, final bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if final || now.Sub(l.window) >= time.Second {
		l.summarise()
		l.window, l.printed = time.Time{}, 0
	}
}

// summarise writes the line for the exchanges counted but not printed.
func (l *exchangeLog) summarise() {
	if l.skipped == 0 {
		return
	}
	l.buf = append(l.buf, "… "...)
	l.buf = appendThousands(l.buf, l.skipped)
	l.buf = append(l.buf, " more exchanges in the last second (this log prints "...)
	l.buf = strconv.AppendInt(l.buf, logLinesPerSecond, 10)
	l.buf = append(l.buf, " a second; the page's live log shows every one)\n"...)
	l.skipped = 0
}

// take returns the gathered lines and starts a new buffer in spare.
func (l *exchangeLog) take(spare []byte) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.buf
	l.buf = spare[:0]
	return out
}

// printLog writes sub's events to w, one line each, until ctx ends; then
// it writes what was published before and returns. The lines go out at
// every tick (nil: every logFlushEvery); now is the clock the rate limit
// reads to end a second (the exchanges' stamps are on the same clock).
func printLog(ctx context.Context, sub *journal.Subscription, w io.Writer, ticks <-chan time.Time, now func() time.Time) {
	defer sub.Close()
	if ticks == nil {
		t := time.NewTicker(logFlushEvery)
		defer t.Stop()
		ticks = t.C
	}
	var l exchangeLog
	done, flushed := make(chan struct{}), make(chan struct{})
	go func() { // the only writer to w until it stops
		defer close(flushed)
		var spare []byte
		for {
			select {
			case <-ticks:
				l.roll(now(), false)
				out := l.take(spare)
				if len(out) > 0 {
					w.Write(out)
				}
				spare = out
			case <-done:
				return
			}
		}
	}()
	var buf []*journal.Event
	for {
		events, lost, err := sub.Next(ctx, buf, 256)
		if err != nil {
			break
		}
		l.add(events, lost)
		buf = events
	}
	close(done)
	<-flushed
	// What was published before the end: Next returns events waiting
	// without looking at ctx.
	for {
		events, lost, err := sub.Next(ctx, buf, 256)
		if err != nil {
			break
		}
		l.add(events, lost)
		buf = events
	}
	l.roll(now(), true)
	if out := l.take(nil); len(out) > 0 {
		w.Write(out)
	}
}

// maxLogPath is how much of a path the -no-tui log prints.
const maxLogPath = 200

// appendLogLine appends an event's line; trial updates are left to the UIs.
func appendLogLine(b []byte, e *journal.Event) []byte {
	switch e.Kind {
	case journal.KindExchange:
		x := e.Exchange
		b = e.Time.AppendFormat(b, "15:04:05.000")
		b = append(b, ' ')
		b = append(b, x.Method...)
		for i := len(x.Method); i < 7; i++ {
			b = append(b, ' ')
		}
		b = append(b, ' ')
		b = append(b, journal.ClipNote(x.Path, maxLogPath)...)
		if x.Preflight {
			b = append(b, " (preflight for "...)
			b = append(b, x.RequestHeader.Get("Access-Control-Request-Method")...)
			if h := x.RequestHeader.Get("Access-Control-Request-Headers"); h != "" {
				b = append(b, " with "...)
				b = append(b, h...)
			}
			b = append(b, ')')
		}
		if x.Origin != "" {
			b = append(b, " from "...)
			b = append(b, x.Origin...)
		}
		b = append(b, " → "...)
		b = strconv.AppendInt(b, int64(x.Status), 10)
		b = append(b, ", "...)
		b = appendACAO(b, x.ResponseHeader)
		if x.UpstreamError != "" {
			b = append(b, "; upstream: "...)
			b = append(b, x.UpstreamError...)
		} else if x.UpstreamStatus != 0 {
			b = append(b, " (upstream: "...)
			b = strconv.AppendInt(b, int64(x.UpstreamStatus), 10)
			b = append(b, ", "...)
			b = appendACAO(b, x.UpstreamHeader)
			b = append(b, ')')
		}
		if x.Effect != nil {
			b = append(b, "; "...)
			b = append(b, x.Effect.String()...)
		}
		return append(b, '\n')
	case journal.KindPolicy:
		b = e.Time.AppendFormat(b, "15:04:05.000")
		b = append(b, " policy changed by "...)
		b = append(b, e.Policy.By...)
		b = append(b, ": "...)
		b = append(b, strings.Join(strings.Fields(string(e.Policy.Document)), " ")...)
		return append(b, '\n')
	}
	return b
}

// appendACAO describes the Access-Control-Allow-Origin of h.
func appendACAO(b []byte, h http.Header) []byte {
	v := h.Values("Access-Control-Allow-Origin")
	if len(v) == 0 {
		return append(b, "no Access-Control-Allow-Origin"...)
	}
	b = append(b, "Access-Control-Allow-Origin: "...)
	for i, s := range v {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, s...)
	}
	return b
}

// appendThousands appends n with commas between thousands: 1,234.
func appendThousands(b []byte, n int) []byte {
	s := strconv.Itoa(n)
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}
