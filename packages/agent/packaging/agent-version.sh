# Sourced by the build scripts: the agent version they build, $version. STEWARD_AGENT_VERSION
# overrides packages/agent/package.json's (tests build two versions of the same tree to watch an
# agent upgrade itself, ADR 0027); bundle.sh writes it into the bundle, so the agent reports it.
# shellcheck shell=bash
version="${STEWARD_AGENT_VERSION:-$(node -p "JSON.parse(require('fs').readFileSync('$pkg/package.json', 'utf8')).version")}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  echo "not an agent version: $version" >&2
  exit 2
fi
