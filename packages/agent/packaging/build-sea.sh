#!/usr/bin/env bash
# Builds steward-agent-<version>-linux-<arch>, the agent as a Node.js single executable (SEA) for
# machines without Node.js 20 or later: the Node.js binary with the agent bundle injected.
#
#   packages/agent/packaging/build-sea.sh [output-dir]    (default: packages/agent/dist/packages)
#
# The executable is the Node.js binary that runs this script (or STEWARD_SEA_NODE), so its
# architecture is that binary's; it must be an official-style build with the SEA fuse (Node 20).
# A SEA runs its script as CommonJS: bundle.sh bundles src/sea-main.ts (cli.ts without the
# top-level await) to CommonJS. postject comes from the workspace (devDependency of the agent).
# Prints the path of the executable.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
root="$(cd "$pkg/../.." && pwd)"
out="$(mkdir -p "${1:-$pkg/dist/packages}" && cd "${1:-$pkg/dist/packages}" && pwd)"
# shellcheck source=agent-version.sh
. "$here/agent-version.sh"
node_bin="$(readlink -f "${STEWARD_SEA_NODE:-$(command -v node)}")"
arch="$("$node_bin" -p process.arch)"
name=steward-agent

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building $name $version single executable (linux-$arch)" >&2
"$here/bundle.sh" "$work/$name.cjs" cjs >&2
cat >"$work/sea-config.json" <<JSON
{
  "main": "$work/$name.cjs",
  "output": "$work/sea-prep.blob",
  "disableExperimentalSEAWarning": true,
  "useSnapshot": false,
  "useCodeCache": false
}
JSON
"$node_bin" --experimental-sea-config "$work/sea-config.json" >&2

exe="$out/$name-$version-linux-$arch"
cp "$node_bin" "$exe.new"
chmod 0755 "$exe.new"
"$root/node_modules/.bin/postject" "$exe.new" NODE_SEA_BLOB "$work/sea-prep.blob" \
  --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >&2
mv -f "$exe.new" "$exe"
echo "$exe"
