package siteB

import "net/http"

// BareAPI is site B's endpoints with none of the lab's machinery: the
// baseline of the whole-server benchmarks in lab_bench_test.go.
func BareAPI() http.Handler { return newAPI() }

// BenchPolicy is the policy the benchmarks run under.
var BenchPolicy = benchPolicy
