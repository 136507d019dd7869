#!/usr/bin/env bash
# Runs every HwFence test on this machine: installs what is needed (tools/setup.sh), builds, runs
# all test projects (the emulator and tgtd over real loopback TCP, real ptys, real processes),
# and ends with one line of totals: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
tools/setup.sh || { echo "setup failed (see above)"; echo "0 passed, 1 failed"; exit 1; }

results=TestResults
rm -rf "$results"
mkdir -p "$results"
passed=0; failed=0; skipped=0; crashed=()
# One test project at a time, so the 2 cores stay with the processes the tests start; a test
# stuck for 10 minutes is killed and reported rather than hanging CI.
for proj in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" --blame-hang-timeout 10m
  rc=$?
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { local v; v=$(echo "$c" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'); echo "${v:-0}"; }
    # VSTest's TRX counts a skipped test as total - executed (notExecuted stays 0).
    p=$(get passed); f=$(( $(get failed) + $(get error) + $(get timeout) + $(get aborted) )); s=$(( $(get total) - $(get executed) ))
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    # A test host that crashed after some tests leaves counters that look fine: count it.
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); crashed+=("$name"); fi
  elif [ $rc -ne 0 ]; then
    failed=$((failed + 1)); crashed+=("$name")
  fi
done
[ ${#crashed[@]} -gt 0 ] && echo "test runs that crashed or aborted: ${crashed[*]}"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ $failed -eq 0 ]
