#!/usr/bin/env bash
# A default OS image built without a reference machine (issue 11, ADR 0077):
#
#   MIRROR=URL [SUITE=bookworm] [ARCH=amd64] [NAME="Debian 12"] [EXTRA_PACKAGES=a,b] \
#     os-image-build.sh OUT-DIR
#
# debootstrap of $SUITE from $MIRROR with what a deployed machine needs to boot from its own disk
# and join the site: the Debian kernel and initramfs, GRUB for both BIOS and UEFI (the
# boot-loader step picks one), systemd, ifupdown with a DHCP client (the network step writes
# the interfaces), and openssh-server. Then generalised (empty machine-id, no SSH host keys, a
# unit that makes them on the first boot, host name localhost) and written as an OS image:
# OUT-DIR/root.tar.zst and OUT-DIR/os-image.json (OUT-DIR must not exist). Needs root,
# debootstrap, tar and zstd. Progress lines on stdout: "@@progress <percent> <text>".
set -euo pipefail

progress() { echo "@@progress $1 $2"; }

out=${1:?usage: os-image-build.sh OUT-DIR}
: "${MIRROR:?MIRROR (the Debian mirror URL) is required}"
suite="${SUITE:-bookworm}"
arch="${ARCH:-amd64}"
name="${NAME:-Debian $suite}"
[ ! -e "$out" ] || { echo "os-image-build.sh: $out exists" >&2; exit 2; }
case "$arch" in
  amd64) grub=grub-pc-bin,grub-efi-amd64-bin ;;
  arm64) grub=grub-efi-arm64-bin ;;
  *) echo "os-image-build.sh: no GRUB for $arch" >&2; exit 2 ;;
esac
packages="systemd,systemd-sysv,udev,dbus,kmod,linux-image-$arch,initramfs-tools,grub2-common,$grub"
packages="$packages,ifupdown,isc-dhcp-client,openssh-server,ca-certificates,iproute2,procps,less"
packages="$packages${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"

work=""
work="$(mktemp -d)"
trap 'umount -R "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
root="$work/root"

progress 5 "debootstrap $suite $arch"
debootstrap --arch="$arch" --variant=minbase --include="$packages" "$suite" "$root" "$MIRROR"

progress 70 "configure"
# The loopback interface; the network step adds DHCP on the machine's own interfaces.
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' \
  > "$root/etc/network/interfaces"
printf 'deb %s %s main\n' "$MIRROR" "$suite" > "$root/etc/apt/sources.list"
# Generalised as a capture would be (agent/src/os-deploy/generalise.ts).
echo localhost > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n' > "$root/etc/hosts"
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
cat > "$root/etc/systemd/system/steward-ssh-host-keys.service" <<'UNIT'
# Written by Steward (OS image build): new SSH host keys for a machine made from this image.
[Unit]
Description=Steward: SSH host keys for this machine
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/steward-ssh-host-keys.service \
  "$root/etc/systemd/system/multi-user.target.wants/steward-ssh-host-keys.service"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/var/log/"*.log

progress 80 "archive"
mkdir -p "$out.partial"
used=$(du -sxB1 "$root" | cut -f1)
tar --zstd -cpf "$out.partial/root.tar.zst" -C "$root" --one-file-system \
  --numeric-owner --xattrs '--xattrs-include=*' --acls --sparse .
bytes=$(stat -c %s "$out.partial/root.tar.zst")
sha=$(sha256sum "$out.partial/root.tar.zst" | cut -d' ' -f1)
# shellcheck disable=SC1091
. "$root/etc/os-release"
json() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
cat > "$out.partial/os-image.json" <<JSON
{
  "format": 1,
  "name": "$(json "$name")",
  "source": "debootstrap",
  "os": { "id": "$(json "$ID")", "versionId": "$(json "${VERSION_ID:-}")", "prettyName": "$(json "$PRETTY_NAME")", "arch": "$arch" },
  "fileSystems": [
    { "mountpoint": "/", "type": "ext4", "usedBytes": $used, "archive": "root.tar.zst", "archiveBytes": $bytes, "sha256": "$sha" }
  ],
  "createdAt": "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
}
JSON
mv "$out.partial" "$out"
progress 100 "image ready: $out"
