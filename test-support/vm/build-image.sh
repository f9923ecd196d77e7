#!/usr/bin/env bash
# Builds the base image of Steward's VM tests (ADR 0044): Debian bookworm with systemd, the
# Debian kernel and initramfs (booted with QEMU's -kernel/-initrd, no boot loader), networkd
# (DHCP on QEMU's user network), and a command channel on the second serial port. Node.js 20 is
# this machine's own node binary packaged as a `nodejs` .deb (bookworm's nodejs is 18; the agent
# .deb needs >= 20), so dpkg inside the guest resolves the agent's dependency for real.
#
#   test-support/vm/build-image.sh OUT-DIR
#
# Writes OUT-DIR/{root.ext4,vmlinuz,initrd.img} (OUT-DIR must not exist; the harness renames it
# into the cache when it is complete). Needs root, debootstrap, mke2fs, dpkg-deb and access to
# deb.debian.org (STEWARD_VM_MIRROR overrides the mirror).
set -euo pipefail

out=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mirror="${STEWARD_VM_MIRROR:-http://deb.debian.org/debian}"
[ ! -e "$out" ] || { echo "build-image.sh: $out exists" >&2; exit 2; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"

echo "debootstrap bookworm from $mirror"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,ca-certificates,curl,iproute2,procps \
  bookworm "$root" "$mirror"

# nodejs: this machine's node, packaged (Version = its version) so "Depends: nodejs (>= 20)" holds.
nodever="$(node -p 'process.versions.node')"
pkg="$work/nodejs"
install -d "$pkg/DEBIAN" "$pkg/usr/bin"
install -m 0755 "$(command -v node)" "$pkg/usr/bin/node"
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: nodejs
Version: $nodever-steward1
Architecture: amd64
Maintainer: Steward tests <tests@localhost>
Depends: libc6, libstdc++6
Description: Node.js $nodever (the test machine's binary, for Steward's VM tests)
CONTROL
dpkg-deb --root-owner-group -Znone --build "$pkg" "$root/tmp/nodejs.deb" >/dev/null
chroot "$root" dpkg -i /tmp/nodejs.deb
rm -f "$root/tmp/nodejs.deb"

# Configuration: hostname, fstab, DHCP on the first ethernet link, the injected-files disk, no
# timers that would start apt or fstrim during a test, and the command channel.
echo steward-vm > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 steward-vm\n' > "$root/etc/hosts"
cat > "$root/etc/fstab" <<'FSTAB'
/dev/vda / ext4 rw,errors=remount-ro 0 1
LABEL=inject /mnt/inject ext4 ro,nofail,x-systemd.device-timeout=10s 0 0
FSTAB
install -d "$root/mnt/inject"
cat > "$root/etc/systemd/network/10-user.network" <<'NET'
[Match]
Name=en* eth*
[Network]
DHCP=ipv4
NET
chroot "$root" systemctl enable systemd-networkd.service
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
  systemd-timesyncd.service getty@tty1.service; do
  chroot "$root" systemctl disable "$unit" >/dev/null 2>&1 || true
done
chroot "$root" systemctl mask serial-getty@ttyS0.service serial-getty@ttyS1.service >/dev/null
install -m 0755 "$here/guest/vm-command.sh" "$root/usr/local/sbin/vm-command"
install -m 0644 "$here/guest/vm-command.service" "$root/etc/systemd/system/vm-command.service"
chroot "$root" systemctl enable vm-command.service
: > "$root/etc/machine-id"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*

cp -L "$root/vmlinuz" "$out/vmlinuz"
cp -L "$root/initrd.img" "$out/initrd.img"
# An ext4 image made without mounting anything (no loop devices needed).
mke2fs -q -t ext4 -L root -d "$root" "$out/root.ext4" 3G
echo "built $out"
