#!/usr/bin/env bash
# Runs libiscsi's C initiator (iscsi_tur_bench.c) and HwFence's initiator (harness iscsi) one after the
# other, each against its own private tgtd on loopback, for SECONDS each. Needs libiscsi-dev (bench only:
# `apt-get install libiscsi-dev`) and tgt. Usage: bench/native/compare.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O2 -Wall -o "$out/iscsi_tur_bench" iscsi_tur_bench.c -liscsi

# A private tgtd for the C run (same set-up as HwFence.Testing.TgtdFixture).
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
"$out/iscsi_tur_bench" "iscsi://127.0.0.1:$port/$iqn/1" "$secs"

dotnet run -c Release --project ../HwFence.Bench -- harness iscsi "$secs" 8
