#!/usr/bin/env bash
# Builds the QEMU guest used by tests/HwFence.Qemu.Tests: Debian's kernel (downloaded with
# `apt-get download`, unpacked with dpkg-deb — nothing is installed on the host) and a tiny
# busybox initramfs whose /init loads the SCSI/iSCSI/9p modules, mounts a read-only 9p view of
# the host's root (so the guest runs the host's open-iscsi, sg3-utils, python3, fence_scsi, dotnet
# and our built hwfence) and starts a command agent on /dev/hvc0 (virtio-console).
# Idempotent and cached: a second run only prints the paths.
# Output (HWFENCE_QEMU_CACHE, default /var/cache/hwfence-qemu): vmlinuz, initrd.img.
set -euo pipefail
CACHE="${HWFENCE_QEMU_CACHE:-/var/cache/hwfence-qemu}"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$CACHE"

if [ ! -f "$CACHE/vmlinuz" ]; then
  pkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
  [ -n "$pkg" ] || { echo "build-guest: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
  mkdir -p "$CACHE/dl" && chmod 777 "$CACHE/dl"
  (cd "$CACHE/dl" && ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg")
  rm -rf "$CACHE/kernel" && mkdir -p "$CACHE/kernel"
  dpkg-deb -x "$CACHE"/dl/${pkg}_*.deb "$CACHE/kernel"
  cp "$CACHE"/kernel/boot/vmlinuz-* "$CACHE/vmlinuz.tmp" && mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
fi

stamp="$(cat "$HERE/guest-init.sh" "$0" | sha256sum | cut -c1-16)"
if [ -f "$CACHE/initrd.img" ] && [ "$(cat "$CACHE/initrd.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$CACHE/vmlinuz $CACHE/initrd.img"; exit 0
fi

BB=/bin/busybox   # busybox-static: the initramfs has no libc
[ -x "$BB" ] || { echo "build-guest: busybox-static is required (apt-get install busybox-static)" >&2; exit 1; }

kver="$(ls "$CACHE/kernel/lib/modules" | head -1)"
moddir="$CACHE/kernel/lib/modules/$kver/kernel"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,host,tmp,mod}
cp "$BB" "$root/bin/busybox"
# Modules in dependency order (the initramfs has no modprobe/depmod database).
MODULES=(
  crypto/crc32c_generic.ko
  drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_pci_modern_dev.ko
  drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci.ko
  drivers/char/virtio_console.ko
  fs/netfs/netfs.ko fs/fscache/fscache.ko net/9p/9pnet.ko net/9p/9pnet_virtio.ko fs/9p/9p.ko
  net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko
  drivers/scsi/scsi_common.ko drivers/scsi/scsi_mod.ko drivers/scsi/virtio_scsi.ko
  crypto/crct10dif_common.ko crypto/crct10dif_generic.ko lib/crc-t10dif.ko lib/crc64.ko crypto/crc64_rocksoft_generic.ko lib/crc64-rocksoft.ko block/t10-pi.ko drivers/scsi/sd_mod.ko drivers/scsi/sg.ko
  drivers/scsi/scsi_transport_iscsi.ko drivers/scsi/libiscsi.ko drivers/scsi/libiscsi_tcp.ko drivers/scsi/iscsi_tcp.ko
)
: > "$root/mod/order"
for m in "${MODULES[@]}"; do
  f="$moddir/$m"
  if [ -f "$f.xz" ]; then xz -dc "$f.xz" > "$root/mod/$(basename "$m")"
  elif [ -f "$f" ]; then cp "$f" "$root/mod/"
  else continue   # built in or absent in this kernel: skipped
  fi
  echo "$(basename "$m")" >> "$root/mod/order"
done
cp "$HERE/guest-init.sh" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | "$BB" cpio -o -H newc 2>/dev/null | gzip -1) > "$CACHE/initrd.img.tmp"
mv "$CACHE/initrd.img.tmp" "$CACHE/initrd.img"
echo "$stamp" > "$CACHE/initrd.stamp"
echo "$CACHE/vmlinuz $CACHE/initrd.img"
