# leadflow — the two commands of the quick start are `make run` and `make test`.
GO ?= go

.PHONY: run run-cluster test deps build generate vet fmt-check bench gobench fuzz fuzz-short clean-data reliability

# What run, test and reliability need from the machine (scripts/deps.sh installs what is missing
# with apt-get, and costs a few milliseconds when nothing is); LEADFLOW_DEPS=skip skips it.
DEPS = bash scripts/deps.sh

## run: the whole service on the local default stack (PostgreSQL in .data/pg, embedded Temporal in .data/temporal.db)
run:
	@$(DEPS) run
	LEADFLOW_CHAT=$${LEADFLOW_CHAT:-outbox} LEADFLOW_MESSAGES=$${LEADFLOW_MESSAGES:-outbox} $(GO) run ./cmd/leadflow dev

## run-cluster: the same service as separate processes (leadflow dev -cluster): PostgreSQL in .data/pg, a standalone
## Temporal server persisted in that PostgreSQL (databases temporal, temporal_visibility), 2 workers, 2 APIs and a
## round-robin proxy on the usual port; each process logs to .data/logs/NAME.log. The APIs and workers run from the
## slim build (bin/leadflow-node: no Temporal server linked in, a smaller resident set)
run-cluster: bin/leadflow-node
	@$(DEPS) run
	LEADFLOW_NODE_BINARY=$(CURDIR)/bin/leadflow-node LEADFLOW_CHAT=$${LEADFLOW_CHAT:-outbox} LEADFLOW_MESSAGES=$${LEADFLOW_MESSAGES:-outbox} $(GO) run ./cmd/leadflow dev -cluster

## bin/leadflow-node: the slim build (go build -tags slim): api, worker, migrate, deploy, users and import, without
## the commands that link the Temporal server (dev, temporal, bench)
.PHONY: bin/leadflow-node
bin/leadflow-node:
	$(GO) build -tags slim -o bin/leadflow-node ./cmd/leadflow

## test: formatting, vet, every test (unit, integration against real PostgreSQL and Temporal, replay), then each fuzz target for 30,000 inputs;
## first installs what the tests need and the machine lacks (PostgreSQL, chromium, a CJK font, LibreOffice Calc)
test: deps fmt-check vet
	$(GO) test -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz-short

## deps: install what make test needs and the machine lacks (scripts/deps.sh test)
deps:
	@$(DEPS) test

## reliability: the fault tests on the real stack (worker SIGKILL, PostgreSQL and Temporal restarts, a SendGrid
## outage, leadflow dev SIGKILLed; see RELIABILITY.md); sizes from RELIABILITY_REGISTRATIONS, RELIABILITY_WORKER_DOWN,
## RELIABILITY_PG_REGISTRATIONS, RELIABILITY_TIMER_LEADS, RELIABILITY_MAIL_LEADS, RELIABILITY_SENDGRID_OUTAGE,
## RELIABILITY_SQLITE_STARTS, RELIABILITY_WEBHOOK_LEADS, RELIABILITY_UPGRADE_LEADS, RELIABILITY_CLUSTER_REGISTRATIONS (2,000: the
## leadflow dev -cluster burst with one of two workers SIGKILLed), RELIABILITY_CLUSTER_RECLAIMS, RELIABILITY_CLUSTER_TIMER.
## Not part of make test; .ci/run runs it after make test at reduced sizes.
reliability:
	@DATABASE_URL= $(DEPS) run # the tests start their own clusters, whatever DATABASE_URL says
	$(GO) vet -tags reliability ./reliability/...
	$(GO) test -tags reliability -count=1 -timeout 40m -v ./reliability/...

# The fuzz targets, as package:function; seeds are in the code (f.Add).
FUZZ_TARGETS = ./rules:FuzzCompile ./lead:FuzzNormalizeCompany ./lead:FuzzPhone ./lead:FuzzInputClean
FUZZTIME ?= 20s

## fuzz: each fuzz target for FUZZTIME (20s each; a failing input is kept in the package's testdata/fuzz)
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime=$(FUZZTIME) || exit 1; \
	done

## fuzz-short: each fuzz target for 30,000 inputs (a few seconds), as make test does. A count, not a
## time: a time limit can end a run while a worker is busy, which go test reports as a failure
## ("context deadline exceeded") though no input failed.
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=30000x

## generate: the Go client (apiclient/client.gen.go) from api/openapi.json, with oapi-codegen (a tool of go.mod);
## a test of ./apiclient fails when the committed client is stale
generate:
	$(GO) generate ./apiclient

build: bin/leadflow-node
	$(GO) build -o bin/leadflow ./cmd/leadflow

vet:
	$(GO) vet ./...
	$(GO) vet -tags slim ./cmd/leadflow

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.data/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## bench: `leadflow bench` on its own stack in a temporary directory: intake and the engine's floors, history
## events per step, lists over a million leads, a 50-rule set, a 100,000-row import, 1,000 simultaneous
## reclaims, a policy change on 10,000 live leads (see BENCHMARKS.md). BENCH_FLAGS picks scenarios and sizes,
## e.g. make bench BENCH_FLAGS='-only intake,list -list-leads 100000'
BENCH_FLAGS ?=
bench:
	$(GO) run ./cmd/leadflow bench $(BENCH_FLAGS)

## gobench: every Go benchmark of the packages (go test -bench)
gobench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## clean-data: forget everything `make run` stored (stop it first)
clean-data:
	rm -rf .data
