package fetch

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func BenchmarkJudgeSimple(b *testing.B) {
	x := Exchange{Request: req("GET"), Actual: resp(200, acao, "*", "Content-Type", "application/json")}
	b.ReportAllocs()
	for b.Loop() {
		Judge(x)
	}
}

func BenchmarkJudgePreflight(b *testing.B) {
	x := Exchange{
		Request:   req("PUT", hdr("Content-Type", "application/json"), hdr("X-Trace", "1"), cred("include")),
		Preflight: credPreflight("GET, PUT", "content-type, x-trace"),
		Actual:    resp(200, acao, siteA, acac, "true", aceh, "X-Total", "Content-Type", "application/json", "X-Total", "3"),
	}
	b.ReportAllocs()
	for b.Loop() {
		Judge(x)
	}
}

// BenchmarkJudgeBlocked includes building Chromium's message and the explanation.
func BenchmarkJudgeBlocked(b *testing.B) {
	x := Exchange{Request: req("DELETE", hdr("X-A", "1")), Preflight: resp(204, acao, siteA, acam, "GET, PUT")}
	b.ReportAllocs()
	for b.Loop() {
		Judge(x)
	}
}

// BenchmarkJudgeHostile: a 1 MB Access-Control-Allow-Headers and 2,000 request
// headers, the last one not allowed.
func BenchmarkJudgeHostile(b *testing.B) {
	var names []string
	r := req("PUT")
	for i := range 2000 {
		n := fmt.Sprintf("x-h%05d", i)
		r.Headers = append(r.Headers, [2]string{n, "v"})
		if i < 1999 {
			names = append(names, n)
		}
	}
	for len(strings.Join(names, ",")) < 1<<20 {
		names = append(names, fmt.Sprintf("x-pad-%d", len(names)))
	}
	x := Exchange{Request: r, Preflight: resp(204, acao, "*", acam, "PUT", acah, strings.Join(names, ","))}
	if v := Judge(x); v.Error != ErrHeaderDisallowedByPreflightResponse || v.FailedParameter != "x-h01999" {
		b.Fatalf("unexpected verdict %s %s", v.Error, v.FailedParameter)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(x.Preflight.Header.Get(acah))))
	for b.Loop() {
		Judge(x)
	}
}

// BenchmarkJudgeManyHeaders: 10,000 request headers with repeated names and a
// long Access-Control-Allow-Origin line list.
func BenchmarkJudgeManyHeaders(b *testing.B) {
	r := req("GET")
	for i := range 10000 {
		r.Headers = append(r.Headers, [2]string{fmt.Sprintf("X-Rep-%d", i%100), strings.Repeat("v", 64)})
	}
	h := http.Header{}
	for range 1000 {
		h.Add(acao, siteA)
	}
	x := Exchange{Request: r, Preflight: starPreflight(), Actual: &Response{Status: 200, Header: h}}
	b.ReportAllocs()
	for b.Loop() {
		Judge(x)
	}
}

func BenchmarkJudgeTable(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range judgeCases {
			Judge(c.x)
		}
	}
}

// BenchmarkExplain: what `corslab explain` computes for one exchange: parse,
// judge, the verdict's JSON.
func BenchmarkExplain(b *testing.B) {
	in, err := os.ReadFile(filepath.Join(goldenDir, "example.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x, err := ParseExchange(in)
		if err != nil {
			b.Fatal(err)
		}
		Judge(x).IndentedJSON()
	}
}
