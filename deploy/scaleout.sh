#!/usr/bin/env bash
# Scale-out on one machine, a thin wrapper over `leadflow dev -cluster`
# (make run-cluster): PostgreSQL, the standalone Temporal server persisted in
# it (`leadflow temporal`), two `leadflow worker` and two `leadflow api`
# processes behind a round-robin proxy. Leads are sent to both APIs at once
# (deploy/scaleout), PostgreSQL is checked for a lead decided twice, and a
# policy change fans out to the pool's live leads. Everything listens on
# 127.0.0.1; everything it started is stopped at the end.
#
#   deploy/scaleout.sh [LEADS]        (PORT=18108 DATA=.data-scaleout by default)
set -euo pipefail
cd "$(dirname "$0")/.."
LEADS=${1:-400}
PORT=${PORT:-18108}
DATA=${DATA:-.data-scaleout}
BIN=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$BIN"
}
trap cleanup EXIT

go build -o "$BIN/leadflow" ./cmd/leadflow
go build -o "$BIN/scaleout" ./deploy/scaleout
mkdir -p "$DATA"
rm -f "$DATA/cluster.env"
LEADFLOW_DATA_DIR=$DATA LEADFLOW_HTTP_ADDR=127.0.0.1:$PORT "$BIN/leadflow" dev -cluster -temporal-port 0 >"$DATA/cluster.log" 2>&1 &
pid=$!
for _ in $(seq 1500); do
	grep -q '^PROXY_ADDR=' "$DATA/cluster.env" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$DATA/cluster.log"; exit 1; }
	sleep 0.2
done
grep -q '^PROXY_ADDR=' "$DATA/cluster.env" || { cat "$DATA/cluster.log"; exit 1; }
set -a; . "$DATA/cluster.env"; set +a
echo "cluster: Temporal $TEMPORAL_ADDRESS (PostgreSQL persistence), APIs $API_1_URL $API_2_URL behind $LEADFLOW_URL; logs in $DATA/logs"

TOKEN=$("$BIN/leadflow" users create -name "Scale Admin" -email "scale-$RANDOM@example.com" -role admin | sed -n 's/^token (shown once): //p')
"$BIN/scaleout" -apis "$API_1_URL,$API_2_URL" -token "$TOKEN" -database-url "$DATABASE_URL" -leads "$LEADS"

# Both workers took tasks, both APIs took requests.
for i in 1 2; do
	m=WORKER_${i}_METRICS
	n=$(curl -fsS "${!m}" | awk '/^leadflow_lead_transitions_total\{kind="intake"/ {s += $NF} END {print s + 0}')
	echo "worker $i: $n intakes"
done
for i in 1 2; do
	u=API_${i}_URL
	n=$(curl -fsS "${!u}/metrics" | awk '/^leadflow_http_requests_total\{/ && /route="\/api\/v1\/leads"/ && /method="POST"/ {s += $NF} END {print s + 0}')
	echo "api $i: $n POST /api/v1/leads"
done

# A policy change of the default pool, where the leads went: the PATCH
# answers at once; a PolicyChangeWorkflow on one of the workers signals
# every live lead (done when a worker counts it completed).
POOL=00000000-0000-0000-0000-000000000001
start=$(date +%s%N)
curl -fsS -o /dev/null -w "PATCH the default pool's policy: %{http_code} in %{time_total}s\n" -X PATCH \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{"policy":{"no_follow_up_after":"30d"}}' "$LEADFLOW_URL/api/v1/pools/$POOL"
for _ in $(seq 1200); do
	n=$(for i in 1 2; do m=WORKER_${i}_METRICS; curl -fsS "${!m}"; done |
		awk '/^temporal_workflow_completed_total\{/ && /workflow_type="PolicyChangeWorkflow"/ {s += $NF} END {print s + 0}')
	[ "$n" -ge 1 ] && break
	sleep 0.1
done
echo "the fan-out to the pool's live leads ($LEADS from this run) completed $(((($(date +%s%N) - start) / 1000000)))ms after the PATCH"
