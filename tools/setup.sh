#!/usr/bin/env bash
# Installs what HwFence's build, demo and tests need on a fresh Debian machine, then builds the
# native SG_IO shim and the .NET solution. Idempotent: a second run only rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. tgt: an independent iSCSI target for tests; libiscsi-bin: iscsi-test-cu
# conformance and iscsi-perf; sg3-utils: sg_persist & co; cmake/gcc: the native shim;
# iproute2/nftables: network namespaces for LAN partitions; stress-ng: benchmarks under load.
PACKAGES=(tgt libiscsi-bin sg3-utils socat cmake gcc make iproute2 nftables stress-ng procps libgpiod2 libusb-1.0-0
  qemu-system-x86 qemu-block-extra open-iscsi busybox-static)  # last line: QEMU guests of hil/qemu (issue 8)
# fence_scsi (fence-agents) and corosync run inside the QEMU guests over the read-only 9p root: GuestFenceAgentTests.
PACKAGES+=(fence-agents corosync)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# QEMU guest kernel + initramfs for tests/HwFence.Qemu.Tests (cached in /var/cache/hwfence-qemu; tests skip without it).
hil/qemu/build-guest.sh >/dev/null || echo "setup: hil/qemu/build-guest.sh failed; the QEMU tests will be skipped" >&2

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

# The native SG_IO shim (native/), copied next to the assemblies by the HwFence.Hal build.
if [ -f native/CMakeLists.txt ]; then
  cmake -S native -B native/build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build native/build -j 2 >/dev/null
fi

dotnet build HwFence.sln -c Release -nologo -v quiet -clp:ErrorsOnly
