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
work=$(mktemp -d "${TMPDIR:-/tmp}/imagingcds-load.XXXXXX")
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

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish src/ImagingCds/ImagingCds.csproj -c Release -o "$work/service" --artifacts-path "$art" -nologo -v quiet
dotnet build tools/LoadTest/LoadTest.csproj -c Release --artifacts-path "$art" -nologo -v quiet

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
(
  cd "$work/service"
  ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="$url" Feedback__DatabasePath="$work/feedback.db" \
    Logging__LogLevel__Default=Warning exec dotnet ImagingCds.dll >"$work/service.log" 2>&1
) &
pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "service exited during start-up:" >&2; cat "$work/service.log" >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "$url/healthz" >/dev/null || { echo "service not healthy at $url" >&2; cat "$work/service.log" >&2; exit 1; }

echo "service pid $pid at $url ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
dotnet "$art/bin/LoadTest/release/ImagingCds.LoadTest.dll" --url "$url" --rate "$rate" --duration "${seconds}s" \
  --runs "$runs" --concurrency "$concurrency" --body "$repo/fhir-fixtures/examples/lumbar-foot-drop/request.json" --pid "$pid" || status=$?
exit "$status"
