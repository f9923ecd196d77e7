#!/usr/bin/env bash
# Builds steward-agent-<version>-linux.tar.gz, the package install-agent.sh installs from (client
# push, the site's /install.sh, or by hand on machines without dpkg):
#
#   steward-agent/install-agent.sh        the installer (see its header for the contract)
#   steward-agent/VERSION
#   steward-agent/lib/steward-agent.mjs   the agent bundled into one file (bundle.sh), Node.js >= 20
#   steward-agent/lib/steward-collect.mjs its inventory collection process (bundle-collect.mjs)
#   steward-agent/bin/steward-agent       runs the agent from the unpacked tarball
#   steward-agent/steward-agent.service   systemd unit (install-agent.sh rewrites its paths)
#   steward-agent/upgrade-agent.sh        the self-upgrade helper (ADR 0027)
#
#   packages/agent/packaging/build-tarball.sh [output-dir]   (default: packages/agent/dist/packages)
#
# Prints the path of the tarball. The archive is reproducible for the same bundle (fixed owner,
# order and timestamps).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
out="$(mkdir -p "${1:-$pkg/dist/packages}" && cd "${1:-$pkg/dist/packages}" && pwd)"
# shellcheck source=agent-version.sh
. "$here/agent-version.sh"
name=steward-agent

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
top="$work/$name"
install -d "$top/lib" "$top/bin"

echo "building $name $version tarball" >&2
"$here/bundle.sh" "$top/lib/$name.mjs" esm >&2
chmod 0644 "$top/lib/$name.mjs" "$top/lib/steward-collect.mjs"
install -m 0755 "$here/install-agent.sh" "$top/install-agent.sh"
install -m 0755 "$here/upgrade-agent.sh" "$top/upgrade-agent.sh"
install -m 0644 "$here/steward-agent.service" "$top/steward-agent.service"
printf '%s\n' "$version" >"$top/VERSION"
cat >"$top/bin/$name" <<'WRAPPER'
#!/bin/sh
# Steward agent from the unpacked tarball (install-agent.sh installs it for good).
here=$(cd "$(dirname "$0")/.." && pwd)
exec node "$here/lib/steward-agent.mjs" "$@"
WRAPPER
chmod 0755 "$top/bin/$name"

tarball="$out/$name-$version-linux.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
  -C "$work" -cf - "$name" | gzip -n -9 >"$tarball.new.$$"
mv -f "$tarball.new.$$" "$tarball"
echo "$tarball"
