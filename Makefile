# corslab — two commands matter: `make run` and `make test`.
GO          ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test lint

run: ## start the lab: site A, site B and the terminal UI
	$(GO) run ./cmd/corslab

build: ## build bin/corslab
	$(GO) build -o bin/corslab ./cmd/corslab

test: ## every test, real Chromium included (skipped without it, required under CI=true)
	$(GO) test -race -shuffle=on -timeout 45m ./...

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
