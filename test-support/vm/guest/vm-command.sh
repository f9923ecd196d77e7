#!/bin/bash
# Command channel of Steward's VM tests (ADR 0044), on a serial port with no echo. The host
# writes one line per command: "<id> <base64 of a shell command>"; this runs it with bash (as
# root, stdin from /dev/null, a time limit of its own) and answers one line:
#   @@vm <id> <exit code> <base64 of stdout and stderr>@@
# Base64 keeps the framing safe whatever the command prints. "@@vm-ready@@" announces it.
set -u
tty=$1
stty -F "$tty" raw -echo 115200
exec <"$tty" >"$tty" 2>/dev/null
printf '\n@@vm-ready@@\n'
while IFS=' ' read -r id cmd; do
  [ -n "${id:-}" ] || continue
  script=$(printf '%s' "$cmd" | base64 -d 2>/dev/null) || { printf '@@vm %s 126 @@\n' "$id"; continue; }
  output=$(bash -c "$script" </dev/null 2>&1)
  rc=$?
  printf '@@vm %s %d %s@@\n' "$id" "$rc" "$(printf '%s' "$output" | base64 -w0)"
done
