#!/usr/bin/env bash
# Scale-out on one machine: PostgreSQL and the embedded Temporal server once
# (`leadflow dev -stack-only`), then two `leadflow api` and two `leadflow
# worker` processes against them, leads sent to both APIs at once
# (deploy/scaleout), and a check in PostgreSQL that no lead was decided twice.
# Everything listens on 127.0.0.1; everything it started is stopped at the end.
#
#   deploy/scaleout.sh [LEADS]        (BASE_PORT=18108 DATA=.data-scaleout by default)
set -euo pipefail
cd "$(dirname "$0")/.."
LEADS=${1:-400}
BASE=${BASE_PORT:-18108}
DATA=${DATA:-.data-scaleout}
BIN=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$BIN"
}
trap cleanup EXIT

go build -o "$BIN/leadflow" ./cmd/leadflow
go build -o "$BIN/scaleout" ./deploy/scaleout
mkdir -p "$DATA"
LEADFLOW_DATA_DIR=$DATA "$BIN/leadflow" dev -stack-only -temporal-port 0 >"$DATA/stack.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [ -s "$DATA/dev.env" ] && break; sleep 0.2; done
[ -s "$DATA/dev.env" ] || { cat "$DATA/stack.log"; exit 1; }
set -a; . "$DATA/dev.env"; set +a
echo "stack: Temporal $TEMPORAL_ADDRESS, PostgreSQL in $DATA/pg"

waitfor() { for _ in $(seq 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "no answer from $1"; return 1; }
# Workers one after the other: the first registers the search attributes.
for i in 0 1; do
	LEADFLOW_LOG_FORMAT=text "$BIN/leadflow" worker -metrics-addr "127.0.0.1:$((BASE + 2 + i))" >"$DATA/worker$i.log" 2>&1 &
	pids+=($!)
	waitfor "http://127.0.0.1:$((BASE + 2 + i))/metrics"
	for _ in $(seq 100); do grep -q "worker running" "$DATA/worker$i.log" && break; sleep 0.2; done
done
for i in 0 1; do
	LEADFLOW_LOG_FORMAT=text LEADFLOW_HTTP_ADDR="127.0.0.1:$((BASE + 4 + i))" "$BIN/leadflow" api >"$DATA/api$i.log" 2>&1 &
	pids+=($!)
	waitfor "http://127.0.0.1:$((BASE + 4 + i))/readyz"
done
echo "workers: /metrics on :$((BASE + 2)) :$((BASE + 3)); APIs on :$((BASE + 4)) :$((BASE + 5))"

TOKEN=$("$BIN/leadflow" users create -name "Scale Admin" -email "scale-$RANDOM@example.com" -role admin | sed -n 's/^token (shown once): //p')
"$BIN/scaleout" -apis "http://127.0.0.1:$((BASE + 4)),http://127.0.0.1:$((BASE + 5))" -token "$TOKEN" -database-url "$DATABASE_URL" -leads "$LEADS"

# Both workers took tasks, both APIs took requests.
for i in 0 1; do
	n=$(curl -fsS "http://127.0.0.1:$((BASE + 2 + i))/metrics" | awk '/^leadflow_lead_transitions_total\{kind="intake"/ {s += $NF} END {print s + 0}')
	echo "worker $i: $n intakes"
done
for i in 0 1; do
	n=$(curl -fsS "http://127.0.0.1:$((BASE + 4 + i))/metrics" | awk '/^leadflow_http_requests_total\{/ && /route="\/api\/v1\/leads"/ && /method="POST"/ {s += $NF} END {print s + 0}')
	echo "api $i: $n POST /api/v1/leads"
done

# A policy change of the default pool, where the leads went: the PATCH
# answers at once; a PolicyChangeWorkflow on one of the workers signals
# every live lead (done when a worker counts it completed).
POOL=00000000-0000-0000-0000-000000000001
start=$(date +%s%N)
curl -fsS -o /dev/null -w "PATCH the default pool's policy: %{http_code} in %{time_total}s\n" -X PATCH \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{"policy":{"no_follow_up_after":"30d"}}' "http://127.0.0.1:$((BASE + 4))/api/v1/pools/$POOL"
for _ in $(seq 1200); do
	n=$(for i in 0 1; do curl -fsS "http://127.0.0.1:$((BASE + 2 + i))/metrics"; done |
		awk '/^temporal_workflow_completed_total\{/ && /workflow_type="PolicyChangeWorkflow"/ {s += $NF} END {print s + 0}')
	[ "$n" -ge 1 ] && break
	sleep 0.1
done
echo "the fan-out to the pool's live leads ($LEADS from this run) completed $(((($(date +%s%N) - start) / 1000000)))ms after the PATCH"
