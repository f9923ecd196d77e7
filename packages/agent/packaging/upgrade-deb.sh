#!/bin/sh
# Steward agent self-upgrade helper for agents installed from the .deb (ADR 0036; the tarball's
# is upgrade-agent.sh, ADR 0027). The running agent copies it into the attempt folder and starts
# it outside itself (a new session with --service none, a transient systemd unit under systemd)
# once both .debs are downloaded and verified against the signed policy:
#
#   upgrade-deb.sh --root DIR --state-dir DIR --attempt-dir DIR --new-deb FILE
#                  --previous-deb FILE --to VERSION --service systemd|none --node PATH
#                  --report-in SECONDS --lock-wait SECONDS
#
#   --root          the dpkg installation root: / on a machine; a sandbox root (its own
#                   dpkg database) in tests, then dpkg runs with --root and
#                   --force-script-chrootless (DPKG_ROOT for the maintainer scripts)
#   --new-deb       the verified .deb of the new version
#   --previous-deb  the verified .deb of the running version (the rollback)
#   --service       systemd: the .deb's postinst restarts steward-agent.service (debhelper's
#                   snippet), the helper watches the unit; none: the helper stops the agent of
#                   $state/agent.pid and starts the installed one detached (as install-agent.sh
#                   --service none does), with --node
#   --lock-wait     how long to wait for apt/dpkg's lock before giving up (nothing replaced)
#
# It installs the new .deb with dpkg -i, then waits for the new agent to write
# $state/upgrade/reported-in. If dpkg fails, the new agent stops, or it does not report in in
# time, it reinstalls the previous .deb (a downgrade dpkg allows). It writes the same result file
# as upgrade-agent.sh (state=, code=, reason=, finished= lines).
set -u

root=""
state_dir=""
attempt_dir=""
new_deb=""
prev_deb=""
to=""
service=none
node_bin=node
report_in=120
lock_wait=120
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "upgrade-deb.sh: $1 needs a value" >&2; exit 10; }
  case "$1" in
    --root) root=$2 ;;
    --state-dir) state_dir=$2 ;;
    --attempt-dir) attempt_dir=$2 ;;
    --new-deb) new_deb=$2 ;;
    --previous-deb) prev_deb=$2 ;;
    --to) to=$2 ;;
    --service) service=$2 ;;
    --node) node_bin=$2 ;;
    --report-in) report_in=$2 ;;
    --lock-wait) lock_wait=$2 ;;
    *) echo "upgrade-deb.sh: unknown argument $1" >&2; exit 10 ;;
  esac
  shift 2
done
for v in "$root" "$state_dir" "$attempt_dir" "$new_deb" "$prev_deb" "$to"; do
  [ -n "$v" ] || { echo "upgrade-deb.sh: --root, --state-dir, --attempt-dir, --new-deb, --previous-deb and --to are required" >&2; exit 10; }
done
case "$service" in systemd | none) ;; *) echo "upgrade-deb.sh: --service must be systemd or none" >&2; exit 10 ;; esac
for n in "$report_in" "$lock_wait"; do
  case "$n" in '' | *[!0-9]*) echo "upgrade-deb.sh: --report-in and --lock-wait are seconds" >&2; exit 10 ;; esac
done

lib_dir="${root%/}/usr/lib/steward-agent"
marker="$state_dir/upgrade/reported-in"
pid_file="$state_dir/agent.pid"
log_file="$state_dir/agent.log"
installed() { dpkg-query --root="$root" -W -f '${Version}' steward-agent 2>/dev/null; }
from=$(installed)

say() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) upgrade-deb: $*"; }

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

# dpkg -i FILE, waiting for apt/dpkg's lock up to --lock-wait seconds. Returns 0 installed,
# 1 dpkg failed, 2 still locked (nothing done); dpkg's output is in $out.
dpkg_install() {
  _waited=0
  while :; do
    if [ "$root" = / ]; then
      out=$(dpkg -i "$1" 2>&1) && return 0
    else
      out=$(DPKG_ROOT=${root%/} dpkg --root="$root" --force-script-chrootless -i "$1" 2>&1) && return 0
    fi
    case "$out" in
      *"locked by another process"*) ;;
      *) return 1 ;;
    esac
    [ "$_waited" -ge "$lock_wait" ] && return 2
    say "apt/dpkg is busy (waited ${_waited} s of $lock_wait s)"
    sleep 2
    _waited=$((_waited + 2))
  done
}

stop_detached() {
  [ -f "$pid_file" ] || return 0
  _old=$(cat "$pid_file" 2>/dev/null)
  rm -f "$pid_file"
  [ -n "$_old" ] && kill -0 "$_old" 2>/dev/null || return 0
  kill -TERM "$_old" 2>/dev/null
  _i=0
  while kill -0 "$_old" 2>/dev/null && [ $_i -lt 450 ]; do
    sleep 0.1
    _i=$((_i + 1))
  done
  kill -KILL "$_old" 2>/dev/null || true
}

# Without a service manager the helper restarts the agent (the postinst does under systemd).
restart_detached() {
  [ "$service" = none ] || return 0
  stop_detached
  # From a subshell that exits at once: the agent is not this script's child, so one that exits
  # is reaped (not a zombie kill -0 would call alive).
  (
    STEWARD_AGENT_STATE_DIR=$state_dir setsid nohup "$node_bin" --max-semi-space-size=1 \
      --v8-pool-size=1 --lite-mode "$lib_dir/steward-agent.mjs" run >>"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
  )
}

one_line() { printf '%s\n' "$out" | grep -v '^$' | tail -n 1; }
lock_line() { printf '%s\n' "$out" | grep -m 1 'locked by another process' | sed 's/^dpkg: error: //'; }

# Under systemd the unit is stopped before the previous .deb goes in: with Restart=always, systemd
# otherwise starts the unit again on its own while dpkg replaces the files (seen in the VM test: a
# restart RestartSec after the failed start, mid-install), an agent of whichever files are there
# at that moment, which the postinst's restart then kills. Stopped, the postinst starts exactly
# one agent, the previous version; if the reinstall fails the unit is started again (whatever
# runs is better than nothing left to run).
stop_unit() { [ "$service" = systemd ] && systemctl stop steward-agent.service 2>/dev/null; return 0; }
start_unit() { [ "$service" = systemd ] && systemctl start steward-agent.service 2>/dev/null; return 0; }

rollback() {
  # code reason...
  _rcode=$1
  shift
  _why="$*"
  say "rolling back to $from: $_why"
  stop_unit
  dpkg_install "$prev_deb"
  case $? in
    0) restart_detached; finish rolled-back "$_rcode" "$_why" ;;
    2) start_unit; finish rolled-back "$_rcode" "$_why; reinstalling $from: apt/dpkg stayed busy for $lock_wait s ($(lock_line))" ;;
    *) start_unit; finish rolled-back "$_rcode" "$_why; reinstalling $from failed too: $(one_line)" ;;
  esac
}

# The unit's automatic restarts so far (systemd counts each one; 0 when it has none to say).
restarts() {
  _n=$(systemctl show -p NRestarts --value steward-agent.service 2>/dev/null)
  case "$_n" in '' | *[!0-9]*) echo 0 ;; *) echo "$_n" ;; esac
}

# --- install the new version ----------------------------------------------------------------
rm -f "$marker"
say "installing $to over $from (dpkg root $root, service $service)"
dpkg_install "$new_deb"
case $? in
  0) ;;
  2) finish failed AGENT_UPGRADE_DPKG_BUSY "apt/dpkg held its lock for $lock_wait s ($(lock_line)); nothing was replaced, $from still runs" ;;
  *) rollback AGENT_UPGRADE_INSTALL_FAILED "dpkg -i of $to failed: $(one_line)" ;;
esac
restart_detached
say "installed $(installed)"

# --- wait for it to report in ---------------------------------------------------------------
started=$(date +%s)
# A new version that exits at start is active, then "activating (auto-restart)" for RestartSec,
# then active again: a check of the state alone sees the exit only when it falls in that window,
# which a helper slowed down by load can keep missing until --report-in runs out. Systemd's
# restart counter going up is the exit seen whenever the helper looks.
[ "$service" = systemd ] && restarts_before=$(restarts)
while :; do
  if [ -f "$marker" ] && [ "$(cut -d ' ' -f 2 "$marker" 2>/dev/null)" = "$to" ]; then
    finish succeeded "" ""
  fi
  if [ "$service" = systemd ]; then
    if ! systemctl is-active --quiet steward-agent.service; then
      status=$(systemctl show -p ExecMainStatus --value steward-agent.service 2>/dev/null)
      rollback AGENT_UPGRADE_NOT_STARTED "new version $to exited with code ${status:-unknown} before reporting in"
    fi
    # Restarted meanwhile: systemd has already reset the exit status for the new process.
    now_restarts=$(restarts)
    if [ "$now_restarts" -gt "$restarts_before" ]; then
      rollback AGENT_UPGRADE_NOT_STARTED "new version $to exited before reporting in (systemd restarted it $((now_restarts - restarts_before)) times)"
    fi
  else
    pid=$(cat "$pid_file" 2>/dev/null)
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      rollback AGENT_UPGRADE_NOT_STARTED "new version $to exited before reporting in: $(tail -n 1 "$log_file" 2>/dev/null)"
    fi
  fi
  if [ $(($(date +%s) - started)) -ge "$report_in" ]; then
    rollback AGENT_UPGRADE_NO_REPORT_IN "new version $to did not report in within $report_in s"
  fi
  sleep 1
done
