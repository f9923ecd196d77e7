#!/usr/bin/env bash
# The fast phase of a Steward boot image build (ADR 0065), run for every image:
#
#   NODE=path AGENT_BUNDLE=path BOOT_CONFIG=path [DRIVER_DEBS="a.deb b.deb"] [FILES_DIR=dir] \
#     [AGENT_TARBALL=steward-agent-VERSION-linux.tar.gz] boot-image-assemble.sh ROOT.tar OUT-DIR
#
# Unpacks ROOT.tar (boot-image-root.sh), adds Node.js, the agent bundle (the boot-stage entry
# point is `steward-agent boot-env`), the boot configuration (site URL, CA, boot key), driver
# packages (.deb files unpacked, modules re-indexed), the agent kit (the site's production agent
# tarball unpacked at /usr/lib/steward/agent-kit: what the install-agent step puts in the new
# system) and extra files (copied over the root),
# drops what a boot environment never reads, and writes OUT-DIR/vmlinuz and OUT-DIR/initrd.img:
# a zstd cpio of the whole root, whose /init is boot-env-init.sh.
# Progress lines on stdout: "@@progress <percent> <text>".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
progress() { echo "@@progress $1 $2"; }

assemble_phase() {
  local tarball=$1 out=$2
  : "${NODE:?NODE (the Node.js binary for the image) is required}"
  : "${AGENT_BUNDLE:?AGENT_BUNDLE (the agent bundle) is required}"
  : "${BOOT_CONFIG:?BOOT_CONFIG (boot.json) is required}"
  # Global (not local): the EXIT trap runs after the function has returned.
  work=""
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  local root="$work/root"
  mkdir -p "$root" "$out"
  progress 10 "unpacking the root"
  tar -C "$root" --numeric-owner -xf "$tarball"
  progress 30 "adding the boot environment"
  install -D -m 0755 "$NODE" "$root/usr/local/bin/node"
  install -D -m 0644 "$AGENT_BUNDLE" "$root/usr/lib/steward/steward-agent.mjs"
  printf '#!/bin/sh\nexec /usr/local/bin/node /usr/lib/steward/steward-agent.mjs "$@"\n' \
    > "$root/usr/local/bin/steward-agent"
  chmod 0755 "$root/usr/local/bin/steward-agent"
  install -D -m 0600 "$BOOT_CONFIG" "$root/etc/steward/boot.json"
  install -m 0755 "$here/boot-env-init.sh" "$root/init"
  if [ -n "${DRIVER_DEBS:-}" ]; then
    progress 40 "driver packages"
    local deb
    # --keep-directory-symlink: keep merged /usr's links (see boot-image-root.sh).
    for deb in $DRIVER_DEBS; do
      dpkg-deb --fsys-tarfile "$deb" | tar -C "$root" --keep-directory-symlink -xf -
    done
  fi
  if [ -n "${AGENT_TARBALL:-}" ]; then
    progress 45 "the agent kit"
    mkdir -p "$root/usr/lib/steward/agent-kit"
    # The tarball's one top folder (steward-agent/) is the kit: install-agent.sh and the agent.
    tar -C "$root/usr/lib/steward/agent-kit" --strip-components=1 --no-same-owner -xzf "$AGENT_TARBALL"
    [ -f "$root/usr/lib/steward/agent-kit/install-agent.sh" ] || {
      echo "AGENT_TARBALL holds no steward-agent/install-agent.sh" >&2
      exit 1
    }
  fi
  if [ -n "${FILES_DIR:-}" ]; then cp -a "$FILES_DIR/." "$root/"; fi
  progress 50 "trimming"
  rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" \
    "$root/usr/share/locale" "$root/var/cache/apt" "$root/var/lib/apt/lists" "$root/boot/"*.map
  local kdir
  kdir="$(ls -d "$root"/lib/modules/* | head -1)"
  # Module trees a deployment never needs (graphics, sound, media, wireless, radio): a third of
  # the kernel's modules, kept out of every boot's RAM.
  rm -rf "$kdir/kernel/drivers/gpu" "$kdir/kernel/sound" "$kdir/kernel/drivers/media" \
    "$kdir/kernel/drivers/net/wireless" "$kdir/kernel/net/wireless" "$kdir/kernel/net/mac80211" \
    "$kdir/kernel/drivers/infiniband" "$kdir/kernel/drivers/staging" "$kdir/kernel/drivers/iio" \
    "$kdir/kernel/drivers/bluetooth" "$kdir/kernel/net/bluetooth" "$kdir/kernel/drivers/isdn"
  # The root's own depmod (kmod is in the image; the site may have none).
  chroot "$root" /sbin/depmod -a "$(basename "$kdir")"
  cp "$root"/boot/vmlinuz-* "$out/vmlinuz"
  rm -f "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-*
  progress 70 "initramfs"
  (cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | zstd -q -T0 -10 > "$out/initrd.img"
  progress 100 "assembled"
}

assemble_phase "${1:?usage: boot-image-assemble.sh ROOT.tar OUT-DIR}" "${2:?OUT-DIR}"
