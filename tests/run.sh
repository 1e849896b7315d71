#!/usr/bin/env bash
# Runs the whole test suite: installs the real servers and clients the tests use, builds with warnings as errors,
# runs every test project, and ends with one line "N passed, N failed, N skipped" for the whole suite.
set -uo pipefail
cd "$(dirname "$0")/.."

bash infra/install-test-deps.sh || { echo "installing the test dependencies failed"; echo "0 passed, 1 failed"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
build_log="$(mktemp)"
dotnet build Cluster.sln -c Release -warnaserror >"$build_log" 2>&1
build_status=$?
tail -n 40 "$build_log"
rm -f "$build_log"
if [ "$build_status" -ne 0 ]; then
  echo "the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet test Cluster.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
read -r passed failed skipped assemblies < <(awk '
  /(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i + 1) + 0 }
      if ($i == "Passed:")  { p += $(i + 1) + 0 }
      if ($i == "Skipped:") { s += $(i + 1) + 0 }
    }
    n++
  }
  END { printf "%d %d %d %d\n", p, f, s, n }' "$log")

expected=$(ls -d tests/*.Tests | wc -l)
if [ "$assemblies" -lt "$expected" ]; then
  echo "only $assemblies of $expected test assemblies reported results (a test host crashed or was aborted)"
  failed=$((failed + expected - assemblies))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status without a failed test: counting it as one failure"
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
