#!/usr/bin/env bash
# Bundles the agent into one JavaScript file with esbuild: the single step every package format
# (build-deb.sh, build-tarball.sh, build-sea.sh) starts from.
#
#   packages/agent/packaging/bundle.sh <outfile> [esm|cjs]     (default esm)
#
# esm: dist/cli.js (top-level await) as an ES module runnable with `node file.mjs`, and beside it
#      steward-collect.mjs, the inventory collection process alone (bundle-collect.mjs).
# cjs: dist/sea-main.js (no top-level await) as CommonJS, which a Node single executable needs.
# Builds protocol and agent with tsc first. Needs node and esbuild (from the workspace).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
root="$(cd "$pkg/../.." && pwd)"
outfile="${1:?usage: bundle.sh <outfile> [esm|cjs]}"
format="${2:-esm}"
esbuild="$root/node_modules/.bin/esbuild"

(cd "$root" && npx tsc -b packages/protocol packages/agent)
mkdir -p "$(dirname "$outfile")"
# The version the agent reports (version.ts): package.json's unless STEWARD_AGENT_VERSION says.
# shellcheck source=agent-version.sh
. "$here/agent-version.sh"
define_version="--define:STEWARD_AGENT_VERSION_OVERRIDE=\"$version\""

# ws's optional native helpers are left out; ws falls back to JavaScript without them.
case "$format" in
  esm)
    # ws is CommonJS and requires Node built-ins, which esbuild's ESM output can only do through
    # a real `require`, hence the createRequire banner.
    "$esbuild" "$pkg/dist/cli.js" \
      --bundle --platform=node --format=esm --target=node20 \
      --outfile="$outfile" "$define_version" \
      --external:bufferutil --external:utf-8-validate \
      --banner:js="#!/usr/bin/env node
import { createRequire as __stewardCreateRequire } from 'node:module'; const require = __stewardCreateRequire(import.meta.url);" \
      --legal-comments=none --log-level=warning
    # The collection process's own, smaller bundle beside it (collect-process.ts starts it).
    node "$here/bundle-collect.mjs" "$(dirname "$outfile")/steward-collect.mjs" "$version"
    ;;
  cjs)
    # A single executable's require() loads only built-in modules and warns on anything else:
    # tell ws at build time not to try its optional native helpers at all.
    "$esbuild" "$pkg/dist/sea-main.js" \
      --bundle --platform=node --format=cjs --target=node20 \
      --outfile="$outfile" "$define_version" \
      --external:bufferutil --external:utf-8-validate \
      --define:process.env.WS_NO_BUFFER_UTIL='"1"' --define:process.env.WS_NO_UTF_8_VALIDATE='"1"' \
      --legal-comments=none --log-level=warning
    ;;
  *)
    echo "bundle.sh: format must be esm or cjs, not $format" >&2
    exit 2
    ;;
esac

# V8 stores a script's source one byte per character only when every character is ASCII: one
# non-ASCII character (a "●" in a regex, a "…" in a comment) doubles the ~1 MB source the agent
# holds for its whole life (ADR 0021). esbuild escapes strings but not regex literals or comments.
collect="$(dirname "$outfile")/steward-collect.mjs"
[ "$format" = esm ] || collect=
# shellcheck disable=SC2086
if LC_ALL=C grep -n -P '[^\x00-\x7F]' "$outfile" $collect | cut -c1-160 | head -5 | grep .; then
  echo "bundle.sh: $outfile or $collect has non-ASCII characters (above); write them as \\u escapes in the source" >&2
  exit 1
fi
