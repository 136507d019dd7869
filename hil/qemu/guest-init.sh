#!/bin/busybox sh
# /init of the HwFence QEMU guest (packed by build-guest.sh). Loads modules, mounts the host's root
# read-only over 9p at /host with tmpfs where the guest must write, then chroots into it and runs a
# command agent on /dev/hvc0 (virtio-console wired to a unix socket of the test process).
# Agent protocol (one line each way per command):
#   host → guest:  <id> <base64 of a /bin/sh command line>\n
#   guest → host:  @@BEGIN <id>\n <combined stdout+stderr> \n@@END <id> <exit code>\n
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mod/order); do insmod /mod/$m 2>/dev/null || echo "init: insmod $m failed"; done

arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
NAME="$(arg hwfence.name)"; IQN="$(arg hwfence.iqn)"; IP="$(arg hwfence.ip)"

mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host || { echo "init: 9p mount failed"; sh; }
mount -o bind /host/tmp /host/mnt          # host's /tmp (build output) stays visible read-only at /mnt
for d in tmp run var/lib/iscsi var/tmp root home; do [ -d /host/$d ] && mount -t tmpfs tmpfs /host/$d; done
mkdir -p /tmp/iscsi && cp -a /host/etc/iscsi/. /tmp/iscsi/ 2>/dev/null
mount -t tmpfs tmpfs /host/etc/iscsi && cp -a /tmp/iscsi/. /host/etc/iscsi/
echo "InitiatorName=${IQN:-iqn.2026-01.org.hwfence:guest}" > /host/etc/iscsi/initiatorname.iscsi
mkdir -p /host/run/lock /host/run/lock/iscsi
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts && mount -t devpts devpts /host/dev/pts
echo "init: mounts: $(cut -d" " -f2 /proc/mounts | tr "\n" " ")"; ls /host/proc | head -3
hostname "${NAME:-guest}"
ip link set lo up
if ip link show eth0 >/dev/null 2>&1; then
  ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
fi
if ip link show eth1 >/dev/null 2>&1 && [ -n "$IP" ]; then ip link set eth1 up && ip addr add "$IP/24" dev eth1; fi
stty -F /dev/hvc0 raw -echo 2>/dev/null

cat > /host/run/agent.sh <<'AGENT'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
stty raw -echo 2>/dev/null
/usr/sbin/iscsid >/tmp/iscsid.log 2>&1 || /sbin/iscsid >/tmp/iscsid.log 2>&1
echo "@@READY $(hostname)"
while IFS=' ' read -r id b64; do
  [ -n "$id" ] || continue
  echo "$b64" | base64 -d > /tmp/cmd.sh
  sh /tmp/cmd.sh > /tmp/out.txt 2>&1 </dev/null
  rc=$?
  echo "@@BEGIN $id"; cat /tmp/out.txt; echo; echo "@@END $id $rc"
done
AGENT
exec chroot /host /bin/sh /run/agent.sh </dev/hvc0 >/dev/hvc0 2>&1
