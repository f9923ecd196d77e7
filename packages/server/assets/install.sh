#!/bin/sh
# Steward agent install script, served by the site at /install.sh:
#
#   sh install.sh --token <token> [install-agent.sh options]
#
# fetched by the console's one-liner with the site CA pinned (installCommandOf in protocol: it
# checks the CA against a hash written into the line before it downloads this script).
#
# It checks the site again by the enrolment token: it downloads the site CA, refuses it unless
# its SHA-256 is the fingerprint inside the token, and from then on talks to the site only with
# that CA pinned: the manifest of the production agent version, then its tarball (or, without
# Node.js 20 or later, its single executable as well), each checked against its SHA-256, then
# runs install-agent.sh from the tarball with the remaining options (--prefix, --state-dir,
# --service, --node). Exit codes: those of install-agent.sh, and 10 bad arguments, 50 the CA
# does not match the token, 60 a download failed or did not match its hash.
set -u

SITE='@SITE_URL@'
TOKEN='@TOKEN@'

say() { printf 'STEWARD-INSTALL step=%s status=%s detail=%s\n' "$1" "$2" "$3"; }
die() {
  say "$1" failed "$3"
  exit "$2"
}

pass=""
node_given=""
while [ $# -gt 0 ]; do
  case "$1" in
    --token)
      [ $# -ge 2 ] || die args 10 "--token needs a value"
      TOKEN=$2
      shift 2
      ;;
    --token=*) TOKEN=${1#*=}; shift ;;
    --node)
      [ $# -ge 2 ] || die args 10 "--node needs a value"
      node_given=$2
      shift 2
      ;;
    --node=*) node_given=${1#*=}; shift ;;
    *)
      case "$1" in *"'"*) die args 10 "quotes are not allowed in arguments" ;; esac
      pass="$pass '$1'"
      shift
      ;;
  esac
done
[ -n "$TOKEN" ] || die args 10 "give the enrolment token: sh -s -- --token <token>"
case "$TOKEN" in
  stw1.*) ;;
  *) die args 10 "not a Steward enrolment token" ;;
esac
case "$node_given" in *"'"*) die args 10 "quotes are not allowed in arguments" ;; esac
if [ -n "$node_given" ]; then pass="$pass --node '$node_given'"; fi

command -v curl >/dev/null 2>&1 || die download 60 "curl is needed"
work=$(mktemp -d) || die download 60 "no temporary folder"
trap 'rm -rf "$work"' EXIT

# The token: "stw1." + base64url(JSON {"u": url, "f": CA fingerprint, "s": secret}).
token_field() {
  _b64=$(printf '%s' "${TOKEN#stw1.}" | tr '_-' '/+')
  case $((${#_b64} % 4)) in
    2) _b64="$_b64==" ;;
    3) _b64="$_b64=" ;;
  esac
  printf '%s' "$_b64" | base64 -d 2>/dev/null | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"
}
want=$(token_field f | tr 'A-F' 'a-f')
[ -n "$want" ] || die ca 10 "the token carries no CA fingerprint"

# The CA, fetched before any trust exists (hence -k), then checked against the token.
curl -fsSk "$SITE/install/ca.pem" -o "$work/ca.pem" || die ca 60 "cannot download the site CA from $SITE"
got=$(sed -e '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/!d' -e '/-----/d' "$work/ca.pem" |
  tr -d ' \r\n' | base64 -d 2>/dev/null | sha256sum | cut -d ' ' -f 1)
[ "$got" = "$want" ] || die ca 50 "the site CA ($got) is not the one the token names ($want): refusing"
say ca ok "site CA matches the token"

pinned() { curl -fsS --cacert "$work/ca.pem" "$@"; }
pinned "$SITE/install/manifest.json" -o "$work/manifest.json" ||
  die download 60 "the site has no production agent version to install"

# One file per line in the manifest the site serves: "kind" and "arch" pick the line.
entry() { grep "\"kind\":\"$1\"" "$work/manifest.json" | grep "\"arch\":\"$2\"" | head -n 1; }
field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"; }
fetch() {
  # manifest line -> file in $work, checked against its SHA-256
  _name=$(field "$1" name)
  _sha=$(field "$1" sha256)
  [ -n "$_name" ] && [ -n "$_sha" ] || die download 60 "the manifest has no such package"
  pinned "$SITE/install/packages/$_name" -o "$work/$_name" || die download 60 "cannot download $_name"
  [ "$(sha256sum "$work/$_name" | cut -d ' ' -f 1)" = "$_sha" ] ||
    die download 60 "$_name does not match its SHA-256"
  fetched="$work/$_name"
}

node_ok() {
  "$1" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' >/dev/null 2>&1
}
use_node=no
if [ -n "$node_given" ]; then
  use_node=yes
elif command -v node >/dev/null 2>&1 && node_ok node; then
  use_node=yes
fi

fetch "$(entry tarball all)"
mkdir -p "$work/unpacked" && tar -xzf "$fetched" -C "$work/unpacked" ||
  die download 60 "cannot unpack $fetched"
if [ "$use_node" = no ]; then
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  line=$(entry sea "$arch")
  [ -n "$line" ] || die download 60 "no Node.js 20 here and no single executable for $arch"
  fetch "$line"
  cp "$fetched" "$work/unpacked/steward-agent/bin/steward-agent-sea" &&
    chmod 0755 "$work/unpacked/steward-agent/bin/steward-agent-sea"
fi
say download ok "agent packages verified"

eval "set -- $pass"
sh "$work/unpacked/steward-agent/install-agent.sh" --token "$TOKEN" --site-url "$SITE" "$@"
