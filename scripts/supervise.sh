#!/usr/bin/env bash
# Keeps one process of the stack running: starts COMMAND, writes its pid to PIDFILE, and when it exits (crash, SIGKILL,
# out of memory) logs its name and exit status and starts it again, after 1 s, then 2, 4 ... up to 30 s while it keeps
# dying (back to 1 s once a run lasted a minute). SIGTERM or SIGINT stops it: the process gets SIGCONT (in case it was
# stopped) and SIGTERM, and the supervisor exits once it has. The pid file always names the running process, so chaos
# tools and operators can signal it.
#
# Usage: supervise.sh NAME PIDFILE LOGFILE -- COMMAND [ARGS...]
set -u
name=$1 pidfile=$2 log=$3
shift 3
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || { echo "usage: supervise.sh NAME PIDFILE LOGFILE -- COMMAND [ARGS...]" >&2; exit 2; }

stopping='' child=''
stop() {
  stopping=1
  if [ -n "$child" ]; then
    kill -CONT "$child" 2>/dev/null
    kill -TERM "$child" 2>/dev/null
  fi
}
trap stop TERM INT

say() { echo "$(date '+%H:%M:%S') supervisor: $*"; }

describe() { # exit status -> words
  if [ "$1" -gt 128 ]; then echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"; else echo "exit code $1"; fi
}

backoff=1
while [ -z "$stopping" ]; do
  started=$(date +%s)
  "$@" >>"$log" 2>&1 </dev/null &
  child=$!
  echo "$child" >"$pidfile.tmp" && mv -f "$pidfile.tmp" "$pidfile"
  # wait returns early when a trapped signal arrives: wait again until the child has really gone.
  status=0
  while :; do
    wait "$child" 2>/dev/null; status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  [ -n "$stopping" ] && break
  if [ $(($(date +%s) - started)) -ge 60 ]; then backoff=1; fi
  say "$name (pid $child) exited, $(describe "$status"); restarting in ${backoff} s"
  sleep "$backoff" &
  wait $! 2>/dev/null
  backoff=$((backoff * 2 > 30 ? 30 : backoff * 2))
done
rm -f "$pidfile"
say "$name stopped"
