#!/usr/bin/env bash
# Builds steward-agent_<version>_all.deb: the agent bundled into one JavaScript file (esbuild),
# installed to /usr/lib/steward-agent/ with a /usr/bin/steward-agent wrapper and the systemd unit.
#
#   packages/agent/packaging/build-deb.sh [output-dir]     (default: packages/agent/dist/deb)
#
# Needs: node, esbuild (from the workspace), dpkg-deb. The agent is pure JavaScript, so the
# package is architecture "all" and depends only on Node.js.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
root="$(cd "$pkg/../.." && pwd)"
out="$(mkdir -p "${1:-$pkg/dist/deb}" && cd "${1:-$pkg/dist/deb}" && pwd)"
esbuild="$root/node_modules/.bin/esbuild"
version="$(node -p "JSON.parse(require('fs').readFileSync('$pkg/package.json', 'utf8')).version")"
name=steward-agent

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building $name $version"
(cd "$root" && npx tsc -b packages/protocol packages/agent)

# ESM output (cli.js uses top-level await). ws is CommonJS and requires Node built-ins, which
# esbuild's ESM output can only do through a real `require`, hence the createRequire banner.
# ws's optional native helpers are left out; ws falls back to JavaScript without them.
"$esbuild" "$pkg/dist/cli.js" \
  --bundle --platform=node --format=esm --target=node20 \
  --outfile="$work/$name.mjs" \
  --external:bufferutil --external:utf-8-validate \
  --banner:js="#!/usr/bin/env node
import { createRequire as __stewardCreateRequire } from 'node:module'; const require = __stewardCreateRequire(import.meta.url);" \
  --legal-comments=none --log-level=warning

stage="$work/root"
install -d "$stage/DEBIAN" "$stage/usr/lib/$name" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/usr/share/doc/$name"
install -m 0755 "$work/$name.mjs" "$stage/usr/lib/$name/$name.mjs"
install -m 0644 "$here/steward-agent.service" "$stage/lib/systemd/system/steward-agent.service"

cat > "$stage/usr/bin/$name" <<'WRAPPER'
#!/bin/sh
# Steward agent: runs the bundled agent with the system Node.js. The service (`run`) gets a
# 1 MB young generation: it lives for months, and the default 16 MB semi-spaces cost it ~6 MB of
# RSS for nothing (ADR 0021, bench/agent.mjs). Its inventory child process sets its own flags.
if [ "$1" = run ]; then
  exec node --max-semi-space-size=1 /usr/lib/steward-agent/steward-agent.mjs "$@"
fi
exec node /usr/lib/steward-agent/steward-agent.mjs "$@"
WRAPPER
chmod 0755 "$stage/usr/bin/$name"

cat > "$stage/usr/share/doc/$name/copyright" <<'COPYRIGHT'
Steward agent. Licensed under the Apache License, Version 2.0.
On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.
COPYRIGHT

size_kb="$(du -k -s "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Section: admin
Priority: optional
Architecture: all
Depends: nodejs (>= 20)
Installed-Size: $size_kb
Maintainer: Steward maintainers <steward@localhost>
Homepage: https://github.com/steward
Description: Steward systems-management agent
 Reports hardware and software inventory and status to a Steward site,
 fetches signed policy and keeps an on-disk outbox so nothing is lost
 while the site is unreachable. Enrol with:
   steward-agent enroll --token <token>
 then start the service: systemctl start steward-agent
CONTROL

cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = "configure" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
  systemctl enable steward-agent.service >/dev/null 2>&1 || true
  # Before enrolment the unit's ConditionPathExists keeps it idle; after an upgrade, restart it.
  if [ -f /var/lib/steward-agent/device.json ]; then
    systemctl try-restart steward-agent.service || systemctl start steward-agent.service || true
  fi
fi
exit 0
POSTINST

cat > "$stage/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ "$1" = "remove" ] && [ -d /run/systemd/system ]; then
  systemctl stop steward-agent.service || true
  systemctl disable steward-agent.service >/dev/null 2>&1 || true
fi
exit 0
PRERM

cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = "purge" ]; then
  # The identity, policy and undelivered outbox go only on purge.
  rm -rf /var/lib/steward-agent
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
exit 0
POSTRM
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

deb="$out/${name}_${version}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
