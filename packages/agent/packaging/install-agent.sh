#!/bin/sh
# Steward agent installer: the single place that puts an agent on a machine. Client push (over
# SSH), the site-served install script (/install.sh) and an administrator by hand all run this
# script from the unpacked agent tarball it sits in:
#
#   steward-agent/install-agent.sh    this script
#   steward-agent/VERSION             agent version
#   steward-agent/lib/steward-agent.mjs   the agent, bundled into one file (needs Node.js >= 20)
#   steward-agent/lib/steward-collect.mjs its inventory collection process (optional)
#   steward-agent/bin/steward-agent   wrapper used to run the agent from the unpacked tarball
#   steward-agent/steward-agent.service   systemd unit
#   steward-agent/upgrade-agent.sh    the agent's self-upgrade helper (ADR 0027)
#   steward-agent/bin/steward-agent-sea   (optional) single executable, used when there is no
#                                      Node.js >= 20 on the machine
#
# Usage (the contract; keep it stable, client push and /install.sh depend on it):
#
#   install-agent.sh --token <enrolment token> [--prefix DIR] [--state-dir DIR]
#                    [--service auto|systemd|none] [--node PATH] [--site-url URL]
#
#   --token      enrolment token (steward token create); needed unless already enrolled
#   --prefix     install root, default "/" (or $STEWARD_PREFIX): files go to
#                $prefix/usr/lib/steward-agent, $prefix/usr/bin/steward-agent and the unit to
#                $prefix/lib/systemd/system/steward-agent.service
#   --state-dir  agent state (identity, policy, outbox), default $prefix/var/lib/steward-agent
#                (or $STEWARD_STATE_DIR)
#   --service    auto (default): systemd when /run/systemd/system exists, otherwise none;
#                systemd: enable and (re)start the steward-agent unit;
#                none: start `steward-agent run` detached (setsid/nohup), pid file
#                $state/agent.pid, log $state/agent.log
#   --node       Node.js binary to run the agent with (default: `node` on PATH, must be >= 20)
#   --site-url   the site's agent URL, checked against the URL inside the token (optional)
#
# Re-running on an installed machine upgrades the files and restarts the agent; it does not enrol
# again when $state/device.json exists. Besides the agent it keeps, in $prefix/usr/lib/steward-agent,
# this script, upgrade-agent.sh, the unit template and install.conf (prefix, state directory,
# service manager, runtime): what the agent's self-upgrade needs to install the next version the
# same way, and to put this one back if the next one does not report in (ADR 0027).
#
# Output: one machine-readable line per step on stdout (human detail goes to stderr):
#
#   STEWARD-INSTALL step=<files|enrol|service|start> status=<ok|failed> detail=<text>
#
# Exit codes: 0 installed and running; 10 bad arguments; 20 files could not be installed;
# 30 enrolment failed; 40 the agent could not be started.
set -u

# STEWARD_INSTALL_TRACE=<file>: append "<epoch ms> <event>" per step (the push benchmark's
# per-host breakdown). Off unless set; costs one `date` per event when on.
trace() {
  [ -n "${STEWARD_INSTALL_TRACE:-}" ] || return 0
  printf '%s %s\n' "$(date +%s%3N)" "$*" >>"$STEWARD_INSTALL_TRACE" 2>/dev/null || true
}
trace start

EXIT_ARGS=10
EXIT_FILES=20
EXIT_ENROL=30
EXIT_START=40

report() {
  # step status detail...; the detail is one line (newlines folded) so a reader can split on it.
  _step=$1
  _status=$2
  shift 2
  _detail=$(printf '%s' "$*" | tr '\n\r' '  ')
  printf 'STEWARD-INSTALL step=%s status=%s detail=%s\n' "$_step" "$_status" "$_detail"
}

fail() {
  # step exit-code detail...
  _fstep=$1
  _fcode=$2
  shift 2
  report "$_fstep" failed "$*"
  exit "$_fcode"
}

usage() {
  echo "usage: install-agent.sh --token <token> [--prefix DIR] [--state-dir DIR] [--service auto|systemd|none] [--node PATH] [--site-url URL]" >&2
}

bad_args() {
  echo "install-agent.sh: $*" >&2
  usage
  exit "$EXIT_ARGS"
}

token=""
prefix="${STEWARD_PREFIX:-/}"
state_dir="${STEWARD_STATE_DIR:-}"
service=auto
node_bin=""
site_url=""

while [ $# -gt 0 ]; do
  case "$1" in
    --token | --prefix | --state-dir | --service | --node | --site-url)
      [ $# -ge 2 ] || bad_args "$1 needs a value"
      case "$1" in
        --token) token=$2 ;;
        --prefix) prefix=$2 ;;
        --state-dir) state_dir=$2 ;;
        --service) service=$2 ;;
        --node) node_bin=$2 ;;
        --site-url) site_url=$2 ;;
      esac
      shift 2
      ;;
    --token=*) token=${1#*=}; shift ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --state-dir=*) state_dir=${1#*=}; shift ;;
    --service=*) service=${1#*=}; shift ;;
    --node=*) node_bin=${1#*=}; shift ;;
    --site-url=*) site_url=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad_args "unknown argument: $1" ;;
  esac
done

case "$service" in
  auto | systemd | none) ;;
  *) bad_args "--service must be auto, systemd or none, not $service" ;;
esac
case "$prefix" in
  /*) ;;
  *) bad_args "--prefix must be an absolute path: $prefix" ;;
esac
prefix=${prefix%/}
[ -n "$state_dir" ] || state_dir="$prefix/var/lib/steward-agent"
case "$state_dir" in
  /*) ;;
  *) bad_args "--state-dir must be an absolute path: $state_dir" ;;
esac
if [ "$service" = auto ]; then
  if [ -d /run/systemd/system ]; then service=systemd; else service=none; fi
fi

src=$(cd "$(dirname "$0")" && pwd) || fail files "$EXIT_FILES" "cannot find the unpacked tarball"
lib_dir="$prefix/usr/lib/steward-agent"
bin_dir="$prefix/usr/bin"
unit_dir="$prefix/lib/systemd/system"
bin="$bin_dir/steward-agent"
unit="$unit_dir/steward-agent.service"
version=$(cat "$src/VERSION" 2>/dev/null) || fail files "$EXIT_FILES" "no VERSION in $src"

if [ -f "$state_dir/device.json" ]; then enrolled=yes; else enrolled=no; fi
if [ "$enrolled" = no ] && [ -z "$token" ]; then
  bad_args "--token is required (this machine is not enrolled yet)"
fi

# A field of an enrolment token, "stw1." + base64url(JSON {"u": url, "f": CA fingerprint, ...}).
token_field() {
  _b64=$(printf '%s' "${2#stw1.}" | tr -d ' \n' | tr '_-' '/+')
  case $((${#_b64} % 4)) in
    2) _b64="$_b64==" ;;
    3) _b64="$_b64=" ;;
  esac
  printf '%s' "$_b64" | base64 -d 2>/dev/null |
    sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"
}

# --- which runtime: Node.js >= 20, else the single executable if the tarball carries one -------
node_ok() {
  # `node --version` prints "v20.11.1" and exits before V8 starts: about 1 ms of CPU, where
  # `node -e` costs 60-80 ms (a full start), once per install on every pushed machine.
  _nv=$("$1" --version 2>/dev/null) || return 1
  _nv=${_nv#v}
  _major=${_nv%%.*}
  case "$_major" in
    '' | *[!0-9]*) return 1 ;;
  esac
  [ "$_major" -ge 20 ]
}
runtime=""
if [ -n "$node_bin" ]; then
  node_ok "$node_bin" || fail files "$EXIT_FILES" "$node_bin is not Node.js 20 or later"
  runtime=node
else
  node_bin=$(command -v node 2>/dev/null || true)
  if [ -n "$node_bin" ] && node_ok "$node_bin"; then
    runtime=node
  elif [ -x "$src/bin/steward-agent-sea" ]; then
    runtime=sea
  else
    fail files "$EXIT_FILES" "no Node.js 20 or later on this machine (use --node PATH or the single-executable package)"
  fi
fi
trace "runtime $runtime"
case "$node_bin" in
  /*) ;;
  "") ;;
  *) node_bin=$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin") ;;
esac

# --- step files: copy into place, each file replaced atomically (write beside, then rename) ---
put() {
  # mode source destination
  cp "$2" "$3.new.$$" && chmod "$1" "$3.new.$$" && mv -f "$3.new.$$" "$3"
}
install_files() {
  mkdir -p "$lib_dir" "$bin_dir" "$unit_dir" || return 1
  if [ "$runtime" = sea ]; then
    put 0755 "$src/bin/steward-agent-sea" "$lib_dir/steward-agent" || return 1
    rm -f "$lib_dir/steward-agent.mjs" "$lib_dir/steward-collect.mjs"
    target="exec '$lib_dir/steward-agent' \"\$@\""
  else
    put 0644 "$src/lib/steward-agent.mjs" "$lib_dir/steward-agent.mjs" || return 1
    # The inventory collection process (collect-process.ts); older tarballs have none, and the
    # agent then collects with steward-agent.mjs itself.
    if [ -f "$src/lib/steward-collect.mjs" ]; then
      put 0644 "$src/lib/steward-collect.mjs" "$lib_dir/steward-collect.mjs" || return 1
    else
      rm -f "$lib_dir/steward-collect.mjs"
    fi
    rm -f "$lib_dir/steward-agent"
    # The service (`run`) gets the same flags as the .deb's wrapper (ADR 0021, ADR 0075).
    target="if [ \"\$1\" = run ]; then exec '$node_bin' --max-semi-space-size=1 --v8-pool-size=1 --lite-mode '$lib_dir/steward-agent.mjs' \"\$@\"; fi
exec '$node_bin' '$lib_dir/steward-agent.mjs' \"\$@\""
  fi
  put 0755 "$src/install-agent.sh" "$lib_dir/install-agent.sh" || return 1
  put 0644 "$src/VERSION" "$lib_dir/VERSION" || return 1
  put 0644 "$src/steward-agent.service" "$lib_dir/steward-agent.service" || return 1
  if [ -f "$src/upgrade-agent.sh" ]; then
    put 0755 "$src/upgrade-agent.sh" "$lib_dir/upgrade-agent.sh" || return 1
  fi
  printf '# Written by install-agent.sh %s: how this agent was installed (read by the agent self-upgrade).\nprefix=%s\nstate_dir=%s\nservice=%s\nruntime=%s\nnode=%s\n' \
    "$version" "$prefix" "$state_dir" "$service" "$runtime" "$node_bin" >"$lib_dir/install.conf.new.$$" || return 1
  mv -f "$lib_dir/install.conf.new.$$" "$lib_dir/install.conf" || return 1
  printf '#!/bin/sh\n# Steward agent %s, installed by install-agent.sh.\nexport STEWARD_AGENT_STATE_DIR="${STEWARD_AGENT_STATE_DIR:-%s}"\n%s\n' \
    "$version" "$state_dir" "$target" >"$bin.new.$$" || return 1
  chmod 0755 "$bin.new.$$" && mv -f "$bin.new.$$" "$bin" || return 1
  # The unit names the installed paths; StateDirectory= only fits the default state directory.
  if [ "$state_dir" = /var/lib/steward-agent ]; then keep_state='^NO-SUCH-LINE$'; else keep_state='^StateDirectory'; fi
  sed -e "/$keep_state/d" \
    -e "s|/usr/bin/steward-agent|$bin|g" \
    -e "s|/var/lib/steward-agent|$state_dir|g" \
    "$src/steward-agent.service" >"$unit.new.$$" || return 1
  chmod 0644 "$unit.new.$$" && mv -f "$unit.new.$$" "$unit" || return 1
  mkdir -p "$state_dir" && chmod 0700 "$state_dir"
}
if [ -f "$lib_dir/VERSION" ]; then
  previous=$(cat "$lib_dir/VERSION" 2>/dev/null)
  action="upgraded $previous to $version"
else
  action="installed $version"
fi
install_files || fail files "$EXIT_FILES" "could not write under $prefix"
report files ok "$action ($runtime) in $lib_dir"
trace files

# --- step enrol: once; an enrolled machine keeps its identity ----------------------------------
if [ "$enrolled" = yes ]; then
  report enrol ok "already enrolled, keeping $state_dir/device.json"
else
  if [ -n "$site_url" ]; then
    token_url=$(token_field u "$token")
    [ "${token_url%/}" = "${site_url%/}" ] ||
      fail enrol "$EXIT_ENROL" "the token names site ${token_url:-(unreadable token)}, not $site_url"
  fi
  out=$(STEWARD_AGENT_STATE_DIR=$state_dir "$bin" enroll --token "$token" 2>&1)
  code=$?
  if [ $code -ne 0 ]; then
    echo "$out" >&2
    fail enrol "$EXIT_ENROL" "exit $code: $(printf '%s' "$out" | tail -n 1)"
  fi
  report enrol ok "$out"
fi
trace enrolled

# --- steps service and start ------------------------------------------------------------------
pid_file="$state_dir/agent.pid"
log_file="$state_dir/agent.log"

stop_detached() {
  [ -f "$pid_file" ] || return 0
  old=$(cat "$pid_file" 2>/dev/null)
  rm -f "$pid_file"
  [ -n "$old" ] && kill -0 "$old" 2>/dev/null || return 0
  # SIGTERM: the agent records its stop and keeps its outbox (systemd allows it 45 s as well).
  kill -TERM "$old" 2>/dev/null
  i=0
  while kill -0 "$old" 2>/dev/null && [ $i -lt 450 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill -KILL "$old" 2>/dev/null || true
}

if [ "$service" = systemd ]; then
  command -v systemctl >/dev/null 2>&1 || fail service "$EXIT_START" "systemctl not found"
  stop_detached
  systemctl daemon-reload >/dev/null 2>&1
  if [ "$unit" = /lib/systemd/system/steward-agent.service ]; then
    systemctl enable steward-agent.service >/dev/null 2>&1 ||
      fail service "$EXIT_START" "systemctl enable steward-agent failed"
  else
    # A unit outside systemd's search path is linked in by its full path.
    systemctl enable "$unit" >/dev/null 2>&1 ||
      fail service "$EXIT_START" "systemctl enable $unit failed"
  fi
  report service ok "systemd unit steward-agent.service enabled"
  systemctl restart steward-agent.service >/dev/null 2>&1 ||
    fail start "$EXIT_START" "systemctl restart steward-agent failed: $(systemctl status steward-agent.service 2>&1 | tail -n 3)"
  systemctl is-active --quiet steward-agent.service ||
    fail start "$EXIT_START" "steward-agent.service is not active"
  report start ok "systemd steward-agent.service active"
  exit 0
fi

stop_detached
report service ok "no service manager: detached process, pid file $pid_file, log $log_file"
start_detached() {
  if command -v setsid >/dev/null 2>&1; then
    STEWARD_AGENT_STATE_DIR=$state_dir setsid nohup "$bin" run >>"$log_file" 2>&1 </dev/null &
  else
    STEWARD_AGENT_STATE_DIR=$state_dir nohup "$bin" run >>"$log_file" 2>&1 </dev/null &
  fi
  echo $! >"$pid_file"
}
log_before=0
if [ -f "$log_file" ]; then log_before=$(wc -c <"$log_file"); fi
start_detached || fail start "$EXIT_START" "could not start $bin run"
pid=$(cat "$pid_file")
# A broken runtime or state dies at once; give it a moment to show it (up to 1 s), and stop
# waiting as soon as the agent logs that it started (identity read, state locked, outbox open):
# a push holds an SSH session for this wait.
i=0
while [ $i -lt 10 ]; do
  kill -0 "$pid" 2>/dev/null || break
  tail -c "+$((log_before + 1))" "$log_file" 2>/dev/null | grep -q ' started: device ' && break
  sleep 0.1
  i=$((i + 1))
done
if ! kill -0 "$pid" 2>/dev/null; then
  # Our child: its exit status is still there to collect.
  wait "$pid"
  code=$?
  rm -f "$pid_file"
  fail start "$EXIT_START" "the agent exited at once with code $code: $(tail -n 3 "$log_file" 2>/dev/null)"
fi
report start ok "pid $pid"
trace started
exit 0
