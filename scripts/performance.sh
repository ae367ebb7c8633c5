#!/usr/bin/env bash
# Every table of docs/performance.md from one run on this machine: machine facts, the in-process benchmarks
# (BenchmarkDotNet: hook at 50/500/5,000 resources, the eight SMART sample patients, the record stage, facts + all five
# policies), then scripts/perf-e2e.sh (FHIR-server mode, hook against the floor at 1/16/64 connections, peak working
# set). Writes the whole report to $PERF_REPORT (default artifacts/performance/report.md) and prints it.
# About 15 minutes on 2 cores. Run it on an otherwise idle machine: other work on the box shows up in every number.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${PERF_REPORT:-artifacts/performance/report.md}
bdn="artifacts/performance/benchmarkdotnet"
rm -rf "$bdn"
mkdir -p "$(dirname "$report")" "$bdn"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

machine() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/^Mem/{print $2}') GB," \
    ".NET SDK $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

{
  echo "# Performance run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine at the start: $(machine)"
  echo
  echo "## In process (BenchmarkDotNet)"
  echo
} >"$report"

dotnet run -c Release --project bench/ImagingCds.Benchmarks -- --filter '*' --warmupCount 3 --iterationCount 15 \
  --exporters github --artifacts "$bdn" >"$bdn/console.log" 2>&1 || { tail -40 "$bdn/console.log" >&2; exit 1; }
for table in "$bdn"/results/*-report-github.md; do
  echo "### $(basename "$table" -report-github.md | sed 's/^ImagingCds\.Benchmarks\.//')" >>"$report"
  echo >>"$report"
  # The environment header BenchmarkDotNet writes first is the same for every table; keep the table only.
  grep '^|' "$table" >>"$report"
  echo >>"$report"
done

{
  echo "Machine after the benchmarks: $(machine)"
  echo
  echo "## End to end on loopback (scripts/perf-e2e.sh)"
  echo
} >>"$report"
status=0
scripts/perf-e2e.sh >>"$report" 2>&1 || status=$?
echo >>"$report"
echo "Machine at the end: $(machine)" >>"$report"
cat "$report"
exit "$status"
