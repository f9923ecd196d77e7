#!/usr/bin/env bash
# A local, signed apt repository of one Debian release for a VM's in-place upgrade (issue 11,
# ADR 0102): VMs and tests reach nothing but this machine, so the target release's packages are
# downloaded here once and served from the test's own network namespace.
#
#   MIRROR=URL SUITE=trixie VERSION=13 PACKAGES=a,b,c release-repo.sh OUT-DIR
#
# debootstrap --download-only of $SUITE (minbase plus $PACKAGES: the default OS image's set, so
# the closure of everything the upgraded machine keeps) into pool/, then Packages, Release and
# InRelease signed with a key made for this repository (OUT-DIR/keyring.asc is its public key,
# what an upgrade package names as its keyring). OUT-DIR must not exist. Needs root,
# debootstrap, apt-ftparchive (apt-utils) and gpg.
set -euo pipefail

out=${1:?usage: release-repo.sh OUT-DIR}
: "${MIRROR:?MIRROR is required}" "${SUITE:?SUITE is required}" "${VERSION:?VERSION is required}"
: "${PACKAGES:?PACKAGES is required}"
[ ! -e "$out" ] || { echo "release-repo.sh: $out exists" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

debootstrap --download-only --arch=amd64 --variant=minbase --include="$PACKAGES" \
  "$SUITE" "$work/root" "$MIRROR"

mkdir -p "$out/pool/main" "$out/dists/$SUITE/main/binary-amd64"
mv "$work/root/var/cache/apt/archives/"*.deb "$out/pool/main/"
cd "$out"
apt-ftparchive packages pool >"dists/$SUITE/main/binary-amd64/Packages"
gzip -k9 "dists/$SUITE/main/binary-amd64/Packages"
apt-ftparchive \
  -o "APT::FTPArchive::Release::Origin=Debian" \
  -o "APT::FTPArchive::Release::Label=Debian" \
  -o "APT::FTPArchive::Release::Suite=$SUITE" \
  -o "APT::FTPArchive::Release::Codename=$SUITE" \
  -o "APT::FTPArchive::Release::Version=$VERSION" \
  -o "APT::FTPArchive::Release::Architectures=amd64" \
  -o "APT::FTPArchive::Release::Components=main" \
  release "dists/$SUITE" >"$work/Release"
mv "$work/Release" "dists/$SUITE/Release"

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
  --quick-gen-key "Steward test repository $SUITE" ed25519 sign never
gpg --batch --quiet --yes --clearsign -o "dists/$SUITE/InRelease" "dists/$SUITE/Release"
gpg --batch --quiet --yes -abs -o "dists/$SUITE/Release.gpg" "dists/$SUITE/Release"
gpg --batch --armor --export >keyring.asc

printf '{"suite":"%s","version":"%s","packages":%s,"bytes":%s}\n' "$SUITE" "$VERSION" \
  "$(ls pool/main | wc -l)" "$(du -sb pool | cut -f1)" >repo.json
