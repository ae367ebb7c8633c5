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
work=$(mktemp -d "${TMPDIR:-/tmp}/imagingcds-perf.XXXXXX")
art="$work/artifacts"
pid=""

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -m | awk '/^Mem:/ {print $2 " MB memory, " $7 " MB available"}')"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish src/ImagingCds/ImagingCds.csproj -c Release -o "$work/service" --artifacts-path "$art" -nologo -v quiet
dotnet build tools/LoadTest/LoadTest.csproj -c Release --artifacts-path "$art" -nologo -v quiet

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
(
  cd "$work/service"
  ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="$url" Feedback__DatabasePath="$work/feedback.db" \
    Performance__FloorEndpoint=true Logging__LogLevel__Default=Warning exec dotnet ImagingCds.dll >"$work/service.log" 2>&1
) &
pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "service exited during start-up:" >&2; cat "$work/service.log" >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "$url/healthz" >/dev/null || { echo "service not healthy at $url" >&2; cat "$work/service.log" >&2; exit 1; }

tool="$art/bin/LoadTest/release/ImagingCds.LoadTest.dll"
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
