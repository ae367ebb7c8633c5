#!/usr/bin/env bash
# Bounded load on loopback (docs/performance.md, "Load on loopback"): builds the service in Release, starts it on
# 127.0.0.1 at a free port, waits for /healthz, runs tools/LoadTest (LOAD_RATE req/s for LOAD_SECONDS s, LOAD_RUNS
# times), stops the service and exits with the tool's code. Nothing listens beyond loopback; everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
rate=${LOAD_RATE:-50}
seconds=${LOAD_SECONDS:-60}
runs=${LOAD_RUNS:-3}
concurrency=${LOAD_CONCURRENCY:-64}
# shellcheck source=lib/loopback-service.sh
. scripts/lib/loopback-service.sh
start_service

echo "service pid $pid at $url ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
dotnet "$tool" --url "$url" --rate "$rate" --duration "${seconds}s" \
  --runs "$runs" --concurrency "$concurrency" --body "$repo/fhir-fixtures/examples/lumbar-foot-drop/request.json" --pid "$pid" || status=$?
exit "$status"
