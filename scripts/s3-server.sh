#!/usr/bin/env bash
# A real S3 server on one machine: a single-node OpenStack Swift (account, container, object and proxy servers, the
# proxy with s3api + tempauth; memcached when installed), everything on 127.0.0.1, everything under DIR.
#
#   scripts/s3-server.sh start DIR [PORT_BASE]   starts it (PORT_BASE defaults to 19080) and prints the endpoint
#   scripts/s3-server.sh stop DIR [--wipe]       stops exactly the processes start recorded; --wipe also unmounts
#                                                 the data tmpfs and removes DIR
#   scripts/s3-server.sh create-bucket DIR NAME  creates a bucket (a Swift container, through Swift's own API)
#   scripts/s3-server.sh kill-proxy DIR          SIGKILLs the proxy alone (as a crash would)
#   scripts/s3-server.sh start-proxy DIR         starts the proxy again, on the same port, and waits for it
#   scripts/s3-server.sh restart-proxy DIR       kill-proxy, then start-proxy
#   scripts/s3-server.sh endpoint DIR            prints the S3 endpoint URL
#
# Ports: proxy (the S3 endpoint) = PORT_BASE, account +1, container +2, object +3, memcached +4.
# S3: access key "test:tester", secret "testing", region us-east-1, path-style addressing. Signature v4 and v2.
# Packages (scripts/prerequisites.sh, vod_s3_server_packages): swift-proxy swift-object swift-container swift-account
# memcached, with --no-install-recommends; curl. Rings are built with Debian's /usr/bin/python3 (its swift module).
#
# Swift keeps object metadata in xattrs. ext4 caps a file's xattrs at about 4 KB, and an object over that fails with
# 507 (and the node is then skipped for a while), so as root the data directory is a tmpfs (S3_SERVER_TMPFS=0 turns
# that off); not as root, it stays on the file system DIR is on, with a warning: keep object metadata small.
set -uo pipefail

die() { echo "s3-server: $*" >&2; exit 1; }
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
command=$1
BASE=$2
case "$BASE" in /*) ;; *) BASE="$PWD/$BASE" ;; esac
ETC=$BASE/etc DATA=$BASE/data RUN=$BASE/run LOG=$BASE/log
STOP_WAIT=${S3_SERVER_STOP_WAIT:-10}    # seconds for a process to exit after SIGTERM (then SIGKILL)
START_WAIT=${S3_SERVER_START_WAIT:-30}  # seconds for the servers to answer

port_base() { cat "$RUN/port-base" 2>/dev/null || die "nothing started under $BASE"; }

# The recorded PID of one process, if it is still the process start recorded (its command line names this DIR, or
# for memcached its port): a PID that was reused by another process is never signalled.
live_pid() {
  local name=$1 pid expect
  pid=$(cat "$RUN/$name.pid" 2>/dev/null) || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  if [ "$name" = memcached ]; then expect="$(( $(port_base) + 4 ))"; else expect="$ETC/"; fi
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$expect" || return 1
  echo "$pid"
}

# stop_process NAME SIGNAL: sends SIGNAL and waits (bounded) for the process to exit; SIGKILL after STOP_WAIT s.
stop_process() {
  local name=$1 signal=$2 pid i
  pid=$(live_pid "$name") || { rm -f "$RUN/$name.pid"; return 0; }
  kill "-$signal" "$pid" 2>/dev/null
  for ((i = 0; i < STOP_WAIT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    # a zombie (its parent has not reaped it yet) no longer runs or holds its port
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
    echo "s3-server: $name ($pid) still running after ${STOP_WAIT}s, SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$RUN/$name.pid"
}

launch() {
  local name=$1
  # Own session (setsid): a Ctrl-C in the shell that ran start does not take the servers down with it.
  setsid "swift-$name-server" "$ETC/$name-server.conf" -v </dev/null >>"$LOG/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

# wait_up PORT...: until the proxy's healthcheck answers and the back ends accept connections, bounded; fails at once
# when one of the processes has exited (its port was taken, or its configuration is wrong).
wait_up() {
  local b=$1 i p ok name
  for ((i = 0; i < START_WAIT * 10; i++)); do
    for name in account container object proxy; do
      live_pid "$name" >/dev/null || {
        echo "s3-server: swift-$name-server exited during start-up (port taken?); last lines of $LOG/$name.log:" >&2
        tail -n 5 "$LOG/$name.log" >&2
        return 3
      }
    done
    ok=1
    for p in $((b + 1)) $((b + 2)) $((b + 3)); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/" || { ok=0; break; }; done
    [ $ok = 1 ] && curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$b/healthcheck" && return 0
    sleep 0.1
  done
  echo "s3-server: swift did not answer within ${START_WAIT}s; see $LOG" >&2
  return 1
}

print_endpoint() {
  echo "S3 endpoint http://127.0.0.1:$1 (access key test:tester, secret testing, region us-east-1, path-style)"
}

write_config() {
  local b=$1 user
  user=$(id -un)
  cat >"$ETC/swift.conf" <<EOF
[swift-hash]
swift_hash_path_suffix = vod-s3-server
[storage-policy:0]
name = Policy-0
default = yes
EOF
  common() {
    cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
devices = $DATA
mount_check = false
swift_dir = $ETC
user = $user
workers = 0
bind_timeout = 3
log_name = $2
EOF
  }
  local n p
  for n in account container object; do
    case $n in account) p=$((b + 1)) ;; container) p=$((b + 2)) ;; object) p=$((b + 3)) ;; esac
    { common "$p" "$n"; printf '[pipeline:main]\npipeline = %s-server\n[app:%s-server]\nuse = egg:swift#%s\n' "$n" "$n" "$n"; } >"$ETC/$n-server.conf"
  done
  local cache="" cache_filter=""
  if command -v memcached >/dev/null; then
    cache="cache "
    cache_filter="[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$((b + 4))"
  fi
  # bind_timeout = 3 (in common): a taken port ends start-up in seconds (exit 3), not after 30 s of retries.
  # error_suppression_interval = 0: a back end that failed once (a 507, a restart) is tried again at once, not after 60 s.
  { common "$b" proxy; cat <<EOF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging ${cache}s3api tempauth slo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
error_suppression_interval = 0
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
$cache_filter
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:slo]
use = egg:swift#slo
EOF
  } >"$ETC/proxy-server.conf"
}

build_rings() {   # 1 device, 1 replica, 2^8 partitions: one python run
  local b=$1
  [ -x /usr/bin/python3 ] || die "/usr/bin/python3 not found (install the swift packages: scripts/prerequisites.sh)"
  /usr/bin/python3 - "$ETC" "$((b + 1))" "$((b + 2))" "$((b + 3))" <<'PY' || die "ring building failed (is Debian's python3-swift installed?)"
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for name, port in (('account', sys.argv[2]), ('container', sys.argv[3]), ('object', sys.argv[4])):
    b = RingBuilder(8, 1, 1)
    b.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port), 'device': 'd1', 'weight': 100})
    b.rebalance()
    b.get_ring().save('%s/%s.ring.gz' % (etc, name))
PY
}

start() {
  local b=${1:-19080} name
  [[ $b =~ ^[0-9]+$ ]] && [ "$b" -ge 1024 ] && [ "$b" -le 65531 ] || die "PORT_BASE must be a number from 1024 to 65531"
  for name in account container object proxy; do command -v "swift-$name-server" >/dev/null ||
    die "swift-$name-server not found; install: apt-get install --no-install-recommends swift-proxy swift-object swift-container swift-account memcached"; done
  command -v curl >/dev/null || die "curl not found"
  mkdir -p "$ETC" "$DATA" "$RUN" "$LOG" || die "cannot create $BASE"

  if [ -f "$RUN/port-base" ]; then
    if [ "$(cat "$RUN/port-base")" = "$b" ] && live_pid proxy >/dev/null && curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$b/healthcheck"; then
      echo "s3-server: already running under $BASE"; print_endpoint "$b"; return 0
    fi
    stop_all   # what is left of an earlier start (a crash, another port base)
  fi

  if [ "${S3_SERVER_TMPFS:-1}" = 1 ] && ! mountpoint -q "$DATA"; then
    if [ "$(id -u)" = 0 ]; then
      mount -t tmpfs -o size=${S3_SERVER_TMPFS_SIZE:-4g},mode=755 vod-s3-server "$DATA" ||
        echo "s3-server: warning: could not mount a tmpfs on $DATA; objects with more than ~3 KB of metadata will fail on ext4" >&2
    else
      echo "s3-server: warning: not root, so no tmpfs on $DATA; on ext4, objects with more than ~3 KB of metadata fail (keep metadata small)" >&2
    fi
  fi
  mkdir -p "$DATA/d1"

  local previous
  previous=$(cat "$RUN/port-base" 2>/dev/null)
  write_config "$b"
  if [ ! -f "$ETC/object.ring.gz" ] || [ "$previous" != "$b" ]; then build_rings "$b"; fi
  echo "$b" >"$RUN/port-base"

  if command -v memcached >/dev/null; then   # optional: without it tempauth validates every token the slow way
    local as_user=()
    [ "$(id -u)" = 0 ] && as_user=(-u nobody)   # memcached refuses to run as root
    setsid memcached -l 127.0.0.1 -p "$((b + 4))" -U 0 -m 32 "${as_user[@]}" </dev/null >>"$LOG/memcached.log" 2>&1 &
    echo $! >"$RUN/memcached.pid"
  fi
  for name in account container object proxy; do launch "$name"; done

  local rc
  wait_up "$b"; rc=$?
  if [ $rc != 0 ]; then stop_all; return $rc; fi
  print_endpoint "$b"
}

stop_all() {
  local name
  for name in proxy account container object memcached; do stop_process "$name" TERM & done
  wait
}

stop() {
  [ -d "$BASE" ] || return 0
  stop_all
  if [ "${1:-}" = --wipe ]; then
    if mountpoint -q "$DATA"; then
      umount "$DATA" || { sleep 0.5; umount "$DATA"; } || die "could not unmount $DATA"
    fi
    rm -rf "$BASE"
  fi
}

kill_proxy() { port_base >/dev/null; stop_process proxy KILL; }

start_proxy() {
  local b
  b=$(port_base)
  if live_pid proxy >/dev/null; then die "the proxy is running already (pid $(cat "$RUN/proxy.pid"))"; fi
  launch proxy
  wait_up "$b" || return $?
  print_endpoint "$b"
}

# A bucket is a Swift container of the test account: made through Swift's own API (tempauth token), then s3api
# serves it as a bucket. Bucket names: 3-63 characters of a-z, 0-9, '-' and '.'.
create_bucket() {
  local name=${1:-} b headers storage token code
  [[ $name =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "not a bucket name: '$name' (3-63 of a-z 0-9 . -)"
  b=$(port_base)
  headers=$(curl -sf --max-time 10 -D - -o /dev/null -H 'X-Auth-User: test:tester' -H 'X-Auth-Key: testing' \
    "http://127.0.0.1:$b/auth/v1.0") || die "tempauth login failed on port $b"
  storage=$(printf '%s\n' "$headers" | tr -d '\r' | sed -n 's/^[Xx]-[Ss]torage-[Uu]rl: *//p')
  token=$(printf '%s\n' "$headers" | tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: *//p')
  [ -n "$storage" ] && [ -n "$token" ] || die "tempauth gave no storage URL or token"
  code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X PUT -H "X-Auth-Token: $token" "$storage/$name")
  case $code in
    201) echo "bucket $name created" ;;
    202) echo "bucket $name exists" ;;
    *) die "creating bucket $name: HTTP $code" ;;
  esac
}

case $command in
  start) start "${3:-}" ;;
  stop) stop "${3:-}" ;;
  create-bucket) create_bucket "${3:-}" ;;
  kill-proxy) kill_proxy ;;
  start-proxy) start_proxy ;;
  restart-proxy) kill_proxy && start_proxy ;;
  endpoint) echo "http://127.0.0.1:$(port_base)" ;;
  *) usage ;;
esac
