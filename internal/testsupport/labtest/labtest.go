// Package labtest starts a whole lab — site A, site B, the journal — for a
// test, on free ports, and stops it when the test ends.
package labtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/policy"
)

// stopTimeout is how long Stop waits for the servers to shut down.
const stopTimeout = 15 * time.Second

// Lab is a lab running for a test.
type Lab struct {
	*lab.Lab
	// WS is the live log's address, ws://host:port/lab/ws.
	WS string
	// Stop shuts the lab down (as Ctrl-C does) and waits for it; it runs
	// at the test's cleanup too, and again does nothing. A failure to
	// shut down is returned, and reported as a test error at cleanup.
	Stop func() error
}

// Start starts a lab configured by cfg, stopped when the test ends; an
// empty address is a free port on 127.0.0.1.
func Start(tb testing.TB, cfg lab.Config) *Lab {
	tb.Helper()
	if cfg.SiteA == "" {
		cfg.SiteA = "127.0.0.1:0"
	}
	if cfg.SiteB == "" {
		cfg.SiteB = "127.0.0.1:0"
	}
	l, err := lab.Listen(cfg)
	if err != nil {
		tb.Fatalf("lab.Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx) }()
	var stopped bool
	var stopErr error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case err := <-served:
				if err != nil {
					stopErr = fmt.Errorf("lab.Serve: %w", err)
				}
			case <-time.After(stopTimeout):
				stopErr = fmt.Errorf("lab did not stop within %v", stopTimeout)
			}
		}
		return stopErr
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Error(err)
		}
	})
	return &Lab{Lab: l, WS: "ws" + strings.TrimPrefix(l.URLA, "http") + "/lab/ws", Stop: stop}
}

// StartPolicy starts a lab on free loopback ports under the policy document
// doc (nil: the closed policy), stopped when the test ends.
func StartPolicy(tb testing.TB, doc []byte) *Lab {
	tb.Helper()
	return Start(tb, lab.Config{Policy: Policy(tb, doc)})
}

// Policy parses a policy document, failing the test if it is invalid; nil
// or empty is nil, the closed policy.
func Policy(tb testing.TB, doc []byte) *policy.Policy {
	tb.Helper()
	if len(doc) == 0 {
		return nil
	}
	p, err := policy.ParsePolicy(doc)
	if err != nil {
		tb.Fatalf("policy %s: %v", doc, err)
	}
	return p
}

// LastSeq is the sequence number of the newest event in the journal.
func (l *Lab) LastSeq() uint64 {
	if e := l.Journal.Hub().Recent(1); len(e) > 0 {
		return e[0].Seq
	}
	return 0
}
