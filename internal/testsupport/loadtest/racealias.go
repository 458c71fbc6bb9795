package loadtest

import "github.com/corslab/corslab/internal/testsupport/loadtest/race"

// Race is true when built with -race: timings mean little, sizes shrink.
const Race = race.Enabled
