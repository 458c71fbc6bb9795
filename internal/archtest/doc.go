// Package archtest holds the test of corslab's arrows: which package may
// import which (docs/ARCHITECTURE.md). It has no code of its own.
package archtest
