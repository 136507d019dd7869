#!/usr/bin/env bash
# Runs libiscsi's C initiator (iscsi_tur_bench.c) and HwFence's initiator (harness iscsi) ALTERNATELY,
# ROUNDS times, SECONDS each, each against its own private tgtd on loopback, then prints every round's
# TUR/s and the ratio ours/libiscsi (median and range). Alternating in the same minutes keeps the
# comparison fair on a shared machine whose load changes. Needs libiscsi-dev (bench only:
# `apt-get install libiscsi-dev`) and tgt.
#
# Usage: bench/native/compare.sh [SECONDS] [ROUNDS] [--qd1]
#   --qd1  ours runs only the one-in-flight loop with default options (no queue depth 8, no
#          InlineCompletions, no PREEMPT latency) — the figure issue 2's target is about.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-5}
rounds=${2:-1}
qd1=${3:-}
out=$(mktemp -d)
cc -O2 -Wall -o "$out/iscsi_tur_bench" iscsi_tur_bench.c -liscsi
dotnet build -c Release ../HwFence.Bench -nologo -clp:ErrorsOnly -v:q >/dev/null
bench=( dotnet run -c Release --no-build --project ../HwFence.Bench -- harness iscsi "$secs" 8 )
[[ "$qd1" == "--qd1" ]] && bench+=( --qd1 )

# A private tgtd for the C runs (same set-up as HwFence.Testing.TgtdFixture).
ctl=$(( (RANDOM % 20000) + 10000 )); port=$(( (RANDOM % 20000) + 40000 ))
img="$out/lun.img"; truncate -s 64M "$img"
tgtd -f -C "$ctl" --iscsi portal=127.0.0.1:$port >"$out/tgtd.log" 2>&1 &
tgtd_pid=$!
stop() { tgtadm -C "$ctl" --lld iscsi --mode target --op delete --force --tid 1 >/dev/null 2>&1 || true
         tgtadm -C "$ctl" --mode sys --op delete >/dev/null 2>&1 || true
         wait "$tgtd_pid" 2>/dev/null || true; rm -rf "$out"; }
trap stop EXIT
for _ in $(seq 50); do tgtadm -C "$ctl" --mode sys --op show >/dev/null 2>&1 && break; sleep 0.1; done
iqn=iqn.2026-01.org.hwfence.bench:c
tgtadm -C "$ctl" --lld iscsi --mode target --op new --tid 1 --targetname $iqn
tgtadm -C "$ctl" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --backing-store "$img"
tgtadm -C "$ctl" --lld iscsi --mode target --op bind --tid 1 --initiator-address ALL

for r in $(seq "$rounds"); do
    echo "=== round $r/$rounds  $(date -u +%H:%M:%S) UTC  load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$out/iscsi_tur_bench" "iscsi://127.0.0.1:$port/$iqn/1" "$secs" | tee -a "$out/c.txt"
    "${bench[@]}" | tee "$out/ours-$r.txt"
    # The first "TUR, 1 in flight" line is the default options (InlineCompletions = False).
    grep -m1 'TUR, 1 in flight' "$out/ours-$r.txt" >>"$out/ours.txt"
done

echo "=== summary: TEST UNIT READY/s, 1 in flight (ours with default options)"
paste -d' ' <(awk '{gsub(",", "", $7); print $7}' "$out/c.txt") <(awk '{gsub(",", "", $6); print $6}' "$out/ours.txt") |
    awk '{ r = $2 / $1; printf "round %d: libiscsi %7d /s   ours %7d /s   ratio %.2f\n", NR, $1, $2, r; print r > "/dev/stderr" }' 2>"$out/ratios"
sort -n "$out/ratios" | awk '{ a[NR] = $1 } END { printf "ratio ours/libiscsi: median %.2f, min %.2f, max %.2f (%d rounds)\n", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2), a[1], a[NR], NR }'
