package siteB_test

import (
	"os"
	"testing"

	"github.com/corslab/corslab/internal/testsupport/loadtest"
	"github.com/corslab/corslab/siteB"
)

// TestMain lets a throughput run send its load from a process of its own
// (loadtest.RunApart): this binary, started again.
func TestMain(m *testing.M) {
	loadtest.ApartMain()
	loadtest.BareMain(siteB.BareAPI())
	os.Exit(m.Run())
}
