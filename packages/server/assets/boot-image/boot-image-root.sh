#!/usr/bin/env bash
# The slow phase of a Steward boot image build (ADR 0065), cached by the site by a hash of this
# script and its inputs:
#
#   MIRROR=URL [ARCH=amd64] [SUITE=bookworm] PACKAGES=a,b [EXTRA_PACKAGES=c,d] boot-image-root.sh OUT.tar
#
# debootstrap of $SUITE ($ARCH) from $MIRROR with the deployment tools, and the Debian kernel
# package unpacked (not installed: its postinst would run initramfs-tools, which a boot image
# does not need, since the whole root becomes the initramfs). Writes a tar of the root. Needs
# root and debootstrap. arm64 on an amd64 site: debootstrap --foreign, then the second stage
# through qemu-user-static (binfmt); see docs/os-deployment.md.
# Progress lines on stdout: "@@progress <percent> <text>".
set -euo pipefail

progress() { echo "@@progress $1 $2"; }

root_phase() {
  local out=$1
  : "${MIRROR:?MIRROR (the Debian mirror URL) is required}"
  local arch="${ARCH:-amd64}" suite="${SUITE:-bookworm}"
  # Global (not local): the EXIT trap runs after the function has returned.
  work=""
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  local root="$work/root" include="${PACKAGES}${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"
  progress 5 "debootstrap $suite $arch"
  if [ "$arch" = "$(dpkg --print-architecture)" ]; then
    debootstrap --arch="$arch" --variant=minbase --include="$include" "$suite" "$root" "$MIRROR"
  else
    debootstrap --arch="$arch" --foreign --variant=minbase --include="$include" "$suite" "$root" "$MIRROR"
    cp "/usr/bin/qemu-$( [ "$arch" = arm64 ] && echo aarch64 || echo "$arch")-static" "$root/usr/bin/"
    chroot "$root" /debootstrap/debootstrap --second-stage
  fi
  progress 60 "kernel package"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" apt-get update -qq
  # The kernel metapackage names the versioned image package; unpack that one.
  local kpkg
  kpkg="$(chroot "$root" apt-cache depends "linux-image-$arch" | awk '/Depends: linux-image-/{print $2; exit}')"
  chroot "$root" sh -c "cd /tmp && apt-get download -qq $kpkg"
  # --keep-directory-symlink: the root has merged /usr (/lib -> usr/lib); a plain extraction
  # would replace that link with a directory holding only the modules, and lose the loader.
  dpkg-deb --fsys-tarfile "$root"/tmp/linux-image-*.deb | tar -C "$root" --keep-directory-symlink -xf -
  rm -f "$root"/tmp/*.deb "$root/etc/resolv.conf"
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  progress 80 "root archive"
  tar -C "$root" --numeric-owner -cf "$out.partial" .
  mv "$out.partial" "$out"
  progress 100 "root ready"
}

root_phase "${1:?usage: boot-image-root.sh OUT.tar}"
