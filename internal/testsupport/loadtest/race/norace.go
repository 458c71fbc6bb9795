//go:build !race

// Package race tells whether the race detector is on: under it, timings
// mean little, allocation counts differ and tests shrink.
package race

// Enabled is true when built with -race.
const Enabled = false
