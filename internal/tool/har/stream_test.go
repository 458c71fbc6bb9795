package har

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// generate writes a HAR of about size bytes to w: same-origin entries with
// 8 KB bodies, and one cross-origin request in every 100 entries.
func generate(w io.Writer, size int) (entries, crossOrigin int) {
	body := strings.Repeat("x", 8<<10)
	fmt.Fprint(w, `{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": [`)
	written := 0
	for i := 0; written < size; i++ {
		origin := "http://a.test"
		if i%100 == 0 {
			origin = "http://app.test"
			crossOrigin++
		}
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		n, _ := fmt.Fprintf(w, `{"_resourceType": "fetch", "request": {"method": "GET", "url": "http://a.test/api/%d", "headers": [{"name": "Origin", "value": %q}]},
"response": {"status": 200, "headers": [{"name": "Access-Control-Allow-Origin", "value": "*"}], "content": {"size": %d, "text": %q}}}`, i, origin, len(body), body)
		written += n
		entries++
	}
	fmt.Fprint(w, "]}}")
	return entries, crossOrigin
}

// TestStreams: a large HAR is read as it streams in, one entry at a time;
// the heap never holds the file (nor a copy of it).
func TestStreams(t *testing.T) {
	const size = 32 << 20
	pr, pw := io.Pipe()
	var entries, cross int
	go func() {
		entries, cross = generate(pw, size)
		pw.Close()
	}()

	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	rep, err := Analyze(pr)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Log.Entries != entries || len(rep.Exchanges) != cross {
		t.Errorf("%d entries, %d exchanges; want %d, %d", rep.Log.Entries, len(rep.Exchanges), entries, cross)
	}
	// The cross-origin entries are kept, bodies and all: about 1% of the file.
	if limit := uint64(size / 3); peak > limit {
		t.Errorf("heap peaked at %d MB reading a %d MB HAR: want under %d MB", peak>>20, size>>20, limit>>20)
	}
	t.Logf("%d MB HAR, %d entries: heap peak %d MB", size>>20, entries, peak>>20)
}
