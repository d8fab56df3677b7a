#!/usr/bin/env bash
# edge-vs-peers.sh: cache-HIT throughput of our edge (src/Edge, Vod.Edge) against nginx proxy_cache, Varnish and
# Apache Traffic Server, all four in front of the same nginx origin, on the same three requests (whole 2.4 MiB segment,
# a 64 KiB range of it, the media playlist). A fourth system, the "Kestrel floor" (bench/KestrelFloor), is Kestrel tuned as the edge and
# answering from byte arrays with no other work: the ceiling for any Kestrel-based edge on these rows. Servers and wrk
# are configured as the peers' baselines in /work/shared/bench (lib.sh, 03_varnish.sh, 04_nginx_edge.sh); see
# bench/README.md.
#
# HTTPS rows (bench/tls/README.md): the same three requests over TLS 1.3, HTTP/1.1 with wrk and HTTP/2 with h2load,
# against nginx (listen ssl http2), Varnish behind hitch (ALPN h2, PROXY v2), Traffic Server (ssl port, h2), the
# Kestrel floor over TLS and our edge over TLS, all with one EC P-256 certificate and one cipher suite; each row also
# reports the CPU time the server's processes spent per GB served.
#
# Self-contained: installs missing tools (apt-get), generates media once outside the repo, builds the edge,
# starts every server on 127.0.0.1 (ports PORT_BASE..PORT_BASE+12, inside 18000-18999), stops them all by PID.
#
# Environment knobs (all optional):
#   WORK=/tmp/vod-bench   media, configs, caches, logs (never inside the repo)
#   RUNS=3                repetitions per (row, system); the median of each metric is reported
#   WRK_DUR=10s           duration of each measured wrk run;  WRK_WARM=1s  discarded warm-up run per (row, system)
#   WRK_THREADS=1         wrk -t (the box has 2 cores, shared by wrk and the server; the baselines use -t1)
#   WRK_CONN=32           wrk -c
#   PORT_BASE=18600       origin=+0 nginx-edge=+1 varnish=+2 varnish-CLI=+3 redis=+4 our edge=+5 Kestrel floor=+6
#                         Traffic Server=+7; over TLS: nginx=+8 hitch(->varnish)=+9 Traffic Server=+10 our edge=+11
#                         Kestrel floor=+12
#   SKIP_BUILD=1          do not run `dotnet build` (use the existing Release build)
#   ONLY_ROWS="range"     measure only these rows (seg range playlist); ONLY_SYSTEMS="ours nginx" only these systems
#                         (ours nginx varnish ats floor)
#   BENCH_ROWS=all        which tables: all | plain (HTTP only, as before the HTTPS rows) | tls (HTTPS only)
#   BENCH_SECONDS=N       every measured run N seconds (plain and TLS; e.g. 1 for a smoke test), overrides
#                         WRK_DUR and TLS_DUR
#   TLS_DUR=5s            duration of each measured HTTPS run (wrk and h2load); the warm-up is WRK_WARM
#   H2_CONN=32 H2_STREAMS=4 H2_STREAMS_PLAYLIST=10   h2load -c, and -m (concurrent streams per connection) for the
#                         segment rows and the playlist row
#   TLS_CIPHER=TLS_AES_128_GCM_SHA256   the one TLS 1.3 suite the clients (wrk, h2load, curl) offer, so every server
#                         negotiates it
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/tmp/vod-bench}
RUNS=${RUNS:-3}
WRK_DUR=${WRK_DUR:-10s}
WRK_WARM=${WRK_WARM:-1s}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONN=${WRK_CONN:-32}
PORT_BASE=${PORT_BASE:-18600}
BENCH_ROWS=${BENCH_ROWS:-all}
TLS_DUR=${TLS_DUR:-5s}
if [ -n "${BENCH_SECONDS:-}" ]; then
  [[ $BENCH_SECONDS =~ ^[1-9][0-9]*$ ]] || { echo "ERROR: BENCH_SECONDS must be a positive integer (got '$BENCH_SECONDS')" >&2; exit 1; }
  WRK_DUR=${BENCH_SECONDS}s; TLS_DUR=${BENCH_SECONDS}s
fi
H2_CONN=${H2_CONN:-32}
H2_STREAMS=${H2_STREAMS:-4}
H2_STREAMS_PLAYLIST=${H2_STREAMS_PLAYLIST:-10}
TLS_CIPHER=${TLS_CIPHER:-TLS_AES_128_GCM_SHA256}

P_ORIGIN=$PORT_BASE
P_NGX_EDGE=$((PORT_BASE + 1))
P_VARNISH=$((PORT_BASE + 2))
P_VARNISH_ADM=$((PORT_BASE + 3))
P_REDIS=$((PORT_BASE + 4))
P_OURS=$((PORT_BASE + 5))
P_FLOOR=$((PORT_BASE + 6))
P_ATS=$((PORT_BASE + 7))
P_NGX_TLS=$((PORT_BASE + 8))
P_HITCH=$((PORT_BASE + 9))
P_ATS_TLS=$((PORT_BASE + 10))
P_OURS_TLS=$((PORT_BASE + 11))
P_FLOOR_TLS=$((PORT_BASE + 12))

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
[[ $PORT_BASE =~ ^[0-9]+$ ]] && (( PORT_BASE >= 18000 && PORT_BASE + 12 <= 18999 )) ||
  die "PORT_BASE must keep all thirteen ports inside 18000-18999 (got '$PORT_BASE')"
[[ $H2_CONN =~ ^[1-9][0-9]*$ && $H2_STREAMS =~ ^[1-9][0-9]*$ && $H2_STREAMS_PLAYLIST =~ ^[1-9][0-9]*$ ]] ||
  die "H2_CONN, H2_STREAMS and H2_STREAMS_PLAYLIST must be positive integers"
case $BENCH_ROWS in
  all) DO_PLAIN=1; DO_TLS=1 ;; plain) DO_PLAIN=1; DO_TLS=0 ;; tls) DO_PLAIN=0; DO_TLS=1 ;;
  *) die "BENCH_ROWS must be all, plain or tls (got '$BENCH_ROWS')" ;;
esac
[[ $TLS_CIPHER =~ ^TLS_[A-Z0-9_]+$ ]] || die "TLS_CIPHER must name one TLS 1.3 suite, e.g. TLS_AES_128_GCM_SHA256 (got '$TLS_CIPHER')"
to_seconds() { # 10s | 2m | 1h | 15 -> seconds
  local v=$1
  [[ $v =~ ^([0-9]+)([smh]?)$ ]] || die "bad duration '$v' (use e.g. 10s, 2m)"
  case ${BASH_REMATCH[2]} in m) echo $((BASH_REMATCH[1] * 60)) ;; h) echo $((BASH_REMATCH[1] * 3600)) ;; *) echo "${BASH_REMATCH[1]}" ;; esac
}
DUR_S=$(to_seconds "$WRK_DUR"); WARM_S=$(to_seconds "$WRK_WARM"); TLS_S=$(to_seconds "$TLS_DUR")
(( DUR_S > 0 && TLS_S > 0 )) || die "WRK_DUR and TLS_DUR must be > 0"
case "$WORK/" in "$REPO"/*) die "WORK ($WORK) must be outside the repository ($REPO)" ;; esac

# ---------------------------------------------------------------- 1. tools
source "$REPO/scripts/prerequisites.sh" # apt-get as root or with passwordless sudo, and says what it did
TLS_TOOLS=(); (( DO_TLS )) && TLS_TOOLS=(h2load:nghttp2-client hitch:hitch openssl:openssl)
vod_require_tools nginx:nginx varnishd:varnish traffic_server:trafficserver wrk:wrk redis-server:redis-server ffmpeg:ffmpeg \
  curl:curl python3:python3 "${TLS_TOOLS[@]}" >&2 ||
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
for p in $P_ORIGIN $P_NGX_EDGE $P_VARNISH $P_VARNISH_ADM $P_REDIS $P_OURS $P_FLOOR $P_ATS \
         $P_NGX_TLS $P_HITCH $P_ATS_TLS $P_OURS_TLS $P_FLOOR_TLS; do
  ! port_open "$p" || die "127.0.0.1:$p is already in use (set PORT_BASE to another free block of 13 ports in 18000-18999)"
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

# ---------------------------------------------------------------- TLS material (made once): one CA, one server certificate
# An EC P-256 CA and a P-256 server certificate for IP 127.0.0.1 (and localhost), PKCS#8 keys, under $WORK/tls; every
# TLS server of the bench presents this one leaf (no chain), so the handshakes are the same size everywhere.
# client.cnf pins what wrk offers (OPENSSL_CONF: TLS 1.3, the one suite $TLS_CIPHER); h2load and curl get the same
# suite by option. The servers keep their default suite lists: each then negotiates the one suite offered.
TLS_DIR=$WORK/tls
CA_PEM=$TLS_DIR/ca.pem; TLS_CERT=$TLS_DIR/server.pem; TLS_KEY=$TLS_DIR/server.key
OURS_TLS=0
if (( DO_TLS )); then
  # The stack's own script (what VOD_TLS=1 ./run.sh uses): an EC P-256 CA and a server certificate for 127.0.0.1
  # and localhost, made once and reused.
  "$REPO/scripts/tls-cert.sh" "$TLS_DIR" >&2 || die "scripts/tls-cert.sh could not make the bench's certificates"
  cat "$TLS_CERT" "$TLS_KEY" > "$TLS_DIR/hitch.pem"; chmod 600 "$TLS_DIR/hitch.pem"   # hitch takes one PEM: leaf + key
  cat > "$TLS_DIR/client.cnf" <<EOF
# OPENSSL_CONF for wrk: offer TLS 1.3 with only $TLS_CIPHER (wrk has no cipher option)
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
Ciphersuites = $TLS_CIPHER
EOF
  # our edge serves https:// URLs when its build reads Tls:CertificatePath (src/ServiceDefaults/Tls); older builds
  # cannot: then it is left out of the HTTPS rows
  if grep -qs 'CertificatePath' "$(dirname "$EDGE_DLL")/Vod.ServiceDefaults.dll"; then
    OURS_TLS=1
  else
    log "TLS: this build of the edge has no Tls:CertificatePath (Vod.ServiceDefaults.dll): 'ours' is left out of the HTTPS rows"
  fi
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
# Over TLS (HTTPS rows): a second server block with "listen ssl http2", the same location and the same cache zone;
# nginx 1.22's default ssl_protocols lack TLSv1.3, hence the one TLS line besides the certificate.
NGX_EDGE_LOCATION="
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_cache edge;
      proxy_cache_lock on;
      proxy_cache_valid 200 1h;
      proxy_cache_key \$uri;
      add_header X-Cache-Status \$upstream_cache_status;
    }"
NGX_TLS_SERVER=""
(( DO_TLS )) && NGX_TLS_SERVER="
  server {
    listen 127.0.0.1:$P_NGX_TLS ssl http2;
    ssl_certificate $TLS_CERT;
    ssl_certificate_key $TLS_KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
$NGX_EDGE_LOCATION
  }"
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
$NGX_EDGE_LOCATION
  }$NGX_TLS_SERVER"
NGX_EDGE_PID=${PIDS[-1]}

# Varnish: as lib.sh start_varnish (malloc 1G, beresp.ttl 1h, builtin VCL otherwise: whole object fetched, ranges
# answered from cache)
mkdir -p "$RUN/varnish"; rm -rf "$RUN/varnish/work"
cat > "$RUN/varnish/bench.vcl" <<EOF
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$P_ORIGIN"; }
sub vcl_backend_response { set beresp.ttl = 1h; }
sub vcl_deliver { if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } else { set resp.http.X-Cache = "MISS"; } }
EOF
# Over TLS (HTTPS rows): Varnish's own TLS proxy, hitch, in front of it, as Varnish Software documents it: hitch offers
# ALPN "h2, http/1.1" and passes the connection with a PROXY v2 header (which carries the ALPN result) to a second
# varnishd listener, a Unix socket that expects PROXY; varnishd runs with HTTP/2 on (-p feature=+http2). One varnishd,
# so the HTTPS rows read the same cache as the plain ones.
VARNISH_TLS_ARGS=()
(( DO_TLS )) && VARNISH_TLS_ARGS=(-a "$RUN/varnish/hitch.sock,PROXY,mode=666" -p feature=+http2)
varnishd -F -n "$RUN/varnish/work" -a "127.0.0.1:$P_VARNISH" "${VARNISH_TLS_ARGS[@]}" -T "127.0.0.1:$P_VARNISH_ADM" \
  -f "$RUN/varnish/bench.vcl" -s malloc,1G >"$RUN/varnish/varnishd.log" 2>&1 &
VARNISH_PID=$!; track $VARNISH_PID
wait_port "$P_VARNISH" $VARNISH_PID varnishd 30
HITCH_PID=""
if (( DO_TLS )); then
  cat > "$RUN/varnish/hitch.conf" <<EOF
frontend = "[127.0.0.1]:$P_HITCH"
backend = "$RUN/varnish/hitch.sock"
pem-file = "$TLS_DIR/hitch.pem"
tls-protos = TLSv1.2 TLSv1.3
alpn-protos = "h2,http/1.1"
write-proxy-v2 = on
workers = $(nproc)
daemon = off
log-level = 1
ocsp-dir = "$RUN/varnish/ocsp"
EOF
  mkdir -p "$RUN/varnish/ocsp"
  # started as root, hitch reads the key and binds, then runs its workers as the package's _hitch user (it refuses root)
  if [ "$(id -u)" = 0 ]; then echo 'user = "_hitch"' >> "$RUN/varnish/hitch.conf"; chown _hitch "$RUN/varnish/ocsp"; fi
  hitch --config="$RUN/varnish/hitch.conf" >"$RUN/varnish/hitch.log" 2>&1 &
  HITCH_PID=$!; track $HITCH_PID
  wait_port "$P_HITCH" $HITCH_PID hitch 20
fi

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
# Over TLS (HTTPS rows): a second port with "ssl" (ATS offers h2 and http/1.1 by ALPN on it by default), the bench's
# certificate from ssl_multicert.config (a copy the trafficserver user can read), and a remap rule for its https URL to
# the same origin URL, so both ports share one cache entry per object.
ATS_PORTS="$P_ATS:ip-in=127.0.0.1"
(( DO_TLS )) && ATS_PORTS+=" $P_ATS_TLS:ssl:ip-in=127.0.0.1"
cat > "$ATS_DIR/etc/records.config" <<EOF
CONFIG proxy.config.http.server_ports STRING $ATS_PORTS
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
if (( DO_TLS )); then
  mkdir -p "$ATS_DIR/tls"; cp "$TLS_CERT" "$TLS_KEY" "$ATS_DIR/tls/"
  cat >> "$ATS_DIR/etc/records.config" <<EOF
CONFIG proxy.config.ssl.server.cert.path STRING $ATS_DIR/tls
CONFIG proxy.config.ssl.server.private_key.path STRING $ATS_DIR/tls
EOF
  echo "dest_ip=* ssl_cert_name=server.pem ssl_key_name=server.key" > "$ATS_DIR/etc/ssl_multicert.config"
  echo "map https://127.0.0.1:$P_ATS_TLS/ http://127.0.0.1:$P_ORIGIN/ @plugin=header_rewrite.so @pparam=$ATS_DIR/etc/xcache.conf" \
    >> "$ATS_DIR/etc/remap.config"
  [ "$(id -u)" = 0 ] && chown -R trafficserver "$ATS_DIR/tls"
fi
[ "$(id -u)" = 0 ] && chown -R trafficserver "$ATS_DIR/cache" "$ATS_DIR/run" "$ATS_DIR/log"
TS_RUNROOT=$ATS_DIR/runroot.yaml traffic_server >"$ATS_DIR/traffic_server.log" 2>&1 &
ATS_PID=$!; track $ATS_PID
wait_port "$P_ATS" $ATS_PID "traffic_server" 30
(( DO_TLS )) && wait_port "$P_ATS_TLS" $ATS_PID "traffic_server (TLS port)" 30

# Redis (L2 of our edge): no persistence
mkdir -p "$RUN/redis"
redis-server --bind 127.0.0.1 --port "$P_REDIS" --save '' --appendonly no --daemonize no --dir "$RUN/redis" \
  --logfile "$RUN/redis/redis.log" &
REDIS_PID=$!; track $REDIS_PID
wait_port "$P_REDIS" $REDIS_PID redis-server

# our edge (over TLS too in the HTTPS rows: an https:// URL besides the plain one, the bench's certificate; its origin
# stays plain http, the HTTPS rows measure the edge's TLS termination on cache hits)
mkdir -p "$RUN/edge"
OURS_URLS="http://127.0.0.1:$P_OURS"; OURS_TLS_ENV=()
(( OURS_TLS )) && { OURS_URLS+=";https://127.0.0.1:$P_OURS_TLS"; OURS_TLS_ENV=(Tls__CertificatePath="$TLS_CERT" Tls__KeyPath="$TLS_KEY"); }
env ASPNETCORE_URLS="$OURS_URLS" Origin__BaseUrl="http://127.0.0.1:$P_ORIGIN" "${OURS_TLS_ENV[@]}" \
  Redis__Configuration="127.0.0.1:$P_REDIS" Logging__LogLevel__Default=Warning DOTNET_NOLOGO=1 \
  dotnet "$EDGE_DLL" >"$RUN/edge/edge.log" 2>&1 &
OURS_PID=$!; track $OURS_PID
wait_port "$P_OURS" $OURS_PID "our edge (Vod.Edge)" 60
(( OURS_TLS )) && wait_port "$P_OURS_TLS" $OURS_PID "our edge (Vod.Edge) over TLS" 30
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_OURS/readyz")" = 200 ] && break
  kill -0 $OURS_PID 2>/dev/null || die "our edge exited; see $RUN/edge/edge.log"
  sleep 0.2
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_OURS/readyz")" = 200 ] ||
  die "our edge is not ready: $(curl -s "http://127.0.0.1:$P_OURS/readyz")"

# the Kestrel floor: the edge's Kestrel settings, the docroot's files loaded into memory, nothing else
# (HTTPS rows: an https:// URL too, with the same certificate settings as the edge; bound as the edge binds its URLs, ServiceListeners)
mkdir -p "$RUN/floor"
FLOOR_URLS="http://127.0.0.1:$P_FLOOR"; FLOOR_TLS_ENV=()
(( DO_TLS )) && { FLOOR_URLS+=";https://127.0.0.1:$P_FLOOR_TLS"; FLOOR_TLS_ENV=(Tls__CertificatePath="$TLS_CERT" Tls__KeyPath="$TLS_KEY"); }
env ASPNETCORE_URLS="$FLOOR_URLS" FLOOR_DOCROOT="$DOCROOT" "${FLOOR_TLS_ENV[@]}" DOTNET_NOLOGO=1 \
  dotnet "$FLOOR_DLL" >"$RUN/floor/floor.log" 2>&1 &
FLOOR_PID=$!; track $FLOOR_PID
wait_port "$P_FLOOR" $FLOOR_PID "Kestrel floor (Vod.Bench.KestrelFloor)" 60
(( DO_TLS )) && wait_port "$P_FLOOR_TLS" $FLOOR_PID "Kestrel floor over TLS" 30

SYSTEMS=(${ONLY_SYSTEMS:-ours nginx varnish ats floor})
declare -A BASE=([ours]="http://127.0.0.1:$P_OURS" [nginx]="http://127.0.0.1:$P_NGX_EDGE" [varnish]="http://127.0.0.1:$P_VARNISH"
                 [ats]="http://127.0.0.1:$P_ATS" [floor]="http://127.0.0.1:$P_FLOOR")
declare -A SYSNAME=([ours]="ours (Vod.Edge)" [nginx]="nginx proxy_cache" [varnish]="varnish malloc" [ats]="Traffic Server"
                    [floor]="Kestrel floor")
for sys in "${SYSTEMS[@]}"; do [ -n "${BASE[$sys]:-}" ] || die "unknown system '$sys' in ONLY_SYSTEMS (use: ours nginx varnish ats floor)"; done
# the same systems over TLS (HTTPS rows); ours only when its build serves TLS
declare -A TLS_BASE=([ours]="https://127.0.0.1:$P_OURS_TLS" [nginx]="https://127.0.0.1:$P_NGX_TLS" [varnish]="https://127.0.0.1:$P_HITCH"
                     [ats]="https://127.0.0.1:$P_ATS_TLS" [floor]="https://127.0.0.1:$P_FLOOR_TLS")
declare -A TLS_SYSNAME=([ours]="ours (Vod.Edge)" [nginx]="nginx ssl http2" [varnish]="hitch + varnish" [ats]="Traffic Server"
                        [floor]="Kestrel floor")
TLS_SYSTEMS=()
if (( DO_TLS )); then
  for sys in "${SYSTEMS[@]}"; do if [ "$sys" != ours ] || (( OURS_TLS )); then TLS_SYSTEMS+=("$sys"); fi; done
fi
# the processes whose CPU time a system's rows are charged (each with all its descendants: nginx workers, the varnishd
# child, hitch workers, dotnet's threads): our edge with its L2 Redis, Varnish with hitch (idle in the plain rows)
declare -A CPU_ROOTS=([ours]="$OURS_PID $REDIS_PID" [nginx]="$NGX_EDGE_PID" [varnish]="$VARNISH_PID $HITCH_PID" [ats]="$ATS_PID"
                      [floor]="$FLOOR_PID")
ROWS=(${ONLY_ROWS:-seg range playlist})
declare -A ROWNAME=([seg]="(a) seg.m4s $SEG_SIZE B" [range]="(b) seg.m4s range 0-65535" [playlist]="(c) index.m3u8 $PL_SIZE B")
declare -A ROWURL=([seg]="/$REL/seg.m4s" [range]="/$REL/seg.m4s" [playlist]="/$REL/index.m3u8")
declare -A ROWRANGE=([seg]="" [range]="$RANGE_HDR" [playlist]="")
declare -A ROWSTATUS=([seg]=200 [range]=206 [playlist]=200)
declare -A ROWBODY=([seg]=$SEG_SIZE [range]=$RANGE_LEN [playlist]=$PL_SIZE)
head -c $RANGE_LEN "$SEG_FILE" > "$RUN/expect.range"
declare -A ROWEXPECT=([seg]="$SEG_FILE" [range]="$RUN/expect.range" [playlist]="$PL_FILE")
# modes: plain = HTTP/1.1 over TCP (wrk), h1 = HTTP/1.1 over TLS (wrk), h2 = HTTP/2 over TLS (h2load)
MODES=(); (( DO_PLAIN )) && MODES+=(plain); (( DO_TLS )) && MODES+=(h1 h2)
systems_of() { if [ "$1" = plain ]; then echo "${SYSTEMS[@]}"; else echo "${TLS_SYSTEMS[@]}"; fi; }
declare -A MODENAME=([plain]="HTTP/1.1" [h1]="HTTPS, HTTP/1.1 (wrk)" [h2]="HTTPS, HTTP/2 (h2load)")

# ---------------------------------------------------------------- 4a. warm every cache, check status, bytes, HIT
fetch() { # fetch SYS ROW [MODE] -> "status size http-version cachehdr"; body in $RUN/body, headers in $RUN/hdr
  local sys=$1 row=$2 mode=${3:-plain} args=(-s -o "$RUN/body" -D "$RUN/hdr" -w '%{http_code} %{size_download} %{http_version}')
  local base=${BASE[$sys]}
  [ "$mode" = plain ] || { base=${TLS_BASE[$sys]}; args+=(--cacert "$CA_PEM" --tlsv1.3 --tls13-ciphers "$TLS_CIPHER"); }
  [ "$mode" = h1 ] && args+=(--http1.1)
  [ "$mode" = h2 ] && args+=(--http2)
  [ -n "${ROWRANGE[$row]}" ] && args+=(-H "Range: ${ROWRANGE[$row]}")
  local out; out=$(curl "${args[@]}" "$base${ROWURL[$row]}") || out="000 0 0"
  echo "$out $(grep -iE '^x-cache(-status)?:' "$RUN/hdr" 2>/dev/null | head -1 | cut -d: -f2 | tr -d ' \r')"
}
log "warming the caches (4 requests per URL and system) and checking status, bytes and cache state"
declare -A WANT_VERSION=([plain]=1.1 [h1]=1.1 [h2]=2)
for mode in "${MODES[@]}"; do
  for sys in $(systems_of "$mode"); do
    name=${SYSNAME[$sys]}; [ "$mode" = plain ] || name="${TLS_SYSNAME[$sys]} [$mode]"
    for row in "${ROWS[@]}"; do
      for _ in 1 2 3; do fetch "$sys" "$row" "$mode" > /dev/null; done
      read -r st sz ver cache < <(fetch "$sys" "$row" "$mode")
      [ "$st" = "${ROWSTATUS[$row]}" ] || die "$name ${ROWNAME[$row]}: status $st, expected ${ROWSTATUS[$row]} ($mode, port of ${BASE[$sys]}${ROWURL[$row]})"
      cmp -s "$RUN/body" "${ROWEXPECT[$row]}" || die "$name ${ROWNAME[$row]}: body ($sz B) differs from the file's bytes ($mode)"
      [ "$row" != range ] || grep -qi "^content-range: bytes 0-65535/$SEG_SIZE" "$RUN/hdr" || die "$name: bad Content-Range ($mode)"
      [ "$ver" = "${WANT_VERSION[$mode]}" ] || die "$name ${ROWNAME[$row]}: answered over HTTP/$ver, expected HTTP/${WANT_VERSION[$mode]} ($mode)"
      [ "$sys" = ours ] || [ "$sys" = floor ] || [ "$cache" = HIT ] || die "$name ${ROWNAME[$row]}: not a cache HIT after warming (cache header '$cache', $mode)"
      printf '  %-22s %-28s -> %s %s B HTTP/%s %s\n' "$name" "${ROWNAME[$row]}" "$st" "$sz" "$ver" "${cache:+X-Cache $cache}" >&2
    done
  done
done

# TLS handshake of every HTTPS system, with openssl s_client: what it negotiates with the bench's clients (TLS 1.3, only
# $TLS_CIPHER offered, ALPN h2 then http/1.1, certificate checked against the bench's CA) and, for the record, with
# OpenSSL's default offer (the servers' own preference among the default suites)
tls_probe() { # tls_probe PORT [SUITES] [ALPN] -> "protocol cipher alpn verify-code"
  { timeout 10 openssl s_client -connect "127.0.0.1:$1" -alpn "${3:-h2,http/1.1}" -CAfile "$CA_PEM" ${2:+-ciphersuites "$2"} </dev/null 2>&1 || true; } |
    tr -d '\000' |
    awk '/^New, / { p=$2; c=$NF; sub(/,$/, "", p) } /^ALPN protocol:/ { a=$3 } /^No ALPN negotiated/ { a="none" }
         /Verify return code:/ { v=$4 } END { printf "%s %s %s %s\n", p ? p : "?", c ? c : "?", a ? a : "?", v != "" ? v : "?" }'
}
declare -A TLS_SEEN TLS_DEFAULT
declare -A TLS_PORT=([ours]=$P_OURS_TLS [nginx]=$P_NGX_TLS [varnish]=$P_HITCH [ats]=$P_ATS_TLS [floor]=$P_FLOOR_TLS)
for sys in "${TLS_SYSTEMS[@]}"; do
  read -r proto cipher alpn verify < <(tls_probe "${TLS_PORT[$sys]}" "$TLS_CIPHER")
  [ "$proto $cipher $alpn $verify" = "TLSv1.3 $TLS_CIPHER h2 0" ] ||
    die "${TLS_SYSNAME[$sys]} (127.0.0.1:${TLS_PORT[$sys]}): negotiated '$proto $cipher', ALPN '$alpn', verify code '$verify'; expected TLSv1.3 $TLS_CIPHER, h2, 0"
  TLS_SEEN[$sys]="$proto $cipher ALPN $alpn"
  read -r proto cipher alpn verify < <(tls_probe "${TLS_PORT[$sys]}" "$TLS_CIPHER" http/1.1)   # a client without h2
  [ "$alpn" = http/1.1 ] || die "${TLS_SYSNAME[$sys]} (127.0.0.1:${TLS_PORT[$sys]}): ALPN '$alpn' when only http/1.1 is offered"
  read -r proto cipher alpn verify < <(tls_probe "${TLS_PORT[$sys]}")
  TLS_DEFAULT[$sys]="$proto $cipher"
  printf '  %-22s TLS: %s, certificate verified; with OpenSSL'"'"'s default offer: %s\n' "${TLS_SYSNAME[$sys]}" "${TLS_SEEN[$sys]}" "${TLS_DEFAULT[$sys]}" >&2
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

# wrk_once SYS ROW DURATION_S [MODE] -> "rps MBps p50ms p99ms errors flag bytes"   (MODE plain or h1: https, wrk
# offering TLS 1.3 with $TLS_CIPHER only through OPENSSL_CONF)
wrk_once() {
  local sys=$1 row=$2 dur=$3 mode=${4:-plain} out url tls_env=()
  url=${BASE[$sys]}${ROWURL[$row]}
  [ "$mode" = plain ] || { url=${TLS_BASE[$sys]}${ROWURL[$row]}; tls_env=(OPENSSL_CONF="$TLS_DIR/client.cnf"); }
  out=$(env WRK_RANGE="${ROWRANGE[$row]}" "${tls_env[@]}" timeout -k 5 $((dur + 30)) \
        wrk -t"$WRK_THREADS" -c"$WRK_CONN" -d"${dur}s" --timeout 10s -s "$WRK_LUA" "$url" 2>&1 |
        grep '^RESULT') || { echo "0 0 0 0 1 wrk-failed 0"; return; }
  # RESULT requests bytes duration_us p50 p99 connect read write status timeout
  # Status check: wrk counts >=400 as status errors; a wrong 2xx/3xx (200 instead of 206, 304...) shows as a wrong
  # byte count: every completed response carries the expected body (+ <2 KiB headers), plus at most one partial
  # response per connection when the run ends.
  echo "$out" | awk -v body="${ROWBODY[$row]}" -v c="$WRK_CONN" '{
    n=$2; b=$3; dur=$4/1e6; err=$7+$8+$9+$10+$11; flag="-"
    if (n == 0) flag="no-responses"
    else if (b < n*body || b > (n+c)*(body+2048)) flag=sprintf("bytes/resp=%.0f", b/n)
    printf "%.0f %.1f %.2f %.2f %d %s %.0f\n", n/dur, b/dur/1e6, $5, $6, err, flag, b }'
}

# h2_once SYS ROW DURATION_S -> "rps MBps mean-ms 0 errors flag bytes": h2load over TLS, ALPN h2 only, TLS 1.3 with
# $TLS_CIPHER only, H2_CONN connections with H2_STREAMS concurrent streams each (H2_STREAMS_PLAYLIST for the
# playlist), as a browser multiplexes. h2load prints no percentiles: the latency is its mean time per request.
# Checks: failed/errored/timed-out requests and 3xx-5xx count as errors; the protocol must be h2; the DATA bytes must
# be the expected body per response (plus at most one partial body per stream in flight when the run ends).
h2_once() {
  local sys=$1 row=$2 dur=$3 m=$H2_STREAMS out hdr=()
  [ "$row" = playlist ] && m=$H2_STREAMS_PLAYLIST
  [ -n "${ROWRANGE[$row]}" ] && hdr=(-H "range: ${ROWRANGE[$row]}")
  out=$(timeout -k 5 $((dur + 30)) h2load -t"$WRK_THREADS" -c"$H2_CONN" -m"$m" -D "$dur" --npn-list=h2 \
        --tls13-ciphers="$TLS_CIPHER" "${hdr[@]}" "${TLS_BASE[$sys]}${ROWURL[$row]}" 2>&1) || { echo "0 0 0 0 1 h2load-failed 0"; return; }
  echo "$out" > "$RUN/h2load.last"
  awk -v body="${ROWBODY[$row]}" -v c="$H2_CONN" -v m="$m" '
    function secs(v) { if (v ~ /us$/) return v / 1e6; if (v ~ /ms$/) return v / 1e3; return v + 0 }
    /^finished in/ { d = $3; sub(/,$/, "", d); dur = secs(d) }
    /^requests:/ { ok = $8; bad = $10 + $12 + $14 }
    /^status codes:/ { bad += $5 + $7 + $9 }
    /^traffic:/ { n = 0; line = $0
                  while (match(line, /\([0-9]+\)/)) { v[++n] = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, RSTART + RLENGTH) }
                  total = v[1] + 0; data = v[3] + 0 }
    /^time for request:/ { mean = secs($6) * 1000 }
    /^Application protocol:/ { proto = $3 }
    END {
      flag = "-"
      if (dur <= 0 || ok == 0) { flag = "no-responses"; dur = dur > 0 ? dur : 1 }
      else if (proto != "h2") flag = "not-h2:" proto
      else if (data < ok * body || data > (ok + c * m) * body) flag = sprintf("bytes/resp=%.0f", data / ok)
      printf "%.0f %.1f %.2f 0 %d %s %.0f\n", ok / dur, total / dur / 1e6, mean, bad, flag, total }' <<<"$out"
}

# CPU time of a system's server processes: utime + stime (all threads) from /proc/<pid>/stat, in clock ticks
HZ=$(getconf CLK_TCK)
proc_tree() { local p; for p in "$@"; do [ -d "/proc/$p" ] || continue; echo "$p"; proc_tree $(cat /proc/"$p"/task/*/children 2>/dev/null); done; }
cpu_ticks() {
  local files=() p
  for p in "$@"; do files+=("/proc/$p/stat"); done
  { cat "${files[@]}" 2>/dev/null || true; } | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { printf "%d\n", t }'
}
# measure MODE SYS ROW DURATION_S -> "rps MBps lat1 lat2 errors flag bytes cpu-s-per-GB"
measure() {
  local mode=$1 sys=$2 row=$3 dur=$4 pids t0 res
  pids=($(proc_tree ${CPU_ROOTS[$sys]}))
  t0=$(cpu_ticks "${pids[@]}")
  if [ "$mode" = h2 ]; then res=$(h2_once "$sys" "$row" "$dur"); else res=$(wrk_once "$sys" "$row" "$dur" "$mode"); fi
  echo "$res $(awk -v t="$(( $(cpu_ticks "${pids[@]}") - t0 ))" -v hz="$HZ" -v b="${res##* }" \
    'BEGIN { if (b > 0) printf "%.3f", t / hz / (b / 1e9); else print "n/a" }')"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
mode_seconds() { if [ "$1" = plain ]; then echo "$DUR_S"; else echo "$TLS_S"; fi; }

# ---------------------------------------------------------------- 4b. measure: runs interleaved across systems
total_s=0
for mode in "${MODES[@]}"; do
  n=($(systems_of "$mode")); total_s=$(( total_s + ${#ROWS[@]} * ${#n[@]} * (WARM_S + RUNS * $(mode_seconds "$mode")) ))
done
(( DO_PLAIN )) && log "plain: wrk -t$WRK_THREADS -c$WRK_CONN, ${RUNS} x ${DUR_S}s per (row, system)"
(( DO_TLS )) && log "HTTPS: wrk -t$WRK_THREADS -c$WRK_CONN and h2load -t$WRK_THREADS -c$H2_CONN -m$H2_STREAMS (playlist -m$H2_STREAMS_PLAYLIST), ${RUNS} x ${TLS_S}s per (row, system); systems: ${TLS_SYSTEMS[*]}"
log "each after a ${WARM_S}s warm-up; runs interleaved (run 1 of every table, row and system, then run 2, ...); ~${total_s}s of load"
declare -A R_RPS R_MB R_P50 R_P99 R_ERR R_FLAG R_CPU
if (( WARM_S > 0 )); then
  for mode in "${MODES[@]}"; do for row in "${ROWS[@]}"; do for sys in $(systems_of "$mode"); do
    measure "$mode" "$sys" "$row" "$WARM_S" > /dev/null
  done; done; done
fi
for run in $(seq 1 "$RUNS"); do
  for mode in "${MODES[@]}"; do
    for row in "${ROWS[@]}"; do
      for sys in $(systems_of "$mode"); do
        read -r rps mb p50 p99 err flag bytes cpu < <(measure "$mode" "$sys" "$row" "$(mode_seconds "$mode")")
        k="$mode/$row/$sys"
        R_RPS[$k]+="$rps "; R_MB[$k]+="$mb "; R_P50[$k]+="$p50 "; R_P99[$k]+="$p99 "
        [ "$cpu" = n/a ] || R_CPU[$k]+="$cpu "
        R_ERR[$k]=$(( ${R_ERR[$k]:-0} + err ))
        [ "$flag" = - ] || R_FLAG[$k]+="$flag "
        name=${SYSNAME[$sys]}; [ "$mode" = plain ] || name=${TLS_SYSNAME[$sys]}
        printf '  run %d/%d %-5s %-28s %-18s %8s req/s %8s MB/s %s %7s ms %s errors %s CPU %s s/GB %s\n' \
          "$run" "$RUNS" "$mode" "${ROWNAME[$row]}" "$name" "$rps" "$mb" \
          "$([ "$mode" = h2 ] && echo "mean" || echo "p50")" "$p50" "$([ "$mode" = h2 ] || echo "p99 $p99 ms")" "$err" "$cpu" "${flag/#-/}" >&2
      done
    done
  done
done
kill -TERM "$MON_PID" 2>/dev/null || true; wait "$MON_PID" 2>/dev/null || true

# ---------------------------------------------------------------- 5. report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0 && b > 0) printf "%.2f", a/b; else print "n/a" }'; }
cpu_med() { local v=${R_CPU[$1]:-}; if [ -n "$v" ]; then median $v; else echo 0; fi; }
VERSIONS="$(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); nginx $(nginx -v 2>&1 | cut -d/ -f2), varnish $(varnishd -V 2>&1 | head -1 | grep -o 'varnish-[0-9.]*' | cut -d- -f2), traffic server $(traffic_server --version 2>/dev/null | grep -o 'Traffic Server [0-9.]*' | cut -d' ' -f3), redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), dotnet $(dotnet --version)"
CPU_NOTE="CPU s/GB = user+system seconds of the server's processes (ours: edge + its Redis; varnish: varnishd + hitch) per 1e9 bytes the client read"
bad=0
declare -A MED_RPS MED_CPU
for mode in "${MODES[@]}"; do for row in "${ROWS[@]}"; do for sys in $(systems_of "$mode"); do
  k="$mode/$row/$sys"; MED_RPS[$k]=$(median ${R_RPS[$k]}); MED_CPU[$k]=$(cpu_med "$k")
done; done; done
check_of() { # check_of KEY ROW -> the check column ("!! ..." when the runs had errors or wrong sizes)
  if (( ${R_ERR[$1]} > 0 )) || [ -n "${R_FLAG[$1]:-}" ]; then echo "!! ERRORS ${R_FLAG[$1]:-}"; else echo "ok (${ROWSTATUS[$2]})"; fi
}
cpu_fmt() { awk -v v="$1" 'BEGIN { if (v > 0) printf "%.2f", v; else print "n/a" }'; }

if (( DO_PLAIN )); then
echo
echo "== edge-vs-peers: cache HITs, 127.0.0.1, wrk -t$WRK_THREADS -c$WRK_CONN, $WRK_DUR per run, median of $RUNS run(s) per metric =="
echo "# $VERSIONS"
echo "# objects: seg.m4s $SEG_SIZE B ($(awk -v s="$SEG_SIZE" 'BEGIN{printf "%.2f", s/1048576}') MiB), range bytes=0-65535 (206, 65536 B), index.m3u8 $PL_SIZE B; MB/s = all bytes read incl. headers / s, 1 MB = 1e6 B"
printf '%-28s %-18s %9s %9s %9s %9s %7s  %s\n' row system req/s MB/s "p50 ms" "p99 ms" errors check
for row in "${ROWS[@]}"; do
  for sys in "${SYSTEMS[@]}"; do
    k="plain/$row/$sys"
    check=$(check_of "$k" "$row"); [[ $check != '!!'* ]] || bad=1
    printf '%-28s %-18s %9.0f %9s %9s %9s %7s  %s\n' "${ROWNAME[$row]}" "${SYSNAME[$sys]}" "${MED_RPS[$k]}" \
      "$(median ${R_MB[$k]})" "$(median ${R_P50[$k]})" "$(median ${R_P99[$k]})" "${R_ERR[$k]}" "$check"
  done
done
echo
echo "ratio of req/s (a / b; > 1 means a is faster). floor = Kestrel floor: Kestrel answering from memory, nothing else"
printf '%-28s %12s %12s %12s %12s %12s %12s %12s\n' row "ours/nginx" "ours/varnish" "ours/ats" "ours/floor" "floor/nginx" \
  "floor/varnish" "floor/ats"
for row in "${ROWS[@]}"; do
  o=${MED_RPS[plain/$row/ours]:-0} n=${MED_RPS[plain/$row/nginx]:-0} v=${MED_RPS[plain/$row/varnish]:-0} a=${MED_RPS[plain/$row/ats]:-0} f=${MED_RPS[plain/$row/floor]:-0}
  printf '%-28s %12s %12s %12s %12s %12s %12s %12s\n' "${ROWNAME[$row]}" "$(ratio "$o" "$n")" "$(ratio "$o" "$v")" "$(ratio "$o" "$a")" \
    "$(ratio "$o" "$f")" "$(ratio "$f" "$n")" "$(ratio "$f" "$v")" "$(ratio "$f" "$a")"
done
echo
echo "CPU seconds per GB served, plain HTTP (median of the runs; $CPU_NOTE)"
printf '%-28s %9s %9s %9s %9s %9s %11s\n' row ours nginx varnish ats floor "ours/nginx"
for row in "${ROWS[@]}"; do
  printf '%-28s' "${ROWNAME[$row]}"
  for sys in ours nginx varnish ats floor; do printf ' %9s' "$(cpu_fmt "${MED_CPU[plain/$row/$sys]:-0}")"; done
  printf ' %11s\n' "$(ratio "${MED_CPU[plain/$row/ours]:-0}" "${MED_CPU[plain/$row/nginx]:-0}")"
done
fi

if (( DO_TLS )); then
  echo
  (( DO_PLAIN )) || echo "# $VERSIONS"
  echo "# TLS: one EC P-256 certificate for 127.0.0.1 (leaf only), $(openssl version | cut -d' ' -f1-2), hitch $(hitch --version 2>&1 | grep -o '[0-9][0-9.]*' | head -1), h2load $(h2load --version 2>&1 | grep -o '[0-9]\+\.[0-9.]*' | head -1); clients offer TLS 1.3 with $TLS_CIPHER only; negotiated (openssl s_client -alpn h2,http/1.1):"
  for sys in "${TLS_SYSTEMS[@]}"; do
    printf '#   %-18s %-42s (with OpenSSL'"'"'s default offer: %s)\n' "${TLS_SYSNAME[$sys]}" "${TLS_SEEN[$sys]}" "${TLS_DEFAULT[$sys]}"
  done
  (( OURS_TLS )) || [[ " ${SYSTEMS[*]} " != *" ours "* ]] || echo "#   ours: left out, this build of the edge has no TLS (Tls:CertificatePath)"
  for mode in h1 h2; do
    echo
    if [ "$mode" = h1 ]; then
      echo "== ${MODENAME[$mode]}: cache HITs over TLS, wrk -t$WRK_THREADS -c$WRK_CONN, $TLS_DUR per run, median of $RUNS run(s) per metric =="
      printf '%-28s %-18s %9s %9s %9s %9s %9s %7s  %s\n' row system req/s MB/s "p50 ms" "p99 ms" "CPU s/GB" errors check
    else
      echo "== ${MODENAME[$mode]}: cache HITs over TLS, h2load -t$WRK_THREADS -c$H2_CONN -m$H2_STREAMS (playlist -m$H2_STREAMS_PLAYLIST), $TLS_DUR per run, median of $RUNS run(s) per metric =="
      printf '%-28s %-18s %9s %9s %9s %9s %7s  %s\n' row system req/s MB/s "mean ms" "CPU s/GB" errors check
    fi
    for row in "${ROWS[@]}"; do
      for sys in "${TLS_SYSTEMS[@]}"; do
        k="$mode/$row/$sys"
        check=$(check_of "$k" "$row"); [[ $check != '!!'* ]] || bad=1
        if [ "$mode" = h1 ]; then
          printf '%-28s %-18s %9.0f %9s %9s %9s %9s %7s  %s\n' "${ROWNAME[$row]}" "${TLS_SYSNAME[$sys]}" "${MED_RPS[$k]}" \
            "$(median ${R_MB[$k]})" "$(median ${R_P50[$k]})" "$(median ${R_P99[$k]})" "$(cpu_fmt "${MED_CPU[$k]}")" "${R_ERR[$k]}" "$check"
        else
          printf '%-28s %-18s %9.0f %9s %9s %9s %7s  %s\n' "${ROWNAME[$row]}" "${TLS_SYSNAME[$sys]}" "${MED_RPS[$k]}" \
            "$(median ${R_MB[$k]})" "$(median ${R_P50[$k]})" "$(cpu_fmt "${MED_CPU[$k]}")" "${R_ERR[$k]}" "$check"
        fi
      done
    done
    echo "ratios (${MODENAME[$mode]}): req/s a / b (> 1: a is faster); CPU s/GB ours/nginx (< 1: ours spends less CPU per byte)"
    printf '%-28s %12s %12s %12s %12s %12s %16s\n' row "ours/nginx" "ours/varnish" "ours/ats" "ours/floor" "floor/nginx" "CPU ours/nginx"
    for row in "${ROWS[@]}"; do
      o=${MED_RPS[$mode/$row/ours]:-0} n=${MED_RPS[$mode/$row/nginx]:-0} v=${MED_RPS[$mode/$row/varnish]:-0} a=${MED_RPS[$mode/$row/ats]:-0} f=${MED_RPS[$mode/$row/floor]:-0}
      printf '%-28s %12s %12s %12s %12s %12s %16s\n' "${ROWNAME[$row]}" "$(ratio "$o" "$n")" "$(ratio "$o" "$v")" "$(ratio "$o" "$a")" \
        "$(ratio "$o" "$f")" "$(ratio "$f" "$n")" "$(ratio "${MED_CPU[$mode/$row/ours]:-0}" "${MED_CPU[$mode/$row/nginx]:-0}")"
    done
  done
  echo "# $CPU_NOTE; MB/s: wrk = all bytes read incl. headers, h2load = all HTTP/2 frames' bytes, per s, 1 MB = 1e6 B"
fi
echo
if read -r fa fm tb el < "$MON_OUT" 2>/dev/null; then
  echo "box load during the measurements: other processes avg $fa cores (max $fm); whole box busy avg $tb of $(nproc) cores over ${el}s"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)  (wrk and all servers share the same $(nproc) cores: absolute numbers are noisy)"
echo "varnish counters: $(varnishstat -n "$RUN/varnish/work" -1 -f MAIN.cache_hit -f MAIN.cache_miss -f MAIN.backend_req 2>/dev/null | awk '{printf "%s=%s ", $1, $2}')"
echo "logs and configs: $RUN"
(( bad == 0 )) || { echo "!! some rows had errors or wrong response sizes (see the check column)"; exit 2; }
