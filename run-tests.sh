#!/usr/bin/env bash
# Runs every HwFence test on this machine: installs what is needed (tools/setup.sh), builds, runs
# all test projects (the emulator and tgtd over real loopback TCP, real ptys, real processes),
# and ends with one line of totals: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
tools/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

results=TestResults
rm -rf "$results"
# Test projects run one after another (-m:1 keeps the 2 cores for the processes the tests start);
# a test stuck for 10 minutes is killed and reported rather than hanging CI.
dotnet test HwFence.sln -c Release --no-build -nologo -m:1 \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 10m
rc=$?

passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  get() { echo "$c" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
# A crashed or hung test host leaves no counters: count the failure so it cannot look green.
if [ $rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ $failed -eq 0 ]
