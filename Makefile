# corslab — two commands matter: `make run` and `make test`.
GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test test-short lint

ARGS ?=
run: ## start the lab: site A, site B and the terminal UI (flags: make run ARGS='-site-a localhost:8080')
	$(GO) run ./cmd/corslab $(ARGS)

build: ## build bin/corslab
	$(GO) build -o bin/corslab ./cmd/corslab

test: ## every test, real Chromium included (skipped without it, required under CI=true)
	$(GO) test -race -shuffle=on -timeout 45m ./...

test-short: ## the fast inner loop (under a minute): no browser, tmux, soak or long load tests
	$(GO) test -short ./...

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

.PHONY: bench bench-short soak hall fuzz

bench: ## benchmarks and the ratios of docs/BENCHMARKS.md (a few minutes; one package at a time, so none measures beside another)
	CORSLAB_BENCH=1 $(GO) test -p 1 -count 1 -run '^(TestReport|TestHall$$)' -v -timeout 30m ./siteB/ ./internal/testsupport/loadtest/
	$(GO) test -p 1 -run '^$$' -bench . -benchmem ./siteB/ ./internal/journal/ ./internal/model/fetch/ ./tui/

bench-short: ## every benchmark once, so they keep compiling and running (CI)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./siteB/ ./internal/journal/ ./internal/model/fetch/ ./tui/

soak: ## the full soak and fault tests: 1,000,000 requests, a stalled subscriber, 10,000 policy swaps
	CORSLAB_SOAK=1 $(GO) test -run '^(TestSoak|TestFault|TestReportBinary|TestHall)$$' -v -timeout 60m ./internal/testsupport/loadtest/
	$(GO) test -race -run '^(TestSoak|TestFault)' -timeout 10m ./internal/testsupport/loadtest/

hall: ## a lecture hall: 1,000 live-log subscribers on the shipped binary at 1,000 requests/s for 15 s, against the targets
	CORSLAB_HALL=1 $(GO) test -count 1 -run '^TestHall$$' -v -timeout 20m ./internal/testsupport/loadtest/

FUZZTIME ?= 20s
fuzz: ## each fuzz target for FUZZTIME
	$(GO) test -run '^$$' -fuzz '^FuzzParseDocument$$' -fuzztime $(FUZZTIME) ./internal/model/policy/
	$(GO) test -run '^$$' -fuzz '^FuzzTrialID$$' -fuzztime $(FUZZTIME) ./siteB/
	$(GO) test -run '^$$' -fuzz '^FuzzHandleMessage$$' -fuzztime $(FUZZTIME) ./siteA/
	$(GO) test -run '^$$' -fuzz '^FuzzEventJSON$$' -fuzztime $(FUZZTIME) ./internal/journal/
	$(GO) test -run '^$$' -fuzz '^FuzzJudge$$' -fuzztime $(FUZZTIME) ./internal/model/fetch/
	$(GO) test -run '^$$' -fuzz '^FuzzJudgeFields$$' -fuzztime $(FUZZTIME) ./internal/model/fetch/
	$(GO) test -run '^$$' -fuzz '^FuzzEscapeRoundTrip$$' -fuzztime $(FUZZTIME) ./tui/
