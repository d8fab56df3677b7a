#!/usr/bin/env bash
# transcode-vs-ffmpeg.sh: how long an admin waits for a title, against ffmpeg alone doing the same encode.
#
#   ffmpeg  the baselines' one-command ladder (/work/shared/bench/01_transcode.sh): a 60 s 1080p30 source, four rungs
#           (1080p 5 Mb/s, 720p 3 Mb/s, 480p 1.2 Mb/s, 360p 0.7 Mb/s) from one decode, x264 veryfast, 4 s segments
#           with aligned keyframes, AAC 128 kb/s per rung, HLS fMP4, one file per segment.
#   ours    the same file uploaded to our origin (multipart POST /api/titles) and transcoded by our transcoder with the
#           same four rungs, preset, segment length and layout, until GET /api/titles/{id} says "ready": the upload,
#           the origin's probe, the job through the Redis stream, the transcoder's own probe, ffmpeg, reading back
#           bitrates and codec strings, the master playlist, the poster frame and the atomic publish.
#
# Both are timed wall clock, runs interleaved; CPU is the baseline ffmpeg's, and for ours the transcoder's with its
# ffmpeg children (utime+stime+cutime+cstime from /proc). Self-contained: installs missing tools (apt-get), makes the
# source once outside the repo, builds the origin and transcoder, starts redis-server, the origin and a transcoder on
# 127.0.0.1 (ports PORT_BASE..PORT_BASE+2, inside 18000-18999) and stops them all by PID.
#
# Environment knobs (all optional):
#   WORK=/tmp/vod-bench-transcode   source, outputs, media root, logs (never inside the repo)
#   RUNS=3                          repetitions of each; the median is reported
#   PORT_BASE=18650                 redis=+0 origin=+1 transcoder=+2
#   SKIP_BUILD=1                    do not run `dotnet build` (use the existing Release builds)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=${WORK:-/tmp/vod-bench-transcode}
RUNS=${RUNS:-3}
PORT_BASE=${PORT_BASE:-18650}
P_REDIS=$PORT_BASE
P_ORIGIN=$((PORT_BASE + 1))
P_TRANSCODER=$((PORT_BASE + 2))
ORIGIN=http://127.0.0.1:$P_ORIGIN
ADMIN_KEY=bench-transcode-admin-key-0123456789
SRC=$WORK/src_1080p30_60s.mp4
DUR=60
RUN=$WORK/run
MEDIA=$WORK/media

die() { echo "ERROR: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ $PORT_BASE =~ ^[0-9]+$ ]] && (( PORT_BASE >= 18000 && PORT_BASE + 2 <= 18999 )) ||
  die "PORT_BASE must keep all three ports inside 18000-18999 (got '$PORT_BASE')"
case "$WORK/" in "$REPO"/*) die "WORK ($WORK) must be outside the repository ($REPO)" ;; esac

# ---------------------------------------------------------------- tools
source "$REPO/scripts/prerequisites.sh" # apt-get as root or with passwordless sudo, and says what it did
vod_require_tools ffmpeg:ffmpeg ffprobe:ffmpeg redis-server:redis-server curl:curl python3:python3 >&2 ||
  die "could not install the missing tools"
command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is not on PATH"
mkdir -p "$WORK" "$RUN"

# ---------------------------------------------------------------- processes (stopped by PID)
PIDS=()
cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  ((rc == 0)) || echo "transcode-vs-ffmpeg.sh failed (exit $rc); logs are in $RUN" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $P_REDIS $P_ORIGIN $P_TRANSCODER; do
  ! port_open "$p" || die "127.0.0.1:$p is already in use (set PORT_BASE to another free block of 3 ports in 18000-18999)"
done

# ---------------------------------------------------------------- the source (as 01_transcode.sh makes it)
if [ -s "$SRC" ]; then
  log "source already made: $SRC"
else
  log "making the source: ${DUR} s 1920x1080 30 fps testsrc2 + 1 kHz sine, H.264 CRF 20 veryfast, AAC 128 kb/s"
  timeout 600 ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$DUR" \
    -f lavfi -i "sine=frequency=1000:sample_rate=48000:duration=$DUR" \
    -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -g 60 \
    -c:a aac -b:a 128k -ac 2 -shortest -movflags +faststart "$SRC.tmp.mp4" || die "ffmpeg could not make the source"
  mv "$SRC.tmp.mp4" "$SRC"
fi
echo "source: $SRC $(stat -c %s "$SRC") B"

# ---------------------------------------------------------------- build and start redis, origin, transcoder
ORIGIN_DLL=$REPO/src/Origin/bin/Release/net10.0/Vod.Origin.dll
TRANSCODER_DLL=$REPO/src/Transcoder/bin/Release/net10.0/Vod.Transcoder.dll
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  log "SKIP_BUILD=1: using the existing builds"
else
  for project in Origin Transcoder; do
    log "dotnet build src/$project -c Release"
    dotnet build "$REPO/src/$project/$project.csproj" -c Release -nologo -v q >"$RUN/build-$project.log" 2>&1 ||
      { tail -30 "$RUN/build-$project.log" >&2; die "dotnet build of $project failed"; }
  done
fi
[ -f "$ORIGIN_DLL" ] && [ -f "$TRANSCODER_DLL" ] || die "$ORIGIN_DLL or $TRANSCODER_DLL is missing"

rm -rf "$MEDIA"; mkdir -p "$MEDIA"
redis-server --bind 127.0.0.1 --port "$P_REDIS" --save '' --appendonly no --daemonize no --dir "$RUN" \
  --logfile "$RUN/redis.log" &
PIDS+=($!)
# The same four rungs, preset, segment length and layout as the baseline command.
LADDER=(Ladder__Rungs__0__Name=1080p Ladder__Rungs__0__Height=1080 Ladder__Rungs__0__VideoKbps=5000
        Ladder__Rungs__1__Name=720p Ladder__Rungs__1__Height=720 Ladder__Rungs__1__VideoKbps=3000
        Ladder__Rungs__2__Name=480p Ladder__Rungs__2__Height=480 Ladder__Rungs__2__VideoKbps=1200
        Ladder__Rungs__3__Name=360p Ladder__Rungs__3__Height=360 Ladder__Rungs__3__VideoKbps=700
        Ladder__Preset=veryfast Ladder__SegmentSeconds=4 Ladder__AudioKbps=128 Ladder__Layout=FilePerSegment)
COMMON=(Redis__Configuration=127.0.0.1:$P_REDIS Media__Root=$MEDIA DOTNET_NOLOGO=1 Logging__LogLevel__Default=Warning)
env "${COMMON[@]}" Admin__Key=$ADMIN_KEY ASPNETCORE_URLS=$ORIGIN dotnet "$ORIGIN_DLL" >"$RUN/origin.log" 2>&1 &
PIDS+=($!)
env "${COMMON[@]}" "${LADDER[@]}" ASPNETCORE_URLS=http://127.0.0.1:$P_TRANSCODER dotnet "$TRANSCODER_DLL" >"$RUN/transcoder.log" 2>&1 &
TRANSCODER_PID=$!; PIDS+=($TRANSCODER_PID)
for url in $ORIGIN http://127.0.0.1:$P_TRANSCODER; do
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] && break
    sleep 0.2
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] || die "$url is not ready: $(curl -s "$url/readyz"); see $RUN"
done

# ---------------------------------------------------------------- the two ways
hz=$(getconf CLK_TCK)
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
proc_cpu() { awk -v hz="$hz" '{printf "%.2f", ($14+$15+$16+$17)/hz}' "/proc/$1/stat"; }

baseline() { # -> "wall cpu"
  local out=$RUN/ffmpeg-out t0 t1 c0 c1 me=$BASHPID
  rm -rf "$out"; mkdir -p "$out"
  # This function runs in a subshell: ffmpeg's CPU lands in that subshell's cutime/cstime (its $BASHPID, read here:
  # inside $(...) $BASHPID would be the command substitution's own process).
  c0=$(awk -v hz="$hz" '{printf "%.2f", ($16+$17)/hz}' "/proc/$me/stat"); t0=$(now)
  ( cd "$out" && timeout 900 ffmpeg -hide_banner -loglevel error -nostdin -y -i "$SRC" \
    -filter_complex "[0:v]split=4[v0][v1i][v2i][v3i];[v1i]scale=1280:720[v1];[v2i]scale=854:480[v2];[v3i]scale=640:360[v3]" \
    -map "[v0]" -map "[v1]" -map "[v2]" -map "[v3]" -map 0:a -map 0:a -map 0:a -map 0:a \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -r 30 -g 120 -keyint_min 120 -sc_threshold 0 \
    -b:v:0 5M    -maxrate:v:0 5350k -bufsize:v:0 7500k \
    -b:v:1 3M    -maxrate:v:1 3210k -bufsize:v:1 4500k \
    -b:v:2 1200k -maxrate:v:2 1284k -bufsize:v:2 1800k \
    -b:v:3 700k  -maxrate:v:3 749k  -bufsize:v:3 1050k \
    -c:a aac -b:a 128k -ac 2 -ar 48000 \
    -f hls -hls_time 4 -hls_playlist_type vod -hls_flags independent_segments -hls_segment_type fmp4 \
    -hls_fmp4_init_filename init.mp4 -hls_segment_filename "v%v/seg_%05d.m4s" \
    -master_pl_name master.m3u8 -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2 v:3,a:3" "v%v/prog.m3u8" ) ||
    die "the baseline ffmpeg command failed"
  t1=$(now); c1=$(awk -v hz="$hz" '{printf "%.2f", ($16+$17)/hz}' "/proc/$me/stat")
  [ "$(ls "$out"/v*/prog.m3u8 | wc -l)" = 4 ] || die "the baseline made $(ls "$out"/v*/prog.m3u8 | wc -l) renditions, not 4"
  echo "$(secs "$t0" "$t1") $(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')"
}

ours() { # -> "wall upload_s cpu renditions"
  local t0 t1 tu c0 c1 location id status="" body renditions events=$RUN/events.txt ev
  # The title's state comes from the origin's event stream (what the admin page listens to), read from a file with
  # grep: polling the API with a JSON parser ten times a second took a noticeable share of the 2 cores from ffmpeg.
  : > "$events"
  curl -sN "$ORIGIN/api/titles/events" > "$events" &
  ev=$!
  c0=$(proc_cpu "$TRANSCODER_PID"); t0=$(now)
  location=$(curl -sS -D - -o "$RUN/upload.json" -H "Authorization: Bearer $ADMIN_KEY" -F "file=@$SRC" -F name=bench \
    "$ORIGIN/api/titles" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  tu=$(now)
  [ -n "$location" ] || die "upload refused: $(cat "$RUN/upload.json")"
  id=${location##*/}
  for _ in $(seq 1 18000); do # at most 30 min
    if grep -F "\"id\":\"$id\"" "$events" | grep -q '"status":"ready"'; then status=ready; break; fi
    if grep -F "\"id\":\"$id\"" "$events" | grep -q '"status":"failed"'; then status=failed; break; fi
    sleep 0.1
  done
  t1=$(now); c1=$(proc_cpu "$TRANSCODER_PID")
  kill "$ev" 2>/dev/null || true
  body=$(curl -s "$ORIGIN/api/titles/$id")
  [ "$status" = ready ] || die "the title did not become ready within 30 min (status '$status'): $body"
  renditions=$(echo "$body" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["renditions"]))')
  curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $ADMIN_KEY" "$ORIGIN/api/titles/$id"
  echo "$(secs "$t0" "$t1") $(secs "$t0" "$tu") $(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}') $renditions"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
B_WALL=() B_CPU=() O_WALL=() O_UP=() O_CPU=()
for run in $(seq 1 "$RUNS"); do
  read -r w c < <(baseline)
  B_WALL+=("$w"); B_CPU+=("$c")
  log "run $run/$RUNS ffmpeg alone: ${w} s wall, ${c} s CPU"
  read -r w u c n < <(ours)
  [ "$n" = 4 ] || die "our title has $n renditions, not 4"
  O_WALL+=("$w"); O_UP+=("$u"); O_CPU+=("$c")
  log "run $run/$RUNS ours (upload to ready): ${w} s wall (upload ${u} s), ${c} s CPU in the transcoder and its ffmpeg"
done

bw=$(median "${B_WALL[@]}"); ow=$(median "${O_WALL[@]}")
echo
echo "== transcode-vs-ffmpeg: a ${DUR} s 1080p30 source to a 4-rung HLS ladder, median of $RUNS run(s), runs interleaved =="
echo "# $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(ffmpeg -version | head -1 | cut -d' ' -f1-3); dotnet $(dotnet --version)"
printf '%-44s %9s %9s %11s\n' way "wall s" "CPU s" "x realtime"
printf '%-44s %9s %9s %11s\n' "ffmpeg alone (one command)" "$bw" "$(median "${B_CPU[@]}")" "$(awk -v w="$bw" -v d=$DUR 'BEGIN{printf "%.2f", d/w}')"
printf '%-44s %9s %9s %11s\n' "ours: upload to ready" "$ow" "$(median "${O_CPU[@]}")" "$(awk -v w="$ow" -v d=$DUR 'BEGIN{printf "%.2f", d/w}')"
printf '%-44s %9s\n' "  of which the upload (multipart POST)" "$(median "${O_UP[@]}")"
echo
echo "ffmpeg alone / ours (wall; > 1 means ours is faster): $(awk -v b="$bw" -v o="$ow" 'BEGIN{printf "%.2f", b/o}')"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (ffmpeg uses both cores; other load on the box slows both alike)"
echo "logs: $RUN"
