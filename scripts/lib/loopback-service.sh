# Sourced by scripts/load-test.sh and scripts/perf-e2e.sh. Builds the service (published as the Dockerfile publishes it)
# and tools/LoadTest into a temporary folder, starts the service on a free 127.0.0.1 port in Development with Warning
# logs, waits for /healthz, and stops it (TERM, then KILL after 20 s) and removes the folder when the script exits.
# After start_service: $pid, $url, $tool (the load tool's dll) and $work/service.log.
work=$(mktemp -d "${TMPDIR:-/tmp}/imagingcds-loopback.XXXXXX")
art="$work/artifacts"
tool="$art/bin/LoadTest/release/ImagingCds.LoadTest.dll"
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

# start_service [NAME=VALUE ...]: extra configuration for the service, as environment variables.
start_service() {
  dotnet publish src/ImagingCds/ImagingCds.csproj -c Release -o "$work/service" --artifacts-path "$art" -nologo -v quiet
  dotnet build tools/LoadTest/LoadTest.csproj -c Release --artifacts-path "$art" -nologo -v quiet
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  url="http://127.0.0.1:$port"
  (
    cd "$work/service"
    exec env ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="$url" Feedback__DatabasePath="$work/feedback.db" \
      Logging__LogLevel__Default=Warning "$@" dotnet ImagingCds.dll >"$work/service.log" 2>&1
  ) &
  pid=$!
  for _ in $(seq 1 120); do
    if curl -fsS "$url/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "service exited during start-up:" >&2; cat "$work/service.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "service not healthy at $url" >&2
  cat "$work/service.log" >&2
  exit 1
}
