#!/bin/sh
# Steward agent self-upgrade helper (ADR 0027). The running agent starts it, outside itself (a
# new session with --service none, a transient systemd unit under systemd), once the new
# version's package is downloaded, verified against the signed policy and unpacked:
#
#   upgrade-agent.sh --lib-dir DIR --attempt-dir DIR --new DIR --to VERSION --report-in SECONDS
#
#   --lib-dir      the installed agent's folder ($prefix/usr/lib/steward-agent): install.conf
#                  says how it was installed (prefix, state directory, service, runtime)
#   --attempt-dir  $state/upgrade/<attempt id>: the previous version is kept here (previous/),
#                  and the result is written here (result)
#   --new          the unpacked tarball of the new version (its install-agent.sh installs it)
#   --to           the new version
#   --report-in    seconds the new version has to fetch policy and send a heartbeat
#
# It copies the installed version into previous/ (an unpacked-tarball layout), installs the new
# version with the new install-agent.sh (which stops and starts the agent), then waits for the
# new agent to write $state/upgrade/reported-in. If the install fails, the new agent stops, or it
# does not report in in time, it reinstalls previous/ with its own install-agent.sh. Either way
# it writes the result file, which the agent then running reports to the site:
#
#   state=succeeded|rolled-back  code=<AGENT_UPGRADE_...>  reason=<one line>  finished=<ISO time>
set -u

lib_dir=""
attempt_dir=""
new_dir=""
to=""
report_in=120
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "upgrade-agent.sh: $1 needs a value" >&2; exit 10; }
  case "$1" in
    --lib-dir) lib_dir=$2 ;;
    --attempt-dir) attempt_dir=$2 ;;
    --new) new_dir=$2 ;;
    --to) to=$2 ;;
    --report-in) report_in=$2 ;;
    *) echo "upgrade-agent.sh: unknown argument $1" >&2; exit 10 ;;
  esac
  shift 2
done
for v in "$lib_dir" "$attempt_dir" "$new_dir" "$to"; do
  [ -n "$v" ] || { echo "upgrade-agent.sh: --lib-dir, --attempt-dir, --new and --to are required" >&2; exit 10; }
done
case "$report_in" in
  '' | *[!0-9]*) echo "upgrade-agent.sh: --report-in must be a number of seconds" >&2; exit 10 ;;
esac

conf() { sed -n "s/^$1=//p" "$lib_dir/install.conf" | head -n 1; }
prefix=$(conf prefix)
state_dir=$(conf state_dir)
service=$(conf service)
runtime=$(conf runtime)
node_bin=$(conf node)
marker="$state_dir/upgrade/reported-in"
prev="$attempt_dir/previous"
from=$(cat "$lib_dir/VERSION" 2>/dev/null || echo unknown)

say() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) upgrade-agent: $*"; }

finish() {
  # state code reason...
  _state=$1
  _code=$2
  shift 2
  _reason=$(printf '%s' "$*" | tr '\n\r' '  ' | cut -c 1-900)
  printf 'state=%s\ncode=%s\nreason=%s\nfinished=%s\n' "$_state" "$_code" "$_reason" \
    "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" >"$attempt_dir/result.new" &&
    mv -f "$attempt_dir/result.new" "$attempt_dir/result"
  say "$_state${_reason:+: $_reason}"
  exit 0
}

install_from() {
  # dir: runs that tree's install-agent.sh the way install.conf says the agent was installed.
  if [ "$runtime" = node ] && [ -n "$node_bin" ]; then
    "$1/install-agent.sh" --prefix "${prefix:-/}" --state-dir "$state_dir" --service "$service" --node "$node_bin"
  else
    "$1/install-agent.sh" --prefix "${prefix:-/}" --state-dir "$state_dir" --service "$service"
  fi
}

rollback() {
  # code reason...
  _rcode=$1
  shift
  _why="$*"
  say "rolling back to $from: $_why"
  if out=$(install_from "$prev" 2>&1); then
    finish rolled-back "$_rcode" "$_why"
  fi
  finish rolled-back "$_rcode" "$_why; reinstalling $from failed too: $(printf '%s' "$out" | tail -n 1)"
}

# --- keep the installed version beside the new one, as an unpacked tarball ------------------
rm -rf "$prev"
mkdir -p "$prev/lib" "$prev/bin" || finish rolled-back AGENT_UPGRADE_INSTALL_FAILED "cannot write $prev"
for f in install-agent.sh upgrade-agent.sh VERSION steward-agent.service; do
  [ -f "$lib_dir/$f" ] && cp -p "$lib_dir/$f" "$prev/$f"
done
if [ -f "$lib_dir/steward-agent.mjs" ]; then
  cp -p "$lib_dir/steward-agent.mjs" "$prev/lib/steward-agent.mjs"
  if [ -f "$lib_dir/steward-collect.mjs" ]; then
    cp -p "$lib_dir/steward-collect.mjs" "$prev/lib/steward-collect.mjs"
  fi
elif [ -f "$lib_dir/steward-agent" ]; then
  cp -p "$lib_dir/steward-agent" "$prev/bin/steward-agent-sea"
fi
if [ ! -f "$prev/install-agent.sh" ] || [ ! -f "$prev/steward-agent.service" ]; then
  finish failed AGENT_UPGRADE_UNSUPPORTED_INSTALL "the installed version $from cannot be kept for a rollback (no install-agent.sh or unit template in $lib_dir)"
fi

# --- install the new version (install-agent.sh stops the running agent and starts the new) --
rm -f "$marker"
say "installing $to over $from"
if ! out=$(install_from "$new_dir" 2>&1); then
  detail=$(printf '%s\n' "$out" | sed -n 's/^STEWARD-INSTALL step=[a-z]* status=failed detail=//p' | tail -n 1)
  case "$out" in
    *"step=start status=failed"*)
      rollback AGENT_UPGRADE_NOT_STARTED "new version $to did not start: ${detail:-install-agent.sh failed}" ;;
    *)
      rollback AGENT_UPGRADE_INSTALL_FAILED "installing $to failed: ${detail:-$(printf '%s' "$out" | tail -n 1)}" ;;
  esac
fi

# --- wait for it to report in ----------------------------------------------------------------
started=$(date +%s)
while :; do
  if [ -f "$marker" ] && [ "$(cut -d ' ' -f 2 "$marker" 2>/dev/null)" = "$to" ]; then
    finish succeeded "" ""
  fi
  if [ "$service" = systemd ]; then
    if ! systemctl is-active --quiet steward-agent.service; then
      status=$(systemctl show -p ExecMainStatus --value steward-agent.service 2>/dev/null)
      rollback AGENT_UPGRADE_NOT_STARTED "new version $to exited with code ${status:-unknown} before reporting in"
    fi
  else
    pid=$(cat "$state_dir/agent.pid" 2>/dev/null)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      rollback AGENT_UPGRADE_NOT_STARTED "new version $to exited before reporting in: $(tail -n 1 "$state_dir/agent.log" 2>/dev/null)"
    fi
  fi
  if [ $(($(date +%s) - started)) -ge "$report_in" ]; then
    rollback AGENT_UPGRADE_NO_REPORT_IN "new version $to did not report in within $report_in s"
  fi
  sleep 1
done
