#!/usr/bin/env bash
# End-to-end performance on loopback (issue #8, items 2 and 3): builds the service in Release, starts it on 127.0.0.1
# at a free port with the floor endpoint on (Performance__FloorEndpoint=true), waits for /healthz, then runs
# tools/LoadTest twice against it:
#   1. --fhir-mode: the hook with no prefetch, reading the typical record (500 resources) from the tool's own loopback
#      FHIR server (+PERF_FHIR_DELAY_MS per request, 50 resources per page), PERF_FHIR_CALLS sequential calls. First,
#      so its single calls meet a service that the load below has not yet filled (form sessions, heap);
#   2. --compare-floor: the hook with the typical record in prefetch against the floor endpoint (same request, canned
#      answer of the hook's size), closed loop at PERF_CONNECTIONS, PERF_SECONDS per endpoint per level.
# Stops the service and exits non-zero if either run had errors. Nothing listens beyond loopback; everything stops by
# itself. Defaults take about two minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${PERF_CONNECTIONS:-1,16,64}
seconds=${PERF_SECONDS:-10}
warmup=${PERF_WARMUP_SECONDS:-2}
fhir_calls=${PERF_FHIR_CALLS:-30}
fhir_delay=${PERF_FHIR_DELAY_MS:-50}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -m | awk '/^Mem:/ {print $2 " MB memory, " $7 " MB available"}')"

# shellcheck source=lib/loopback-service.sh
. scripts/lib/loopback-service.sh
start_service Performance__FloorEndpoint=true

echo "service pid $pid at $url (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "## FHIR-server mode (no prefetch)"
echo
status=0
dotnet "$tool" --fhir-mode --url "$url" --calls "$fhir_calls" --fhir-delay "${fhir_delay}ms" || status=$?

echo
echo "## Hook against floor, closed loop (typical record in prefetch; load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
dotnet "$tool" --compare-floor --url "$url" --connections "$connections" --seconds "$seconds" --warmup-seconds "$warmup" \
  --pid "$pid" || status=$?

echo
echo "service peak working set over both runs: $(awk '/^VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$pid/status"); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$work/service.log" ]; then
  echo "service log (warnings and above), distinct lines with their counts:"
  sed 's/^ *//' "$work/service.log" | sort | uniq -c | sort -rn | head -n 20
fi
exit "$status"
