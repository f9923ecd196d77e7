#!/usr/bin/env bash
# Builds every agent package into one folder with its manifest (`npm run package:agent`):
#
#   steward-agent_<version>-1_all.deb        (build-deb.sh)
#   steward-agent-<version>-linux.tar.gz     (build-tarball.sh)
#   steward-agent-<version>-linux-<arch>     (build-sea.sh)
#   manifest.json   {name, version, files: [{name, kind: deb|tarball|sea, arch, sha256, size}]}
#
#   packages/agent/packaging/package-all.sh [output-dir]   (default: packages/agent/dist/packages)
#
# The manifest is what `steward agent-version add <dir>` reads (AgentPackageManifest in the
# protocol package); files not named in it are not part of the version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
out="$(mkdir -p "${1:-$pkg/dist/packages}" && cd "${1:-$pkg/dist/packages}" && pwd)"
# shellcheck source=agent-version.sh
. "$here/agent-version.sh"

deb="$("$here/build-deb.sh" "$out" | tail -n 1)"
tarball="$("$here/build-tarball.sh" "$out" | tail -n 1)"
sea="$("$here/build-sea.sh" "$out" | tail -n 1)"
sea_arch="$(node -p process.arch)"

node - "$out/manifest.json" "$version" \
  "deb:all:$deb" "tarball:all:$tarball" "sea:$sea_arch:$sea" <<'NODE'
const { createHash } = require('node:crypto');
const { readFileSync, statSync, writeFileSync, renameSync } = require('node:fs');
const { basename } = require('node:path');
const [manifestPath, version, ...entries] = process.argv.slice(2);
const files = entries.map((entry) => {
  const [kind, arch, ...rest] = entry.split(':');
  const path = rest.join(':');
  return {
    name: basename(path),
    kind,
    arch,
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    size: statSync(path).size,
  };
});
writeFileSync(`${manifestPath}.new`, JSON.stringify({ name: 'steward-agent', version, files }, null, 2) + '\n');
renameSync(`${manifestPath}.new`, manifestPath);
NODE
echo "$out/manifest.json"
