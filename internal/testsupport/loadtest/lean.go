package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// LeanSub is a live-log client as lean as a load tool's can be, for
// hundreds in one process: one goroutine and a 16 KiB read buffer each, no
// JSON decoding — it reads an event's sequence number and, to time it,
// its stamp, from the head of the line. It checks that sequence numbers
// are consecutive and counts its latencies into a histogram.
type LeanSub struct {
	conn  *websocket.Conn
	since atomic.Int64 // events stamped before this (unix ns) are not timed; 0: none are
	done  chan struct{}

	lastSeq atomic.Uint64

	mu       sync.Mutex
	events   int
	firstSeq uint64
	gaps     []string
	hist     Histogram
	err      error
}

// DialLean opens a LeanSub on wsURL and starts reading.
func DialLean(ctx context.Context, wsURL, origin string) (*LeanSub, error) {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 16 << 10, WriteBufferSize: 256}
	conn, resp, err := d.DialContext(ctx, wsURL, http.Header{"Origin": {origin}})
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, err
	}
	s := &LeanSub{conn: conn, done: make(chan struct{})}
	go s.read()
	return s, nil
}

// TimeFrom makes the subscriber time the events stamped at t or later.
func (s *LeanSub) TimeFrom(t time.Time) { s.since.Store(t.UnixNano()) }

func (s *LeanSub) read() {
	defer close(s.done)
	buf := make([]byte, 0, 16<<10)
	for {
		_, r, err := s.conn.NextReader()
		if err == nil {
			buf, err = readAll(r, buf[:0])
		}
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
			return
		}
		s.frame(buf, time.Now())
	}
}

// readAll reads r to its end into buf, growing it as needed.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (s *LeanSub) frame(data []byte, now time.Time) {
	since := s.since.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.lastSeq.Load()
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		seq, stamp, ok := leanHead(line)
		if !ok {
			continue // the hello
		}
		s.events++
		switch {
		case s.firstSeq == 0:
			s.firstSeq = seq
		case seq != last+1 && len(s.gaps) < 10:
			s.gaps = append(s.gaps, fmt.Sprintf("after %d came %d", last, seq))
		}
		last = seq
		if since != 0 && stamp >= since {
			s.hist.Add(time.Duration(now.UnixNano() - stamp))
		}
	}
	s.lastSeq.Store(last)
}

// leanHead reads {"seq":N,"time":"2026-12-01T16:09:18.123456789Z",…}:
// the sequence number and the stamp (unix ns), without decoding the rest.
func leanHead(line []byte) (seq uint64, stamp int64, ok bool) {
	const seqKey, timeKey = `{"seq":`, `,"time":"`
	rest, found := bytes.CutPrefix(line, []byte(seqKey))
	if !found {
		return 0, 0, false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		seq = seq*10 + uint64(rest[i]-'0')
		i++
	}
	ts, found := bytes.CutPrefix(rest[i:], []byte(timeKey))
	if i == 0 || !found {
		return 0, 0, false
	}
	j := bytes.IndexByte(ts, '"')
	if j < 0 {
		return 0, 0, false
	}
	return seq, parseStamp(ts[:j]), true
}

// parseStamp parses RFC 3339 with nanoseconds, as the journal writes it,
// by hand (time.Parse costs more than the rest of a lean read); 0 when
// it is not in that shape.
func parseStamp(b []byte) int64 {
	num := func(from, to int) (int, bool) {
		if to > len(b) {
			return 0, false
		}
		n := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return 0
	}
	i, nanos := 19, 0
	if i < len(b) && b[i] == '.' {
		i++
		digits := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if digits < 9 {
				nanos = nanos*10 + int(b[i]-'0')
				digits++
			}
			i++
		}
		for ; digits < 9; digits++ {
			nanos *= 10
		}
	}
	offset := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		oh, okh := num(i+1, i+3)
		om, okm := num(i+4, i+6)
		if !okh || !okm {
			return 0
		}
		offset = oh*3600 + om*60
		if b[i] == '-' {
			offset = -offset
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nanos, time.UTC)
	return t.UnixNano() - int64(offset)*int64(time.Second)
}

// LeanStats is what a LeanSub saw.
type LeanStats struct {
	Events            int
	FirstSeq, LastSeq uint64
	Gaps              []string
	Hist              Histogram
	Err               string // why reading stopped; "" while it reads
}

// Stats returns a copy of what the subscriber has seen.
func (s *LeanSub) Stats() LeanStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := LeanStats{Events: s.events, FirstSeq: s.firstSeq, LastSeq: s.lastSeq.Load(), Gaps: append([]string(nil), s.gaps...), Hist: s.hist}
	if s.err != nil {
		st.Err = s.err.Error()
	}
	return st
}

// Evicted reports whether the server closed the connection with a reason
// (the live log's eviction: 1008, "too slow: …").
func (st LeanStats) Evicted() bool {
	return st.Err != "" && bytes.Contains([]byte(st.Err), []byte("1008"))
}

// WaitSeq waits until the subscriber has read seq, or stopped, or ctx ends.
func (s *LeanSub) WaitSeq(ctx context.Context, seq uint64) error {
	return Poll(ctx, func() (bool, error) {
		if s.lastSeq.Load() >= seq {
			return true, nil
		}
		select {
		case <-s.done:
			return false, fmt.Errorf("stopped at seq %d of %d: %s", s.lastSeq.Load(), seq, s.Stats().Err)
		default:
		}
		return false, nil
	})
}

// Close ends the connection and waits for the reader.
func (s *LeanSub) Close() {
	s.conn.Close()
	<-s.done
}

// Histogram counts durations in buckets of about 1.5% (32 per power of
// two of microseconds): a percentile of millions of samples in 8 KiB.
type Histogram struct {
	Counts [64 * 32]uint32
	N      uint64
	Max    time.Duration
}

func histBucket(d time.Duration) int {
	us := uint64(max(d, 0) / time.Microsecond)
	if us < 32 {
		return int(us)
	}
	e := bits.Len64(us) - 6 // us >> e is in [32, 64)
	return min(e*32+int(us>>e), len(Histogram{}.Counts)-1)
}

func histValue(i int) time.Duration {
	if i < 32 {
		return time.Duration(i) * time.Microsecond
	}
	e, m := i/32-1, i%32+32
	return time.Duration(uint64(m+1)<<e-1) * time.Microsecond // the bucket's top
}

// Add counts d.
func (h *Histogram) Add(d time.Duration) {
	h.Counts[histBucket(d)]++
	h.N++
	h.Max = max(h.Max, d)
}

// Merge adds o's counts to h's.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	h.N += o.N
	h.Max = max(h.Max, o.Max)
}

// Percentile returns the p-th percentile (0 < p ≤ 100), rounded up to its
// bucket's top (at most 1.5% over).
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.N == 0 {
		return 0
	}
	want := uint64(float64(h.N)*p/100 + 0.5)
	var seen uint64
	for i, c := range h.Counts {
		seen += uint64(c)
		if seen >= max(want, 1) {
			return min(histValue(i), h.Max)
		}
	}
	return h.Max
}

// OpenLoad is an open-loop load: request i is due at start + i/Rate,
// whether or not earlier ones were answered (a closed loop waits, and so
// hides a server that slows down). Conns connections send them; a request
// that finds none free waits in a queue, and its wait counts.
type OpenLoad struct {
	Rate     int
	Duration time.Duration
	Conns    int
	Request  func(i int) *http.Request
}

// OpenResult is what an OpenLoad saw.
type OpenResult struct {
	Sent, Answered, Failures int
	Errors                   []string
	Elapsed                  time.Duration // from the first request due to the last answer
	Late                     int           // requests sent more than 10 ms after they were due
	P99                      time.Duration // from due to answered
}

// Run sends the load and waits for every answer.
func (o OpenLoad) Run(ctx context.Context) OpenResult {
	conns := max(o.Conns, 1)
	client := NewClient(conns)
	defer client.CloseIdleConnections()
	due := make(chan time.Time, o.Rate*int(o.Duration/time.Second+1)+1)
	var mu sync.Mutex
	var res OpenResult
	var hist Histogram
	var wg sync.WaitGroup
	var next atomic.Int64
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			for at := range due {
				i := int(next.Add(1)) - 1
				late := time.Since(at) > 10*time.Millisecond
				err := do(client, o.Request(i).WithContext(ctx), buf, func(resp *http.Response, _ []byte) error {
					if resp.StatusCode != http.StatusOK {
						return fmt.Errorf("status %d", resp.StatusCode)
					}
					return nil
				})
				took := time.Since(at)
				mu.Lock()
				if late {
					res.Late++
				}
				if err != nil {
					res.Failures++
					if len(res.Errors) < keepErrors {
						res.Errors = append(res.Errors, err.Error())
					}
				} else {
					res.Answered++
					hist.Add(took)
				}
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	total := int(int64(o.Rate) * int64(o.Duration) / int64(time.Second))
	t := time.NewTimer(0)
	for i := 0; i < total && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(int64(i) * int64(time.Second) / int64(o.Rate)))
		if d := time.Until(at); d > 0 {
			t.Reset(d)
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		}
		due <- at
		res.Sent++
	}
	close(due)
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.P99 = hist.Percentile(99)
	return res
}

// PerSecond is answers per second of the run.
func (r OpenResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Answered) / r.Elapsed.Seconds()
}

// ProcCPU is the user and system CPU time process pid has used, from
// /proc/PID/stat (clock ticks of 1/100 s).
func ProcCPU(pid int) (time.Duration, error) {
	user, sys, err := ProcCPUSplit(pid)
	return user + sys, err
}

// ProcCPUSplit is ProcCPU as user and system (kernel) time.
func ProcCPUSplit(pid int) (user, sys time.Duration, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	i := bytes.LastIndexByte(data, ')') // the command may hold spaces
	if i < 0 {
		return 0, 0, errors.New("/proc stat: no ')'")
	}
	f := bytes.Fields(data[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, 0, errors.New("/proc stat: too few fields")
	}
	utime, err1 := strconv.ParseUint(string(f[11]), 10, 64) // field 14
	stime, err2 := strconv.ParseUint(string(f[12]), 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, err
	}
	return time.Duration(utime) * 10 * time.Millisecond, time.Duration(stime) * 10 * time.Millisecond, nil
}

// ProbeLastSeq opens a live-log connection and returns the sequence number
// of the newest event its replay carries (0 for none): the replay comes
// right after the hello, so reading stops quiet ms after the last frame.
func ProbeLastSeq(ctx context.Context, wsURL, origin string, quiet time.Duration) (uint64, error) {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	conn, _, err := d.DialContext(ctx, wsURL, http.Header{"Origin": {origin}})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var last uint64
	for {
		conn.SetReadDeadline(time.Now().Add(quiet))
		_, data, err := conn.ReadMessage()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return last, nil
		}
		if err != nil {
			return 0, err
		}
		for line := range bytes.Lines(data) {
			if seq, _, ok := leanHead(bytes.TrimSuffix(line, []byte("\n"))); ok {
				last = max(last, seq)
			}
		}
	}
}
