package loadtest

import "github.com/corslab/corslab/internal/loadtest/race"

// Race is true when built with -race: timings mean little, sizes shrink.
const Race = race.Enabled
