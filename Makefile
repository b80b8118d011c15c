# leadflow — the two commands of the quick start are `make run` and `make test`.
GO ?= go

.PHONY: run test build generate vet fmt-check bench clean-data

## run: the whole service on the local default stack (PostgreSQL in .data/pg, embedded Temporal in .data/temporal.db)
run:
	$(GO) run ./cmd/leadflow dev

## test: formatting, vet, and every test (unit, integration against real PostgreSQL and Temporal, replay)
test: fmt-check vet
	$(GO) test -count=1 -timeout 30m ./...

## generate: the Go client (apiclient/client.gen.go) from api/openapi.json, with oapi-codegen (a tool of go.mod);
## a test of ./apiclient fails when the committed client is stale
generate:
	$(GO) generate ./apiclient

build:
	$(GO) build -o bin/leadflow ./cmd/leadflow

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.data/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## clean-data: forget everything `make run` stored (stop it first)
clean-data:
	rm -rf .data
