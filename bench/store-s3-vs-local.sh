#!/usr/bin/env bash
# store-s3-vs-local.sh: what the S3 media store costs against the local directory, on the two figures a user feels.
#
#   upload to ready   a 30 s 1280x720 source uploaded to the origin (multipart POST /api/titles) until the origin's
#                     event stream says "ready": with S3 the origin stores the source in the bucket, the transcoder
#                     downloads it, encodes, uploads the ladder and writes the catalog entry.
#   edge miss         a 64 KiB range of the top rendition through an edge right after a purge of the title (so the
#                     edge's L1 and L2 are cold): the edge asks the origin, which reads the file (local) or the object
#                     (S3: metadata once, then one ranged GET). curl's time_total, median and p90 of MISSES requests.
#
# Both stores run the same processes on 127.0.0.1: redis-server, one origin, one transcoder, one edge; with S3 also
# the project's own S3 server (scripts/s3-server.sh: Swift with s3api), and the origin and transcoder each get a scratch
# directory of their own (nothing shared on disk). Runs interleaved, local first. Everything is stopped by PID.
#
# Environment knobs (all optional):
#   WORK=/tmp/vod-bench-store   source, media roots, the S3 server's data, logs (never inside the repo)
#   RUNS=2                      upload-to-ready repetitions per store (median reported)
#   MISSES=30                   edge misses measured per store and run
#   PORT_BASE=18700             redis=+0 origin=+1 transcoder=+2 edge=+3; the S3 server +10..+14
#   SKIP_BUILD=1                use the existing Release builds
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/tmp/vod-bench-store}
RUNS=${RUNS:-2}
MISSES=${MISSES:-30}
PORT_BASE=${PORT_BASE:-18700}
P_REDIS=$PORT_BASE P_ORIGIN=$((PORT_BASE + 1)) P_TRANSCODER=$((PORT_BASE + 2)) P_EDGE=$((PORT_BASE + 3)) P_S3=$((PORT_BASE + 10))
ORIGIN=http://127.0.0.1:$P_ORIGIN EDGE=http://127.0.0.1:$P_EDGE
ADMIN_KEY=bench-store-admin-key-0123456789
SRC=$WORK/src_720p30_30s.mp4
RUN=$WORK/run
BUCKET=bench-media

die() { echo "ERROR: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
[[ $RUNS =~ ^[1-9][0-9]*$ && $MISSES =~ ^[1-9][0-9]*$ ]] || die "RUNS and MISSES must be positive integers"
[[ $PORT_BASE =~ ^[0-9]+$ ]] && (( PORT_BASE >= 18000 && PORT_BASE + 14 <= 18999 )) || die "PORT_BASE must keep its ports inside 18000-18999"
case "$WORK/" in "$REPO"/*) die "WORK ($WORK) must be outside the repository ($REPO)" ;; esac

source "$REPO/scripts/prerequisites.sh"
vod_require_tools ffmpeg:ffmpeg redis-server:redis-server curl:curl >&2 || die "could not install the missing tools"
vod_s3_server_packages >&2 || die "could not install the S3 server's packages"
mkdir -p "$WORK" "$RUN"

PIDS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  PIDS=()
  "$REPO/scripts/s3-server.sh" stop "$WORK/s3" --wipe >/dev/null 2>&1 || true
}
cleanup() { local rc=$?; stop_all; ((rc == 0)) || echo "store-s3-vs-local.sh failed (exit $rc); logs are in $RUN" >&2; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -s "$SRC" ]; then
  log "making the source: 30 s 1280x720 30 fps testsrc2 + sine"
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=30" \
    -f lavfi -i "sine=frequency=1000:sample_rate=48000:duration=30" -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -shortest "$SRC.tmp.mp4" && mv "$SRC.tmp.mp4" "$SRC"
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "dotnet build -c Release"
  dotnet build "$REPO/Vod.sln" -c Release -nologo -v q >"$RUN/build.log" 2>&1 || { tail -30 "$RUN/build.log" >&2; die "build failed"; }
fi
dll() { echo "$REPO/src/$1/bin/Release/net10.0/Vod.$1.dll"; }

wait_ready() {
  for _ in $(seq 1 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/readyz")" = 200 ] && return 0; sleep 0.2; done
  die "$1 is not ready: $(curl -s "$1/readyz"); see $RUN"
}

start_stack() { # local|s3
  local store=$1 media=$WORK/media-$1
  rm -rf "$media"; mkdir -p "$media"
  local common=(Redis__Configuration=127.0.0.1:$P_REDIS DOTNET_NOLOGO=1 Logging__LogLevel__Default=Warning)
  local origin_root=$media transcoder_root=$media
  if [ "$store" = s3 ]; then
    "$REPO/scripts/s3-server.sh" start "$WORK/s3" "$P_S3" >"$RUN/s3.log" 2>&1 || { cat "$RUN/s3.log" >&2; die "the S3 server did not start"; }
    "$REPO/scripts/s3-server.sh" create-bucket "$WORK/s3" "$BUCKET" >>"$RUN/s3.log" 2>&1 || die "could not create the bucket"
    common+=(Media__Store=S3 Media__S3__ServiceUrl=http://127.0.0.1:$P_S3 Media__S3__Bucket=$BUCKET
             Media__S3__AccessKey=test:tester Media__S3__SecretKey=testing)
    origin_root=$media/origin transcoder_root=$media/transcoder
  fi
  redis-server --bind 127.0.0.1 --port "$P_REDIS" --save '' --appendonly no --daemonize no --dir "$RUN" --logfile "$RUN/redis-$store.log" &
  PIDS+=($!)
  env "${common[@]}" Media__Root="$origin_root" Admin__Key=$ADMIN_KEY ASPNETCORE_URLS=$ORIGIN dotnet "$(dll Origin)" >"$RUN/origin-$store.log" 2>&1 &
  PIDS+=($!)
  env "${common[@]}" Media__Root="$transcoder_root" ASPNETCORE_URLS=http://127.0.0.1:$P_TRANSCODER dotnet "$(dll Transcoder)" >"$RUN/transcoder-$store.log" 2>&1 &
  PIDS+=($!)
  wait_ready "$ORIGIN"; wait_ready "http://127.0.0.1:$P_TRANSCODER"
  env Redis__Configuration=127.0.0.1:$P_REDIS DOTNET_NOLOGO=1 Logging__LogLevel__Default=Warning Origin__BaseUrl=$ORIGIN \
    Edge__Id=edge-bench Edge__Drain=00:00:00 Edge__PublicUrl=$EDGE ASPNETCORE_URLS=$EDGE dotnet "$(dll Edge)" >"$RUN/edge-$store.log" 2>&1 &
  PIDS+=($!)
  wait_ready "$EDGE"
}

now() { date +%s.%N; }
upload_to_ready() { # -> "seconds id"
  local events=$RUN/events.txt ev t0 t1 location id
  : > "$events"; curl -sN "$ORIGIN/api/titles/events" > "$events" & ev=$!
  t0=$(now)
  location=$(curl -sS -D - -o "$RUN/upload.json" -H "Authorization: Bearer $ADMIN_KEY" -F "file=@$SRC" -F name=bench \
    "$ORIGIN/api/titles" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  [ -n "$location" ] || die "upload refused: $(cat "$RUN/upload.json")"
  id=${location##*/}
  for _ in $(seq 1 6000); do
    grep -F "\"id\":\"$id\"" "$events" | grep -q '"status":"ready"' && break
    grep -F "\"id\":\"$id\"" "$events" | grep -q '"status":"failed"' && die "the title failed: $(curl -s "$ORIGIN/api/titles/$id" -H "Authorization: Bearer $ADMIN_KEY")"
    sleep 0.1
  done
  t1=$(now); kill "$ev" 2>/dev/null || true
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') $id"
}

edge_misses() { # id -> one time_total (ms) per line
  local id=$1 master media
  master=$(curl -fsS "$ORIGIN/play/$id/master.m3u8")
  media=$(echo "$master" | grep -m1 '^http' | sed 's#/[^/]*\.m3u8$#/media.mp4#')
  media="$EDGE/titles/${media#*/titles/}"
  curl -fsS -o /dev/null -r 0-65535 "$media" || die "the edge does not serve $media"
  for _ in $(seq 1 "$MISSES"); do
    curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $ADMIN_KEY" "$ORIGIN/api/titles/$id/purge" || die "purge failed"
    curl -fsS -o /dev/null -r 65536-131071 -w '%{time_total}\n' "$media" | awk '{printf "%.2f\n", $1*1000}'
  done
}

pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END{i=int((NR-1)*p+0.5)+1; print a[i]}'; }
declare -A READY MISS
for run in $(seq 1 "$RUNS"); do
  for store in local s3; do
    log "run $run/$RUNS: $store store"
    start_stack "$store"
    read -r seconds id < <(upload_to_ready)
    READY[$store]+="$seconds "
    MISS[$store]+="$(edge_misses "$id" | tr '\n' ' ')"
    log "  upload to ready ${seconds} s"
    stop_all
  done
done

echo
echo "== media store: S3 (Swift s3api on loopback) against the local directory; $RUNS run(s), interleaved =="
echo "# $(nproc) vCPU; a 30 s 1280x720 source, the default ladder; edge miss = 64 KiB range just after a purge, $MISSES per run"
printf '%-8s %18s %16s %16s\n' store "upload->ready s" "miss median ms" "miss p90 ms"
for store in local s3; do
  printf '%-8s %18s %16s %16s\n' "$store" "$(echo ${READY[$store]} | tr ' ' '\n' | pct 0.5)" \
    "$(echo ${MISS[$store]} | tr ' ' '\n' | pct 0.5)" "$(echo ${MISS[$store]} | tr ' ' '\n' | pct 0.9)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b/a}'; }
echo "s3/local: upload->ready $(ratio "$(echo ${READY[local]} | tr ' ' '\n' | pct 0.5)" "$(echo ${READY[s3]} | tr ' ' '\n' | pct 0.5)")x," \
  "edge miss median $(ratio "$(echo ${MISS[local]} | tr ' ' '\n' | pct 0.5)" "$(echo ${MISS[s3]} | tr ' ' '\n' | pct 0.5)")x"
