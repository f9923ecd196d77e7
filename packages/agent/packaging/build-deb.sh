#!/usr/bin/env bash
# Builds steward-agent_<version>_all.deb: the agent bundled into one JavaScript file (esbuild),
# installed to /usr/lib/steward-agent/ with a /usr/bin/steward-agent wrapper and the systemd unit.
#
#   packages/agent/packaging/build-deb.sh [output-dir]     (default: packages/agent/dist/deb)
#
# Needs: node, esbuild (from the workspace; bundle.sh), dpkg-deb. The agent is pure JavaScript, so the
# package is architecture "all" and depends only on Node.js. The package passes
# `lintian --fail-on error,warning` (packaging.int.test.ts checks it): the maintainer scripts in
# debian/ are debhelper's dh_installsystemd snippets, and it ships a Debian changelog, a
# machine-readable copyright file and a manual page.
#
# The maintainer (Maintainer field, changelog, copyright contact) comes from DEBFULLNAME and
# DEBEMAIL when set, as for Debian's own tools. The Debian revision is STEWARD_DEB_REVISION (1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(cd "$here/.." && pwd)"
out="$(mkdir -p "${1:-$pkg/dist/deb}" && cd "${1:-$pkg/dist/deb}" && pwd)"
# shellcheck source=agent-version.sh
. "$here/agent-version.sh"
name=steward-agent
revision="${STEWARD_DEB_REVISION:-1}"
debversion="$version-$revision"
maintainer="${DEBFULLNAME:-Steward maintainers} <${DEBEMAIL:-steward-maintainers@users.noreply.github.com}>"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building $name $version"
"$here/bundle.sh" "$work/$name.mjs" esm

stage="$work/root"
doc="$stage/usr/share/doc/$name"
install -d -m 0755 "$stage/DEBIAN" "$stage/usr/lib/$name" "$stage/usr/bin" \
  "$stage/lib/systemd/system" "$doc" "$stage/usr/share/man/man8"
install -m 0755 "$work/$name.mjs" "$stage/usr/lib/$name/$name.mjs"
install -m 0644 "$work/steward-collect.mjs" "$stage/usr/lib/$name/steward-collect.mjs"
# The self-upgrade helper (ADR 0036): the agent copies it out and runs it detached.
install -m 0755 "$here/upgrade-deb.sh" "$stage/usr/lib/$name/upgrade-deb.sh"
install -m 0644 "$here/steward-agent.service" "$stage/lib/systemd/system/steward-agent.service"

cat > "$stage/usr/bin/$name" <<'WRAPPER'
#!/bin/sh
# Steward agent: runs the bundled agent with the system Node.js. The service (`run`) gets a
# 1 MB young generation: it lives for months, and the default 16 MB semi-spaces cost it ~6 MB of
# RSS for nothing, and one V8 background thread instead of four (each thread's malloc arena held
# 4 to 8 MB of an idle agent; ADR 0021, bench/agent-rss-variants.mjs), and V8's lite mode: no
# optimising compiler, whose code and compile zones were ~9 MB of an update scan's peak for no
# speed the agent's I/O-bound work could use (ADR 0075). Its inventory child process sets its
# own flags.
if [ "$1" = run ]; then
  exec node --max-semi-space-size=1 --v8-pool-size=1 --lite-mode /usr/lib/steward-agent/steward-agent.mjs "$@"
fi
exec node /usr/lib/steward-agent/steward-agent.mjs "$@"
WRAPPER
chmod 0755 "$stage/usr/bin/$name"

sed -e "s|@MAINTAINER@|$maintainer|" "$here/debian/copyright" > "$doc/copyright"
chmod 0644 "$doc/copyright"
# The changelog date is the last commit's (SOURCE_DATE_EPOCH wins), so a rebuild is identical.
epoch="${SOURCE_DATE_EPOCH:-$(git -C "$pkg" log -1 --format=%ct 2>/dev/null || date +%s)}"
sed -e "s|@VERSION@|$debversion|" -e "s|@UPSTREAM@|$version|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@DATE@|$(LC_ALL=C date -u -R -d "@$epoch")|" \
  "$here/debian/changelog.in" | gzip -n -9 > "$doc/changelog.Debian.gz"
install -d -m 0755 "$stage/usr/share/lintian/overrides"
install -m 0644 "$here/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/$name"
gzip -n -9 < "$here/debian/steward-agent.8" > "$stage/usr/share/man/man8/$name.8.gz"
chmod 0644 "$doc/changelog.Debian.gz" "$stage/usr/share/man/man8/$name.8.gz"

for script in postinst prerm postrm; do
  install -m 0755 "$here/debian/$script" "$stage/DEBIAN/$script"
done

(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

size_kb="$(du -k -s --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: $name
Version: $debversion
Section: admin
Priority: optional
Architecture: all
Depends: nodejs (>= 20)
Installed-Size: $size_kb
Maintainer: $maintainer
Homepage: https://github.com/steward
Description: Steward systems-management agent
 Reports hardware and software inventory and status to a Steward site,
 fetches signed policy and keeps an on-disk outbox so nothing is lost
 while the site is unreachable. Enrol with:
   steward-agent enroll --token <token>
 then start the service: systemctl start steward-agent
CONTROL

deb="$out/${name}_${debversion}_all.deb"
find "$stage" -exec touch -h -d "@$epoch" {} +
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
