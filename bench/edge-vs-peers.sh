#!/usr/bin/env bash
# edge-vs-peers.sh: cache-HIT throughput of our edge (src/Edge, Vod.Edge) against nginx proxy_cache, Varnish and
# Apache Traffic Server, all four in front of the same nginx origin, on the same three requests (whole 2.4 MiB segment,
# a 64 KiB range of it, the media playlist). A fourth system, the "Kestrel floor" (bench/KestrelFloor), is Kestrel tuned as the edge and
# answering from byte arrays with no other work: the ceiling for any Kestrel-based edge on these rows. Servers and wrk
# are configured as the peers' baselines in /work/shared/bench (lib.sh, 03_varnish.sh, 04_nginx_edge.sh); see
# bench/README.md.
#
# Self-contained: installs missing tools (apt-get), generates media once outside the repo, builds the edge,
# starts every server on 127.0.0.1 (ports PORT_BASE..PORT_BASE+7, inside 18000-18999), stops them all by PID.
#
# Environment knobs (all optional):
#   WORK=/tmp/vod-bench   media, configs, caches, logs (never inside the repo)
#   RUNS=3                repetitions per (row, system); the median of each metric is reported
#   WRK_DUR=10s           duration of each measured wrk run;  WRK_WARM=1s  discarded warm-up run per (row, system)
#   WRK_THREADS=1         wrk -t (the box has 2 cores, shared by wrk and the server; the baselines use -t1)
#   WRK_CONN=32           wrk -c
#   PORT_BASE=18600       origin=+0 nginx-edge=+1 varnish=+2 varnish-CLI=+3 redis=+4 our edge=+5 Kestrel floor=+6
#                         Traffic Server=+7
#   SKIP_BUILD=1          do not run `dotnet build` (use the existing Release build)
#   ONLY_ROWS="range"     measure only these rows (seg range playlist); ONLY_SYSTEMS="ours nginx" only these systems
#                         (ours nginx varnish ats floor)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/tmp/vod-bench}
RUNS=${RUNS:-3}
WRK_DUR=${WRK_DUR:-10s}
WRK_WARM=${WRK_WARM:-1s}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONN=${WRK_CONN:-32}
PORT_BASE=${PORT_BASE:-18600}

P_ORIGIN=$PORT_BASE
P_NGX_EDGE=$((PORT_BASE + 1))
P_VARNISH=$((PORT_BASE + 2))
P_VARNISH_ADM=$((PORT_BASE + 3))
P_REDIS=$((PORT_BASE + 4))
P_OURS=$((PORT_BASE + 5))
P_FLOOR=$((PORT_BASE + 6))
P_ATS=$((PORT_BASE + 7))

TITLE=aaaaaaaaaaaa
REL=titles/$TITLE/v1/720p
DOCROOT=$WORK/docroot
MEDIA_DIR=$DOCROOT/$REL
RUN=$WORK/run
EDGE_DLL=$REPO/src/Edge/bin/Release/net10.0/Vod.Edge.dll
FLOOR_PROJ=$REPO/bench/KestrelFloor/KestrelFloor.csproj
FLOOR_DLL=$REPO/bench/KestrelFloor/bin/Release/net10.0/Vod.Bench.KestrelFloor.dll

die() { echo "ERROR: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

# ---------------------------------------------------------------- arguments and sanity checks
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ $WRK_THREADS =~ ^[1-9][0-9]*$ && $WRK_CONN =~ ^[1-9][0-9]*$ ]] || die "WRK_THREADS and WRK_CONN must be positive integers"
(( WRK_CONN >= WRK_THREADS )) || die "WRK_CONN ($WRK_CONN) must be >= WRK_THREADS ($WRK_THREADS)"
[[ $PORT_BASE =~ ^[0-9]+$ ]] && (( PORT_BASE >= 18000 && PORT_BASE + 7 <= 18999 )) ||
  die "PORT_BASE must keep all eight ports inside 18000-18999 (got '$PORT_BASE')"
to_seconds() { # 10s | 2m | 1h | 15 -> seconds
  local v=$1
  [[ $v =~ ^([0-9]+)([smh]?)$ ]] || die "bad duration '$v' (use e.g. 10s, 2m)"
  case ${BASH_REMATCH[2]} in m) echo $((BASH_REMATCH[1] * 60)) ;; h) echo $((BASH_REMATCH[1] * 3600)) ;; *) echo "${BASH_REMATCH[1]}" ;; esac
}
DUR_S=$(to_seconds "$WRK_DUR"); WARM_S=$(to_seconds "$WRK_WARM")
(( DUR_S > 0 )) || die "WRK_DUR must be > 0"
case "$WORK/" in "$REPO"/*) die "WORK ($WORK) must be outside the repository ($REPO)" ;; esac

# ---------------------------------------------------------------- 1. tools
source "$REPO/scripts/prerequisites.sh" # apt-get as root or with passwordless sudo, and says what it did
vod_require_tools nginx:nginx varnishd:varnish traffic_server:trafficserver wrk:wrk redis-server:redis-server ffmpeg:ffmpeg \
  curl:curl python3:python3 >&2 ||
  die "could not install the missing tools"
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"

mkdir -p "$WORK" "$RUN"

# ---------------------------------------------------------------- process bookkeeping (stop everything by PID)
PIDS=()
track() { PIDS+=("$1"); }
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  ((rc == 0)) || echo "edge-vs-peers.sh failed (exit $rc); server logs are in $RUN" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # wait_port PORT PID NAME [seconds]
  local port=$1 pid=$2 name=$3 t=${4:-20}
  for _ in $(seq 1 $((t * 10))); do
    port_open "$port" && return 0
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) exited before opening port $port; see its log in $RUN"
    sleep 0.1
  done
  die "$name did not open 127.0.0.1:$port within ${t}s; see its log in $RUN"
}
for p in $P_ORIGIN $P_NGX_EDGE $P_VARNISH $P_VARNISH_ADM $P_REDIS $P_OURS $P_FLOOR $P_ATS; do
  ! port_open "$p" || die "127.0.0.1:$p is already in use (set PORT_BASE to another free block of 8 ports in 18000-18999)"
done

# ---------------------------------------------------------------- 2. media (generated once)
if [ -s "$MEDIA_DIR/index.m3u8" ] && [ -s "$MEDIA_DIR/media.mp4" ] && [ -s "$MEDIA_DIR/seg.m4s" ] && [ -f "$MEDIA_DIR/.complete" ]; then
  log "media already generated in $MEDIA_DIR"
else
  log "generating media in $MEDIA_DIR (ffmpeg lavfi, 30 s 1280x720 H.264 CBR 5 Mb/s, HLS fMP4 single file, 4 s segments)"
  rm -rf "$MEDIA_DIR.tmp"; mkdir -p "$MEDIA_DIR.tmp"
  # light temporal noise so x264 actually spends its CBR budget: a 4 s segment is then ~2.4 MiB
  ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=30" -vf "noise=alls=12:allf=t" \
    -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
    -b:v 5M -maxrate 5M -bufsize 5M -x264-params "nal-hrd=cbr:scenecut=0" \
    -g 120 -keyint_min 120 -force_key_frames "expr:gte(t,n_forced*4)" \
    -f hls -hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4 -hls_flags single_file+independent_segments \
    -hls_segment_filename "$MEDIA_DIR.tmp/media.mp4" "$MEDIA_DIR.tmp/index.m3u8" 2>"$RUN/ffmpeg.log" ||
    die "ffmpeg failed, see $RUN/ffmpeg.log"
  # seg.m4s = the bytes of the media segment (moof+mdat) whose size is closest to 2.4 MiB, cut out with dd
  target=$((2516582))   # 2.4 MiB
  read -r seg_len seg_off < <(grep -o '^#EXT-X-BYTERANGE:[0-9]*@[0-9]*' "$MEDIA_DIR.tmp/index.m3u8" | cut -d: -f2 | tr '@' ' ' |
    awk -v t=$target '{d=$1-t; if (d<0) d=-d; print d, $1, $2}' | sort -n | head -1 | cut -d' ' -f2-) ||
    die "no EXT-X-BYTERANGE in the generated playlist (is ffmpeg's single_file supported?)"
  if (( seg_len < target * 85 / 100 || seg_len > target * 115 / 100 )); then
    log "closest segment is $seg_len B, not ~2.4 MiB: using the first 2.4 MiB of media.mp4 instead"
    seg_len=$target; seg_off=0
  fi
  dd if="$MEDIA_DIR.tmp/media.mp4" of="$MEDIA_DIR.tmp/seg.m4s" bs=1M iflag=skip_bytes,count_bytes \
     skip="$seg_off" count="$seg_len" status=none
  [ "$(stat -c %s "$MEDIA_DIR.tmp/seg.m4s")" = "$seg_len" ] || die "dd cut a wrong-sized seg.m4s"
  echo "$seg_off $seg_len" > "$MEDIA_DIR.tmp/.complete"
  rm -rf "$MEDIA_DIR"; mv "$MEDIA_DIR.tmp" "$MEDIA_DIR"
fi
SEG_FILE=$MEDIA_DIR/seg.m4s; PL_FILE=$MEDIA_DIR/index.m3u8
SEG_SIZE=$(stat -c %s "$SEG_FILE"); PL_SIZE=$(stat -c %s "$PL_FILE"); MP4_SIZE=$(stat -c %s "$MEDIA_DIR/media.mp4")
read -r SEG_OFF _ < "$MEDIA_DIR/.complete"
RANGE_HDR="bytes=0-65535"; RANGE_LEN=65536
(( SEG_SIZE > RANGE_LEN )) || die "seg.m4s is smaller than the 64 KiB range"
cat "$SEG_FILE" "$PL_FILE" "$MEDIA_DIR/media.mp4" > /dev/null   # warm the page cache
echo "media: /$REL/index.m3u8 $PL_SIZE B, media.mp4 $MP4_SIZE B, seg.m4s $SEG_SIZE B ($(awk -v s="$SEG_SIZE" 'BEGIN{printf "%.2f", s/1048576}') MiB, bytes $SEG_OFF.. of media.mp4)"

# ---------------------------------------------------------------- build our edge (and the Kestrel floor, which builds it too)
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  [ -f "$EDGE_DLL" ] && [ -f "$FLOOR_DLL" ] || die "SKIP_BUILD=1 but $EDGE_DLL or $FLOOR_DLL does not exist"
  log "SKIP_BUILD=1: using the existing $EDGE_DLL and $FLOOR_DLL"
else
  log "dotnet build $FLOOR_PROJ -c Release (builds the edge with it)"
  dotnet build "$FLOOR_PROJ" -c Release -nologo -v q >"$RUN/dotnet-build.log" 2>&1 || { tail -30 "$RUN/dotnet-build.log" >&2; die "dotnet build failed (full log: $RUN/dotnet-build.log)"; }
  [ -f "$EDGE_DLL" ] && [ -f "$FLOOR_DLL" ] || die "build succeeded but $EDGE_DLL or $FLOOR_DLL is missing"
fi

# ---------------------------------------------------------------- 3. servers
NGX_USER=""; [ "$(id -u)" = 0 ] && NGX_USER="user root;"

start_nginx() { # start_nginx NAME PORT CONF_BODY(http block contents)
  local name=$1 port=$2 body=$3 d=$RUN/$1
  rm -rf "$d"; mkdir -p "$d/logs" "$d/tmp" "$d/cache"
  cat > "$d/nginx.conf" <<EOF
$NGX_USER
worker_processes auto;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body; proxy_temp_path $d/tmp/proxy; fastcgi_temp_path $d/tmp/fcgi;
  uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;
$body
}
EOF
  nginx -t -q -e "$d/logs/error.log" -c "$d/nginx.conf" -g 'daemon off;' 2>"$d/logs/configtest.log" ||
    { cat "$d/logs/configtest.log" >&2; die "nginx $name config test failed ($d/nginx.conf)"; }
  nginx -e "$d/logs/error.log" -c "$d/nginx.conf" -g 'daemon off;' 2>>"$d/logs/stderr.log" &
  track $!
  wait_port "$port" $! "nginx $name"
}

# origin: as lib.sh start_nginx_origin (sendfile on, tcp_nopush on, open_file_cache) + /healthz for our edge's /readyz
start_nginx origin "$P_ORIGIN" "
  include /etc/nginx/mime.types;
  types { video/iso.segment m4s; }
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  open_file_cache max=10000 inactive=60s;
  server {
    listen 127.0.0.1:$P_ORIGIN;
    root $DOCROOT;
    location = /healthz { access_log off; default_type text/plain; return 200 \"ok\n\"; }
  }"

# nginx proxy_cache edge: as lib.sh start_nginx_edge (proxy_cache_lock on, 200 cached 1h, key \$uri, sendfile on,
# tcp_nopush off). No slice module: with proxy_cache on, nginx does not forward Range/If-Range upstream, caches the
# whole 200 and serves ranges (206) from the cached object with its range filter.
start_nginx nginx-edge "$P_NGX_EDGE" "
  sendfile on;
  tcp_nopush off;
  tcp_nodelay on;
  keepalive_requests 1000000;
  open_file_cache max=10000 inactive=60s;
  proxy_cache_path $RUN/nginx-edge/cache levels=1:2 keys_zone=edge:50m max_size=1g inactive=60m use_temp_path=off;
  upstream origin { server 127.0.0.1:$P_ORIGIN; keepalive 32; }
  server {
    listen 127.0.0.1:$P_NGX_EDGE;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_cache edge;
      proxy_cache_lock on;
      proxy_cache_valid 200 1h;
      proxy_cache_key \$uri;
      add_header X-Cache-Status \$upstream_cache_status;
    }
  }"

# Varnish: as lib.sh start_varnish (malloc 1G, beresp.ttl 1h, builtin VCL otherwise: whole object fetched, ranges
# answered from cache)
mkdir -p "$RUN/varnish"; rm -rf "$RUN/varnish/work"
cat > "$RUN/varnish/bench.vcl" <<EOF
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$P_ORIGIN"; }
sub vcl_backend_response { set beresp.ttl = 1h; }
sub vcl_deliver { if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; } }
EOF
varnishd -F -n "$RUN/varnish/work" -a "127.0.0.1:$P_VARNISH" -T "127.0.0.1:$P_VARNISH_ADM" \
  -f "$RUN/varnish/bench.vcl" -s malloc,1G >"$RUN/varnish/varnishd.log" 2>&1 &
track $!
wait_port "$P_VARNISH" $! varnishd 30

# Apache Traffic Server 9 as a reverse proxy: its own default threads (1.5 per core) and a 1 GiB RAM cache in front
# of a 1 GiB cache file (every object here fits the RAM cache's 4 MiB cutoff, so hits come from memory, as Varnish
# malloc's). The nginx origin sends no Cache-Control, so freshness is the heuristic, pinned to 1 h like the other
# peers. A range miss is passed to the origin and, with the background_fetch plugin (ATS's way for video), starts a
# fetch of the whole object into the cache, from which later ranges are answered. No access log, like the other peers. X-Cache: HIT is added for fresh hits (header_rewrite) for the warm-up check. A private
# runroot keeps its config, cache, logs and lock under $RUN/ats; started as root, it runs as the package's
# trafficserver user (it refuses to serve as root).
ATS_DIR=$RUN/ats
rm -rf "$ATS_DIR"; mkdir -p "$ATS_DIR/etc" "$ATS_DIR/cache" "$ATS_DIR/run" "$ATS_DIR/log"
cp -r /etc/trafficserver/. "$ATS_DIR/etc/"
ATS_USER=$(id -un); [ "$(id -u)" = 0 ] && ATS_USER=trafficserver
cat > "$ATS_DIR/runroot.yaml" <<EOF
prefix: /usr
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: $ATS_DIR/etc
datadir: $ATS_DIR/cache
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: $ATS_DIR
runtimedir: $ATS_DIR/run
logdir: $ATS_DIR/log
cachedir: $ATS_DIR/cache
EOF
cat > "$ATS_DIR/etc/records.config" <<EOF
CONFIG proxy.config.http.server_ports STRING $P_ATS:ip-in=127.0.0.1
CONFIG proxy.config.admin.user_id STRING $ATS_USER
CONFIG proxy.config.url_remap.remap_required INT 1
CONFIG proxy.config.reverse_proxy.enabled INT 1
CONFIG proxy.config.http.cache.http INT 1
CONFIG proxy.config.http.cache.required_headers INT 0
CONFIG proxy.config.http.cache.heuristic_min_lifetime INT 3600
CONFIG proxy.config.http.cache.heuristic_max_lifetime INT 3600
CONFIG proxy.config.cache.ram_cache.size INT 1073741824
CONFIG proxy.config.http.insert_response_via_str INT 0
CONFIG proxy.config.log.logging_enabled INT 0
CONFIG proxy.config.diags.debug.enabled INT 0
EOF
echo "$ATS_DIR/cache 1G" > "$ATS_DIR/etc/storage.config"
echo "background_fetch.so" > "$ATS_DIR/etc/plugin.config"
printf 'cond %%{SEND_RESPONSE_HDR_HOOK} [AND]\ncond %%{CACHE} =hit-fresh\nset-header X-Cache HIT\n' > "$ATS_DIR/etc/xcache.conf"
echo "map http://127.0.0.1:$P_ATS/ http://127.0.0.1:$P_ORIGIN/ @plugin=header_rewrite.so @pparam=$ATS_DIR/etc/xcache.conf" \
  > "$ATS_DIR/etc/remap.config"
[ "$(id -u)" = 0 ] && chown -R trafficserver "$ATS_DIR/cache" "$ATS_DIR/run" "$ATS_DIR/log"
TS_RUNROOT=$ATS_DIR/runroot.yaml traffic_server >"$ATS_DIR/traffic_server.log" 2>&1 &
track $!
wait_port "$P_ATS" $! "traffic_server" 30

# Redis (L2 of our edge): no persistence
mkdir -p "$RUN/redis"
redis-server --bind 127.0.0.1 --port "$P_REDIS" --save '' --appendonly no --daemonize no --dir "$RUN/redis" \
  --logfile "$RUN/redis/redis.log" &
track $!
wait_port "$P_REDIS" $! redis-server

# our edge
mkdir -p "$RUN/edge"
ASPNETCORE_URLS="http://127.0.0.1:$P_OURS" Origin__BaseUrl="http://127.0.0.1:$P_ORIGIN" \
Redis__Configuration="127.0.0.1:$P_REDIS" Logging__LogLevel__Default=Warning DOTNET_NOLOGO=1 \
  dotnet "$EDGE_DLL" >"$RUN/edge/edge.log" 2>&1 &
OURS_PID=$!; track $OURS_PID
wait_port "$P_OURS" $OURS_PID "our edge (Vod.Edge)" 60
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_OURS/readyz")" = 200 ] && break
  kill -0 $OURS_PID 2>/dev/null || die "our edge exited; see $RUN/edge/edge.log"
  sleep 0.2
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_OURS/readyz")" = 200 ] ||
  die "our edge is not ready: $(curl -s "http://127.0.0.1:$P_OURS/readyz")"

# the Kestrel floor: the edge's Kestrel settings, the docroot's files loaded into memory, nothing else
mkdir -p "$RUN/floor"
ASPNETCORE_URLS="http://127.0.0.1:$P_FLOOR" FLOOR_DOCROOT="$DOCROOT" DOTNET_NOLOGO=1 dotnet "$FLOOR_DLL" >"$RUN/floor/floor.log" 2>&1 &
FLOOR_PID=$!; track $FLOOR_PID
wait_port "$P_FLOOR" $FLOOR_PID "Kestrel floor (Vod.Bench.KestrelFloor)" 60

SYSTEMS=(${ONLY_SYSTEMS:-ours nginx varnish ats floor})
declare -A BASE=([ours]="http://127.0.0.1:$P_OURS" [nginx]="http://127.0.0.1:$P_NGX_EDGE" [varnish]="http://127.0.0.1:$P_VARNISH"
                 [ats]="http://127.0.0.1:$P_ATS" [floor]="http://127.0.0.1:$P_FLOOR")
declare -A SYSNAME=([ours]="ours (Vod.Edge)" [nginx]="nginx proxy_cache" [varnish]="varnish malloc" [ats]="Traffic Server"
                    [floor]="Kestrel floor")
for sys in "${SYSTEMS[@]}"; do [ -n "${BASE[$sys]:-}" ] || die "unknown system '$sys' in ONLY_SYSTEMS (use: ours nginx varnish ats floor)"; done
ROWS=(${ONLY_ROWS:-seg range playlist})
declare -A ROWNAME=([seg]="(a) seg.m4s $SEG_SIZE B" [range]="(b) seg.m4s range 0-65535" [playlist]="(c) index.m3u8 $PL_SIZE B")
declare -A ROWURL=([seg]="/$REL/seg.m4s" [range]="/$REL/seg.m4s" [playlist]="/$REL/index.m3u8")
declare -A ROWRANGE=([seg]="" [range]="$RANGE_HDR" [playlist]="")
declare -A ROWSTATUS=([seg]=200 [range]=206 [playlist]=200)
declare -A ROWBODY=([seg]=$SEG_SIZE [range]=$RANGE_LEN [playlist]=$PL_SIZE)
head -c $RANGE_LEN "$SEG_FILE" > "$RUN/expect.range"
declare -A ROWEXPECT=([seg]="$SEG_FILE" [range]="$RUN/expect.range" [playlist]="$PL_FILE")

# ---------------------------------------------------------------- 4a. warm every cache, check status, bytes, HIT
fetch() { # fetch SYS ROW -> "status size cachehdr"; body in $RUN/body, headers in $RUN/hdr
  local sys=$1 row=$2 args=(-s -o "$RUN/body" -D "$RUN/hdr" -w '%{http_code} %{size_download}')
  [ -n "${ROWRANGE[$row]}" ] && args+=(-H "Range: ${ROWRANGE[$row]}")
  local out; out=$(curl "${args[@]}" "${BASE[$sys]}${ROWURL[$row]}") || out="000 0"
  echo "$out $(grep -iE '^x-cache(-status)?:' "$RUN/hdr" 2>/dev/null | head -1 | cut -d: -f2 | tr -d ' \r')"
}
log "warming the caches (4 requests per URL and system) and checking status, bytes and cache state"
for sys in "${SYSTEMS[@]}"; do
  for row in "${ROWS[@]}"; do
    for _ in 1 2 3; do fetch "$sys" "$row" > /dev/null; done
    read -r st sz cache < <(fetch "$sys" "$row")
    [ "$st" = "${ROWSTATUS[$row]}" ] || die "${SYSNAME[$sys]} ${ROWNAME[$row]}: status $st, expected ${ROWSTATUS[$row]} (${BASE[$sys]}${ROWURL[$row]})"
    cmp -s "$RUN/body" "${ROWEXPECT[$row]}" || die "${SYSNAME[$sys]} ${ROWNAME[$row]}: body ($sz B) differs from the file's bytes"
    [ "$row" != range ] || grep -qi "^content-range: bytes 0-65535/$SEG_SIZE" "$RUN/hdr" || die "${SYSNAME[$sys]}: bad Content-Range"
    [ "$sys" = ours ] || [ "$sys" = floor ] || [ "$cache" = HIT ] || die "${SYSNAME[$sys]} ${ROWNAME[$row]}: not a cache HIT after warming (cache header '$cache')"
    printf '  %-18s %-28s -> %s %s B %s\n' "${SYSNAME[$sys]}" "${ROWNAME[$row]}" "$st" "$sz" "${cache:+X-Cache $cache}" >&2
  done
done

# ---------------------------------------------------------------- wrk driver (summary via lua, as lib.sh)
WRK_LUA=$RUN/wrk_report.lua
cat > "$WRK_LUA" <<'LUA'
-- optional Range header from the environment, plus a one-line machine readable summary (as the baselines' lib.sh)
local range = os.getenv("WRK_RANGE")
if range and range ~= "" then wrk.headers["Range"] = range end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.3f %.3f %d %d %d %d %d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

# foreign-load monitor (the cpu_monitor.py approach of the baselines): CPU used by processes that are not ours
cat > "$RUN/cpu_monitor.py" <<'PY'
import os, signal, sys, time
root, outfile = int(sys.argv[1]), sys.argv[2]
hz, me = os.sysconf("SC_CLK_TCK"), os.getpid()
def snap():
    p = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                s = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            r = s[s.rfind(")") + 2:].split()
            p[int(d)] = (int(r[1]), int(r[11]) + int(r[12]))
    return p
def ours(pid, p):
    for _ in range(64):
        if pid in (root, me): return True
        if pid <= 1: return False
        pid = p.get(pid, (0, 0))[0]
    return False
def busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)
stop = False
def term(*_):
    global stop; stop = True
signal.signal(signal.SIGTERM, term)
prev, (b0, t0), start, samples = snap(), busy(), time.time(), []
while not stop:
    time.sleep(0.5)
    cur = snap()
    samples.append(sum(max(0, c - prev[q][1]) for q, (pp, c) in cur.items() if q in prev and not ours(q, cur)) / hz / 0.5)
    prev = cur
b1, t1 = busy()
avg = sum(samples) / len(samples) if samples else 0.0
open(outfile, "w").write(f"{avg:.2f} {max(samples, default=0):.2f} {(b1 - b0) / max(1, t1 - t0) * (os.cpu_count() or 1):.2f} {time.time() - start:.0f}\n")
PY
MON_OUT=$RUN/monitor.out; rm -f "$MON_OUT"
python3 "$RUN/cpu_monitor.py" $$ "$MON_OUT" &
MON_PID=$!; track $MON_PID

# wrk_once SYS ROW DURATION_S -> "rps MBps p50ms p99ms errors flag"
wrk_once() {
  local sys=$1 row=$2 dur=$3 out
  out=$(WRK_RANGE="${ROWRANGE[$row]}" timeout -k 5 $((dur + 30)) \
        wrk -t"$WRK_THREADS" -c"$WRK_CONN" -d"${dur}s" --timeout 10s -s "$WRK_LUA" "${BASE[$sys]}${ROWURL[$row]}" 2>&1 |
        grep '^RESULT') || { echo "0 0 0 0 1 wrk-failed"; return; }
  # RESULT requests bytes duration_us p50 p99 connect read write status timeout
  # Status check: wrk counts >=400 as status errors; a wrong 2xx/3xx (200 instead of 206, 304...) shows as a wrong
  # byte count: every completed response carries the expected body (+ <2 KiB headers), plus at most one partial
  # response per connection when the run ends.
  echo "$out" | awk -v body="${ROWBODY[$row]}" -v c="$WRK_CONN" '{
    n=$2; b=$3; dur=$4/1e6; err=$7+$8+$9+$10+$11; flag="-"
    if (n == 0) flag="no-responses"
    else if (b < n*body || b > (n+c)*(body+2048)) flag=sprintf("bytes/resp=%.0f", b/n)
    printf "%.0f %.1f %.2f %.2f %d %s\n", n/dur, b/dur/1e6, $5, $6, err, flag }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

# ---------------------------------------------------------------- 4b. measure: runs interleaved across systems
total_s=$(( ${#ROWS[@]} * ${#SYSTEMS[@]} * (WARM_S + RUNS * DUR_S) ))
log "wrk -t$WRK_THREADS -c$WRK_CONN: ${RUNS} x ${DUR_S}s per (row, system) after a ${WARM_S}s warm-up, systems interleaved; ~${total_s}s of load"
declare -A R_RPS R_MB R_P50 R_P99 R_ERR R_FLAG
if (( WARM_S > 0 )); then
  for row in "${ROWS[@]}"; do for sys in "${SYSTEMS[@]}"; do wrk_once "$sys" "$row" "$WARM_S" > /dev/null; done; done
fi
for run in $(seq 1 "$RUNS"); do
  for row in "${ROWS[@]}"; do
    for sys in "${SYSTEMS[@]}"; do
      read -r rps mb p50 p99 err flag < <(wrk_once "$sys" "$row" "$DUR_S")
      k="$row/$sys"
      R_RPS[$k]+="$rps "; R_MB[$k]+="$mb "; R_P50[$k]+="$p50 "; R_P99[$k]+="$p99 "
      R_ERR[$k]=$(( ${R_ERR[$k]:-0} + err ))
      [ "$flag" = - ] || R_FLAG[$k]+="$flag "
      printf '  run %d/%d %-28s %-18s %8s req/s %8s MB/s p50 %7s ms p99 %7s ms errors %s %s\n' \
        "$run" "$RUNS" "${ROWNAME[$row]}" "${SYSNAME[$sys]}" "$rps" "$mb" "$p50" "$p99" "$err" "${flag/#-/}" >&2
    done
  done
done
kill -TERM "$MON_PID" 2>/dev/null || true; wait "$MON_PID" 2>/dev/null || true

# ---------------------------------------------------------------- 5. report
echo
echo "== edge-vs-peers: cache HITs, 127.0.0.1, wrk -t$WRK_THREADS -c$WRK_CONN, $WRK_DUR per run, median of $RUNS run(s) per metric =="
echo "# $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); nginx $(nginx -v 2>&1 | cut -d/ -f2), varnish $(varnishd -V 2>&1 | head -1 | grep -o 'varnish-[0-9.]*' | cut -d- -f2), traffic server $(traffic_server --version 2>/dev/null | grep -o 'Traffic Server [0-9.]*' | cut -d' ' -f3), redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), dotnet $(dotnet --version)"
echo "# objects: seg.m4s $SEG_SIZE B ($(awk -v s="$SEG_SIZE" 'BEGIN{printf "%.2f", s/1048576}') MiB), range bytes=0-65535 (206, 65536 B), index.m3u8 $PL_SIZE B; MB/s = all bytes read incl. headers / s, 1 MB = 1e6 B"
printf '%-28s %-18s %9s %9s %9s %9s %7s  %s\n' row system req/s MB/s "p50 ms" "p99 ms" errors check
bad=0
declare -A MED_RPS
for row in "${ROWS[@]}"; do
  for sys in "${SYSTEMS[@]}"; do
    k="$row/$sys"
    MED_RPS[$k]=$(median ${R_RPS[$k]})
    check="ok (${ROWSTATUS[$row]})"
    if (( ${R_ERR[$k]} > 0 )) || [ -n "${R_FLAG[$k]:-}" ]; then check="!! ERRORS ${R_FLAG[$k]:-}"; bad=1; fi
    printf '%-28s %-18s %9.0f %9s %9s %9s %7s  %s\n' "${ROWNAME[$row]}" "${SYSNAME[$sys]}" "${MED_RPS[$k]}" \
      "$(median ${R_MB[$k]})" "$(median ${R_P50[$k]})" "$(median ${R_P99[$k]})" "${R_ERR[$k]}" "$check"
  done
done
echo
echo "ratio of req/s (a / b; > 1 means a is faster). floor = Kestrel floor: Kestrel answering from memory, nothing else"
printf '%-28s %12s %12s %12s %12s %12s %12s %12s\n' row "ours/nginx" "ours/varnish" "ours/ats" "ours/floor" "floor/nginx" \
  "floor/varnish" "floor/ats"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0 && b > 0) printf "%.2f", a/b; else print "n/a" }'; }
for row in "${ROWS[@]}"; do
  o=${MED_RPS[$row/ours]:-0} n=${MED_RPS[$row/nginx]:-0} v=${MED_RPS[$row/varnish]:-0} a=${MED_RPS[$row/ats]:-0} f=${MED_RPS[$row/floor]:-0}
  printf '%-28s %12s %12s %12s %12s %12s %12s %12s\n' "${ROWNAME[$row]}" "$(ratio "$o" "$n")" "$(ratio "$o" "$v")" "$(ratio "$o" "$a")" \
    "$(ratio "$o" "$f")" "$(ratio "$f" "$n")" "$(ratio "$f" "$v")" "$(ratio "$f" "$a")"
done
echo
if read -r fa fm tb el < "$MON_OUT" 2>/dev/null; then
  echo "box load during the measurements: other processes avg $fa cores (max $fm); whole box busy avg $tb of $(nproc) cores over ${el}s"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)  (wrk and all servers share the same $(nproc) cores: absolute numbers are noisy)"
echo "varnish counters: $(varnishstat -n "$RUN/varnish/work" -1 -f MAIN.cache_hit -f MAIN.cache_miss -f MAIN.backend_req 2>/dev/null | awk '{printf "%s=%s ", $1, $2}')"
echo "logs and configs: $RUN"
(( bad == 0 )) || { echo "!! some rows had errors or wrong response sizes (see the check column)"; exit 2; }
